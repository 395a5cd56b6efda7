// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "bpfoom/policy_change.hpp"

#include "bpfoom/cgroup.hpp"
#include "map_layouts.hpp"

namespace bpfoom
{

PolicyChange::PolicyChange(const Policy &policy) : PolicyChange(policy, MapLayouts()) {}

PolicyChange::PolicyChange(const Policy &policy, const MapLayouts &layouts)
    /* The maps first: "not loaded" is said at once, not after waiting for the lock. */
    : priorities_(policy.priorities(layouts)), settings_(policy.settings(layouts)),
      lock_(policy.pins().lock())
{
	policy.pins().recover();
}

std::optional<Priority> PolicyChange::set(std::uint64_t cgroup_id, const Priority &value)
{
	std::optional<Priority> before = priorities_.get(cgroup_id);
	priorities_.set(cgroup_id, value);
	return before;
}

std::optional<Priority> PolicyChange::unset(std::uint64_t cgroup_id)
{
	std::optional<Priority> before = priorities_.get(cgroup_id);
	if (!priorities_.unset(cgroup_id))
		return std::nullopt;
	return before;
}

SyncPlan PolicyChange::sync(const PriorityTable &desired, const std::string &source)
{
	SyncPlan plan = priorities_.plan_sync(desired, source);
	priorities_.apply(plan);
	return plan;
}

SyncPlan PolicyChange::gc(const CgroupResolver &cgroups)
{
	SyncPlan plan = plan_gc(priorities_.list(), cgroups);
	priorities_.apply(plan);
	return plan;
}

SettingsChange PolicyChange::configure(const SettingsUpdate &update)
{
	SettingsChange change{settings_.read(), {}};
	change.after = update.applied_to(change.before);
	settings_.write(change.after);
	return change;
}

} // namespace bpfoom
