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
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "bench_common.hpp"
#include "bpfoom/cgroup.hpp"
#include "bpfoom/unique_fd.hpp"

namespace bpfoom::bench
{

double library_resolve_ns(const CgroupFarm &farm, std::size_t n)
{
	const auto resolver = CgroupResolver::from_this_process();
	std::vector<std::string> paths;
	for (std::size_t i = 0; i < n; i++)
		paths.push_back(farm.relative(i));
	const std::uint64_t start = now_ns();
	for (std::size_t i = 0; i < n; i++)
		if (resolver.resolve(paths[i]).id != farm.id(i))
			throw std::runtime_error("CgroupResolver::resolve(" + paths[i] +
						 ") returned the wrong id");
	return static_cast<double>(now_ns() - start) / n;
}

double openat2_resolve_ns(const CgroupFarm &farm, std::size_t n)
{
	const UniqueFd root(::open(farm.mount().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	if (!root)
		throw std::system_error(errno, std::generic_category(), "open " + farm.mount());
	std::vector<std::string> paths;
	for (std::size_t i = 0; i < n; i++)
		paths.push_back(farm.relative(i));
	const std::uint64_t start = now_ns();
	for (std::size_t i = 0; i < n; i++) {
		open_how how{};
		how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
		how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV;
		const UniqueFd fd(static_cast<int>(
		    ::syscall(SYS_openat2, root.get(), paths[i].c_str(), &how, sizeof(how))));
		struct stat st {
		};
		struct statfs sfs {
		};
		if (!fd || ::fstat(fd.get(), &st) != 0 || ::fstatfs(fd.get(), &sfs) != 0)
			throw std::system_error(errno, std::generic_category(),
						"openat2 " + paths[i]);
		if (sfs.f_type != CGROUP2_SUPER_MAGIC || st.st_ino != farm.id(i))
			throw std::runtime_error("openat2 " + paths[i] + " found another file");
	}
	return static_cast<double>(now_ns() - start) / n;
}

} // namespace bpfoom::bench
