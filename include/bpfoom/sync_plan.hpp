// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "bpfoom/priority.hpp"

namespace bpfoom
{

/* How one cgroup's entry changes. */
struct SyncChange {
	std::uint64_t cgroup_id;
	std::optional<Priority> before; // absent for an addition
	std::optional<Priority> after;	// absent for a removal
};

/* The difference between the map's current contents and a desired set. */
struct SyncPlan {
	PriorityTable before; // the contents the plan was computed against (for rollback)
	PriorityTable after;  // the desired contents
	std::vector<SyncChange> added, changed, removed;
	std::size_t unchanged = 0;

	bool empty() const { return added.empty() && changed.empty() && removed.empty(); }
};

/* Diffs `current` against `desired`; changes are sorted by cgroup id. */
SyncPlan plan_sync(const PriorityTable &current, const PriorityTable &desired);

class CgroupResolver;

/* The plan that drops the entries of cgroups that no longer exist (`bpfoom gc`). */
SyncPlan plan_gc(const PriorityTable &current, const CgroupResolver &cgroups);

} // namespace bpfoom
