// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <string>

namespace bpfoom::selftests
{

// A bpffs of this process's own, for tests and benchmarks that pin maps but
// must not touch a real /sys/fs/bpf/bpfoom (the host mounts no bpffs at
// all). The process moves into a private mount namespace, which the
// children it starts inherit, and mounts bpffs on a fresh directory: the
// mount disappears with the process whatever happens. Throws
// std::system_error naming the step that failed.
class PrivateBpffs
{
public:
	PrivateBpffs();
	~PrivateBpffs();
	PrivateBpffs(const PrivateBpffs &) = delete;
	PrivateBpffs &operator=(const PrivateBpffs &) = delete;

	const std::string &path() const { return path_; }

private:
	std::string path_;
};

} // namespace bpfoom::selftests
