// SPDX-License-Identifier: GPL-2.0
#include "resolve_probe.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "bench_common.hpp"
#include "stopwatch.hpp"
#include "bpfoom/cgroup.hpp"
#include "bpfoom/unique_fd.hpp"

namespace bpfoom::bench
{

namespace
{

std::vector<std::string> paths_of(const CgroupFarm &farm, std::size_t n)
{
	std::vector<std::string> paths;
	for (std::size_t i = 0; i < n; i++)
		paths.push_back(farm.relative(i));
	return paths;
}

UniqueFd open_root(const CgroupFarm &farm)
{
	UniqueFd root(::open(farm.mount().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	if (!root)
		throw std::system_error(errno, std::generic_category(), "open " + farm.mount());
	return root;
}

// A directory below `root`, confined to it by the kernel, checked to be on cgroup2.
UniqueFd open_beneath(int root, const std::string &path, struct stat &st)
{
	open_how how{};
	how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV;
	UniqueFd fd(
	    static_cast<int>(::syscall(SYS_openat2, root, path.c_str(), &how, sizeof(how))));
	struct statfs sfs {
	};
	if (!fd || ::fstat(fd.get(), &st) != 0 || ::fstatfs(fd.get(), &sfs) != 0)
		throw std::system_error(errno, std::generic_category(), "openat2 " + path);
	if (sfs.f_type != CGROUP2_SUPER_MAGIC)
		throw std::runtime_error("openat2 " + path + " is not on cgroup2");
	return fd;
}

} // namespace

double library_resolve_ns(const CgroupFarm &farm, std::size_t n)
{
	const auto resolver = CgroupResolver::from_this_process();
	const auto paths = paths_of(farm, n);
	const selftests::Stopwatch stopwatch;
	for (std::size_t i = 0; i < n; i++)
		if (resolver.resolve(paths[i]).id != farm.id(i))
			throw std::runtime_error("CgroupResolver::resolve(" + paths[i] +
						 ") returned the wrong id");
	return stopwatch.elapsed_ns() / n;
}

double openat2_resolve_ns(const CgroupFarm &farm, std::size_t n)
{
	const UniqueFd root = open_root(farm);
	const auto paths = paths_of(farm, n);
	const selftests::Stopwatch stopwatch;
	for (std::size_t i = 0; i < n; i++) {
		struct stat st {
		};
		open_beneath(root.get(), paths[i], st);
		if (st.st_ino != farm.id(i))
			throw std::runtime_error("openat2 " + paths[i] + " found another cgroup");
	}
	return stopwatch.elapsed_ns() / n;
}

double batched_resolve_ns(const CgroupFarm &farm, std::size_t n)
{
	const UniqueFd root = open_root(farm);
	const auto paths = paths_of(farm, n);
	const selftests::Stopwatch stopwatch;
	std::map<std::string, UniqueFd> parents;
	for (std::size_t i = 0; i < n; i++) {
		const auto slash = paths[i].rfind('/');
		const std::string dir = paths[i].substr(0, slash);
		auto parent = parents.find(dir);
		if (parent == parents.end()) {
			struct stat st {
			};
			parent = parents.emplace(dir, open_beneath(root.get(), dir, st)).first;
		}
		// One path component: no symlink to follow, no way out of the parent.
		struct stat st {
		};
		const char *name = paths[i].c_str() + slash + 1;
		if (::fstatat(parent->second.get(), name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISDIR(st.st_mode) || st.st_ino != farm.id(i))
			throw std::runtime_error("fstatat " + paths[i] + " found another file");
	}
	return stopwatch.elapsed_ns() / n;
}

} // namespace bpfoom::bench
