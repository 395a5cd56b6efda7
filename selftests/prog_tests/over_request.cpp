// SPDX-License-Identifier: GPL-2.0
// The over-request policy (bpf/policies/over_request.bpf.c) in real OOMs:
// requests pushed through `bpfoom sync`, as a node agent would, decide who
// dies where the stock kernel (and the priority policy, with no priorities)
// would kill the biggest task instead.
#include "scenario_support.hpp"

#include <catch2/catch.hpp>

namespace bpfoom::selftests
{
namespace
{

std::string first_killed(const PolicyOom &oom)
{
	INFO(oom.outcome.describe());
	return oom.outcome.first_killed();
}

} // namespace

TEST_CASE("over-request: the pod over its request dies, not the bigger one within its request",
	  "[shipped][over-request]")
{
	LoadedPolicy policy({"--policy", "over-request"});
	const auto &cli = policy.cli();
	/* Pods with one container each: the request is the pod's, the task the container's. */
	MemcgScene scene("over-request", 100, {"pod-a", "pod-a/main", "pod-b", "pod-b/main"});
	cli.must({"sync", "-"}, scene.relative("pod-a") + " 0 request=60Mi\n" +
				    scene.relative("pod-b") + " 0 request=10Mi\n");
	CHECK(cli.status()["policy"]["name"] == "over-request");

	/* a: 55 MB, within its 60 MiB; b: ~45 MB when the OOM comes, 35 over its 10 MiB. */
	const HogSpec within{.name = "within", .cgroup = "pod-a/main", .megabytes = 55};
	const HogSpec over{.name = "over", .cgroup = "pod-b/main", .megabytes = 50};
	auto oom = run_policy_oom(cli, scene, {within}, over, std::nullopt);
	CHECK(first_killed(oom) == "over");
	REQUIRE(!oom.events.empty());
	CHECK(oom.events[0]["decided_by"] == "policy");
	CHECK(oom.events[0]["kernel_choice"]["pid"] == oom.outcome.pids.at("within"));
}

TEST_CASE("over-request: of two pods, the one further above its request dies first",
	  "[shipped][over-request]")
{
	LoadedPolicy policy({"--policy", "over-request"});
	const auto &cli = policy.cli();
	MemcgScene scene("over-request-2", 100, {"pod-a", "pod-a/main", "pod-b", "pod-b/main"});
	/* a declared nothing: over by all it uses; b is big but near its request. */
	cli.must({"sync", "-"}, scene.relative("pod-b") + " 0 request=56Mi\n");

	const HogSpec undeclared{.name = "undeclared", .cgroup = "pod-a/main", .megabytes = 40};
	const HogSpec declared{.name = "declared", .cgroup = "pod-b/main", .megabytes = 70};
	auto oom = run_policy_oom(cli, scene, {undeclared}, declared, std::nullopt);
	/* The stock kernel kills declared (~60 MB, the biggest); a is 40 over, b ~4 over. */
	CHECK(first_killed(oom) == "undeclared");
}

} // namespace bpfoom::selftests
