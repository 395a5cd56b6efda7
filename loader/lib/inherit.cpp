// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "bpfoom/inherit.hpp"

#include <filesystem>

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
	namespace fs = std::filesystem;
	if (auto own = map.get(cgroup.id))
		return {EffectivePriority::From::own, cgroup, *own};
	for (fs::path dir = fs::path(cgroup.path).parent_path();; dir = dir.parent_path()) {
		if (dir.string().size() < cgroups.root().size())
			break;
		const Cgroup ancestor = cgroups.resolve(dir.string());
		if (auto value = map.get(ancestor.id))
			return {EffectivePriority::From::ancestor, ancestor, *value};
		if (dir == fs::path(cgroups.root()))
			break;
	}
	return {EffectivePriority::From::fallback, std::nullopt, Priority{default_priority, 0}};
}

} // namespace bpfoom
