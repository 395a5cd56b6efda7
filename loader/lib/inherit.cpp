// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "bpfoom/inherit.hpp"

#include <algorithm>
#include <filesystem>
#include <vector>

#include "bpfoom/abi.h"
#include "bpfoom/priority_map.hpp"

namespace bpfoom
{

std::string_view EffectivePriority::from_name() const
{
	return from == From::own ? "own" : from == From::ancestor ? "ancestor" : "default";
}

EffectivePriority effective_priority(const PriorityMap &map, const CgroupResolver &cgroups,
				     const Cgroup &cgroup, std::int32_t default_priority)
{
	const std::vector<std::uint64_t> lineage = cgroups.ancestors(cgroup);
	const std::size_t level = lineage.size() - 1;
	/*
	 * describe_task() in bpf/bpfoom_policy.bpf.c: a cgroup deeper than the
	 * depth limit is ranked by the walk from its ancestor at the limit, so
	 * the entries below that ancestor, the cgroup's own among them, count
	 * for nothing.
	 */
	const std::size_t start = std::min<std::size_t>(level, BPFOOM_MAX_CGROUP_DEPTH);
	std::vector<std::uint64_t> nearest_first(lineage.rend() - (start + 1), lineage.rend());

	const auto found = map.first_entry(nearest_first);
	if (!found)
		return {EffectivePriority::From::fallback, std::nullopt,
			Priority{default_priority, 0}};
	const std::size_t found_level = start - found->index;
	if (found_level == level)
		return {EffectivePriority::From::own, cgroup, found->value};
	/* The ancestor's path: the cgroup's canonical path, less a component per level up. */
	std::filesystem::path path(cgroup.path);
	for (std::size_t i = found_level; i < level; i++)
		path = path.parent_path();
	return {EffectivePriority::From::ancestor, Cgroup{path.string(), lineage[found_level]},
		found->value};
}

} // namespace bpfoom
