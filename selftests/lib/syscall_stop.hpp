// SPDX-License-Identifier: GPL-2.0
#pragma once

#include "non_copyable.hpp"

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace bpfoom::selftests
{

// The entry of a system call, as ptrace reports it.
struct SyscallEntry {
	std::uint64_t nr;
	std::array<std::uint64_t, 6> args;
};

// Says, at the entry of each system call, whether to hold the command there.
using HoldWhen = std::function<bool(const SyscallEntry &)>;

// A command run under ptrace and held at the entry of a system call, before
// the kernel has done anything for it: the state a SIGKILL at that instant
// would leave, and the state an OOM arriving then would see. Used to prove
// that a writer is atomic at every step, not just at a few the test
// happened to hit: a race with a running command lands somewhere within a
// scheduler slice, a hold lands exactly. The child gets default signals and
// oom_score_adj 0; its output goes to /dev/null.
class SyscallStop : NonCopyable
{
public:
	// Runs argv[0] (a path) until the first system call entry at which
	// hold_when() is true. hold_when() may look at anything (the files a
	// step leaves, say): the command is stopped while it runs.
	SyscallStop(const std::vector<std::string> &argv, HoldWhen hold_when);
	~SyscallStop(); // kills the child if it is still held

	// False if the command exited before it was held.
	bool held() const { return held_; }
	// The system call it is held at.
	const SyscallEntry &entry() const { return entry_; }
	// The exit status if it exited (held() false), -1 if killed by a signal.
	int exit_status() const { return exit_status_; }

	// SIGKILL now, at the held call.
	void kill();
	// Lets it run on, untraced, to its end; returns the exit status (-1: signal).
	int resume();

private:
	pid_t pid_ = -1;
	bool held_ = false;
	SyscallEntry entry_{};
	int exit_status_ = -1;
};

// Holds at the entry of the n-th bpf(2) call (n from 1).
HoldWhen nth_bpf_call(unsigned n);

// Holds at the first system call made once reached() is true: right after
// the step that made it true, whatever that step's own system call was.
HoldWhen once(std::function<bool()> reached);

// A name for a bpf() command, for test logs.
std::string bpf_cmd_name(std::uint64_t cmd);

} // namespace bpfoom::selftests
