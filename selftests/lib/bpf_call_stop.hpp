// SPDX-License-Identifier: GPL-2.0
#pragma once

#include "non_copyable.hpp"

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace bpfoom::selftests
{

// A command run under ptrace and held at the entry of its n-th bpf(2) call,
// before the kernel has done anything for it: the state a SIGKILL at that
// instant would leave, and the state an OOM arriving then would see. Used
// to prove that a writer is atomic at every step, not just at a few the
// test happened to hit. The child gets default signals and oom_score_adj 0;
// its output goes to /dev/null.
class BpfCallStop : NonCopyable
{
public:
	// Runs argv[0] (a path) until its n-th bpf() call (n from 1).
	BpfCallStop(const std::vector<std::string> &argv, unsigned n);
	~BpfCallStop(); // kills the child if it is still held

	// False if the command exited before its n-th bpf() call.
	bool held() const { return held_; }
	// The bpf() command (BPF_MAP_CREATE, ...) it is held at.
	std::uint64_t bpf_cmd() const { return bpf_cmd_; }
	// The exit status if it exited (held() false), -1 if killed by a signal.
	int exit_status() const { return exit_status_; }

	// SIGKILL now, at the held call.
	void kill();
	// Lets it run on, untraced, to its end; returns the exit status (-1: signal).
	int resume();

private:
	pid_t pid_ = -1;
	bool held_ = false;
	std::uint64_t bpf_cmd_ = 0;
	int exit_status_ = -1;
};

// A name for a bpf() command, for test logs.
std::string bpf_cmd_name(std::uint64_t cmd);

} // namespace bpfoom::selftests
