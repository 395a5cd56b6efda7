// SPDX-License-Identifier: GPL-2.0
#include "cgroup_farm.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "bpfoom/cgroup.hpp"

namespace bpfoom::bench
{

CgroupFarm::CgroupFarm(std::size_t count)
    : mount_(read_cgroup_mounts().cgroup2), parent_("bpfoom-bench-" + std::to_string(::getpid()))
{
	if (mount_.empty())
		throw std::runtime_error("no cgroup2 mount in /proc/self/mountinfo");
	const std::string parent = mount_ + "/" + parent_;
	if (::mkdir(parent.c_str(), 0755) != 0)
		throw std::system_error(errno, std::generic_category(), "mkdir " + parent);
	ids_.reserve(count);
	try {
		for (std::size_t i = 0; i < count; i++) {
			const std::string path = mount_ + "/" + relative(i);
			struct stat st {
			};
			if (::mkdir(path.c_str(), 0755) != 0 || ::stat(path.c_str(), &st) != 0)
				throw std::system_error(errno, std::generic_category(),
							"mkdir " + path);
			ids_.push_back(st.st_ino);
		}
	} catch (...) {
		remove_all();
		throw;
	}
}

CgroupFarm::~CgroupFarm()
{
	remove_all();
}

void CgroupFarm::remove_all()
{
	// Empty cgroups: rmdir cannot fail for want of killing anything.
	for (std::size_t i = ids_.size(); i-- > 0;)
		::rmdir((mount_ + "/" + relative(i)).c_str());
	ids_.clear();
	::rmdir((mount_ + "/" + parent_).c_str());
}

std::string CgroupFarm::relative(std::size_t i) const
{
	return parent_ + "/c" + std::to_string(i);
}

} // namespace bpfoom::bench
