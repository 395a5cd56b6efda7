// SPDX-License-Identifier: GPL-2.0
#pragma once

#include "non_copyable.hpp"

#include "temp_dir.hpp"

#include <string>

namespace bpfoom::selftests
{

// A bpffs of this process's own, for tests and benchmarks that pin maps but
// must not touch a real /sys/fs/bpf/bpfoom (the host mounts no bpffs at
// all), mounted on a fresh directory in the process's private mount
// namespace (private_mount_namespace.hpp), which the children it starts
// share. Throws std::system_error naming the step that failed.
class PrivateBpffs : NonCopyable
{
public:
	PrivateBpffs();
	~PrivateBpffs();

	const std::string &path() const { return dir_.path(); }

private:
	TempDir dir_{"bpfoom-bpffs"};
};

} // namespace bpfoom::selftests
