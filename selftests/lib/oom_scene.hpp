// SPDX-License-Identifier: GPL-2.0
#pragma once

#include "non_copyable.hpp"

#include "hog.hpp"
#include "kmsg.hpp"
#include "test_cgroup.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace bpfoom::selftests
{

// One process of a scene: `megabytes` touched inside child cgroup `cgroup`.
struct HogSpec {
	std::string name;   // also the process name
	std::string cgroup; // child of the scene's OOM cgroup
	std::size_t megabytes = 0;
	int oom_score_adj = 0;
	bool kernel_memory = false; // held in pipe buffers: see Hog::Options
};

// What an OOM did, as the kernel reports it.
struct SceneOutcome {
	std::map<std::string, HogExit> exits;		// by hog name
	std::map<std::string, pid_t> pids;		// by hog name
	std::map<std::string, std::uint64_t> oom_kills; // memory.events, by child cgroup
	std::vector<std::string> kernel_log;
	std::vector<OomKillRecord> kernel_kills; // oom-kill: lines, in order
	// Hog names in the order the kernel killed them ("Killed process" lines).
	std::vector<std::string> kill_order;

	// Names of the hogs that died by SIGKILL.
	std::vector<std::string> killed() const;
	// The first task the kernel killed: the OOM killer's choice. Under TCG
	// a victim can leave the scan (signal->live drops at the start of
	// do_exit) before its memory is uncharged, and the retrying allocation
	// then kills a second task; that overkill is the kernel's, not the
	// policy's, so scenarios judge the choice by the first kill.
	std::string first_killed() const;
	bool kernel_log_contains(const std::string &text) const;
	std::string describe() const;
};

// A memcg OOM set-up: an OOM cgroup with memory.max under the cgroup2 root,
// with descendant cgroups in the order given (the kernel scans them in that
// order); a name like "x/x1" nests x1 under the earlier-listed x. run() starts the resident hogs,
// then the trigger, whose allocation overshoots memory.max; it returns once the trigger finished or
// died.
class MemcgScene : NonCopyable
{
public:
	MemcgScene(const std::string &name, std::size_t memory_max_mb,
		   const std::vector<std::string> &children);
	~MemcgScene();

	// The scene's cgroups as bpfoom takes them: relative to the cgroup2 mount.
	std::string relative(const std::string &child) const;

	TestCgroup &oom_cgroup() { return *oom_cgroup_; }
	TestCgroup &child(const std::string &name);

	SceneOutcome run(const std::vector<HogSpec> &residents, const HogSpec &trigger);

private:
	std::unique_ptr<TestCgroup> oom_cgroup_;
	std::string name_;
	// In creation order; removed in reverse, innermost first.
	std::vector<std::pair<std::string, std::unique_ptr<TestCgroup>>> children_;
};

} // namespace bpfoom::selftests
