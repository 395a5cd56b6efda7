// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "bpfoom/cgroup_batch.hpp"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <memory>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace bpfoom
{
namespace
{

namespace fs = std::filesystem;

/* As in cgroup.cpp: `path` is `dir` or below it, comparing whole components. */
bool is_under(const fs::path &path, const fs::path &dir)
{
	auto rel = path.lexically_relative(dir);
	return !rel.empty() && *rel.begin() != "..";
}

/*
 * "a/b/c": non-empty components joined by single slashes, none of them "."
 * or "..". Appended to a normal root, such a path is already lexically
 * normal, so resolve() would walk exactly these components.
 */
bool is_simple(std::string_view rel)
{
	if (rel.empty() || rel.front() == '/' || rel.back() == '/')
		return false;
	std::size_t start = 0;
	while (start <= rel.size()) {
		std::size_t end = rel.find('/', start);
		if (end == std::string_view::npos)
			end = rel.size();
		const std::string_view part = rel.substr(start, end - start);
		if (part.empty() || part == "." || part == "..")
			return false;
		start = end + 1;
	}
	return true;
}

/*
 * Whether the fast path can stand in for resolve() under this root at all:
 * the root must be spelled canonically (resolve() returns realpath()s, the
 * fast path returns root + "/" + rel), and no v1 hierarchy may be mounted
 * below it (resolve() refuses such paths lexically, whatever is mounted now).
 */
bool fast_path_applies(const CgroupMounts &mounts)
{
	const std::string &root = mounts.cgroup2;
	if (root.size() < 2 || root.front() != '/' || root.back() == '/' ||
	    fs::path(root).lexically_normal().string() != root)
		return false;
	const std::unique_ptr<char, decltype(&std::free)> real(::realpath(root.c_str(), nullptr),
							       &std::free);
	if (!real || root != real.get())
		return false;
	for (const auto &v1 : mounts.v1)
		if (is_under(v1.mount_point, root) && !is_under(root, v1.mount_point))
			return false;
	return true;
}

} // namespace

CgroupBatchResolver::CgroupBatchResolver(const CgroupResolver &cgroups) : cgroups_(cgroups)
{
	if (!fast_path_applies(cgroups.mounts()))
		return;
	UniqueFd root(::open(cgroups.root().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
	struct statfs sfs;
	struct stat st;
	/* Whatever is mounted there now must be cgroup2: children on its st_dev are too. */
	if (!root || ::fstatfs(root.get(), &sfs) != 0 || sfs.f_type != CGROUP2_SUPER_MAGIC ||
	    ::fstat(root.get(), &st) != 0)
		return; // every path takes resolve(), which explains the problem
	root_fd_ = std::move(root);
	root_dev_ = st.st_dev;
}

bool CgroupBatchResolver::relative_to_root(std::string_view arg, std::string &rel) const
{
	const std::string &root = cgroups_.root();
	/* resolve() sees a C string: leave embedded NULs to it. */
	if (arg.empty() || arg.find('\0') != std::string_view::npos)
		return false;

	/* The common spellings, "a/b" and "ROOT/a/b", need no std::filesystem. */
	std::string_view candidate;
	if (arg.front() != '/')
		candidate = arg;
	else if (arg.size() > root.size() + 1 && arg.compare(0, root.size(), root) == 0 &&
		 arg[root.size()] == '/')
		candidate = arg.substr(root.size() + 1);
	if (is_simple(candidate)) {
		rel = candidate;
		return true;
	}

	/* Anything else: normalize exactly as resolve() does, then take what is under the root. */
	const fs::path given(arg);
	std::string joined =
	    (given.is_absolute() ? given : fs::path(root) / given).lexically_normal().string();
	if (joined.size() <= root.size() + 1 || joined.compare(0, root.size(), root) != 0 ||
	    joined[root.size()] != '/')
		return false; // the root itself, outside it, or a v1 path: resolve() decides
	if (joined.back() == '/')
		joined.pop_back(); // "a/b/" names the directory "a/b"
	rel = joined.substr(root.size() + 1);
	return is_simple(rel);
}

int CgroupBatchResolver::parent_fd(const std::string &dir)
{
	if (auto it = parents_.find(dir); it != parents_.end())
		return it->second.get();
	/* Bounded: a sync file usually lists siblings together, so starting over is cheap. */
	if (parents_.size() >= max_cached_parents)
		parents_.clear();
	/*
	 * The kernel keeps the walk beneath the root, on the root's mount, and
	 * off symlinks: what it opens is root/dir, component by component, as
	 * resolve()'s stat() and realpath() would see it.
	 */
	open_how how{};
	how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
	how.resolve =
	    RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
	UniqueFd fd(static_cast<int>(
	    ::syscall(SYS_openat2, root_fd_.get(), dir.c_str(), &how, sizeof(how))));
	if (!fd) {
		if (errno == ENOSYS)
			root_fd_.reset(); // no openat2 (before Linux 5.6): resolve() only
		return -1;		  // not cached: resolve() reports it
	}
	return parents_.emplace(dir, std::move(fd)).first->second.get();
}

Cgroup CgroupBatchResolver::resolve(std::string_view arg)
{
	std::string rel;
	if (root_fd_ && relative_to_root(arg, rel) &&
	    cgroups_.root().size() + 1 + rel.size() < PATH_MAX) {
		const std::size_t slash = rel.rfind('/');
		const int dir =
		    slash == std::string::npos ? root_fd_.get() : parent_fd(rel.substr(0, slash));
		const char *name = rel.c_str() + (slash == std::string::npos ? 0 : slash + 1);
		struct stat st;
		/*
		 * One component, not followed if a symlink: a directory on the
		 * root's st_dev is a cgroup2 directory under the root (a mount
		 * there would show another st_dev), and its path is canonical.
		 */
		if (dir >= 0 && ::fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISDIR(st.st_mode) && st.st_dev == root_dev_) {
			fast_++;
			return Cgroup{cgroups_.root() + "/" + rel,
				      static_cast<std::uint64_t>(st.st_ino)};
		}
	}
	return cgroups_.resolve(arg);
}

} // namespace bpfoom
