// SPDX-License-Identifier: GPL-2.0
// Policies that are not bpfoom's own: written in C on the SDK and compiled
// by `bpfoom load --policy FILE.bpf.c`, or hostile ones written around it
// (built on the host by `bpfoom policy build`, loaded here as objects).
// A custom policy may change who dies, never whether the OOM killer makes
// progress, never so that a protected task dies, and one the kernel
// refuses changes nothing that is loaded.
#include "scenario_support.hpp"

#include <algorithm>
#include <catch2/catch.hpp>

namespace bpfoom::selftests
{
namespace
{

std::string source_file(const std::string &relative)
{
	return std::string(BPFOOM_SOURCE_DIR) + "/" + relative;
}

std::string victim(const PolicyOom &oom)
{
	INFO(oom.outcome.describe());
	return oom.outcome.first_killed();
}

bool was_killed(const PolicyOom &oom, const std::string &hog)
{
	const auto killed = oom.outcome.killed();
	return std::find(killed.begin(), killed.end(), hog) != killed.end();
}

const HogSpec kOldBig{.name = "old-big", .cgroup = "a", .megabytes = 60};
const HogSpec kYoungSmall{.name = "young-small", .cgroup = "b", .megabytes = 50};

} // namespace

TEST_CASE("a policy in C is compiled, verified and attached by load --policy FILE.bpf.c, and "
	  "its rule decides: youngest first",
	  "[custom]")
{
	const std::string tutorial = source_file("docs/examples/youngest_first.bpf.c");
	LoadedPolicy policy({"--policy", tutorial});
	const auto &cli = policy.cli();
	MemcgScene scene("youngest", 100, {"a", "b"});

	const auto status = cli.status();
	INFO(status.dump());
	CHECK(status["policy"]["name"] == "youngest_first");
	CHECK(status["policy"]["hash"].get<std::string>().size() == 16);
	CHECK(count_hook_links() == 1);

	/* The stock kernel kills the biggest task, old-big; this policy the youngest. */
	auto oom = run_policy_oom(cli, scene, {kOldBig}, kYoungSmall, std::nullopt);
	CHECK(victim(oom) == "young-small");
	CHECK(!was_killed(oom, "old-big"));
	REQUIRE(!oom.events.empty());
	CHECK(oom.events[0]["policy"] == status["policy"]);
	CHECK(oom.events[0]["decided_by"] == "policy");

	/* The same under the shipped policy, for contrast: the kernel's choice. */
	cli.must({"load", "--policy", "priority"});
	CHECK(cli.status()["policy"]["name"] == "priority");
	auto stock = run_policy_oom(cli, scene, {kOldBig}, kYoungSmall, std::nullopt);
	CHECK(victim(stock) == "old-big");
}

TEST_CASE("a policy the verifier refuses: exit 9 with its log's last lines, the loaded policy "
	  "stays",
	  "[custom]")
{
	LoadedPolicy policy;
	const auto &cli = policy.cli();
	const auto before = cli.status();
	const auto refused = cli.run({"load", "--policy", test_policy("unchecked_lookup")});
	INFO(refused.describe());
	CHECK(refused.exit_status == 9);
	CHECK_THAT(refused.err,
		   Catch::Contains("verifier refused") && Catch::Contains("map_value_or_null"));
	const auto after = cli.status();
	CHECK(after["policy"] == before["policy"]);
	CHECK(after["links"] == before["links"]);
	CHECK(count_hook_links() == 1);

	const auto checked = cli.run({"policy", "check", test_policy("unchecked_lookup")});
	CHECK(checked.exit_status == 9);
	CHECK(cli.run({"policy", "check", test_policy("youngest_first")}).exit_status == 0);
	/* Every SDK helper the priority policy does not use passes the verifier. */
	CHECK(cli.run({"policy", "check", test_policy("memcg_helpers")}).exit_status == 0);
	CHECK(cli.status()["links"] == before["links"]);
}

TEST_CASE("a hostile policy changes who dies, never whether: skip all, select all, out of range",
	  "[custom]")
{
	const char *hostile = GENERATE("skip_all", "select_all", "out_of_range");
	CAPTURE(hostile);
	LoadedPolicy policy({"--policy", test_policy(hostile)});
	MemcgScene scene("hostile", 100, {"a", "b", "p"});
	/* Protected: the kernel never kills an oom_score_adj -1000 task, whatever the policy says.
	 */
	const HogSpec protected_hog{
	    .name = "protected", .cgroup = "p", .megabytes = 30, .oom_score_adj = -1000};
	const HogSpec small{.name = "small", .cgroup = "a", .megabytes = 20};
	const HogSpec big{.name = "big", .cgroup = "b", .megabytes = 60};

	auto oom = run_policy_oom(policy.cli(), scene, {protected_hog, small}, big, std::nullopt);
	INFO(oom.outcome.describe());
	/* Progress: someone was killed and the OOM cgroup's memory came back. */
	CHECK(!oom.outcome.killed().empty());
	CHECK(!was_killed(oom, "protected"));
	for (const auto &record : oom.outcome.kernel_kills)
		CHECK(record.pid != oom.outcome.pids.at("protected"));
}

} // namespace bpfoom::selftests
