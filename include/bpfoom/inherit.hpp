// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "bpfoom/cgroup.hpp"
#include "bpfoom/priority.hpp"

namespace bpfoom
{

class PriorityMap;

/* A cgroup's priority in inherit mode, and whose entry it is. */
struct EffectivePriority {
	enum class From { own, ancestor, fallback } from;
	std::optional<Cgroup> source; // whose entry it is; none for the default
	Priority value;

	/* "own", "ancestor" or "default". */
	std::string_view from_name() const;
};

/*
 * Inherit mode's rule, as the BPF policy applies it: a cgroup's priority is
 * its nearest ancestor-or-self entry, else the default. A cgroup deeper than
 * BPFOOM_MAX_CGROUP_DEPTH levels below the root is ranked as its ancestor at
 * that level: the entries of the levels below, its own included, are not
 * consulted. The cgroup is found by CgroupResolver::ancestors() (its errors,
 * Errc::bad_input if it is gone or outside the mount) and the entries are
 * read from one table.
 */
EffectivePriority effective_priority(const PriorityMap &map, const CgroupResolver &cgroups,
				     const Cgroup &cgroup, std::int32_t default_priority);

} // namespace bpfoom
