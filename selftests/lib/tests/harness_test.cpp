// SPDX-License-Identifier: GPL-2.0
// Host tests of the scenario harness: if it misreads the kernel's evidence,
// every VM test built on it proves nothing.
#include "hog.hpp"
#include "kmsg.hpp"
#include "test_cgroup.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

using namespace bpfoom::selftests;

TEST_CASE("memory.events is parsed into named counters", "[harness]")
{
	auto events = parse_memory_events("low 0\nhigh 3\nmax 17\noom 2\noom_kill 1\n"
					  "oom_group_kill 0\n");
	CHECK(events.size() == 6);
	CHECK(events["max"] == 17);
	CHECK(events["oom"] == 2);
	CHECK(events["oom_kill"] == 1);
}

TEST_CASE("oom-kill lines are parsed field by field", "[harness]")
{
	SECTION("memcg OOM decided by a policy")
	{
		auto record = parse_oom_kill_line(
		    "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),policy=bpf,"
		    "oom_memcg=/scene,task_memcg=/scene/small,task=small,pid=231,uid=0");
		REQUIRE(record);
		CHECK(record->oom_memcg == "/scene");
		CHECK(record->task_memcg == "/scene/small");
		CHECK(record->task == "small");
		CHECK(record->pid == 231);
		CHECK(record->policy);
	}
	SECTION("global OOM decided by the kernel")
	{
		auto record = parse_oom_kill_line(
		    "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),global_oom,"
		    "task_memcg=/hogs,task=global-hog,pid=88,uid=0\n");
		REQUIRE(record);
		CHECK(record->oom_memcg.empty());
		CHECK(record->task == "global-hog");
		CHECK(record->pid == 88);
		CHECK_FALSE(record->policy);
	}
	SECTION("other lines are not kills")
	{
		CHECK_FALSE(parse_oom_kill_line("Memory cgroup out of memory: Killed process 231"));
		CHECK_FALSE(
		    parse_oom_kill_line("oom-kill:constraint=CONSTRAINT_NONE,task=x,pid=abc"));
	}
}

TEST_CASE("Killed process lines give the kill order", "[harness]")
{
	CHECK(parse_killed_process_line("Memory cgroup out of memory: Killed process 203 (small) "
					"total-vm:38152kB, anon-rss:31300kB") == 203);
	CHECK(parse_killed_process_line(
		  "Out of memory: Killed process 88 (global-hog) total-vm:1kB") == 88);
	CHECK_FALSE(parse_killed_process_line("oom-kill:constraint=CONSTRAINT_MEMCG,pid=203"));
	CHECK(killed_pids_in({"a", "Memory cgroup out of memory: Killed process 5 (x) t",
			      "Memory cgroup out of memory: Killed process 7 (y) t"}) ==
	      std::vector<int>{5, 7});
}

TEST_CASE("test cgroups are real cgroup2 directories", "[harness][cgroup]")
{
	auto root = cgroup2_mount();
	INFO("cgroup2 at " << root);
	REQUIRE(std::filesystem::exists(root / "cgroup.procs"));

	std::filesystem::path path;
	{
		TestCgroup cgroup(root, "bpfoom-harness-" + std::to_string(::getpid()));
		path = cgroup.path();
		struct stat st {
		};
		REQUIRE(::stat(path.c_str(), &st) == 0);
		CHECK(cgroup.id() == st.st_ino);
		CHECK(std::filesystem::exists(path / "cgroup.procs"));

		// A hog joins the cgroup, touches its memory and is told apart
		// from an OOM victim by its SIGTERM.
		Hog hog({.cgroup = path, .megabytes = 2, .name = "harness-hog"});
		REQUIRE(hog.wait_until_ready());
		CHECK(cgroup.read("cgroup.procs") == std::to_string(hog.pid()) + "\n");
		auto exit = hog.finish();
		CHECK(exit.signalled);
		CHECK(exit.signal == SIGTERM);
		CHECK_FALSE(exit.oom_killed());
	}
	CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("the kernel log reader sees records written after it opened", "[harness]")
{
	KmsgReader reader;
	const std::string marker = "bpfoom-harness-marker-" + std::to_string(::getpid());
	{
		std::ofstream kmsg("/dev/kmsg");
		kmsg << marker << std::endl;
	}
	auto messages = reader.read_new();
	CHECK(std::find(messages.begin(), messages.end(), marker) != messages.end());
	CHECK(reader.read_new().empty());
}
