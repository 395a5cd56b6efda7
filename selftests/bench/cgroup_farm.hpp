// SPDX-License-Identifier: GPL-2.0
#pragma once

#include "test_cgroup.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace bpfoom::bench
{

// `count` empty cgroups, c0 .. c<count-1>, under a directory of this
// process's own at the top of the cgroup2 mount: what a sync file names.
// Test cgroups (selftests::TestCgroup), so all of them go with the object.
class CgroupFarm
{
public:
	explicit CgroupFarm(std::size_t count);

	std::size_t size() const { return ids_.size(); }
	// The cgroup2 mount point the cgroups live under.
	const std::string &mount() const { return mount_; }
	// Cgroup i as a sync file names it: relative to the cgroup2 mount.
	std::string relative(std::size_t i) const;
	// Its cgroup id (the directory's inode number).
	std::uint64_t id(std::size_t i) const { return ids_.at(i); }

private:
	std::string mount_;
	selftests::TestCgroup parent_;
	std::deque<selftests::TestCgroup> cgroups_; // destroyed before parent_
	std::vector<std::uint64_t> ids_;	    // read once: the benchmarks look them up often
};

} // namespace bpfoom::bench
