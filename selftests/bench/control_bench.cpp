// SPDX-License-Identifier: GPL-2.0
/*
 * Control-path latency, in the VM: the wall time of `bpfoom load` (verifier,
 * attach, pin), of a `bpfoom load` that replaces a running policy, and of one
 * `bpfoom set`, each as a whole process, as an operator or a node agent
 * runs them.
 *
 *   bpfoom_bench_control [--quick]     (root, in the bpfoom test VM)
 *
 * Prints "row" lines for scripts/bench.sh.
 */
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "test_cgroup.hpp"

using namespace bpfoom::bench;

namespace
{

struct Plan {
	int loads; // fresh loads, and as many replacing loads
	int sets;
};

constexpr Plan full_plan{7, 21};
constexpr Plan quick_plan{1, 2};

void row(const std::string &what, const std::vector<double> &samples)
{
	print_row(
	    {"VM (TCG)", what, "1",
	     format_ns(median(samples)) + " (median of " + std::to_string(samples.size()) + ")", "",
	     "", ""});
}

void run(const Plan &plan)
{
	const std::string cli = BPFOOM_CLI_PATH;
	time_process({cli, "unload"});

	std::vector<double> fresh, replace;
	for (int i = 0; i < plan.loads; i++) {
		fresh.push_back(time_process({cli, "load"}));
		replace.push_back(time_process({cli, "load"}));
		time_process({cli, "unload"});
	}
	row("`bpfoom load`: verify, attach, pin (nothing loaded before)", fresh);
	row("`bpfoom load` replacing a loaded policy (staged pins, rename)", replace);

	const bpfoom::selftests::TestCgroup cgroup(bpfoom::selftests::cgroup2_mount(),
						   "bpfoom-bench-control");
	const std::string name = "bpfoom-bench-control"; // relative to the cgroup2 mount
	time_process({cli, "load"});
	std::vector<double> sets;
	for (int i = 0; i < plan.sets; i++)
		sets.push_back(time_process({cli, "set", name, std::to_string(i)}));
	time_process({cli, "unload"});
	row("`bpfoom set CGROUP PRIORITY`", sets);
}

} // namespace

int main(int argc, char **argv)
{
	return bpfoom::bench::benchmark_main(argc, argv, "bpfoom_bench_control", [](bool quick) {
		run(quick ? quick_plan : full_plan);
	});
}
