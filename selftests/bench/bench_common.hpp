// SPDX-License-Identifier: GPL-2.0
// What every benchmark program shares: medians, timing whole processes, and the one output format
// scripts/bench.sh turns into a table.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace bpfoom::bench
{

// The main() of a benchmark whose only option is --quick: runs run(quick).
// A bad argument exits 2; a benchmark that throws exits 1 with its name and
// the reason, so scripts/bench.sh reports it as failed instead of a figure.
int benchmark_main(int argc, char **argv, const char *name,
		   const std::function<void(bool quick)> &run);

// The median of `values` (the mean of the two middle ones for an even count).
double median(std::vector<double> values);

// Runs argv[0] (a path) as a whole process (selftests::run_command), stdout
// to /dev/null, and returns its wall time in ns, fork to reap. Throws,
// quoting its stderr, if it does not exit 0: a benchmark that failed to run
// must not print a figure.
double time_process(const std::vector<std::string> &argv);

// One line of the results table. scripts/bench.sh collects these from every
// program (stdout lines starting with "row\t") and prints them as one table;
// anything else a program says goes to stderr.
struct Row {
	std::string where; // "host" or "VM (TCG)"
	std::string benchmark;
	std::string n;	      // problem size, already formatted
	std::string figure;   // bpfoom's figure
	std::string baseline; // what it is compared against, if anything
	std::string ratio;    // baseline vs figure, if anything
	std::string target;   // the goal and whether this run met it, if there is one
};
void print_row(const Row &row);

// 10000 -> "10,000".
std::string format_count(std::uint64_t n);
// 1234567 ns -> "1.23 ms"; picks ns, µs, ms or s.
std::string format_ns(double ns);
// 2.5 -> "2.50×".
std::string format_ratio(double ratio);
// "<goal>: met" or "<goal>: missed".
std::string judge(const std::string &goal, bool met);

} // namespace bpfoom::bench
