// SPDX-License-Identifier: GPL-2.0
#include "sleeper_scene.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "bpfoom/unique_fd.hpp"
#include "hog.hpp"

extern char **environ;

namespace bpfoom::bench
{

namespace
{

constexpr const char *kOomCgroup = "bpfoom-bench-oom";
constexpr int kLeaves = 8;
// Above the sleepers' usage: the hog's 16 MiB first step overshoots it.
constexpr std::size_t kHeadroomBytes = 8 << 20;
// Large enough not to matter until the sleepers are in and measured.
constexpr std::size_t kUnlimitedMb = 1 << 20;

std::vector<std::string> cgroups_of(Layout layout, std::string &prefix)
{
	std::vector<std::string> names;
	prefix.clear();
	if (layout == Layout::deep) {
		for (int level = 2; level <= 7; level++) {
			prefix += (prefix.empty() ? "d" : "/d") + std::to_string(level);
			names.push_back(prefix);
		}
		prefix += "/";
	}
	// The hog's cgroup last: the scan visits it after every sleeper, so the
	// policy's choice changes along the way as it would on a real host.
	for (int i = 0; i < kLeaves; i++)
		names.push_back(prefix + "s" + std::to_string(i));
	names.push_back(prefix + "hog");
	return names;
}

} // namespace

SleeperScene::SleeperScene(Layout layout, std::size_t sleepers) : sleepers_(sleepers)
{
	const auto names = cgroups_of(layout, prefix_);
	scene_ = std::make_unique<selftests::MemcgScene>(kOomCgroup, kUnlimitedMb, names);
	try {
		for (int i = 0; i < kLeaves; i++) {
			const std::size_t share =
			    sleepers / kLeaves + (static_cast<std::size_t>(i) < sleepers % kLeaves);
			if (share)
				spawn(prefix_ + "s" + std::to_string(i), share);
		}
		auto &oom = scene_->oom_cgroup();
		const std::size_t used = std::stoull(oom.read("memory.current"));
		oom.write("memory.max", std::to_string(used + kHeadroomBytes));
	} catch (...) {
		kill_all();
		throw;
	}
}

SleeperScene::~SleeperScene()
{
	kill_all();
}

void SleeperScene::spawn(const std::string &cgroup, std::size_t count)
{
	int fds[2];
	if (::pipe2(fds, O_CLOEXEC) != 0)
		throw std::system_error(errno, std::generic_category(), "pipe2");
	const UniqueFd out(fds[0]);
	UniqueFd in(fds[1]);
	const std::string dir = scene_->child(cgroup).path();
	const std::string n = std::to_string(count);
	const char *argv[] = {BPFOOM_SLEEPERS_PATH, dir.c_str(), n.c_str(), nullptr};
	posix_spawn_file_actions_t actions;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_adddup2(&actions, in.get(), 1);
	pid_t pid;
	const int err = ::posix_spawn(&pid, argv[0], &actions, nullptr,
				      const_cast<char *const *>(argv), environ);
	posix_spawn_file_actions_destroy(&actions);
	in.reset(); // EOF once the spawner is gone, whatever happens to it
	if (err != 0)
		throw std::system_error(err, std::generic_category(), "spawn sleepers");
	spawners_.push_back({pid});

	// "ready" once every sleeper is forked; EOF if the spawner failed.
	char buf[16];
	ssize_t n_read;
	while ((n_read = ::read(out.get(), buf, sizeof(buf))) < 0 && errno == EINTR) {
	}
	if (n_read <= 0)
		throw std::runtime_error("cannot start " + n + " sleepers in " + dir);
}

void SleeperScene::kill_all()
{
	if (!scene_)
		return;
	// Kill everything at once and wait until the cgroup is empty, so that
	// removing the cgroups (MemcgScene) does not time out on thousands
	// of exiting tasks.
	auto &oom = scene_->oom_cgroup();
	try {
		oom.write("cgroup.kill", "1");
		for (int i = 0; i < 6000; i++) {
			if (oom.read("cgroup.events").find("populated 0") != std::string::npos)
				break;
			std::this_thread::sleep_for(std::chrono::milliseconds(10));
		}
	} catch (...) {
		// Removing the cgroups below kills again and reports nothing either.
	}
	for (const auto &spawner : spawners_)
		while (::waitpid(spawner.pid, nullptr, 0) < 0 && errno == EINTR) {
		}
	spawners_.clear();
	scene_.reset();
}

std::string SleeperScene::sync_file() const
{
	std::string text;
	for (int i = 0; i < kLeaves; i++)
		text += scene_->relative(prefix_ + "s" + std::to_string(i)) + " " +
			std::to_string(100 + i) + "\n";
	text += scene_->relative(prefix_ + "hog") + " 0\n";
	return text;
}

void SleeperScene::oom()
{
	selftests::Hog hog({.cgroup = scene_->child(prefix_ + "hog").path(),
			    .megabytes = 0,
			    .until_killed = true,
			    .oom_score_adj = 0,
			    .name = "bench-hog",
			    .die_with_parent = true});
	hog.wait_until_ready(std::chrono::seconds(120));
	const auto exit = hog.finish();
	if (!exit.oom_killed())
		throw std::runtime_error("the hog was not OOM-killed: " + exit.describe());
}

} // namespace bpfoom::bench
