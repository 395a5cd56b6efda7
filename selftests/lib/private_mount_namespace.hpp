// SPDX-License-Identifier: GPL-2.0
#pragma once

namespace bpfoom::selftests
{

// Moves this process, once, into a mount namespace of its own in which no
// mount propagates back to the host's: what a test mounts there (a bpffs,
// a tmpfs on /etc) is gone with the process whatever happens, and the
// children it starts see the same mounts. Throws std::system_error.
void enter_private_mount_namespace();

} // namespace bpfoom::selftests
