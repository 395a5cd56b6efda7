// SPDX-License-Identifier: GPL-2.0
#pragma once

#include "bpfoom_cli.hpp"
#include "oom_scene.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace bpfoom::selftests
{

// What the event stream must say about one OOM.
struct ExpectedEvents {
	// Effective priority of each child cgroup whose task may die.
	std::map<std::string, int> priority;
	std::string decided_by; // "policy" (not the kernel's own choice) or "kernel"
	bool dry_run = false;
};

// An OOM in `scene` under the policy: runs it, then checks the events the
// policy reported against what the kernel did (one event per killed task,
// none for survivors, matching pid, cgroup id, priority and decider).
struct PolicyOom {
	SceneOutcome outcome;
	std::vector<nlohmann::json> events;
};

PolicyOom run_policy_oom(const BpfoomCli &cli, MemcgScene &scene,
			 const std::vector<HogSpec> &residents, const HogSpec &trigger,
			 const std::optional<ExpectedEvents> &expected);

void check_events(MemcgScene &scene, const std::vector<HogSpec> &hogs, const SceneOutcome &outcome,
		  const std::vector<nlohmann::json> &events, const ExpectedEvents &expected);

} // namespace bpfoom::selftests
