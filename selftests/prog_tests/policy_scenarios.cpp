// SPDX-License-Identifier: GPL-2.0
/*
 * Every rule of the policy, proved by a real OOM in the VM and driven
 * through the bpfoom CLI as an operator would. The standard set-up is a
 * 100 MB OOM cgroup with a 30 MB resident ("small") and an 80 MB trigger
 * ("big"): the stock kernel kills the bigger one, so a policy that works
 * is seen killing the smaller one.
 */
#include "bpfoom_cli.hpp"
#include "scenario_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <set>

using namespace bpfoom::selftests;

namespace
{

const HogSpec kSmall{.name = "small", .cgroup = "a", .megabytes = 30};
const HogSpec kBig{.name = "big", .cgroup = "b", .megabytes = 80};

// The OOM killer's choice: the first task the kernel killed.
std::string victim(const PolicyOom &oom)
{
	return oom.outcome.first_killed();
}

// The first kills of an oom.group episode, in any order.
std::set<std::string> first_kills(const PolicyOom &oom, std::size_t n)
{
	const auto &order = oom.outcome.kill_order;
	return {order.begin(), order.begin() + std::min(n, order.size())};
}

} // namespace

TEST_CASE("scenario 1: the lower priority dies even though it is smaller", "[scenario]")
{
	LoadedPolicy policy;
	MemcgScene scene("s01-priority", 100, {"a", "b"});
	policy.cli().must({"set", scene.relative("a"), "10"});
	policy.cli().must({"set", scene.relative("b"), "20"});

	auto oom = run_policy_oom(
	    policy.cli(), scene, {kSmall}, kBig,
	    ExpectedEvents{.priority = {{"a", 10}, {"b", 20}}, .decided_by = "policy"});
	INFO(oom.outcome.describe());
	CHECK(victim(oom) == "small");
	CHECK(oom.outcome.oom_kills["a"] == 1);
	CHECK(oom.outcome.oom_kills["b"] == 0);
}

TEST_CASE("scenario 2: at equal priority the bigger task dies", "[scenario]")
{
	LoadedPolicy policy;
	MemcgScene scene("s02-equal", 100, {"a", "b"});
	policy.cli().must({"set", scene.relative("a"), "50"});
	policy.cli().must({"set", scene.relative("b"), "50"});

	auto oom = run_policy_oom(
	    policy.cli(), scene, {kSmall}, kBig,
	    ExpectedEvents{.priority = {{"a", 50}, {"b", 50}}, .decided_by = "kernel"});
	INFO(oom.outcome.describe());
	CHECK(victim(oom) == "big");
}

TEST_CASE("scenario 3: unlisted cgroups take the default priority, changed without reload",
	  "[scenario]")
{
	LoadedPolicy policy;
	const auto program_id = policy_program_id(policy.cli().status());
	REQUIRE(program_id != 0);
	MemcgScene scene("s03-default", 100, {"a", "b"});
	// "a" is unlisted; "b" has 5.
	policy.cli().must({"set", scene.relative("b"), "5"});

	SECTION("default 0: the unlisted small task dies")
	{
		auto oom = run_policy_oom(
		    policy.cli(), scene, {kSmall}, kBig,
		    ExpectedEvents{.priority = {{"a", 0}, {"b", 5}}, .decided_by = "policy"});
		CHECK(victim(oom) == "small");
	}
	SECTION("default 10: the listed big task dies")
	{
		policy.cli().must({"config", "--default-priority", "10"});
		auto oom = run_policy_oom(
		    policy.cli(), scene, {kSmall}, kBig,
		    ExpectedEvents{.priority = {{"a", 10}, {"b", 5}}, .decided_by = "policy"});
		CHECK(victim(oom) == "big");
		// Same program: a runtime setting, not a reload.
		CHECK(policy_program_id(policy.cli().status()) == program_id);
	}
}

TEST_CASE("scenario 4: inherit applies a parent's priority to its children, a child's own "
	  "entry overrides it",
	  "[scenario]")
{
	LoadedPolicy policy({"--mode", "inherit"});
	MemcgScene scene("s04-inherit", 100, {"p1", "p1/a", "p2", "p2/b"});
	policy.cli().must({"set", scene.relative("p1"), "10"});
	policy.cli().must({"set", scene.relative("p2"), "20"});
	const HogSpec small{.name = "small", .cgroup = "p1/a", .megabytes = 30};
	const HogSpec big{.name = "big", .cgroup = "p2/b", .megabytes = 80};

	SECTION("the parent's priority applies")
	{
		auto oom = run_policy_oom(policy.cli(), scene, {small}, big,
					  ExpectedEvents{.priority = {{"p1/a", 10}, {"p2/b", 20}},
							 .decided_by = "policy"});
		CHECK(victim(oom) == "small");
	}
	SECTION("the child's own entry overrides it")
	{
		policy.cli().must({"set", scene.relative("p1/a"), "30"});
		auto oom = run_policy_oom(policy.cli(), scene, {small}, big,
					  ExpectedEvents{.priority = {{"p1/a", 30}, {"p2/b", 20}},
							 .decided_by = "policy"});
		CHECK(victim(oom) == "big");
	}
}

TEST_CASE("scenario 5: inherit and tournament pick different victims on the same hierarchy",
	  "[scenario]")
{
	// x (10) and y (20) are siblings; x1 (100) under x, y1 (1) under y.
	// inherit: x1's task has 100 and y1's has 1, so y1's dies.
	// tournament: the paths diverge at x vs y, and x (10) loses.
	auto mode = GENERATE(std::string("inherit"), std::string("tournament"));
	CAPTURE(mode);
	LoadedPolicy policy({"--mode", mode});
	MemcgScene scene("s05-" + mode, 100, {"x", "x/x1", "y", "y/y1"});
	policy.cli().must({"set", scene.relative("x"), "10"});
	policy.cli().must({"set", scene.relative("y"), "20"});
	policy.cli().must({"set", scene.relative("x/x1"), "100"});
	policy.cli().must({"set", scene.relative("y/y1"), "1"});
	const HogSpec in_x1{.name = "in-x1", .cgroup = "x/x1", .megabytes = 30};
	const HogSpec in_y1{.name = "in-y1", .cgroup = "y/y1", .megabytes = 80};

	auto oom = run_policy_oom(
	    policy.cli(), scene, {in_x1}, in_y1,
	    ExpectedEvents{.priority = {{"x/x1", 100}, {"y/y1", 1}}, .decided_by = "policy"});
	if (mode == "inherit")
		CHECK(victim(oom) == "in-y1");
	else
		CHECK(victim(oom) == "in-x1");
}

TEST_CASE("scenario 6: an omitted cgroup survives while any other candidate exists", "[scenario]")
{
	LoadedPolicy policy;
	MemcgScene scene("s06-omit", 100, {"a", "b"});

	SECTION("the omitted low-priority task survives; the other dies")
	{
		policy.cli().must({"set", scene.relative("a"), "0", "--omit"});
		policy.cli().must({"set", scene.relative("b"), "100"});
		auto oom = run_policy_oom(
		    policy.cli(), scene, {kSmall}, kBig,
		    ExpectedEvents{.priority = {{"a", 0}, {"b", 100}}, .decided_by = "policy"});
		CHECK(victim(oom) == "big");
	}
	SECTION("when only omitted tasks are left, one still dies")
	{
		policy.cli().must({"set", scene.relative("a"), "0", "--omit"});
		policy.cli().must({"set", scene.relative("b"), "100", "--omit"});
		auto oom = run_policy_oom(
		    policy.cli(), scene, {kSmall}, kBig,
		    ExpectedEvents{.priority = {{"a", 0}, {"b", 100}}, .decided_by = "policy"});
		CHECK(victim(oom) == "small");
	}
}

TEST_CASE("scenario 7: oom_score_adj -1000 is never killed, whatever its priority", "[scenario]")
{
	LoadedPolicy policy;
	MemcgScene scene("s07-unkillable", 100, {"a", "b"});
	policy.cli().must({"set", scene.relative("a"), "-2147483648"});
	policy.cli().must({"set", scene.relative("b"), "2147483647"});
	HogSpec protected_small = kSmall;
	protected_small.oom_score_adj = -1000;

	auto oom =
	    run_policy_oom(policy.cli(), scene, {protected_small}, kBig,
			   ExpectedEvents{.priority = {{"b", 2147483647}}, .decided_by = "kernel"});
	CHECK(victim(oom) == "big");
	CHECK(oom.outcome.oom_kills["a"] == 0);
}

TEST_CASE("scenario 8: memory.oom.group kills the chosen cgroup whole, its sibling untouched",
	  "[scenario]")
{
	LoadedPolicy policy;
	MemcgScene scene("s08-group", 100, {"a", "b"});
	scene.child("a").write("memory.oom.group", "1");
	policy.cli().must({"set", scene.relative("a"), "1"});
	policy.cli().must({"set", scene.relative("b"), "2"});
	const HogSpec a1{.name = "a1", .cgroup = "a", .megabytes = 15};
	const HogSpec a2{.name = "a2", .cgroup = "a", .megabytes = 15};

	auto oom = run_policy_oom(
	    policy.cli(), scene, {a1, a2}, kBig,
	    ExpectedEvents{.priority = {{"a", 1}, {"b", 2}}, .decided_by = "policy"});
	CHECK(first_kills(oom, 2) == std::set<std::string>{"a1", "a2"});
	CHECK(oom.outcome.oom_kills["b"] == 0);
	// One event per member; exactly one of them is the policy's choice.
	int chosen = 0;
	for (const auto &event : oom.events)
		chosen += !event["group_member"].get<bool>();
	CHECK(chosen == 1);
}

TEST_CASE("scenario 9: in a global OOM priority decides and the harness survives", "[scenario]")
{
	LoadedPolicy policy;
	TestCgroup low(cgroup2_mount(), "s09-low");
	TestCgroup high(cgroup2_mount(), "s09-high");
	policy.cli().must({"set", "s09-low", "1"});
	policy.cli().must({"set", "s09-high", "2"});

	// Sized from what the guest has free: the resident takes 40%, the
	// trigger wants 80%, so one kill of either ends the episode.
	std::size_t available_mb = 0;
	{
		std::ifstream meminfo("/proc/meminfo");
		std::string key;
		std::size_t value;
		std::string unit;
		while (meminfo >> key >> value >> unit)
			if (key == "MemAvailable:")
				available_mb = value / 1024;
	}
	REQUIRE(available_mb > 100);

	std::ofstream("/proc/self/oom_score_adj") << "-1000";
	KmsgReader kmsg;
	Hog resident({.cgroup = low.path(),
		      .megabytes = available_mb * 4 / 10,
		      .global_oom = true,
		      .name = "low"});
	REQUIRE(resident.wait_until_ready());
	Hog trigger({.cgroup = high.path(),
		     .megabytes = available_mb * 8 / 10,
		     .global_oom = true,
		     .name = "high"});
	const bool trigger_finished = trigger.wait_until_ready();
	auto resident_exit = resident.finish();
	auto trigger_exit = trigger.finish();
	auto kills = oom_kills_in(kmsg.read_new());
	auto events = policy.cli().drain_events();
	std::ofstream("/proc/self/oom_score_adj") << "0";

	INFO("low: " << resident_exit.describe() << ", high: " << trigger_exit.describe()
		     << (trigger_finished ? "" : " before finishing"));
	CHECK(resident_exit.oom_killed());
	CHECK(low.oom_kills() == 1);
	REQUIRE(kills.size() >= 1);
	CHECK(kills[0].task == "low");
	CHECK(kills[0].oom_memcg.empty());
	auto victim_events = events_for_pid(events, resident.pid());
	REQUIRE(victim_events.size() == 1);
	CHECK(victim_events[0]["oom"] == "global");
	CHECK(victim_events[0]["victim"]["priority"] == 1);
	CHECK(victim_events[0]["decided_by"] == "policy");
}

TEST_CASE("scenario 10: changed priorities apply to the next OOM without a reload", "[scenario]")
{
	LoadedPolicy policy;
	MemcgScene scene("s10-change", 100, {"a", "b"});
	policy.cli().must({"set", scene.relative("a"), "10"});
	policy.cli().must({"set", scene.relative("b"), "20"});
	auto first = run_policy_oom(
	    policy.cli(), scene, {kSmall}, kBig,
	    ExpectedEvents{.priority = {{"a", 10}, {"b", 20}}, .decided_by = "policy"});
	CHECK(victim(first) == "small");

	policy.cli().must({"set", scene.relative("a"), "30"});
	auto second = run_policy_oom(
	    policy.cli(), scene, {kSmall}, kBig,
	    ExpectedEvents{.priority = {{"a", 30}, {"b", 20}}, .decided_by = "policy"});
	CHECK(victim(second) == "big");
}

TEST_CASE("scenario 11: a second load switches mode, keeps priorities, leaves one program",
	  "[scenario]")
{
	LoadedPolicy policy({"--mode", "inherit"});
	MemcgScene scene("s11-reload", 100, {"x", "x/x1", "y", "y/y1"});
	const std::string sync_file = scene.relative("x") + " 10\n" + scene.relative("y") +
				      " 20\n" + scene.relative("x/x1") + " 100\n" +
				      scene.relative("y/y1") + " 1\n";
	policy.cli().must({"sync", "-"}, sync_file);
	const HogSpec in_x1{.name = "in-x1", .cgroup = "x/x1", .megabytes = 30};
	const HogSpec in_y1{.name = "in-y1", .cgroup = "y/y1", .megabytes = 80};

	auto inherit = run_policy_oom(policy.cli(), scene, {in_x1}, in_y1, std::nullopt);
	CHECK(victim(inherit) == "in-y1");

	policy.cli().must({"load", "--mode", "tournament"});
	auto status = policy.cli().status();
	INFO(status.dump());
	CHECK(status["settings"]["mode"] == "tournament");
	CHECK(status["entries"] == 4);
	CHECK(count_hook_links() == 1);

	auto tournament = run_policy_oom(policy.cli(), scene, {in_x1}, in_y1, std::nullopt);
	CHECK(victim(tournament) == "in-x1");
}

TEST_CASE("scenario 12: after unload the next OOM follows the stock kernel", "[scenario]")
{
	MemcgScene scene("s12-unload", 100, {"a", "b"});
	{
		LoadedPolicy policy;
		policy.cli().must({"set", scene.relative("a"), "10"});
		policy.cli().must({"set", scene.relative("b"), "20"});
		auto loaded = run_policy_oom(policy.cli(), scene, {kSmall}, kBig, std::nullopt);
		CHECK(victim(loaded) == "small");
		policy.cli().must({"unload"});
		CHECK(count_hook_links() == 0);
		auto unloaded = scene.run({kSmall}, kBig);
		INFO(unloaded.describe());
		CHECK(unloaded.first_killed() == "big");
		CHECK_FALSE(unloaded.kernel_kills.at(0).policy);
	}
}

TEST_CASE("scenario 13: dry-run kills the kernel's choice and reports the policy's", "[scenario]")
{
	LoadedPolicy policy({"--dry-run"});
	MemcgScene scene("s13-dry-run", 100, {"a", "b"});
	policy.cli().must({"set", scene.relative("a"), "10"});
	policy.cli().must({"set", scene.relative("b"), "20"});

	auto oom = run_policy_oom(policy.cli(), scene, {kSmall}, kBig,
				  ExpectedEvents{.priority = {{"a", 10}, {"b", 20}},
						 .decided_by = "kernel",
						 .dry_run = true});
	CHECK(victim(oom) == "big");
	REQUIRE(oom.events.size() == 1);
	const auto &event = oom.events[0];
	INFO(event.dump());
	CHECK(event["policy_choice"]["pid"] == oom.outcome.pids.at("small"));
	CHECK(event["policy_choice"]["cgroup_id"] == scene.child("a").id());
	CHECK(event["kernel_choice"]["pid"] == oom.outcome.pids.at("big"));
}
