// SPDX-License-Identifier: GPL-2.0
/*
 * The bpfoom CLI end to end on the patched kernel: readiness, declarative
 * sync, status, and a loader killed at any point of a replacing load.
 */
#include "bpfoom_cli.hpp"
#include "scenario_support.hpp"
#include "syscall_stop.hpp"

#include "bpfoom/abi.h"
#include "bpfoom/pin_dir.hpp"

#include <linux/bpf.h>

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <cstdio>
#include <functional>
#include <set>
#include <string_view>
#include <thread>

using namespace bpfoom::selftests;

namespace
{

std::set<std::pair<std::uint64_t, int>> entries_of(const nlohmann::json &list)
{
	std::set<std::pair<std::uint64_t, int>> entries;
	for (const auto &entry : list["entries"])
		entries.emplace(entry["cgroup_id"].get<std::uint64_t>(),
				entry["priority"].get<int>());
	return entries;
}

} // namespace

TEST_CASE("cli: probe says this kernel is ready", "[cli]")
{
	BpfoomCli cli;
	auto result = cli.run({"probe", "--json"});
	INFO(result.describe());
	CHECK(result.exit_status == 0);
	auto report = nlohmann::json::parse(result.out);
	CHECK(report["ready"] == true);
	for (const auto &check : report["checks"])
		CHECK(check["ok"] == true);
}

TEST_CASE("cli: sync makes the map equal to the file, and status --json shows it", "[cli]")
{
	LoadedPolicy policy;
	MemcgScene scene("cli-sync", 100, {"a", "b", "c", "d"});
	const auto &cli = policy.cli();
	cli.must({"set", scene.relative("a"), "1"});
	cli.must({"set", scene.relative("b"), "2"});
	cli.must({"set", scene.relative("c"), "3"});

	const std::string file = "# the whole desired set\n" + scene.relative("a") + " 5\n" +
				 scene.relative("d") + " -4 omit\n";
	const auto before = cli.list();
	cli.must({"sync", "-", "--dry-run"}, file);
	CHECK(cli.list() == before);

	cli.must({"sync", "-"}, file);
	CHECK(entries_of(cli.list()) ==
	      std::set<std::pair<std::uint64_t, int>>{{scene.child("a").id(), 5},
						      {scene.child("d").id(), -4}});
	auto status = cli.status();
	CHECK(status["loaded"] == true);
	CHECK(status["entries"] == 2);

	// A sync file with one bad line changes nothing.
	auto bad =
	    cli.run({"sync", "-"}, scene.relative("b") + " 7\n" + scene.relative("nope") + " 1\n");
	INFO(bad.describe());
	CHECK(bad.exit_status == 3);
	CHECK(std::count(bad.err.begin(), bad.err.end(), '\n') == 1);
	CHECK(entries_of(cli.list()) ==
	      std::set<std::pair<std::uint64_t, int>>{{scene.child("a").id(), 5},
						      {scene.child("d").id(), -4}});
}

namespace
{

bool pinned(std::string_view name)
{
	return ::access((std::string(BPFOOM_PIN_DIR) + "/" + std::string(name)).c_str(), F_OK) == 0;
}

std::string staged(std::string_view link)
{
	return std::string(link) + std::string(bpfoom::pins::staged_suffix);
}

// Whether an interrupted replacement left staged links behind.
bool staged_links_pinned()
{
	for (auto name : bpfoom::pins::links)
		if (pinned(staged(name)))
			return true;
	return false;
}

std::vector<std::string> bpfoom_command(const std::vector<std::string> &args)
{
	std::vector<std::string> argv{BPFOOM_CLI_PATH};
	argv.insert(argv.end(), args.begin(), args.end());
	return argv;
}

pid_t start_bpfoom(const std::vector<std::string> &args, int output_fd)
{
	pid_t child = ::fork();
	if (child == 0) {
		::dup2(output_fd, STDOUT_FILENO);
		const auto argv = bpfoom_command(args);
		std::vector<char *> pointers;
		for (const auto &arg : argv)
			pointers.push_back(const_cast<char *>(arg.c_str()));
		pointers.push_back(nullptr);
		::execv(pointers[0], pointers.data());
		::_exit(127);
	}
	return child;
}

void kill_and_reap(pid_t command, int signal = SIGKILL)
{
	::kill(command, signal);
	::waitpid(command, nullptr, 0);
}

// `bpfoom events --follow --json`, started before the policy switches: the
// stream a reader holds must outlive every policy that writes to it.
class EventFollower : NonCopyable
{
public:
	EventFollower()
	{
		char name[] = "/tmp/bpfoom-follow-XXXXXX";
		const int fd = ::mkstemp(name);
		REQUIRE(fd >= 0);
		path_ = name;
		pid_ = start_bpfoom({"events", "--follow", "--json"}, fd);
		::close(fd);
	}
	~EventFollower()
	{
		if (pid_ > 0)
			kill_and_reap(pid_);
		::unlink(path_.c_str());
	}

	// Stops it (SIGTERM: the clean stop) and returns what it printed.
	std::vector<nlohmann::json> stop()
	{
		kill_and_reap(pid_, SIGTERM);
		pid_ = -1;
		std::vector<nlohmann::json> events;
		std::ifstream in(path_);
		for (std::string line; std::getline(in, line);)
			events.push_back(nlohmann::json::parse(line));
		return events;
	}

private:
	std::string path_;
	pid_t pid_ = -1;
};

} // namespace

TEST_CASE("cli: a loader killed at any point leaves the old or the new policy, never both",
	  "[cli][crash]")
{
	LoadedPolicy policy({"--mode", "inherit"});
	MemcgScene scene("cli-crash", 100, {"a", "b"});
	const auto &cli = policy.cli();
	cli.must({"set", scene.relative("a"), "10"});
	cli.must({"set", scene.relative("b"), "20"});
	const auto priorities = entries_of(cli.list());
	EventFollower follower;

	// After every interruption the next command recovers first, and then
	// exactly one policy is attached, the old or the new, with the
	// priorities and settings intact: no switch passes --mode.
	auto check_recovered = [&](const std::string &when, const std::string &old_policy,
				   const std::string &new_policy) {
		INFO("loader killed " << when << ", switching " << old_policy << " -> "
				      << new_policy);
		cli.must({"config", "--default-priority", "0"});
		CHECK(count_hook_links() == 1);
		CHECK_FALSE(staged_links_pinned());
		auto status = cli.status();
		INFO(status.dump());
		CHECK(status["loaded"] == true);
		CHECK(status["links"].size() == 3);
		CHECK((status["policy"]["name"] == old_policy ||
		       status["policy"]["name"] == new_policy));
		CHECK(status["settings"]["mode"] == "inherit");
		CHECK(entries_of(cli.list()) == priorities);
	};

	struct Switch {
		std::string from, to;
		std::vector<std::string> load;
	};
	// priority -> a custom policy (an object built by `bpfoom policy build`) -> priority.
	const Switch switches[] = {
	    {"priority", "youngest_first", {"load", "--policy", test_policy("youngest_first")}},
	    {"youngest_first", "priority", {"load", "--policy", "priority"}},
	};

	SECTION("at each step of the pin protocol")
	{
		// Held by ptrace at the first system call after each step, then
		// killed: the staged pins, the commit marker, the first rename.
		// Each must be rolled back or forward, never left half.
		using namespace bpfoom;
		const std::pair<std::string, std::function<bool()>> steps[] = {
		    {"first staged pin", [] { return pinned(staged(pins::link_eval)); }},
		    {"last staged pin", [] { return pinned(staged(pins::link_victim)); }},
		    {"commit marker", [] { return pinned(pins::commit_marker); }},
		    {"first rename",
		     [] {
			     return pinned(pins::commit_marker) && !pinned(staged(pins::link_eval));
		     }},
		};
		for (const auto &change : switches) {
			for (const auto &[step, reached] : steps) {
				SyscallStop loader(bpfoom_command(change.load), once(reached));
				INFO("switching " << change.from << " -> " << change.to << ", "
						  << step);
				REQUIRE(loader.held());
				// Without a kill inside the protocol this would prove nothing.
				CHECK(staged_links_pinned());
				loader.kill();
				check_recovered("after the " + step, change.from, change.to);
			}
			cli.must(change.load); // whichever way recovery went, finish the switch
			REQUIRE(cli.status()["policy"]["name"] == change.to);
		}
	}
	SECTION("at delays spread over a whole load")
	{
		const auto started = std::chrono::steady_clock::now();
		cli.must(switches[0].load);
		cli.must(switches[1].load);
		const auto load_time = (std::chrono::steady_clock::now() - started) / 2;
		const int null = ::open("/dev/null", O_WRONLY);
		for (int attempt = 0; attempt < 8; attempt++) {
			const auto &change = switches[(attempt + 1) % 2];
			const std::string loaded = cli.status()["policy"]["name"];
			pid_t loader = start_bpfoom(change.load, null);
			std::this_thread::sleep_for(load_time * attempt / 8);
			kill_and_reap(loader);
			check_recovered("after " + std::to_string(attempt) + "/12 of a load",
					loaded, change.to);
		}
		::close(null);
		cli.must(switches[1].load);
	}

	// And the policy that remains still decides, and tells the reader that
	// has followed the stream since before the first switch. A ring buffer
	// has one consumer: the follower takes this OOM's events, not the drain.
	auto oom = run_policy_oom(cli, scene, {{.name = "small", .cgroup = "a", .megabytes = 30}},
				  {.name = "big", .cgroup = "b", .megabytes = 80}, std::nullopt);
	CHECK(oom.outcome.first_killed() == "small");
	const auto followed = follower.stop();
	const auto victim = events_for_pid(followed, oom.outcome.pids.at("small"));
	REQUIRE(victim.size() == 1);
	CHECK(victim[0]["decided_by"] == "policy");
	CHECK(victim[0]["victim"]["priority"] == 10);
	CHECK(victim[0]["policy"]["name"] == "priority");
}

namespace
{

using Entries = std::set<std::pair<std::uint64_t, int>>;

// A sync file in the guest's /tmp, removed with the object.
class SyncFile
{
public:
	explicit SyncFile(const std::string &text)
	{
		char name[] = "/tmp/bpfoom-sync-XXXXXX";
		const int fd = ::mkstemp(name);
		REQUIRE(fd >= 0);
		::close(fd);
		path_ = name;
		std::ofstream(path_) << text;
	}
	~SyncFile() { ::unlink(path_.c_str()); }
	const std::string &path() const { return path_; }

private:
	std::string path_;
};

// {a:1, b:2} -> {b:6, c:4}, as in the report that found the mix. With the
// default priority at 5 each set kills another cgroup first: the old set
// a, the new set c, and the mix "old minus the removals" ({b:2}) b. The
// trigger's cgroup t outranks everything in every set.
struct SyncCrashScene {
	MemcgScene scene{"cli-sync-crash", 100, {"a", "b", "c", "t"}};
	SyncFile old_file{scene.relative("a") + " 1\n" + scene.relative("b") + " 2\n" +
			  scene.relative("t") + " 100\n"};
	SyncFile new_file{scene.relative("b") + " 6\n" + scene.relative("c") + " 4\n" +
			  scene.relative("t") + " 100\n"};
	Entries old_set, new_set;

	explicit SyncCrashScene(const BpfoomCli &cli)
	{
		cli.must({"config", "--default-priority", "5"});
		const auto id = [&](const char *child) { return scene.child(child).id(); };
		old_set = {{id("a"), 1}, {id("b"), 2}, {id("t"), 100}};
		new_set = {{id("b"), 6}, {id("c"), 4}, {id("t"), 100}};
	}

	// Which child's task the kernel killed first in an OOM now.
	std::string oom_victim()
	{
		const auto outcome = scene.run({{.name = "a", .cgroup = "a", .megabytes = 20},
						{.name = "b", .cgroup = "b", .megabytes = 20},
						{.name = "c", .cgroup = "c", .megabytes = 20}},
					       {.name = "t", .cgroup = "t", .megabytes = 50});
		INFO(outcome.describe());
		return outcome.first_killed();
	}
};

bool writes_kernel_state(std::uint64_t bpf_cmd)
{
	return bpf_cmd == BPF_MAP_CREATE || bpf_cmd == BPF_MAP_UPDATE_ELEM ||
	       bpf_cmd == BPF_MAP_DELETE_ELEM || bpf_cmd == BPF_MAP_UPDATE_BATCH ||
	       bpf_cmd == BPF_MAP_DELETE_BATCH;
}

} // namespace

TEST_CASE("cli: a sync killed at any bpf() call leaves the old set or the new, never a mix",
	  "[cli][crash]")
{
	LoadedPolicy policy;
	const auto &cli = policy.cli();
	SyncCrashScene s(cli);

	std::string calls;
	unsigned kills = 0;
	for (unsigned n = 1;; n++) {
		REQUIRE(n < 1000);
		cli.must({"sync", s.old_file.path()});
		REQUIRE(entries_of(cli.list()) == s.old_set);
		SyscallStop sync({BPFOOM_CLI_PATH, "sync", s.new_file.path()}, nth_bpf_call(n));
		if (!sync.held()) {
			CHECK(sync.exit_status() == 0);
			CHECK(entries_of(cli.list()) == s.new_set);
			break;
		}
		calls += " " + bpf_cmd_name(sync.entry().args[0]);
		sync.kill();
		kills++;
		INFO("sync killed at its bpf() call " << n << ":" << calls);
		const Entries after = entries_of(cli.list());
		CHECK((after == s.old_set || after == s.new_set));
	}
	std::printf("sync crash: killed at each of %u bpf() calls:%s\n", kills, calls.c_str());
	// Without kills at the writes this proves nothing.
	CHECK_THAT(calls, Catch::Contains("MAP_UPDATE"));
}

TEST_CASE("cli: an OOM during a sync sees the old set or the new, never a mix", "[cli][crash]")
{
	LoadedPolicy policy;
	const auto &cli = policy.cli();
	SyncCrashScene s(cli);

	// Hold the sync at the entry of each bpf() call that writes, and let
	// an OOM happen there: the kernel's reader must still see the old set.
	unsigned held_ooms = 0;
	for (unsigned n = 1;; n++) {
		REQUIRE(n < 1000);
		cli.must({"sync", s.old_file.path()});
		SyscallStop sync({BPFOOM_CLI_PATH, "sync", s.new_file.path()}, nth_bpf_call(n));
		if (!sync.held())
			break;
		if (!writes_kernel_state(sync.entry().args[0]))
			continue; // killed by the destructor: nothing to see
		INFO("sync held at its bpf() call " << n << " ("
						    << bpf_cmd_name(sync.entry().args[0]) << ")");
		CHECK(s.oom_victim() == "a");
		CHECK(sync.resume() == 0);
		held_ooms++;
	}
	CHECK(held_ooms > 0);
	// And once the sync is through, the new set decides.
	CHECK(entries_of(cli.list()) == s.new_set);
	CHECK(s.oom_victim() == "c");
}

TEST_CASE("cli: load --max-entries over a loaded policy resizes, keeping the priorities", "[cli]")
{
	LoadedPolicy policy;
	MemcgScene scene("cli-resize", 100, {"a", "b"});
	const auto &cli = policy.cli();
	cli.must({"set", scene.relative("a"), "10"});
	cli.must({"set", scene.relative("b"), "20"});
	const Entries priorities = entries_of(cli.list());

	auto too_small = cli.run({"load", "--max-entries", "1"});
	INFO(too_small.describe());
	CHECK(too_small.exit_status == 3);
	CHECK(cli.status()["max_entries"] == 65536);

	cli.must({"load", "--max-entries", "100"});
	const auto status = cli.status();
	CHECK(status["max_entries"] == 100);
	CHECK(status["entries"] == 2);
	CHECK(entries_of(cli.list()) == priorities);
	CHECK(count_hook_links() == 1);
}
