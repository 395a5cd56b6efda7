// SPDX-License-Identifier: GPL-2.0
#include "oom_scene.hpp"

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace bpfoom::selftests
{

std::vector<std::string> SceneOutcome::killed() const
{
	std::vector<std::string> names;
	for (const auto &[name, exit] : exits)
		if (exit.oom_killed())
			names.push_back(name);
	return names;
}

std::string SceneOutcome::first_killed() const
{
	return kill_order.empty() ? std::string("(nobody)") : kill_order.front();
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
	out << "  kill order:";
	for (const auto &name : kill_order)
		out << " " << name;
	out << "\n";
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
    : oom_cgroup_(std::make_unique<TestCgroup>(cgroup2_mount(), name)), name_(name)
{
	oom_cgroup_->write("memory.max", std::to_string(memory_max_mb << 20));
	oom_cgroup_->enable_memory_for_children();
	for (const auto &child : children) {
		auto slash = child.rfind('/');
		if (slash != std::string::npos)
			this->child(child.substr(0, slash)).enable_memory_for_children();
		children_.emplace_back(child,
				       std::make_unique<TestCgroup>(oom_cgroup_->path(), child));
	}
}

MemcgScene::~MemcgScene()
{
	while (!children_.empty())
		children_.pop_back();
}

std::string MemcgScene::relative(const std::string &child) const
{
	return child.empty() ? name_ : name_ + "/" + child;
}

TestCgroup &MemcgScene::child(const std::string &name)
{
	for (auto &[child_name, cgroup] : children_)
		if (child_name == name)
			return *cgroup;
	throw std::invalid_argument("no child cgroup '" + name + "' in this scene");
}

SceneOutcome MemcgScene::run(const std::vector<HogSpec> &residents, const HogSpec &trigger)
{
	KmsgReader kmsg;
	std::vector<std::unique_ptr<Hog>> hogs;
	auto spawn = [&](const HogSpec &spec) -> Hog & {
		hogs.push_back(
		    std::make_unique<Hog>(Hog::Options{.cgroup = child(spec.cgroup).path(),
						       .megabytes = spec.megabytes,
						       .kernel_memory = spec.kernel_memory,
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
	for (auto &hog : hogs) {
		outcome.exits[hog->name()] = hog->finish();
		outcome.pids[hog->name()] = hog->pid();
	}
	for (const auto &[name, cgroup] : children_)
		outcome.oom_kills[name] = cgroup->oom_kills();
	outcome.kernel_log = kmsg.read_new();
	outcome.kernel_kills = oom_kills_in(outcome.kernel_log);
	for (int pid : killed_pids_in(outcome.kernel_log))
		for (const auto &[name, hog_pid] : outcome.pids)
			if (hog_pid == pid)
				outcome.kill_order.push_back(name);
	return outcome;
}

} // namespace bpfoom::selftests
