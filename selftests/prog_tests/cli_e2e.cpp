// SPDX-License-Identifier: GPL-2.0
/*
 * The bpfoom CLI end to end on the patched kernel: readiness, declarative
 * sync, status, and a loader killed at any point of a replacing load.
 */
#include "bpf_call_stop.hpp"
#include "bpfoom_cli.hpp"
#include "scenario_support.hpp"

#include "bpfoom/abi.h"
#include "bpfoom/pin_dir.hpp"

#include <linux/bpf.h>

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

// Spins until `reached()` holds, then returns true, or false if the loader
// exits first. Spinning rather than sleeping keeps the loader's progress
// between two checks to one scheduler slice on the guest's single CPU, so
// the kill lands right after the step it waits for.
template <typename Step> bool wait_for_step(pid_t loader, Step reached)
{
	for (;;) {
		if (reached())
			return true;
		if (::waitpid(loader, nullptr, WNOHANG) == loader)
			return false;
		::sched_yield();
	}
}

pid_t start_load(const std::string &mode)
{
	pid_t loader = ::fork();
	if (loader == 0) {
		::freopen("/dev/null", "w", stdout);
		::execl(BPFOOM_CLI_PATH, "bpfoom", "load", "--mode", mode.c_str(), nullptr);
		::_exit(127);
	}
	return loader;
}

void kill_and_reap(pid_t loader)
{
	::kill(loader, SIGKILL);
	::waitpid(loader, nullptr, 0);
}

// Whether an interrupted replacement left staged links behind.
bool staged_links_pinned()
{
	for (auto name : bpfoom::pins::links)
		if (pinned(staged(name)))
			return true;
	return false;
}

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

	// After every interruption the next command recovers first, and then
	// exactly one policy is attached, with the priorities intact.
	auto check_recovered = [&](const std::string &when) {
		INFO("loader killed " << when);
		cli.must({"config", "--default-priority", "0"});
		CHECK(count_hook_links() == 1);
		CHECK_FALSE(staged_links_pinned());
		auto status = cli.status();
		CHECK(status["loaded"] == true);
		CHECK(status["links"].size() == 3);
		CHECK(entries_of(cli.list()) == priorities);
	};

	SECTION("at each step of the pin protocol")
	{
		// Staged pins, the commit marker, the first rename: a kill right
		// after each must be rolled back or forward, never left half.
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
		int interrupted_mid_replacement = 0;
		for (int round = 0; round < 3; round++) {
			for (const auto &[step, reached] : steps) {
				pid_t loader = start_load(round % 2 ? "inherit" : "tournament");
				// The loader may pass the step between two looks and
				// finish: then the new state is in force, also fine.
				wait_for_step(loader, reached);
				kill_and_reap(loader);
				interrupted_mid_replacement += staged_links_pinned();
				check_recovered("after the " + step);
			}
		}
		// Without a kill that landed inside the protocol, this test would
		// prove nothing.
		std::printf("crash: %d of 12 kills left a replacement half done\n",
			    interrupted_mid_replacement);
		CHECK(interrupted_mid_replacement > 0);
	}
	SECTION("at delays spread over a whole load")
	{
		const auto started = std::chrono::steady_clock::now();
		cli.must({"load", "--mode", "tournament"});
		const auto load_time = std::chrono::steady_clock::now() - started;
		for (int attempt = 0; attempt < 12; attempt++) {
			pid_t loader = start_load(attempt % 2 ? "inherit" : "tournament");
			std::this_thread::sleep_for(load_time * attempt / 12);
			kill_and_reap(loader);
			check_recovered("after " + std::to_string(attempt) + "/12 of a load");
		}
	}

	// And the policy that remains still decides.
	auto oom = run_policy_oom(
	    cli, scene, {{.name = "small", .cgroup = "a", .megabytes = 30}},
	    {.name = "big", .cgroup = "b", .megabytes = 80},
	    ExpectedEvents{.priority = {{"a", 10}, {"b", 20}}, .decided_by = "policy"});
	CHECK(oom.outcome.first_killed() == "small");
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
		BpfCallStop sync({BPFOOM_CLI_PATH, "sync", s.new_file.path()}, n);
		if (!sync.held()) {
			CHECK(sync.exit_status() == 0);
			CHECK(entries_of(cli.list()) == s.new_set);
			break;
		}
		calls += " " + bpf_cmd_name(sync.bpf_cmd());
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
		BpfCallStop sync({BPFOOM_CLI_PATH, "sync", s.new_file.path()}, n);
		if (!sync.held())
			break;
		if (!writes_kernel_state(sync.bpf_cmd()))
			continue; // killed by the destructor: nothing to see
		INFO("sync held at its bpf() call " << n << " (" << bpf_cmd_name(sync.bpf_cmd())
						    << ")");
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
