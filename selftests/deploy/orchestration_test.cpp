// SPDX-License-Identifier: GPL-2.0
/*
 * A node agent driving bpfoom in-process: the example program
 * (docs/examples/node_agent), built by the normal build against a staging
 * install of bpfoom, once through find_package(bpfoom) and once through
 * pkg-config, applies desired sets and reads the OOM events.
 */
#include "scenario_support.hpp"

#include <catch2/catch.hpp>

using namespace bpfoom::selftests;

TEST_CASE("orchestration: a node agent linking the installed library drives the priorities "
	  "in-process",
	  "[orchestration]")
{
	const std::string agent =
	    GENERATE(as<std::string>{}, BPFOOM_NODE_AGENT_CMAKE, BPFOOM_NODE_AGENT_PKGCONFIG);
	CAPTURE(agent);
	const NothingLoaded nothing_loaded;
	BpfoomCli cli;
	MemcgScene scene("agent", 100, {"batch", "database"});
	const std::string batch = scene.relative("batch"), database = scene.relative("database");
	auto run_agent = [&](const std::vector<std::string> &args, const std::string &desired) {
		std::vector<std::string> argv{agent};
		argv.insert(argv.end(), args.begin(), args.end());
		return run_command(argv, desired);
	};

	// Loads the policy itself, then applies the set.
	auto first = run_agent({"--load"}, batch + " 10\n" + database + " 100\n");
	INFO(first.describe());
	REQUIRE(first.exit_status == 0);
	CHECK(first.out == "reconciled: 2 added, 0 changed, 0 removed, 0 unchanged\n");
	CHECK(cli.status()["loaded"] == true);
	const PriorityEntries applied{{scene.child("batch").path(), {10, false}},
				      {scene.child("database").path(), {100, false}}};
	CHECK(cli.entries() == applied);

	// A bad desired set changes nothing, with the CLI's exit code.
	auto bad = run_agent({}, batch + " 1\n" + scene.relative("nope") + " 2\n");
	INFO(bad.describe());
	CHECK(bad.exit_status == 3);
	CHECK(cli.entries() == applied);

	// Its priorities decide a real OOM, and it reads the policy's event.
	cli.drain_events();
	auto outcome = scene.run({{.name = "batch", .cgroup = "batch", .megabytes = 30}},
				 {.name = "database", .cgroup = "database", .megabytes = 80});
	INFO(outcome.describe());
	CHECK(outcome.first_killed() == "batch");
	auto again = run_agent({"--events"}, batch + " 10\n" + database + " 100\n");
	INFO(again.describe());
	REQUIRE(again.exit_status == 0);
	CHECK(again.out.rfind("reconciled: 0 added, 0 changed, 0 removed, 2 unchanged\n", 0) == 0);
	CHECK(again.out.find("oom kill: batch (pid " + std::to_string(outcome.pids["batch"]) +
			     ") in " + scene.child("batch").path() +
			     ", priority 10, decided by the policy\n") != std::string::npos);
}
