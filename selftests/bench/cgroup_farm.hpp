// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace bpfoom::bench
{

// `count` empty cgroups, c0 .. c<count-1>, under a directory of this
// process's own (bpfoom-bench-<pid>) at the top of the cgroup2 mount found in
// /proc/self/mountinfo. They are what a sync file names; all of them are
// removed when the object goes.
class CgroupFarm
{
public:
	explicit CgroupFarm(std::size_t count);
	~CgroupFarm();
	CgroupFarm(const CgroupFarm &) = delete;
	CgroupFarm &operator=(const CgroupFarm &) = delete;

	std::size_t size() const { return ids_.size(); }
	// The cgroup2 mount point the cgroups live under.
	const std::string &mount() const { return mount_; }
	// Cgroup i as a sync file names it: relative to the cgroup2 mount.
	std::string relative(std::size_t i) const;
	// Its cgroup id (the directory's inode number).
	std::uint64_t id(std::size_t i) const { return ids_.at(i); }

private:
	void remove_all();

	std::string mount_;  // the cgroup2 mount point
	std::string parent_; // relative to mount_
	std::vector<std::uint64_t> ids_;
};

} // namespace bpfoom::bench
