// SPDX-License-Identifier: GPL-2.0
#include "cgroup_farm.hpp"

#include <unistd.h>

namespace bpfoom::bench
{

CgroupFarm::CgroupFarm(std::size_t count)
    : mount_(selftests::cgroup2_mount()),
      parent_(mount_, "bpfoom-bench-" + std::to_string(::getpid()))
{
	ids_.reserve(count);
	for (std::size_t i = 0; i < count; i++) {
		cgroups_.emplace_back(parent_.path(), "c" + std::to_string(i));
		ids_.push_back(cgroups_.back().id());
	}
}

std::string CgroupFarm::relative(std::size_t i) const
{
	return parent_.path().substr(mount_.size() + 1) + "/c" + std::to_string(i);
}

} // namespace bpfoom::bench
