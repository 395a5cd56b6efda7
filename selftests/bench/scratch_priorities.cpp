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
	// The settings `bpfoom load` writes first, as the kernel takes them: the
	// library itself writes pinned maps only, through PolicyChange.
	settings_fd_.reset(::bpf_map_create(BPF_MAP_TYPE_ARRAY, "settings", sizeof(std::uint32_t),
					    sizeof(bpfoom_settings), 1, nullptr));
	if (!settings_fd_)
		fail("create a settings map");
	const std::uint32_t key = 0;
	const bpfoom_settings defaults{.mode = BPFOOM_MODE_INHERIT,
				       .default_priority = 0,
				       .dry_run = 0,
				       .abi_version = BPFOOM_ABI_VERSION};
	if (::bpf_map_update_elem(settings_fd_.get(), &key, &defaults, BPF_ANY) != 0)
		fail("write the settings map");
	pins.pin(fd_.get(), pins::priorities);
	pins.pin(settings_fd_.get(), pins::settings);
}

ScratchPriorities::~ScratchPriorities()
{
	try {
		pins_.unpin(pins::priorities);
		pins_.unpin(pins::settings);
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
