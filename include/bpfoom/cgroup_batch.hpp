// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <unordered_map>

#include "bpfoom/cgroup.hpp"
#include "bpfoom/unique_fd.hpp"

namespace bpfoom
{

/*
 * CgroupResolver::resolve() for many paths at once (a sync file): the same
 * results and the same errors, at a fraction of the cost.
 *
 * resolve() walks each path about nine times (stat, a readlink per component
 * in realpath(), statfs) and compares it with every v1 mount. This resolver
 * opens each distinct parent directory once, beneath an O_PATH fd of the
 * cgroup2 root (openat2 with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
 * RESOLVE_NO_XDEV), keeps it in a small cache, and then needs one
 * fstatat(parent, name) per path. It takes that fast path only where its
 * answer is provably the one resolve() would give: a path that is lexically
 * under the root, reached without a symlink or a mount crossing, and ends on
 * a directory of the root's own filesystem. Anything else (an error, a
 * symlink, a v1 or outside path, a mount inside the hierarchy) goes to
 * resolve() itself, which then decides and words the error.
 *
 * One object per batch: cached directories are not re-checked, so a parent
 * renamed while the batch runs may still be found under its old name.
 */
class CgroupBatchResolver
{
public:
	/* `cgroups` must outlive this object. Never throws for want of openat2. */
	explicit CgroupBatchResolver(const CgroupResolver &cgroups);

	/* As CgroupResolver::resolve(arg), byte for byte. */
	Cgroup resolve(std::string_view arg);

	/* How many resolutions took the fast path (for tests and benchmarks). */
	std::size_t fast_resolutions() const { return fast_; }

	/* At most this many parent directories are held open at once. */
	static constexpr std::size_t max_cached_parents = 64;

private:
	/* The path relative to the root, normalized, if `arg` lies lexically under it. */
	bool relative_to_root(std::string_view arg, std::string &rel) const;
	/* The O_PATH fd of root/`dir` (cached), or -1. */
	int parent_fd(const std::string &dir);

	const CgroupResolver &cgroups_;
	UniqueFd root_fd_; // O_PATH; invalid if the fast path is off
	dev_t root_dev_ = 0;
	std::unordered_map<std::string, UniqueFd> parents_;
	std::size_t fast_ = 0;
};

} // namespace bpfoom
