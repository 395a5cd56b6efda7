// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <cstdint>
#include <string>

#include "bpfoom/pin_dir.hpp"
#include "bpfoom/unique_fd.hpp"

namespace bpfoom::bench
{

// A priorities map of the policy's layout (the one-slot array of maps and its
// table, see abi.h) and a settings map with a fresh load's settings, pinned
// as "priorities" and "settings" in a pin directory: all that `bpfoom sync`
// and PolicyChange need, without the policy (the host kernel has no hook).
// Unpinned when the object goes.
class ScratchPriorities
{
public:
	ScratchPriorities(const PinDir &pins, std::uint32_t max_entries);
	~ScratchPriorities();
	ScratchPriorities(const ScratchPriorities &) = delete;
	ScratchPriorities &operator=(const ScratchPriorities &) = delete;

	int fd() const { return fd_.get(); }
	// Entries in the map now.
	std::size_t count() const;
	// The map id of the current table, for tools that write it directly (bpftool).
	std::uint32_t table_id() const;

private:
	const PinDir &pins_;
	UniqueFd fd_;
	UniqueFd settings_fd_;
};

} // namespace bpfoom::bench
