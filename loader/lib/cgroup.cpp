// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "bpfoom/cgroup.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <linux/magic.h>
#include <sstream>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "bpfoom/error.hpp"
#include "bpfoom/text.hpp"

namespace bpfoom
{
namespace
{

namespace fs = std::filesystem;

/* kernfs' file handle type (FILEID_KERNFS in include/linux/exportfs.h). */
constexpr int kernfs_handle_type = 0xfe;

/* Mount points in mountinfo escape ' ', '\t', '\n' and '\\' as \ooo. */
std::string unescape_mountinfo(const std::string &field)
{
	std::string out;
	for (std::size_t i = 0; i < field.size(); i++) {
		if (field[i] == '\\' && i + 3 < field.size() && field[i + 1] >= '0' &&
		    field[i + 1] <= '7') {
			out += static_cast<char>(std::stoi(field.substr(i + 1, 3), nullptr, 8));
			i += 3;
		} else {
			out += field[i];
		}
	}
	return out;
}

/* An O_PATH fd of the cgroup `id`, found through its kernfs file handle; errno on failure. */
UniqueFd open_by_cgroup_id(int mount_fd, std::uint64_t id)
{
	struct {
		struct file_handle handle;
		std::uint64_t cgroup_id;
	} fh{};
	fh.handle.handle_bytes = sizeof(fh.cgroup_id);
	fh.handle.handle_type = kernfs_handle_type;
	fh.cgroup_id = id;
	return UniqueFd(::open_by_handle_at(mount_fd, &fh.handle, O_PATH | O_CLOEXEC));
}

/*
 * A system call's failure on a path derived from CGROUP (`quoted`, the
 * message's start). ENAMETOOLONG means the name the operator gave is too
 * long, which is bad input, not a failure of ours.
 */
Error path_error(const std::string &quoted, const std::string &what, int err)
{
	if (err == ENAMETOOLONG)
		return Error(Errc::bad_input,
			     quoted + "is too long (" + what + ": " + std::strerror(err) + ")");
	return system_error(quoted + what, err);
}

/* True if `path` is `dir` or lies below it, comparing whole components. */
bool is_under(const fs::path &path, const fs::path &dir)
{
	auto rel = path.lexically_relative(dir);
	return !rel.empty() && *rel.begin() != "..";
}

} // namespace

CgroupMounts read_cgroup_mounts(const std::string &mountinfo_path)
{
	std::ifstream in(mountinfo_path);
	if (!in)
		throw system_error("cannot read " + mountinfo_path, errno);

	CgroupMounts mounts;
	std::string line;
	while (std::getline(in, line)) {
		/* id parent major:minor root mount-point options [optional...] - type source
		 * super-options */
		std::istringstream fields(line);
		std::string id, parent, devno, root, mount_point, options, word;
		fields >> id >> parent >> devno >> root >> mount_point >> options;
		while (fields >> word && word != "-")
			;
		std::string fstype, source, super_options;
		fields >> fstype >> source >> super_options;
		if (fstype == "cgroup2" && mounts.cgroup2.empty()) {
			mounts.cgroup2 = unescape_mountinfo(mount_point);
		} else if (fstype == "cgroup") {
			/* Super options are rw|ro, then the controllers (or name=...). */
			std::string controllers;
			std::istringstream opts(super_options);
			for (std::string opt; std::getline(opts, opt, ',');) {
				if (opt == "rw" || opt == "ro")
					continue;
				controllers += (controllers.empty() ? "" : ",") + opt;
			}
			mounts.v1.push_back({unescape_mountinfo(mount_point), controllers});
		}
	}
	return mounts;
}

CgroupResolver::CgroupResolver(CgroupMounts mounts) : mounts_(std::move(mounts))
{
	if (mounts_.cgroup2.empty())
		throw Error(Errc::unsupported, "no cgroup2 hierarchy is mounted");
	root_fd_.reset(::open(mounts_.cgroup2.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	if (!root_fd_)
		throw system_error("cannot open the cgroup2 mount " + mounts_.cgroup2, errno);
}

CgroupResolver CgroupResolver::from_this_process()
{
	return CgroupResolver(read_cgroup_mounts());
}

Cgroup CgroupResolver::resolve(std::string_view arg) const
{
	const std::string quoted = "cgroup " + quote(arg) + ": ";
	const fs::path root(mounts_.cgroup2);
	if (arg.empty())
		throw Error(Errc::bad_input, quoted + "empty cgroup name");

	fs::path given(arg);
	const fs::path joined = (given.is_absolute() ? given : root / given).lexically_normal();
	/* The kernel would refuse these with ENAMETOOLONG: say which limit the input exceeds. */
	if (joined.native().size() > PATH_MAX - 1)
		throw Error(Errc::bad_input, quoted + "is longer than PATH_MAX-1 (" +
						 std::to_string(PATH_MAX - 1) + ") bytes");
	for (const auto &component : joined)
		if (component.native().size() > NAME_MAX)
			throw Error(Errc::bad_input, quoted +
							 "has a component longer than NAME_MAX (" +
							 std::to_string(NAME_MAX) + ") bytes");

	/* Name the v1 hierarchy explicitly: a hybrid host has both side by side. */
	auto refuse_v1 = [&](const fs::path &path) {
		for (const auto &v1 : mounts_.v1)
			if (is_under(path, v1.mount_point) && !is_under(root, v1.mount_point))
				throw Error(Errc::bad_input,
					    quoted + "is in the cgroup v1 hierarchy at " +
						v1.mount_point + " (" + v1.controllers +
						"); bpfoom needs a cgroup2 path under " +
						mounts_.cgroup2);
	};
	refuse_v1(joined);
	if (!is_under(joined, root))
		throw Error(Errc::bad_input,
			    quoted + "is outside the cgroup2 mount " + mounts_.cgroup2);

	struct stat st;
	if (::stat(joined.c_str(), &st) != 0) {
		const int err = errno;
		if (err == ENOENT || err == ENOTDIR)
			throw Error(Errc::bad_input,
				    quoted + "no such cgroup under " + mounts_.cgroup2);
		throw path_error(quoted, "cannot stat " + quote(joined.string()), err);
	}
	if (!S_ISDIR(st.st_mode))
		throw Error(Errc::bad_input, quoted + "is not a cgroup directory");

	/* Symlinks may lead anywhere: judge the canonical path, and the filesystem itself. */
	char canonical[PATH_MAX];
	if (!::realpath(joined.c_str(), canonical)) {
		const int err = errno;
		throw path_error(quoted, "cannot resolve " + quote(joined.string()), err);
	}
	refuse_v1(canonical);
	struct statfs sfs;
	if (::statfs(canonical, &sfs) != 0) {
		const int err = errno;
		throw path_error(quoted, "cannot statfs " + quote(canonical), err);
	}
	if (sfs.f_type == CGROUP_SUPER_MAGIC)
		throw Error(Errc::bad_input, quoted +
						 "is in a cgroup v1 hierarchy; bpfoom needs "
						 "a cgroup2 path under " +
						 mounts_.cgroup2);
	if (sfs.f_type != CGROUP2_SUPER_MAGIC || !is_under(canonical, root))
		throw Error(Errc::bad_input,
			    quoted + "is outside the cgroup2 mount " + mounts_.cgroup2);
	return Cgroup{canonical, static_cast<std::uint64_t>(st.st_ino)};
}

/*
 * Reverse lookup. The cgroup id is kernfs' own file handle (FILEID_KERNFS,
 * 8 bytes), so open_by_handle_at(2) on the mount finds the cgroup in O(1),
 * exactly (64-bit kernfs ids are never reused) and without racing against
 * concurrent mkdir/rmdir, and ESTALE is an authoritative "gone". A
 * directory walk is O(number of cgroups) per lookup and can miss a cgroup
 * renamed while it runs; it is kept only as the fallback for a caller without
 * CAP_DAC_READ_SEARCH (open_by_handle_at needs it) or a kernel whose cgroupfs
 * does not export handles.
 */
std::optional<std::string> CgroupResolver::path_of(std::uint64_t id) const
{
	UniqueFd fd = open_by_cgroup_id(root_fd_.get(), id);
	if (!fd) {
		if (errno == ESTALE || errno == ENOENT)
			return std::nullopt;
		return path_by_walk(id);
	}
	char link[64], target[PATH_MAX];
	std::snprintf(link, sizeof(link), "/proc/self/fd/%d", fd.get());
	ssize_t len = ::readlink(link, target, sizeof(target) - 1);
	if (len <= 0)
		return path_by_walk(id);
	target[len] = '\0';
	/* A cgroup outside this mount's subtree (cgroup namespaces) has no path here. */
	if (!is_under(target, mounts_.cgroup2))
		return path_by_walk(id);
	return std::string(target);
}

bool CgroupResolver::exists(std::uint64_t id) const
{
	UniqueFd fd = open_by_cgroup_id(root_fd_.get(), id);
	if (fd)
		return true; // even if outside this mount's subtree
	if (errno == ESTALE || errno == ENOENT)
		return false;
	return path_by_walk(id).has_value();
}

std::optional<std::string> CgroupResolver::path_by_walk(std::uint64_t id) const
{
	struct stat st;
	if (::stat(mounts_.cgroup2.c_str(), &st) == 0 && st.st_ino == id)
		return mounts_.cgroup2;
	std::error_code ec;
	fs::recursive_directory_iterator it(mounts_.cgroup2,
					    fs::directory_options::skip_permission_denied, ec);
	for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
		if (!it->is_directory(ec) || it->is_symlink(ec))
			continue;
		if (::stat(it->path().c_str(), &st) == 0 && st.st_ino == id)
			return it->path().string();
	}
	return std::nullopt;
}

/*
 * By inode, not by name: a directory's ".." is its parent even if the path
 * was spelt through symbolic links, and the walk stops at the mount's root
 * whatever path leads to it. Leaving the cgroup2 filesystem (a mount's ".."
 * is the directory it is mounted on) or reaching "/" means the cgroup is
 * not below this mount.
 */
std::vector<std::uint64_t> CgroupResolver::ancestors(const Cgroup &cgroup) const
{
	const std::string quoted = "cgroup " + quote(cgroup.path) + ": ";
	struct stat root, st;
	if (::fstat(root_fd_.get(), &root) != 0)
		throw system_error("cannot look at the cgroup2 mount " + mounts_.cgroup2, errno);

	UniqueFd dir(::open(cgroup.path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
	if (!dir) {
		const int err = errno;
		if (err == ENOENT || err == ENOTDIR)
			throw Error(Errc::bad_input,
				    quoted + "no such cgroup under " + mounts_.cgroup2);
		throw path_error(quoted, "cannot open " + quote(cgroup.path), err);
	}
	if (::fstat(dir.get(), &st) != 0)
		throw path_error(quoted, "cannot stat " + quote(cgroup.path), errno);
	if (st.st_ino != cgroup.id)
		throw Error(Errc::bad_input, quoted + "is cgroup id " + std::to_string(st.st_ino) +
						 " now, not " + std::to_string(cgroup.id) +
						 " (removed and made again?)");

	std::vector<std::uint64_t> ids{static_cast<std::uint64_t>(st.st_ino)};
	while (st.st_dev != root.st_dev || st.st_ino != root.st_ino) {
		UniqueFd parent(::openat(dir.get(), "..", O_PATH | O_DIRECTORY | O_CLOEXEC));
		struct stat up;
		if (!parent || ::fstat(parent.get(), &up) != 0)
			throw path_error(
			    quoted, "cannot open the parent of a directory on its path", errno);
		if (up.st_dev != root.st_dev || (up.st_dev == st.st_dev && up.st_ino == st.st_ino))
			throw Error(Errc::bad_input,
				    quoted + "is outside the cgroup2 mount " + mounts_.cgroup2);
		ids.push_back(up.st_ino);
		dir = std::move(parent);
		st = up;
	}
	std::reverse(ids.begin(), ids.end());
	return ids;
}

std::vector<std::string> CgroupResolver::root_controllers() const
{
	std::ifstream in(mounts_.cgroup2 + "/cgroup.controllers");
	std::vector<std::string> controllers;
	for (std::string name; in >> name;)
		controllers.push_back(name);
	return controllers;
}

} // namespace bpfoom
