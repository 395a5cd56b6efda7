// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bpfoom/unique_fd.hpp"

namespace bpfoom
{

/* A cgroup v1 hierarchy mount, kept only to refuse its paths with a reason. */
struct CgroupV1Mount {
	std::string mount_point;
	std::string controllers; // super options, e.g. "memory" or "cpu,cpuacct"
};

/* Where the cgroup hierarchies of this mount namespace are mounted. */
struct CgroupMounts {
	std::string cgroup2; // empty if no cgroup2 is mounted
	std::vector<CgroupV1Mount> v1;
};

/*
 * Reads a mountinfo file (proc_pid_mountinfo(5)). The first cgroup2 mount
 * wins; octal escapes in mount points (\040 for a space) are decoded.
 */
CgroupMounts read_cgroup_mounts(const std::string &mountinfo_path = "/proc/self/mountinfo");

/* A cgroup v2 directory and its id (the kernfs node id = st_ino). */
struct Cgroup {
	std::string path; // absolute, canonical path of the directory
	std::uint64_t id;
};

/*
 * Turns operator-supplied cgroup names into cgroup v2 ids and back, under one
 * cgroup2 mount. Holds an O_PATH fd of the mount's root, for the reverse
 * lookup with open_by_handle_at(2).
 */
class CgroupResolver
{
public:
	/* Throws Errc::unsupported if `mounts` has no cgroup2. */
	explicit CgroupResolver(CgroupMounts mounts);

	/* From /proc/self/mountinfo. */
	static CgroupResolver from_this_process();

	/* The cgroup2 mount point, e.g. /sys/fs/cgroup. */
	const std::string &root() const { return mounts_.cgroup2; }

	/* The mounts this resolver judges paths against (a snapshot). */
	const CgroupMounts &mounts() const { return mounts_; }

	/*
	 * Resolves CGROUP as given on the command line or in a sync file: an
	 * absolute path under the cgroup2 mount or a path relative to it.
	 * Throws Errc::bad_input with "cgroup 'ARG': REASON" if it names no
	 * cgroup2 directory (missing, outside the mount, under a v1 hierarchy,
	 * not a directory).
	 */
	Cgroup resolve(std::string_view arg) const;

	/*
	 * The absolute path of the cgroup with this id, or nullopt if no such
	 * cgroup exists (any more).
	 */
	std::optional<std::string> path_of(std::uint64_t id) const;

	/*
	 * Whether a cgroup with this id exists, including one this mount
	 * cannot name (outside a cgroup namespace's root): what gc must ask.
	 */
	bool exists(std::uint64_t id) const;

	/*
	 * The ids of `cgroup`'s ancestors and its own, root first: element L is
	 * its ancestor at level L, the root (this resolver's mount) being level
	 * 0 and `cgroup` the last. Found by walking up from the cgroup's
	 * directory by its parents, not by the text of its path. Throws
	 * Errc::bad_input naming the cgroup if it is gone, is no longer
	 * `cgroup.id`, or does not lie below the mount. (In a cgroup namespace,
	 * or with a mount of a subtree, the levels count from the mount's root,
	 * which the kernel may place deeper: nothing above it can be seen.)
	 */
	std::vector<std::uint64_t> ancestors(const Cgroup &cgroup) const;

	/* The controllers enabled at the root (its cgroup.controllers). */
	std::vector<std::string> root_controllers() const;

private:
	std::optional<std::string> path_by_walk(std::uint64_t id) const;

	CgroupMounts mounts_;
	UniqueFd root_fd_;
};

} // namespace bpfoom
