// SPDX-License-Identifier: GPL-2.0
// The one way the tests and benchmarks run another program.
#pragma once

#include <fcntl.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace bpfoom::selftests
{

struct Command {
	std::vector<std::string> argv{}; // argv[0] is a path
	std::string input{};		 // fed to stdin through a pipe, the default
	// Instead of a pipe of `input`: stdin closed, or this path opened with these flags.
	bool stdin_closed = false;
	std::string stdin_path{};
	int stdin_flags = O_RDONLY;
	std::map<std::string, std::string> env{}; // set on top of the test's own environment
	// Not collected: to /dev/null, so a timed process pays nothing for a reader.
	bool discard_stdout = false;
	bool as_nobody = false; // uid and gid 65534, no supplementary groups
};

struct CommandResult {
	int exit_status = -1; // -1 if killed by a signal
	int signal = 0;	      // the signal that killed it, if one did
	std::string out;
	std::string err;
	std::chrono::nanoseconds elapsed{}; // wall time, fork to reap

	std::string describe() const;
};

// Runs the command to its end and collects its output. The child gets
// default signal handling and oom_score_adj 0. Throws std::runtime_error
// naming the step if the command could not be started at all (its stdin
// could not be opened, the user not switched, the exec failed), so that a
// test never mistakes that for the program's own failure.
CommandResult run_command(const Command &command);
// The common case: argv, with `input` on stdin.
CommandResult run_command(const std::vector<std::string> &argv, const std::string &input = {});

// Everything `fd` yields until EOF.
std::string read_all(int fd);

// A program's output split into its lines, without the newlines.
std::vector<std::string> lines_of(const std::string &text);

} // namespace bpfoom::selftests
