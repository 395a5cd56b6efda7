// SPDX-License-Identifier: GPL-2.0
// Host tests of the one subprocess runner: every host and VM suite and the
// benchmarks run the CLI and other programs through it.
#include "command.hpp"
#include "temp_dir.hpp"
#include "value_override.hpp"

#include <signal.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <stdexcept>
#include <string>

using namespace bpfoom::selftests;
using namespace std::chrono_literals;

namespace
{

CommandResult sh(const std::string &script, Command command = {})
{
	command.argv = {"/bin/sh", "-c", script};
	return run_command(command);
}

} // namespace

TEST_CASE("the runner collects the exit status, stdout and stderr, and feeds stdin",
	  "[harness][command]")
{
	auto result = sh("cat; echo problem >&2; exit 3", {.input = "hello\n"});
	INFO(result.describe());
	CHECK(result.exit_status == 3);
	CHECK(result.signal == 0);
	CHECK(result.out == "hello\n");
	CHECK(result.err == "problem\n");
}

TEST_CASE("the runner tells a signal from an exit status", "[harness][command]")
{
	auto result = sh("kill -KILL $$");
	CHECK(result.exit_status == -1);
	CHECK(result.signal == SIGKILL);
	CHECK_THAT(result.describe(), Catch::StartsWith("killed by KILL"));
}

TEST_CASE("the runner moves more than a pipe holds both ways without blocking",
	  "[harness][command]")
{
	const std::string big(1 << 20, 'x');
	auto result = sh("cat; cat /proc/self/status >&2", {.input = big});
	CHECK(result.exit_status == 0);
	CHECK(result.out == big);
	CHECK_THAT(result.err, Catch::Contains("Name:"));

	// A command that never reads its input ends normally; the test process
	// takes no SIGPIPE for it.
	CHECK(sh("exit 0", {.input = big}).exit_status == 0);
}

TEST_CASE("the runner sets the environment and the stdin a command asks for", "[harness][command]")
{
	const TempDir dir;
	const std::string file = dir.write("input", "from a file\n");

	CHECK(sh("echo \"$BPFOOM_RUNNER_TEST\"", {.env = {{"BPFOOM_RUNNER_TEST", "set"}}}).out ==
	      "set\n");
	CHECK(sh("cat", {.stdin_path = file}).out == "from a file\n");
	CHECK(sh("[ -e /proc/$$/fd/0 ] && echo open || echo closed", {.stdin_closed = true}).out ==
	      "closed\n");
	CHECK(sh("id -u; id -g; id -G", {.as_nobody = true}).out == "65534\n65534\n65534\n");
}

TEST_CASE("the runner's child starts with oom_score_adj 0 and default signals",
	  "[harness][command]")
{
	const OomScoreAdjGuard harness_own(500); // raised: a container's root may not lower it
	::signal(SIGUSR1, SIG_IGN);
	auto result = sh("cat /proc/self/oom_score_adj; kill -USR1 $$; echo survived");
	::signal(SIGUSR1, SIG_DFL);
	CHECK(result.out == "0\n");
	CHECK(result.signal == SIGUSR1);
}

TEST_CASE("the runner times a command, fork to reap, and can leave its stdout uncollected",
	  "[harness][command]")
{
	auto result = sh("echo discarded; sleep 0.2", {.discard_stdout = true});
	CHECK(result.exit_status == 0);
	CHECK(result.out.empty());
	CHECK(result.elapsed >= 200ms);
	CHECK(result.elapsed < 20s);
}

TEST_CASE("a command that cannot start throws, naming the step", "[harness][command]")
{
	CHECK_THROWS_WITH(run_command({"/nonexistent/bpfoom-test"}),
			  Catch::Contains("exec") && Catch::Contains("No such file"));
	CHECK_THROWS_WITH(sh("cat", {.stdin_path = "/nonexistent/input"}),
			  Catch::Contains("open stdin"));
}
