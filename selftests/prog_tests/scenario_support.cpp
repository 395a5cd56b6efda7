// SPDX-License-Identifier: GPL-2.0
#include "scenario_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

namespace bpfoom::selftests
{

PolicyOom run_policy_oom(const BpfoomCli &cli, MemcgScene &scene,
			 const std::vector<HogSpec> &residents, const HogSpec &trigger,
			 const std::optional<ExpectedEvents> &expected)
{
	PolicyOom oom;
	oom.outcome = scene.run(residents, trigger);
	oom.events = cli.drain_events();
	if (expected) {
		auto hogs = residents;
		hogs.push_back(trigger);
		check_events(scene, hogs, oom.outcome, oom.events, *expected);
	}
	return oom;
}

void check_events(MemcgScene &scene, const std::vector<HogSpec> &hogs, const SceneOutcome &outcome,
		  const std::vector<nlohmann::json> &events, const ExpectedEvents &expected)
{
	INFO(outcome.describe());
	size_t kills = 0;
	for (const auto &hog : hogs) {
		const auto &exit = outcome.exits.at(hog.name);
		auto matching = events_for_pid(events, outcome.pids.at(hog.name));
		INFO("hog " << hog.name << " (" << exit.describe() << ")");
		if (!exit.oom_killed()) {
			CHECK(matching.empty());
			continue;
		}
		kills++;
		REQUIRE(matching.size() == 1);
		const auto &event = matching[0];
		INFO(event.dump());
		CHECK(event["oom"] == "memcg");
		CHECK(event["oom_memcg_id"] == scene.oom_cgroup().id());
		CHECK(event["victim"]["cgroup_id"] == scene.child(hog.cgroup).id());
		CHECK(event["victim"]["comm"] == hog.name);
		if (expected.priority.count(hog.cgroup))
			CHECK(event["victim"]["priority"] == expected.priority.at(hog.cgroup));
		// Only the first episode's choice is the policy's; a later
		// overkill victim was the only candidate left.
		if (hog.name == outcome.first_killed() && !event["group_member"].get<bool>())
			CHECK(event["decided_by"] == expected.decided_by);
		CHECK(event["dry_run"] == expected.dry_run);
	}
	CHECK(events.size() == kills);
	CHECK(outcome.kill_order.size() == kills);
}

} // namespace bpfoom::selftests
