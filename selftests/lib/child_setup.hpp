// SPDX-License-Identifier: GPL-2.0
// What every process the harness forks does before it execs or runs its
// job: start from a clean slate, not from the test process's state. Only
// async-signal-safe calls, for a child forked from a threaded process.
#pragma once

namespace bpfoom::selftests
{

// Default dispositions for every signal and an empty signal mask: a test
// framework's crash handlers and blocked signals are not the child's.
void reset_signals_in_child();

// Writes `value` to the file at `path` (a /proc or cgroup file); false on failure.
bool write_in_child(const char *path, const char *value);

// oom_score_adj `value`: the test process may have protected itself (see
// OomScoreAdjGuard) and children inherit that.
inline bool set_oom_score_adj_in_child(const char *value)
{
	return write_in_child("/proc/self/oom_score_adj", value);
}

} // namespace bpfoom::selftests
