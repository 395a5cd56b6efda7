// SPDX-License-Identifier: GPL-2.0
#include "private_bpffs.hpp"

#include "private_mount_namespace.hpp"

#include <sys/mount.h>

#include <cerrno>
#include <system_error>

namespace bpfoom::selftests
{

PrivateBpffs::PrivateBpffs()
{
	enter_private_mount_namespace();
	if (::mount("bpf", path().c_str(), "bpf", 0, "mode=0700") != 0)
		throw std::system_error(errno, std::generic_category(),
					"mount -t bpf bpf " + path());
}

PrivateBpffs::~PrivateBpffs()
{
	// Before the directory goes: its removal must not reach into the bpffs.
	::umount2(path().c_str(), MNT_DETACH);
}

} // namespace bpfoom::selftests
