// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "oom_scene.hpp"

namespace bpfoom::bench
{

// Where the candidates live.
enum class Layout {
	// Eight sibling cgroups s0..s7 and the hog's cgroup right under the OOM cgroup.
	flat,
	// The same nine cgroups at level 8 of the cgroup2 tree: OOM cgroup
	// (level 1) / d2 / d3 / ... / d7 / {s0..s7, hog}.
	deep,
};

// A memcg OOM set-up for timing victim selection: `sleepers` tiny sleeping
// processes spread over s0..s7, and a memory.max just above what they use,
// so that each oom() (one hog allocating until killed) is one memcg OOM whose
// scan sees sleepers + 1 candidates and kills the hog.
class SleeperScene
{
public:
	SleeperScene(Layout layout, std::size_t sleepers);
	~SleeperScene();
	SleeperScene(const SleeperScene &) = delete;
	SleeperScene &operator=(const SleeperScene &) = delete;

	// Tasks the OOM killer evaluates per OOM: the sleepers and the hog.
	std::size_t candidates() const { return sleepers_ + 1; }

	// Priorities for the policy, as a sync file: s<i> at 100 + i, the hog's
	// cgroup at 0, so the policy, like the stock kernel, kills the hog.
	std::string sync_file() const;

	// One memcg OOM. Throws unless the hog died by SIGKILL.
	void oom();

private:
	struct Spawner {
		pid_t pid;
	};
	void spawn(const std::string &cgroup, std::size_t count);
	void kill_all();

	std::size_t sleepers_;
	std::string prefix_; // where s0..s7 and hog sit, relative to the OOM cgroup
	std::unique_ptr<selftests::MemcgScene> scene_;
	std::vector<Spawner> spawners_;
};

} // namespace bpfoom::bench
