// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// Private: runs a helper program (the BPF compiler) and collects its output.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace bpfoom
{

struct SubprocessResult {
	int exit_status = -1; // -1 if a signal ended it
	int signal = 0;
	/* stdout and stderr interleaved as written, at most the limit given (the tail is kept). */
	std::string output;
	bool truncated = false;
};

/*
 * Runs argv (argv[0] a path, not looked up in PATH) with stdin from
 * /dev/null, and waits for it. Keeps the last `output_limit` bytes of its
 * output: a compiler's last diagnostics are the ones that matter, and a
 * runaway one cannot exhaust memory. Throws (naming argv[0]) only if it
 * could not be started.
 */
SubprocessResult run_subprocess(const std::vector<std::string> &argv,
				std::size_t output_limit = 256 * 1024);

} // namespace bpfoom
