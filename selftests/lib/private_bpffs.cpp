// SPDX-License-Identifier: GPL-2.0
#include "private_bpffs.hpp"

#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <system_error>

namespace bpfoom::selftests
{

namespace
{

[[noreturn]] void fail(const std::string &what)
{
	throw std::system_error(errno, std::generic_category(), what);
}

} // namespace

PrivateBpffs::PrivateBpffs()
{
	if (::unshare(CLONE_NEWNS) != 0)
		fail("unshare(CLONE_NEWNS)");
	// Without this, the mount below would propagate back to the host's namespace.
	if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
		fail("mount --make-rprivate /");
	const char *tmp = std::getenv("TMPDIR");
	std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/bpfoom-bpffs.XXXXXX";
	if (!::mkdtemp(templ.data()))
		fail("mkdtemp " + templ);
	path_ = templ;
	if (::mount("bpf", path_.c_str(), "bpf", 0, "mode=0700") != 0) {
		const int err = errno;
		::rmdir(path_.c_str());
		errno = err;
		fail("mount -t bpf bpf " + path_);
	}
}

PrivateBpffs::~PrivateBpffs()
{
	::umount2(path_.c_str(), MNT_DETACH);
	::rmdir(path_.c_str());
}

} // namespace bpfoom::selftests
