// SPDX-License-Identifier: GPL-2.0
#include "oom_scene.hpp"

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace bpfoom::selftests {

std::vector<std::string> SceneOutcome::killed() const
{
	std::vector<std::string> names;
	for (const auto &[name, exit] : exits)
		if (exit.oom_killed())
			names.push_back(name);
	return names;
}

bool SceneOutcome::kernel_log_contains(const std::string &text) const
{
	return std::any_of(kernel_log.begin(), kernel_log.end(), [&](const std::string &line) {
		return line.find(text) != std::string::npos;
	});
}

std::string SceneOutcome::describe() const
{
	std::ostringstream out;
	for (const auto &[name, exit] : exits)
		out << "  " << name << ": " << exit.describe() << "\n";
	for (const auto &[cgroup, kills] : oom_kills)
		out << "  " << cgroup << ": oom_kill " << kills << "\n";
	for (const auto &kill : kernel_kills)
		out << "  kernel: killed " << kill.task << " pid " << kill.pid << " in "
		    << kill.task_memcg << (kill.policy ? " (policy=bpf)" : "") << "\n";
	return out.str();
}

MemcgScene::MemcgScene(const std::string &name, std::size_t memory_max_mb,
		       const std::vector<std::string> &children)
	: oom_cgroup_(std::make_unique<TestCgroup>(cgroup2_mount(), name)), child_order_(children)
{
	oom_cgroup_->write("memory.max", std::to_string(memory_max_mb << 20));
	oom_cgroup_->enable_memory_for_children();
	for (const auto &child : children)
		children_[child] = std::make_unique<TestCgroup>(oom_cgroup_->path(), child);
}

TestCgroup &MemcgScene::child(const std::string &name)
{
	auto it = children_.find(name);
	if (it == children_.end())
		throw std::invalid_argument("no child cgroup '" + name + "' in this scene");
	return *it->second;
}

SceneOutcome MemcgScene::run(const std::vector<HogSpec> &residents, const HogSpec &trigger)
{
	KmsgReader kmsg;
	std::vector<std::unique_ptr<Hog>> hogs;
	auto spawn = [&](const HogSpec &spec) -> Hog & {
		hogs.push_back(std::make_unique<Hog>(Hog::Options{.cgroup = child(spec.cgroup).path(),
								  .megabytes = spec.megabytes,
								  .oom_score_adj = spec.oom_score_adj,
								  .name = spec.name}));
		return *hogs.back();
	};

	for (const auto &spec : residents)
		if (!spawn(spec).wait_until_ready())
			throw std::runtime_error("resident hog " + spec.name +
						 " died before the trigger started: " +
						 hogs.back()->finish().describe());
	spawn(trigger).wait_until_ready();

	SceneOutcome outcome;
	// Victims are reaped before anything else is read, so their exit
	// status is final; survivors are then ended with SIGTERM.
	for (auto &hog : hogs)
		outcome.exits[hog->name()] = hog->finish();
	for (const auto &name : child_order_)
		outcome.oom_kills[name] = children_[name]->oom_kills();
	outcome.kernel_log = kmsg.read_new();
	outcome.kernel_kills = oom_kills_in(outcome.kernel_log);
	return outcome;
}

} // namespace bpfoom::selftests
