// SPDX-License-Identifier: GPL-2.0
#pragma once

#include "hog.hpp"
#include "kmsg.hpp"
#include "test_cgroup.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace bpfoom::selftests {

// One process of a scene: `megabytes` touched inside child cgroup `cgroup`.
struct HogSpec {
	std::string name; // also the process name
	std::string cgroup; // child of the scene's OOM cgroup
	std::size_t megabytes = 0;
	int oom_score_adj = 0;
};

// What an OOM did, as the kernel reports it.
struct SceneOutcome {
	std::map<std::string, HogExit> exits; // by hog name
	std::map<std::string, std::uint64_t> oom_kills; // memory.events, by child cgroup
	std::vector<std::string> kernel_log;
	std::vector<OomKillRecord> kernel_kills; // oom-kill: lines, in order

	// Names of the hogs that died by SIGKILL.
	std::vector<std::string> killed() const;
	bool kernel_log_contains(const std::string &text) const;
	std::string describe() const;
};

// A memcg OOM set-up: an OOM cgroup with memory.max under the cgroup2 root,
// with child cgroups in the order given (the kernel scans them in that
// order). run() starts the resident hogs, then the trigger, whose allocation
// overshoots memory.max; it returns once the trigger finished or died.
class MemcgScene {
public:
	MemcgScene(const std::string &name, std::size_t memory_max_mb,
		   const std::vector<std::string> &children);

	TestCgroup &oom_cgroup() { return *oom_cgroup_; }
	TestCgroup &child(const std::string &name);

	SceneOutcome run(const std::vector<HogSpec> &residents, const HogSpec &trigger);

private:
	std::unique_ptr<TestCgroup> oom_cgroup_;
	std::map<std::string, std::unique_ptr<TestCgroup>> children_;
	std::vector<std::string> child_order_;
};

} // namespace bpfoom::selftests
