// SPDX-License-Identifier: GPL-2.0
/*
 * Victim-selection cost, in the VM: how long the kernel's selection loop
 * takes for one memcg OOM, per candidate, with no policy (stock), with the
 * policy in inherit mode (flat cgroups) and in tournament mode (candidates 8
 * cgroup levels deep), with the largest-cgroup and over-request policies
 * (flat), and with an empty fmod_ret program (the floor under any BPF
 * policy). Timed in the kernel by progs/selection_timing.bpf.c.
 *
 *   bpfoom_bench_selection [--quick] [--require-tsc | --instructions]     (root, in the VM)
 *
 * Clock: under TCG the guest kernel calibrates its TSC against the emulated
 * PIT, which fails when the host is busy; it then falls back to the jiffies
 * clocksource and bpf_ktime_get_ns() moves in 4 ms steps. With
 * --require-tsc the program exits 75 at once on such a boot, and
 * scripts/bench.sh boots again. Either way each configuration takes turns in
 * rounds of several OOMs (so that drift, e.g. other guests on a shared host,
 * hits all configurations alike); a round's figure is its mean (which, as
 * scans start at a random phase of the tick, resolves below a tick even on
 * jiffies), and the median over the rounds is printed. The policy is driven
 * through the bpfoom CLI, as an operator would.
 * With --instructions (for a guest booted with scripts/vm.sh --icount, where
 * the guest clock advances 1 ns per instruction executed) the same timing is
 * a count of guest instructions: deterministic, so one round of 2 OOMs per
 * configuration is enough, and free of the host-load noise of TCG wall time.
 * Instructions are not time (a load that misses the cache counts as one), so
 * these rows carry no target; they say exactly what a policy adds and whether
 * a change helped.
 * The OOM task dump and console printing are off while it runs, so the OOM
 * report does not swamp the guest (both are outside the timed loop anyway).
 * Prints "row" lines for scripts/bench.sh.
 */
#include <algorithm>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "selection_timer.hpp"
#include "sleeper_scene.hpp"
#include "value_override.hpp"
#include "temp_dir.hpp"

#include "bpfoom/policy.hpp"

using namespace bpfoom;
using namespace bpfoom::bench;

namespace
{

struct Plan {
	std::vector<std::size_t> sleepers; // candidates per OOM, minus the hog
	int rounds;			   // turns each configuration takes
	int ooms_per_round;		   // timed OOMs per turn
};

const Plan full_plan{{1000, 4000}, 5, 5};
const Plan quick_plan{{100}, 1, 2};
const Plan instructions_plan{{1000, 4000}, 1, 2};

// The goals from the issue, at 4,000 tasks; printed beside the figures, never asserted.
constexpr std::size_t goal_size = 4000;
constexpr double goal_inherit = 1.3;
constexpr double goal_tournament = 2.0;

enum class Config { stock, floor, inherit, tournament, largest_cgroup, over_request };

// Whether the configuration is a bpfoom policy (which counts the candidates it sees).
bool is_policy(Config config)
{
	return config != Config::stock && config != Config::floor;
}

const char *name_of(Config config)
{
	switch (config) {
	case Config::stock:
		return "stock";
	case Config::floor:
		return "empty fmod_ret program";
	case Config::inherit:
		return "inherit";
	case Config::tournament:
		return "tournament";
	case Config::largest_cgroup:
		return "largest-cgroup";
	case Config::over_request:
		return "over-request";
	}
	return "?";
}

// Whatever is attached to the hook while a configuration's OOMs run.
class Attachment
{
public:
	virtual ~Attachment() = default;
};

// The policy loaded through the CLI, with a scene's priorities.
class CliPolicy : public Attachment
{
public:
	CliPolicy(const std::vector<std::string> &load_args, const std::string &sync_file)
	{
		std::vector<std::string> argv{BPFOOM_CLI_PATH, "load"};
		argv.insert(argv.end(), load_args.begin(), load_args.end());
		time_process(argv);
		time_process({BPFOOM_CLI_PATH, "sync", sync_file});
	}
	~CliPolicy() override
	{
		try {
			time_process({BPFOOM_CLI_PATH, "unload"});
		} catch (const std::exception &e) {
			std::cerr << "selection: " << e.what() << '\n';
		}
	}
};

class FloorProgram : public Attachment
{
public:
	explicit FloorProgram(const SelectionTimer &timer) : link_(timer.attach_floor()) {}

private:
	SelectionTimer::Link link_;
};

std::unique_ptr<Attachment> attach(Config config, const SleeperScene &scene,
				   const SelectionTimer &timer, const selftests::TempDir &tmp)
{
	switch (config) {
	case Config::stock:
		return nullptr;
	case Config::floor:
		return std::make_unique<FloorProgram>(timer);
	case Config::inherit:
	case Config::tournament:
		return std::make_unique<CliPolicy>(
		    std::vector<std::string>{"--mode", name_of(config)},
		    tmp.write("priorities.conf", scene.sync_file()));
	case Config::largest_cgroup:
	case Config::over_request:
		return std::make_unique<CliPolicy>(
		    std::vector<std::string>{"--policy", name_of(config)},
		    tmp.write("priorities.conf", scene.sync_file()));
	}
	return nullptr;
}

// The guest's clocksource: "tsc" normally, "refined-jiffies" if the TSC calibration failed.
std::string clocksource()
{
	std::ifstream in("/sys/devices/system/clocksource/clocksource0/current_clocksource");
	std::string name;
	in >> name;
	return name.empty() ? "unknown" : name;
}

// One OOM's selection time, in ns per candidate.
double time_one_oom(SleeperScene &scene, SelectionTimer &timer)
{
	timer.reset();
	scene.oom();
	// The first complete scan is the selection; a later one would be a
	// retry that found the victim still exiting.
	for (const auto &scan : timer.scans())
		if (!scan.aborted)
			return scan.ns / scene.candidates();
	throw std::runtime_error("an OOM ran no complete victim selection");
}

std::uint64_t candidates_counted()
{
	const auto status = Policy().status();
	return status.counters ? status.counters->candidates : 0;
}

// What the guest clock measures: time, or (under QEMU -icount shift=0) instructions.
enum class Unit { time, instructions };

std::string per_candidate(double ns, Unit unit)
{
	if (unit == Unit::instructions)
		return format_count(static_cast<std::uint64_t>(ns + 0.5)) +
		       " instructions/candidate";
	return format_ns(ns) + "/candidate";
}

// Per configuration, the median over the rounds of the round's mean ns per candidate.
std::map<Config, double> measure(SleeperScene &scene, SelectionTimer &timer,
				 const std::vector<Config> &configs, const Plan &plan,
				 const selftests::TempDir &tmp, Unit unit)
{
	std::map<Config, std::vector<double>> samples;
	for (int round = 0; round < plan.rounds; round++) {
		for (auto config : configs) {
			const auto attached = attach(config, scene, timer, tmp);
			// Untimed: under TCG, code runs slower the first time (translation).
			scene.oom();
			const bool policy = is_policy(config);
			const std::uint64_t before = policy ? candidates_counted() : 0;
			double sum = 0;
			for (int i = 0; i < plan.ooms_per_round; i++)
				sum += time_one_oom(scene, timer);
			samples[config].push_back(sum / plan.ooms_per_round);
			// The policy's own count says whether every candidate reached it.
			if (policy && candidates_counted() - before !=
					  plan.ooms_per_round * scene.candidates())
				std::cerr << "selection: " << name_of(config) << " saw "
					  << candidates_counted() - before << " candidates, not "
					  << plan.ooms_per_round * scene.candidates() << '\n';
		}
	}
	std::map<Config, double> medians;
	for (auto &[config, values] : samples) {
		medians[config] = median(values);
		const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
		std::cerr << "selection: " << name_of(config) << ": median "
			  << per_candidate(medians[config], unit) << ", min "
			  << per_candidate(*lo, unit) << ", max " << per_candidate(*hi, unit)
			  << " (" << values.size() << " rounds of " << plan.ooms_per_round
			  << " OOMs)\n";
	}
	return medians;
}

void run(const Plan &plan, const std::string &clock, Unit unit)
{
	const selftests::ValueOverride no_task_dump("/proc/sys/vm/oom_dump_tasks", "0");
	// Console log level 1: the OOM report still reaches the log buffer, not the serial port.
	const selftests::ValueOverride quiet_console("/proc/sys/kernel/printk", "1");
	const std::size_t largest = *std::max_element(plan.sleepers.begin(), plan.sleepers.end());
	// threads-max scales with guest memory; the sleepers must not hit it.
	const selftests::ValueOverride threads(
	    "/proc/sys/kernel/threads-max",
	    std::to_string(std::max<std::size_t>(largest * 2, 32768)));

	time_process({BPFOOM_CLI_PATH, "unload"}); // start from a stock kernel
	SelectionTimer timer;
	const selftests::TempDir tmp("bpfoom-bench");
	const std::string where =
	    unit == Unit::instructions ? "VM (TCG, icount)" : "VM (TCG, clock " + clock + ")";

	for (auto n : plan.sleepers) {
		const std::string size = format_count(n + 1);
		auto row = [&](const std::string &what, double ns, double stock,
			       const std::string &goal, double limit) {
			// A stock figure of 0: every scan shorter than one tick of a jiffies clock.
			const double ratio = stock > 0 ? ns / stock : 0;
			print_row(
			    {where, what, size, per_candidate(ns, unit),
			     "stock: " + per_candidate(stock, unit),
			     stock > 0 ? format_ratio(ratio) : "n/a",
			     n == goal_size && !goal.empty() && stock > 0 && unit == Unit::time
				 ? judge(goal, ratio <= limit)
				 : ""});
		};

		std::cerr << "selection: " << n << " sleepers, flat\n";
		std::map<Config, double> flat;
		{
			SleeperScene scene(Layout::flat, n);
			flat = measure(scene, timer,
				       {Config::stock, Config::floor, Config::inherit,
					Config::largest_cgroup, Config::over_request},
				       plan, tmp, unit);
		}
		row("victim selection: empty fmod_ret program (floor of any BPF policy)",
		    flat[Config::floor], flat[Config::stock], "", 0);
		row("victim selection: policy, inherit mode (flat cgroups)", flat[Config::inherit],
		    flat[Config::stock], "≤ 1.3×", goal_inherit);
		row("victim selection: largest-cgroup policy (flat cgroups)",
		    flat[Config::largest_cgroup], flat[Config::stock], "", 0);
		row("victim selection: over-request policy (flat cgroups, no requests: the longest "
		    "walk)",
		    flat[Config::over_request], flat[Config::stock], "", 0);

		std::cerr << "selection: " << n << " sleepers, 8 levels deep\n";
		std::map<Config, double> deep;
		{
			SleeperScene scene(Layout::deep, n);
			deep = measure(scene, timer, {Config::stock, Config::tournament}, plan, tmp,
				       unit);
		}
		row("victim selection: policy, tournament mode (depth 8)", deep[Config::tournament],
		    deep[Config::stock], "≤ 2×", goal_tournament);
	}
}

} // namespace

int main(int argc, char **argv)
{
	bool quick = false, require_tsc = false;
	Unit unit = Unit::time;
	for (int i = 1; i < argc; i++) {
		if (std::strcmp(argv[i], "--quick") == 0) {
			quick = true;
		} else if (std::strcmp(argv[i], "--require-tsc") == 0) {
			require_tsc = true;
		} else if (std::strcmp(argv[i], "--instructions") == 0) {
			unit = Unit::instructions;
		} else {
			std::cerr << "usage: " << argv[0]
				  << " [--quick] [--require-tsc | --instructions]\n";
			return 2;
		}
	}
	const std::string clock = clocksource();
	if (require_tsc && clock.rfind("tsc", 0) != 0) {
		std::cerr << "bpfoom_bench_selection: the guest clock is " << clock
			  << " (TSC calibration failed), not tsc\n";
		return 75;
	}
	try {
		Plan plan = full_plan;
		if (quick)
			plan = quick_plan;
		else if (unit == Unit::instructions)
			plan = instructions_plan;
		run(plan, clock, unit);
	} catch (const std::exception &e) {
		std::cerr << "bpfoom_bench_selection: " << e.what() << '\n';
		return 1;
	}
	return 0;
}
