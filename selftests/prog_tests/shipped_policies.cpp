// SPDX-License-Identifier: GPL-2.0
// The shipped policies other than priority (policy_scenarios.cpp proves
// that one), each rule proved by a real OOM in the VM where the stock
// kernel, and the priority policy, would kill a different task. The victim
// is the OOM's own trigger wherever the rule allows: under TCG a second
// kill can follow a first one whose victim is not the allocating task, and
// the scenarios judge the OOM killer's choice by the first kill.
#include "scenario_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

namespace bpfoom::selftests
{
namespace
{

const std::vector<std::string> kLargestCgroup{"--policy", "largest-cgroup"};

std::string victim(const PolicyOom &oom)
{
	return oom.outcome.first_killed();
}

bool was_killed(const PolicyOom &oom, const std::string &hog)
{
	const auto killed = oom.outcome.killed();
	return std::find(killed.begin(), killed.end(), hog) != killed.end();
}

// The same 100 MB set-up for the first two rules: a single 40 MB task in
// its own cgroup beside 15 + 15 MB and a trigger that asks for 40 MB and
// holds about 28 when the OOM comes. The kernel's badness kills the 40 MB
// task; by cgroup, the other side holds about 58.
const HogSpec kOne{.name = "one", .cgroup = "one", .megabytes = 40};

} // namespace

TEST_CASE("largest-cgroup: a container of many small processes dies before one with a single "
	  "bigger process",
	  "[shipped]")
{
	LoadedPolicy policy(kLargestCgroup);
	CHECK(policy.cli().status()["policy"]["name"] == "largest-cgroup");
	MemcgScene scene("largest-many", 100, {"many", "one"});
	const HogSpec many1{.name = "many-1", .cgroup = "many", .megabytes = 15};
	const HogSpec many2{.name = "many-2", .cgroup = "many", .megabytes = 15};
	const HogSpec many3{.name = "many-3", .cgroup = "many", .megabytes = 40};

	auto oom = run_policy_oom(
	    policy.cli(), scene, {kOne, many1, many2}, many3,
	    ExpectedEvents{.priority = {{"many", 0}, {"one", 0}}, .decided_by = "policy"});
	INFO(oom.outcome.describe());
	/* The biggest task of the largest cgroup: the trigger, not the bigger "one". */
	CHECK(victim(oom) == "many-3");
	CHECK(!was_killed(oom, "one"));
	CHECK(oom.outcome.oom_kills["one"] == 0);
}

TEST_CASE("largest-cgroup: a memory.oom.group cgroup is compared as one unit", "[shipped]")
{
	LoadedPolicy policy(kLargestCgroup);
	const std::vector<std::string> cgroups{"g", "g/a", "g/b", "g/c", "one"};
	const HogSpec ga{.name = "g-a", .cgroup = "g/a", .megabytes = 15};
	const HogSpec gb{.name = "g-b", .cgroup = "g/b", .megabytes = 15};
	const HogSpec gc{.name = "g-c", .cgroup = "g/c", .megabytes = 40};

	/* Leaf by leaf (about 15, 15 and 28 under g) "one" is the largest: it dies. */
	{
		MemcgScene scene("largest-leaves", 100, cgroups);
		auto oom = run_policy_oom(policy.cli(), scene, {kOne, ga, gb}, gc, std::nullopt);
		INFO("without memory.oom.group\n" << oom.outcome.describe());
		CHECK(victim(oom) == "one");
		CHECK(!was_killed(oom, "g-a"));
		CHECK(!was_killed(oom, "g-b"));
	}

	/*
	 * With g an oom.group, its leaves are one unit of about 58: the
	 * biggest task in it dies first, and the kernel kills the rest of g.
	 */
	MemcgScene scene("largest-group", 100, cgroups);
	scene.child("g").write("memory.oom.group", "1");
	auto oom = run_policy_oom(policy.cli(), scene, {kOne, ga, gb}, gc, std::nullopt);
	INFO("with memory.oom.group on g\n" << oom.outcome.describe());
	CHECK(victim(oom) == "g-c");
	CHECK(was_killed(oom, "g-a"));
	CHECK(was_killed(oom, "g-b"));
	CHECK(!was_killed(oom, "one"));
	CHECK(oom.outcome.oom_kills["one"] == 0);
	/*
	 * One event per victim, the choice's decided by the policy. (The
	 * kernel logs the trigger twice, as the choice and again as a member
	 * of g, so check_events()' one kill line per victim does not hold.)
	 */
	CHECK(oom.events.size() == 3);
	for (const auto *hog : {&ga, &gb, &gc}) {
		const auto events = events_for_pid(oom.events, oom.outcome.pids.at(hog->name));
		INFO(hog->name);
		REQUIRE(events.size() == 1);
		CHECK(events[0]["victim"]["cgroup_id"] == scene.child(hog->cgroup).id());
		CHECK(events[0]["group_member"] == (hog != &gc));
		if (hog == &gc)
			CHECK(events[0]["decided_by"] == "policy");
	}
}

TEST_CASE("largest-cgroup: priorities come first", "[shipped]")
{
	LoadedPolicy policy(kLargestCgroup);
	/*
	 * 200 MB: "big" (one 95 MB task, priority 20) is the largest cgroup;
	 * "one" (40 MB) and "many" (20 + 20 MB and a trigger that holds about
	 * 25 when the OOM comes, some 70 in all) share priority 10. The stock
	 * kernel kills big's task; the priority policy the biggest task at
	 * priority 10, one's. Here the lower priority comes first although big
	 * is larger, then, between the two at priority 10, the larger cgroup:
	 * many, and in it its biggest task, the trigger.
	 */
	MemcgScene scene("largest-priority", 200, {"big", "one", "many"});
	policy.cli().must({"set", scene.relative("big"), "20"});
	policy.cli().must({"set", scene.relative("one"), "10"});
	policy.cli().must({"set", scene.relative("many"), "10"});
	const HogSpec big{.name = "big", .cgroup = "big", .megabytes = 95};
	const HogSpec one{.name = "one", .cgroup = "one", .megabytes = 40};
	const HogSpec many1{.name = "many-1", .cgroup = "many", .megabytes = 20};
	const HogSpec many2{.name = "many-2", .cgroup = "many", .megabytes = 20};
	const HogSpec many3{.name = "many-3", .cgroup = "many", .megabytes = 60};

	auto oom =
	    run_policy_oom(policy.cli(), scene, {big, one, many1, many2}, many3,
			   ExpectedEvents{.priority = {{"many", 10}, {"one", 10}, {"big", 20}},
					  .decided_by = "policy"});
	INFO(oom.outcome.describe());
	CHECK(victim(oom) == "many-3");
	CHECK(!was_killed(oom, "big"));
	CHECK(!was_killed(oom, "one"));
	CHECK(oom.outcome.oom_kills["big"] == 0);
}

} // namespace bpfoom::selftests
