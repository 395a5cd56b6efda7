// SPDX-License-Identifier: GPL-2.0
#pragma once

#include "non_copyable.hpp"

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <string>

namespace bpfoom::selftests
{

// How a hog process ended.
struct HogExit {
	bool signalled = false;
	int signal = 0; // valid when signalled
	int status = 0; // exit status otherwise

	bool oom_killed() const;
	std::string describe() const;
};

// A child process that joins a cgroup, resets its oom_score_adj (the
// harness's own value is inherited across fork), touches `megabytes` of
// anonymous memory and then sleeps until it is killed.
class Hog : NonCopyable
{
public:
	struct Options {
		std::string cgroup;
		std::size_t megabytes = 0;
		// Keep allocating in small steps until killed: for global OOMs,
		// where one big mapping would fail the overcommit check instead.
		bool until_killed = false;
		// The hog takes part in a global OOM: it locks the pages it
		// already maps (its text, the libraries) so that reclaim cannot
		// keep evicting and re-reading them, which postpones the OOM for
		// minutes in a guest whose root is on 9p.
		bool global_oom = false;
		// Hold the megabytes in pipe buffers rather than in the hog's own
		// pages: kernel memory, charged to the cgroup in write() (syscall
		// context, __GFP_ACCOUNT), which oom_badness() does not count.
		bool kernel_memory = false;
		int oom_score_adj = 0;
		std::string name = "hog"; // comm, as the kernel's OOM report shows it
		// Killed when the process that started it dies (tests); off for
		// hogs started from a shell, which must outlive their starter.
		bool die_with_parent = true;
	};

	explicit Hog(const Options &options);
	~Hog();

	pid_t pid() const { return pid_; }
	const std::string &name() const { return name_; }

	// Blocks until the hog has touched all of its memory (true) or died
	// on the way, typically as the OOM victim (false). Throws if neither
	// happens within `patience`: an OOM killer that makes no progress
	// must fail the test, not hang it.
	bool wait_until_ready(std::chrono::seconds patience = std::chrono::seconds(90));

	// Ends the hog if it still runs (SIGTERM, so a survivor is told apart
	// from an OOM victim, which dies by SIGKILL) and reports how it ended.
	HogExit finish();

	// Leaves the hog running after this object is gone.
	void detach() { reaped_ = true; }

private:
	pid_t pid_ = -1;
	int ready_fd_ = -1;
	std::string name_;
	bool reaped_ = false;
	HogExit exit_;
};

} // namespace bpfoom::selftests
