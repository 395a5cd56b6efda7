// SPDX-License-Identifier: GPL-2.0
/*
 * Every rule of the policy, proved by a real OOM in the VM and driven
 * through the bpfoom CLI as an operator would; each test is named for the
 * rule it proves, and rules that differ only in their data are one table. The standard set-up is a
 * 100 MB OOM cgroup with a 30 MB resident ("small") and an 80 MB trigger
 * ("big"): the stock kernel kills the bigger one, so a policy that works
 * is seen killing the smaller one.
 */
#include "bpfoom_cli.hpp"
#include "scenario_support.hpp"
#include "value_override.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <optional>
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

// One priority entry, as `bpfoom set` takes it.
struct Entry {
	std::string cgroup; // a child of the scene
	std::string priority;
	bool omit = false;
};

// A rule of the policy proved by one memcg OOM in a 100 MB cgroup: the
// priorities set, the tasks started, and who must die. Cases differ only in
// these data.
struct RankingCase {
	std::string rule{}; // what it proves, and the name it is reported by
	std::vector<std::string> load_args{};
	std::vector<std::string> cgroups{}; // children of the OOM cgroup, parents first
	std::vector<Entry> entries{};
	std::optional<int> default_priority{}; // `bpfoom config --default-priority`, after load
	std::vector<HogSpec> residents{};
	HogSpec trigger{};
	ExpectedEvents expected{};
	std::string victim{};
	std::vector<std::string> spared{}; // cgroups whose oom_kill must stay 0
};

// inherit vs tournament: x (10) and y (20) are siblings, x1 (100) under x,
// y1 (1) under y. inherit: x1's task has 100 and y1's has 1, so y1's dies.
// tournament: the paths diverge at x vs y, and x (10) loses.
const std::vector<std::string> kTwoTrees{"x", "x/x1", "y", "y/y1"};
const std::vector<Entry> kTwoTreeEntries{{"x", "10"}, {"y", "20"}, {"x/x1", "100"}, {"y/y1", "1"}};
const HogSpec kInX1{.name = "in-x1", .cgroup = "x/x1", .megabytes = 30};
const HogSpec kInY1{.name = "in-y1", .cgroup = "y/y1", .megabytes = 80};
const HogSpec kSmallInP1A{.name = "small", .cgroup = "p1/a", .megabytes = 30};
const HogSpec kBigInP2B{.name = "big", .cgroup = "p2/b", .megabytes = 80};

// decided_by is "policy" only where the victim is not the kernel's own
// choice, the bigger task: a policy that agrees with the kernel decided
// nothing, whatever verdicts it returned.
const std::vector<RankingCase> kRankingCases{
    {.rule = "the lower priority dies even though it is smaller",
     .cgroups = {"a", "b"},
     .entries = {{"a", "10"}, {"b", "20"}},
     .residents = {kSmall},
     .trigger = kBig,
     .expected = {.priority = {{"a", 10}, {"b", 20}}, .decided_by = "policy"},
     .victim = "small",
     .spared = {"b"}},
    {.rule = "at equal priority the kernel's choice, the bigger task, dies",
     .cgroups = {"a", "b"},
     .entries = {{"a", "50"}, {"b", "50"}},
     .residents = {kSmall},
     .trigger = kBig,
     .expected = {.priority = {{"a", 50}, {"b", 50}}, .decided_by = "kernel"},
     .victim = "big"},
    {.rule = "an unlisted cgroup takes the default priority 0",
     .cgroups = {"a", "b"},
     .entries = {{"b", "5"}},
     .residents = {kSmall},
     .trigger = kBig,
     .expected = {.priority = {{"a", 0}, {"b", 5}}, .decided_by = "policy"},
     .victim = "small"},
    {.rule = "a default priority set at run time ranks unlisted cgroups, without a reload",
     .cgroups = {"a", "b"},
     .entries = {{"b", "5"}},
     .default_priority = 10,
     .residents = {kSmall},
     .trigger = kBig,
     .expected = {.priority = {{"a", 10}, {"b", 5}}, .decided_by = "kernel"},
     .victim = "big"},
    {.rule = "inherit applies a parent's priority to its children",
     .load_args = {"--mode", "inherit"},
     .cgroups = {"p1", "p1/a", "p2", "p2/b"},
     .entries = {{"p1", "10"}, {"p2", "20"}},
     .residents = {kSmallInP1A},
     .trigger = kBigInP2B,
     .expected = {.priority = {{"p1/a", 10}, {"p2/b", 20}}, .decided_by = "policy"},
     .victim = "small"},
    {.rule = "inherit: a child's own entry overrides its parent's",
     .load_args = {"--mode", "inherit"},
     .cgroups = {"p1", "p1/a", "p2", "p2/b"},
     .entries = {{"p1", "10"}, {"p2", "20"}, {"p1/a", "30"}},
     .residents = {kSmallInP1A},
     .trigger = kBigInP2B,
     .expected = {.priority = {{"p1/a", 30}, {"p2/b", 20}}, .decided_by = "kernel"},
     .victim = "big"},
    {.rule = "inherit ranks tasks by their own cgroup's effective priority",
     .load_args = {"--mode", "inherit"},
     .cgroups = kTwoTrees,
     .entries = kTwoTreeEntries,
     .residents = {kInX1},
     .trigger = kInY1,
     .expected = {.priority = {{"x/x1", 100}, {"y/y1", 1}}, .decided_by = "kernel"},
     .victim = "in-y1"},
    {.rule = "tournament ranks siblings where the paths diverge, on the same hierarchy",
     .load_args = {"--mode", "tournament"},
     .cgroups = kTwoTrees,
     .entries = kTwoTreeEntries,
     .residents = {kInX1},
     .trigger = kInY1,
     .expected = {.priority = {{"x/x1", 100}, {"y/y1", 1}}, .decided_by = "policy"},
     .victim = "in-x1"},
    {.rule = "an omitted low-priority cgroup survives while another candidate exists",
     .cgroups = {"a", "b"},
     .entries = {{"a", "0", true}, {"b", "100"}},
     .residents = {kSmall},
     .trigger = kBig,
     .expected = {.priority = {{"a", 0}, {"b", 100}}, .decided_by = "kernel"},
     .victim = "big"},
    {.rule = "when only omitted cgroups are left, the lower priority still dies",
     .cgroups = {"a", "b"},
     .entries = {{"a", "0", true}, {"b", "100", true}},
     .residents = {kSmall},
     .trigger = kBig,
     .expected = {.priority = {{"a", 0}, {"b", 100}}, .decided_by = "policy"},
     .victim = "small"},
    {.rule = "oom_score_adj -1000 is never killed, whatever its priority",
     .cgroups = {"a", "b"},
     .entries = {{"a", "-2147483648"}, {"b", "2147483647"}},
     .residents = {{.name = "small", .cgroup = "a", .megabytes = 30, .oom_score_adj = -1000}},
     .trigger = kBig,
     .expected = {.priority = {{"b", 2147483647}}, .decided_by = "kernel"},
     .victim = "big",
     .spared = {"a"}},
};

} // namespace

TEST_CASE("who dies in a memcg OOM: priority, default, inherit, tournament, omit, "
	  "oom_score_adj",
	  "[scenario]")
{
	for (const auto &c : kRankingCases) {
		DYNAMIC_SECTION(c.rule)
		{
			LoadedPolicy policy(c.load_args);
			const auto program_id = policy_program_id(policy.cli().status());
			REQUIRE(program_id != 0);
			MemcgScene scene("ranking", 100, c.cgroups);
			for (const auto &entry : c.entries) {
				std::vector<std::string> set{"set", scene.relative(entry.cgroup),
							     entry.priority};
				if (entry.omit)
					set.push_back("--omit");
				policy.cli().must(set);
			}
			if (c.default_priority)
				policy.cli().must({"config", "--default-priority",
						   std::to_string(*c.default_priority)});

			auto oom =
			    run_policy_oom(policy.cli(), scene, c.residents, c.trigger, c.expected);
			INFO(oom.outcome.describe());
			CHECK(victim(oom) == c.victim);
			for (const auto &cgroup : c.spared)
				CHECK(oom.outcome.oom_kills[cgroup] == 0);
			// Whatever changed was a runtime setting, not a reload.
			CHECK(policy_program_id(policy.cli().status()) == program_id);
		}
	}
}

TEST_CASE("memory.oom.group kills the chosen cgroup whole, its sibling untouched", "[scenario]")
{
	LoadedPolicy policy;
	MemcgScene scene("oom-group", 100, {"a", "b"});
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

namespace
{

// A memcg statistic as the first OOM report printed it: "Memory cgroup
// stats for ...", then memory.stat, one record per line. nullopt if absent.
std::optional<std::uint64_t> oom_report_stat(const SceneOutcome &outcome, const std::string &key)
{
	const auto &log = outcome.kernel_log;
	auto stats = std::find_if(log.begin(), log.end(), [](const std::string &record) {
		return record.rfind("Memory cgroup stats for ", 0) == 0;
	});
	for (auto it = stats; it != log.end(); ++it)
		if (it->rfind(key + " ", 0) == 0)
			return std::stoull(it->substr(key.size() + 1));
	return std::nullopt;
}

} // namespace

// Kernel memory charged in syscall context reaches the memcg OOM killer as
// page faults do (docs/design.md, section 4). oom_badness() does not count
// it, so the task whose write() ran out, holding little of its own, is not
// the kernel's choice either: the stock kernel kills "big", the largest
// user of anonymous memory. The policy kills the lower priority's task.
TEST_CASE("a memcg OOM driven by kernel memory still kills the policy's choice", "[scenario]")
{
	LoadedPolicy policy;
	MemcgScene scene("kernel-memory", 100, {"a", "b"});
	policy.cli().must({"set", scene.relative("a"), "10"});
	policy.cli().must({"set", scene.relative("b"), "20"});
	const HogSpec low{.name = "low", .cgroup = "a", .megabytes = 15};
	const HogSpec big{.name = "big", .cgroup = "b", .megabytes = 25};
	const HogSpec pipes{.name = "pipes", .cgroup = "b", .megabytes = 70, .kernel_memory = true};

	auto oom = run_policy_oom(
	    policy.cli(), scene, {low, big}, pipes,
	    ExpectedEvents{.priority = {{"a", 10}, {"b", 20}}, .decided_by = "policy"});
	CHECK(oom.outcome.first_killed() == "low");
	CHECK_FALSE(oom.outcome.exits["big"].oom_killed());
	CHECK_FALSE(oom.outcome.exits["pipes"].oom_killed());
	// The OOM report's memory.stat of the scene: kernel memory (the pipe
	// buffers) outweighed the hogs' anonymous memory when it ran out.
	const auto kernel = oom_report_stat(oom.outcome, "kernel");
	const auto anon = oom_report_stat(oom.outcome, "anon");
	REQUIRE(kernel);
	REQUIRE(anon);
	INFO("OOM report: kernel " << *kernel << " anon " << *anon);
	CHECK(*kernel > *anon);
}

TEST_CASE("in a global OOM priority decides and the harness survives", "[scenario]")
{
	LoadedPolicy policy;
	TestCgroup low(cgroup2_mount(), "global-low");
	TestCgroup high(cgroup2_mount(), "global-high");
	policy.cli().must({"set", "global-low", "1"});
	policy.cli().must({"set", "global-high", "2"});

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

	const OomScoreAdjGuard unkillable;
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

TEST_CASE("changed priorities apply to the next OOM without a reload", "[scenario]")
{
	LoadedPolicy policy;
	MemcgScene scene("change", 100, {"a", "b"});
	policy.cli().must({"set", scene.relative("a"), "10"});
	policy.cli().must({"set", scene.relative("b"), "20"});
	auto first = run_policy_oom(
	    policy.cli(), scene, {kSmall}, kBig,
	    ExpectedEvents{.priority = {{"a", 10}, {"b", 20}}, .decided_by = "policy"});
	CHECK(victim(first) == "small");

	policy.cli().must({"set", scene.relative("a"), "30"});
	auto second = run_policy_oom(
	    policy.cli(), scene, {kSmall}, kBig,
	    ExpectedEvents{.priority = {{"a", 30}, {"b", 20}}, .decided_by = "kernel"});
	CHECK(victim(second) == "big");
}

TEST_CASE("a second load switches mode, keeps priorities, leaves one program", "[scenario]")
{
	LoadedPolicy policy({"--mode", "inherit"});
	MemcgScene scene("reload", 100, {"x", "x/x1", "y", "y/y1"});
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

TEST_CASE("after unload the next OOM follows the stock kernel", "[scenario]")
{
	MemcgScene scene("unload", 100, {"a", "b"});
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

TEST_CASE("dry-run kills the kernel's choice and reports the policy's", "[scenario]")
{
	LoadedPolicy policy({"--dry-run"});
	MemcgScene scene("dry-run", 100, {"a", "b"});
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
