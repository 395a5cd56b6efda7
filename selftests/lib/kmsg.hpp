// SPDX-License-Identifier: GPL-2.0
#pragma once

#include "non_copyable.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bpfoom::selftests
{

// One "oom-kill:constraint=...,task_memcg=...,task=...,pid=...,uid=..." line,
// the kernel's own summary of a kill.
struct OomKillRecord {
	std::string oom_memcg; // empty for a global OOM
	std::string task_memcg;
	std::string task;
	int pid = 0;
	bool policy = false; // "policy=bpf": a BPF policy changed the victim
};

std::optional<OomKillRecord> parse_oom_kill_line(std::string_view line);

// The pid in "...: Killed process PID (comm) ...", which the kernel logs for
// every task it kills, oom.group members included, without rate limit.
std::optional<int> parse_killed_process_line(std::string_view line);

// Reads kernel log records written after it was opened.
class KmsgReader : NonCopyable
{
public:
	KmsgReader();
	~KmsgReader();

	// The message text of every record logged since the last call.
	std::vector<std::string> read_new();

private:
	int fd_ = -1;
};

// The oom-kill records among kernel log messages, in the order logged.
std::vector<OomKillRecord> oom_kills_in(const std::vector<std::string> &messages);

// The pids the kernel killed, in the order it killed them.
std::vector<int> killed_pids_in(const std::vector<std::string> &messages);

} // namespace bpfoom::selftests
