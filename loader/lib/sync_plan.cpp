// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "bpfoom/sync_plan.hpp"

#include "bpfoom/cgroup.hpp"

namespace bpfoom
{

SyncPlan plan_sync(const PriorityTable &current, const PriorityTable &desired)
{
	SyncPlan plan;
	plan.before = current;
	plan.after = desired;
	for (const auto &[id, value] : desired) {
		auto it = current.find(id);
		if (it == current.end())
			plan.added.push_back({id, std::nullopt, value});
		else if (it->second != value)
			plan.changed.push_back({id, it->second, value});
		else
			plan.unchanged++;
	}
	for (const auto &[id, value] : current)
		if (!desired.count(id))
			plan.removed.push_back({id, value, std::nullopt});
	return plan;
}

SyncPlan plan_gc(const PriorityTable &current, const CgroupResolver &cgroups)
{
	PriorityTable live;
	for (const auto &[id, value] : current)
		if (cgroups.exists(id))
			live[id] = value;
	return plan_sync(current, live);
}

} // namespace bpfoom
