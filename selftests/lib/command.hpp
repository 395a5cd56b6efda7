// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <string>
#include <vector>

namespace bpfoom::selftests
{

struct CommandResult {
	int exit_status = -1; // -1 if killed by a signal
	std::string out;
	std::string err;

	std::string describe() const;
};

// Runs argv[0] (a path) with argv, stdin fed from `input`, and collects its
// output. The child gets default signal handling and oom_score_adj 0.
CommandResult run_command(const std::vector<std::string> &argv, const std::string &input = {});

} // namespace bpfoom::selftests
