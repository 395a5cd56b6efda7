// SPDX-License-Identifier: GPL-2.0
#include "private_mount_namespace.hpp"

#include <sched.h>
#include <sys/mount.h>

#include <cerrno>
#include <system_error>

namespace bpfoom::selftests
{

void enter_private_mount_namespace()
{
	static bool entered = false;
	if (entered)
		return;
	if (::unshare(CLONE_NEWNS) != 0)
		throw std::system_error(errno, std::generic_category(), "unshare(CLONE_NEWNS)");
	// Without this, mounts made here would propagate back to the host's namespace.
	if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
		throw std::system_error(errno, std::generic_category(), "mount --make-rprivate /");
	entered = true;
}

} // namespace bpfoom::selftests
