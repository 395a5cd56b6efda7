// SPDX-License-Identifier: GPL-2.0
#include "scratch_priorities.hpp"

#include <bpf/bpf.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "bpfoom/abi.h"
#include "bpfoom/priority_map.hpp"

namespace bpfoom::bench
{

namespace
{

[[noreturn]] void fail(const std::string &what)
{
	throw std::system_error(errno, std::generic_category(), what);
}

} // namespace

ScratchPriorities::ScratchPriorities(const PinDir &pins, std::uint32_t max_entries) : pins_(pins)
{
	pins.create();
	fd_.reset(::dup(PriorityMap::create(max_entries).fd()));
	if (!fd_)
		fail("create a priorities map");
	pins.pin(fd_.get(), pins::priorities);
}

ScratchPriorities::~ScratchPriorities()
{
	try {
		pins_.unpin(pins::priorities);
	} catch (...) {
		// Nothing to do: the private bpffs goes away with the process.
	}
}

std::size_t ScratchPriorities::count() const
{
	return PriorityMap(UniqueFd(::dup(fd_.get()))).count();
}

std::uint32_t ScratchPriorities::table_id() const
{
	const std::uint32_t slot = BPFOOM_PRIORITIES_SLOT;
	std::uint32_t id = 0;
	if (::bpf_map_lookup_elem(fd_.get(), &slot, &id) != 0)
		fail("read the priorities map's slot");
	return id;
}

} // namespace bpfoom::bench
