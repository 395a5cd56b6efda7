// SPDX-License-Identifier: GPL-2.0
#pragma once

namespace bpfoom::selftests
{

// Base of the harness's RAII fixtures: each owns something outside the
// process (a cgroup, a mount, a child process, a kernel setting) that its
// destructor releases exactly once, so a copy would release it twice.
class NonCopyable
{
public:
	NonCopyable(const NonCopyable &) = delete;
	NonCopyable &operator=(const NonCopyable &) = delete;

protected:
	NonCopyable() = default;
	~NonCopyable() = default;
};

} // namespace bpfoom::selftests
