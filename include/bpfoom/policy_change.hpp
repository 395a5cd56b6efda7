// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "bpfoom/policy.hpp"
#include "bpfoom/sync_plan.hpp"

namespace bpfoom
{

class CgroupResolver;
class MapLayouts;

/* A settings change: what was in force, and what is now. */
struct SettingsChange {
	Settings before;
	Settings after;
};

/*
 * The one way to change a loaded policy's state: its priorities (one entry,
 * a whole set, the entries of deleted cgroups) and its settings.
 *
 * Constructing it opens the policy's maps (Errc::not_loaded, or
 * Errc::unsupported for maps of another layout, before any waiting), takes
 * the pin directory's lock (waiting at most the Policy's lock timeout, then
 * Errc::busy naming the holder) and finishes or undoes whatever an
 * interrupted load or unload left. The lock is held until it is destroyed.
 * So two writers never interleave, whether they are `bpfoom` commands, a
 * reload, or programs linking the library, and none writes beside a
 * half-replaced policy. Reading needs none of this: see Policy.
 *
 * Keep one for the writes only, and destroy it before reporting on them: a
 * slow reader of the report must not hold up the next writer.
 */
class PolicyChange
{
public:
	explicit PolicyChange(const Policy &policy);

	PolicyChange(const PolicyChange &) = delete;
	PolicyChange &operator=(const PolicyChange &) = delete;

	/* Sets one cgroup's entry; returns the entry it replaced, if any. */
	std::optional<Priority> set(std::uint64_t cgroup_id, const Priority &value);
	/* Removes one cgroup's entry; returns it, or nothing if there was none. */
	std::optional<Priority> unset(std::uint64_t cgroup_id);

	/*
	 * Makes the priorities exactly `desired`: planned against the current
	 * contents under the lock, then applied as one swap (see PriorityMap).
	 * Errc::bad_input naming `source` if `desired` exceeds the capacity;
	 * nothing changes then, nor if the kernel refuses.
	 */
	SyncPlan sync(const PriorityTable &desired, const std::string &source);

	/* Drops the entries of cgroups that no longer exist. */
	SyncPlan gc(const CgroupResolver &cgroups);

	/* Applies `update` over the settings in force. */
	SettingsChange configure(const SettingsUpdate &update);

	/* The maps as this change sees them, for reading under the lock. */
	const PriorityMap &priorities() const { return priorities_; }

private:
	PolicyChange(const Policy &policy, const MapLayouts &layouts);

	PriorityMap priorities_;
	SettingsMap settings_;
	UniqueFd lock_;
};

} // namespace bpfoom
