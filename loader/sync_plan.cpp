// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "bpfoom/sync_plan.hpp"

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

} // namespace bpfoom
