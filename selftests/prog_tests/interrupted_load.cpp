// SPDX-License-Identifier: GPL-2.0
/*
 * What the read commands say after a load or unload was killed half way, on
 * the patched kernel: the staged links a killed load leaves are attached
 * (two policies decide, one victim yields two events) until the next writer
 * recovers, so status, list, get and events must say so rather than lie,
 * and the recovery must leave exactly one policy and one event program.
 */
#include "bpfoom_cli.hpp"
#include "scenario_support.hpp"
#include "syscall_stop.hpp"

#include "bpfoom/abi.h"
#include "bpfoom/pin_dir.hpp"

#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdio>
#include <string_view>

using namespace bpfoom::selftests;
namespace pins = bpfoom::pins;

namespace
{

bool pinned(std::string_view name)
{
	return ::access((std::string(BPFOOM_PIN_DIR) + "/" + std::string(name)).c_str(), F_OK) == 0;
}

bool staged_links_pinned()
{
	for (auto name : pins::links)
		if (pinned(pins::staged_name(name)))
			return true;
	return false;
}

// Polls `count()` until it equals `expected`, for up to 2 s: the kernel frees
// an unpinned link from a work item, a moment after unlink() returns.
template <typename Count> int settled(int expected, Count count)
{
	int now = count();
	for (int i = 0; i < 200 && now != expected; i++) {
		::usleep(10000);
		now = count();
	}
	return now;
}

int status_links_of(const nlohmann::json &status, std::string_view prog_name)
{
	int links = 0;
	for (const auto &link : status["links"])
		links += link["prog_name"] == prog_name;
	return links;
}

// What status --json says matches the kernel: every attached link is listed.
void check_status_tells_the_truth(const BpfoomCli &cli)
{
	const auto status = cli.status();
	INFO(status.dump());
	const int policies = status_links_of(status, "bpfoom_eval");
	CHECK(settled(policies, count_hook_links) == policies);
	const int victims = status_links_of(status, "bpfoom_victim");
	CHECK(settled(victims, [] { return count_links_of("bpfoom_victim"); }) == victims);
	CHECK(status["loaded"] == (policies > 0));
	REQUIRE(status["interrupted"].is_string());
	const std::string sentence = status["interrupted"];
	CHECK_THAT(sentence, Catch::Contains("was interrupted") &&
				 Catch::Contains("run 'bpfoom load'") &&
				 Catch::Contains("'bpfoom unload'"));
}

// list, get and events work, with the sentence of status as a warning.
void check_readers_warn(const BpfoomCli &cli, const std::string &cgroup)
{
	const std::string sentence = cli.status()["interrupted"];
	for (const std::vector<std::string> &args : std::vector<std::vector<std::string>>{
		 {"list"}, {"get", cgroup}, {"events", "--json"}}) {
		const auto result = cli.run(args);
		INFO(args[0] << ": " << result.describe());
		CHECK(result.exit_status == 0);
		CHECK(result.err == "bpfoom: warning: " + sentence + "\n");
	}
}

void check_recovered(const BpfoomCli &cli)
{
	CHECK(settled(1, count_hook_links) == 1);
	CHECK(settled(1, [] { return count_links_of("bpfoom_victim"); }) == 1);
	CHECK_FALSE(staged_links_pinned());
	const auto status = cli.status();
	CHECK(status["loaded"] == true);
	CHECK(status["interrupted"].is_null());
	CHECK(status["links"].size() == 3);
}

// Holds `bpfoom load` (by ptrace) at its first system call after its
// staged policy link is pinned, sees status call that work in progress,
// then SIGKILLs it there.
void kill_load_after_staging(const BpfoomCli &cli)
{
	SyscallStop loader({BPFOOM_CLI_PATH, "load"},
			   once([] { return pinned(pins::staged_name(pins::link_eval)); }));
	REQUIRE(loader.held());
	/* Committed or not, the staged policy link is attached beside any old one. */
	const auto busy = cli.status()["interrupted"];
	INFO(busy.dump());
	REQUIRE(busy.is_string());
	CHECK_THAT(busy.get<std::string>(), Catch::Contains("so a load or unload is under way"));
	loader.kill();
}

} // namespace

TEST_CASE("interrupted load: a first load killed after staging is reported, then recovered",
	  "[cli][crash][interrupted]")
{
	BpfoomCli cli;
	MemcgScene scene("interrupted-first", 100, {"a"});
	cli.must({"unload"});
	kill_load_after_staging(cli);
	CHECK_FALSE(pinned(pins::link_eval));
	CHECK(settled(1, count_hook_links) == 1); // the staged policy link alone decides

	check_status_tells_the_truth(cli);
	CHECK(cli.status()["loaded"] == true);
	check_readers_warn(cli, scene.relative("a"));
	CHECK(pinned(pins::staged_name(pins::link_eval))); // reading changed nothing

	cli.must({"load"});
	check_recovered(cli);
	cli.must({"unload"});
}

TEST_CASE("interrupted load: a replacing load killed after staging is reported, then recovered",
	  "[cli][crash][interrupted]")
{
	LoadedPolicy policy;
	const auto &cli = policy.cli();
	MemcgScene scene("interrupted-replace", 100, {"a"});
	cli.must({"set", scene.relative("a"), "10"});
	const auto entries = cli.list()["entries"];

	kill_load_after_staging(cli);
	CHECK(pinned(pins::link_eval));
	CHECK(settled(2, count_hook_links) == 2); // old and staged policies both decide
	check_status_tells_the_truth(cli);
	CHECK(cli.status()["loaded"] == true);
	CHECK_THAT(cli.status()["interrupted"].get<std::string>(),
		   Catch::Contains("two programs decide each OOM"));
	check_readers_warn(cli, scene.relative("a"));

	/* Any writer recovers first. */
	cli.must({"set", scene.relative("a"), "10"});
	check_recovered(cli);
	CHECK(cli.list()["entries"] == entries);

	/* And so does a load, after another interrupted one. */
	kill_load_after_staging(cli);
	cli.must({"load"});
	check_recovered(cli);
	CHECK(cli.list()["entries"] == entries);
}

TEST_CASE("interrupted load: an unload killed between its unpins is reported, then finished",
	  "[cli][crash][interrupted]")
{
	LoadedPolicy policy;
	const auto &cli = policy.cli();
	MemcgScene scene("interrupted-unload", 100, {"a"});

	/* Killed right after its first unpin: the policy link's. */
	SyscallStop unloader({BPFOOM_CLI_PATH, "unload"},
			     once([] { return !pinned(pins::link_eval); }));
	REQUIRE(unloader.held());
	unloader.kill();
	REQUIRE(pinned(pins::link_victim));

	/* The event program outlives its policy: status says so. */
	CHECK(settled(0, count_hook_links) == 0);
	CHECK(settled(1, [] { return count_links_of("bpfoom_victim"); }) == 1);
	check_status_tells_the_truth(cli);
	CHECK(cli.status()["loaded"] == false);
	CHECK_THAT(cli.status()["interrupted"].get<std::string>(), Catch::Contains("only "));

	cli.must({"load"});
	check_recovered(cli);
}
