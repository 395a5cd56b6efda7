// SPDX-License-Identifier: GPL-2.0
/*
 * The bpfoom CLI end to end on the patched kernel: readiness, declarative
 * sync, status, and a loader killed at any point of a replacing load.
 */
#include "bpfoom_cli.hpp"
#include "scenario_support.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <set>

using namespace bpfoom::selftests;

namespace
{

std::set<std::pair<std::uint64_t, int>> entries_of(const nlohmann::json &list)
{
	std::set<std::pair<std::uint64_t, int>> entries;
	for (const auto &entry : list["entries"])
		entries.emplace(entry["cgroup_id"].get<std::uint64_t>(),
				entry["priority"].get<int>());
	return entries;
}

} // namespace

TEST_CASE("cli: probe says this kernel is ready", "[cli]")
{
	BpfoomCli cli;
	auto result = cli.run({"probe", "--json"});
	INFO(result.describe());
	CHECK(result.exit_status == 0);
	auto report = nlohmann::json::parse(result.out);
	CHECK(report["ready"] == true);
	for (const auto &check : report["checks"])
		CHECK(check["ok"] == true);
}

TEST_CASE("cli: sync makes the map equal to the file, and status --json shows it", "[cli]")
{
	LoadedPolicy policy;
	MemcgScene scene("cli-sync", 100, {"a", "b", "c", "d"});
	const auto &cli = policy.cli();
	cli.must({"set", scene.relative("a"), "1"});
	cli.must({"set", scene.relative("b"), "2"});
	cli.must({"set", scene.relative("c"), "3"});

	const std::string file = "# the whole desired set\n" + scene.relative("a") + " 5\n" +
				 scene.relative("d") + " -4 omit\n";
	const auto before = cli.list();
	cli.must({"sync", "-", "--dry-run"}, file);
	CHECK(cli.list() == before);

	cli.must({"sync", "-"}, file);
	CHECK(entries_of(cli.list()) ==
	      std::set<std::pair<std::uint64_t, int>>{{scene.child("a").id(), 5},
						      {scene.child("d").id(), -4}});
	auto status = cli.status();
	CHECK(status["loaded"] == true);
	CHECK(status["entries"] == 2);

	// A sync file with one bad line changes nothing.
	auto bad =
	    cli.run({"sync", "-"}, scene.relative("b") + " 7\n" + scene.relative("nope") + " 1\n");
	INFO(bad.describe());
	CHECK(bad.exit_status == 3);
	CHECK(std::count(bad.err.begin(), bad.err.end(), '\n') == 1);
	CHECK(entries_of(cli.list()) ==
	      std::set<std::pair<std::uint64_t, int>>{{scene.child("a").id(), 5},
						      {scene.child("d").id(), -4}});
}

TEST_CASE("cli: a loader killed at any point leaves the old or the new policy, never both",
	  "[cli][crash]")
{
	LoadedPolicy policy({"--mode", "inherit"});
	MemcgScene scene("cli-crash", 100, {"a", "b"});
	const auto &cli = policy.cli();
	cli.must({"set", scene.relative("a"), "10"});
	cli.must({"set", scene.relative("b"), "20"});
	const auto priorities = entries_of(cli.list());

	// Kill replacing loads at delays spread over the whole load, so some
	// die in the verifier, some between attach and pin, some mid-rename.
	for (int attempt = 0; attempt < 24; attempt++) {
		const std::string mode = attempt % 2 ? "inherit" : "tournament";
		const long delay_us = 15000L * attempt;
		pid_t loader = ::fork();
		if (loader == 0) {
			::execl(BPFOOM_CLI_PATH, "bpfoom", "load", "--mode", mode.c_str(), nullptr);
			::_exit(127);
		}
		timespec delay{delay_us / 1000000, (delay_us % 1000000) * 1000};
		::nanosleep(&delay, nullptr);
		::kill(loader, SIGKILL);
		::waitpid(loader, nullptr, 0);

		// The next command recovers an interrupted replacement first.
		auto status = cli.status();
		INFO("attempt " << attempt << " killed after " << delay_us
				<< " us: " << status.dump());
		cli.must({"config", "--default-priority", "0"});
		CHECK(count_hook_links() == 1);
		status = cli.status();
		CHECK(status["loaded"] == true);
		CHECK(status["links"].size() == 3);
		CHECK(entries_of(cli.list()) == priorities);
	}

	// And the policy that remains still decides.
	auto oom = run_policy_oom(
	    cli, scene, {{.name = "small", .cgroup = "a", .megabytes = 30}},
	    {.name = "big", .cgroup = "b", .megabytes = 80},
	    ExpectedEvents{.priority = {{"a", 10}, {"b", 20}}, .decided_by = "policy"});
	CHECK(oom.outcome.first_killed() == "small");
}
