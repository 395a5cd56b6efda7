// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// --json as a global option: before the command it is what it is after it;
// under it every error class is one JSON object on stderr with the text
// line's message and exit code, and commands without a document print null.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <sys/file.h>
#include <unistd.h>

#include "bpfoom/policy.hpp"
#include "bpfoom/probe.hpp"
#include "helpers.hpp"

using namespace bpfoom;
using test::CliOptions;
using test::run_cli;

namespace
{

std::vector<std::string> with_json_first(const std::vector<std::string> &args)
{
	std::vector<std::string> global{"--json"};
	global.insert(global.end(), args.begin(), args.end());
	return global;
}

std::vector<std::string> with_json_last(std::vector<std::string> args)
{
	args.push_back("--json");
	return args;
}

/*
 * Checks that `args` fails with `status` under --json, in both places, and
 * prints nothing but {"error": {"message", "exit_code", "kind"}} on one
 * line of stderr, with the message of the error line `args` prints without
 * --json.
 */
void check_json_error(const std::vector<std::string> &args, const CliOptions &options, int status,
		      const std::string &kind)
{
	const test::CliResult text = run_cli(args, options);
	INFO("bpfoom " << Catch::Detail::stringify(args) << "\ntext stderr: " << text.err);
	REQUIRE(text.status == status);
	REQUIRE(text.err_lines().size() == 1);
	const std::string line = text.err_lines()[0];

	for (const auto &form : {with_json_first(args), with_json_last(args)}) {
		const test::CliResult result = run_cli(form, options);
		INFO("bpfoom " << Catch::Detail::stringify(form) << "\nstdout: " << result.out
			       << "\nstderr: " << result.err);
		CHECK(result.status == status);
		CHECK(result.out.empty());
		REQUIRE(result.err_lines().size() == 1);
		CHECK(result.err == result.err_lines()[0] + "\n");
		REQUIRE(nlohmann::json::accept(result.err));
		const nlohmann::json got = nlohmann::json::parse(result.err);
		REQUIRE(got.size() == 1);
		const nlohmann::json &error = got.at("error");
		CHECK(error.size() == 3);
		CHECK(error.at("exit_code") == status);
		CHECK(error.at("kind") == kind);
		/* The text line is "bpfoom: [COMMAND: ]MESSAGE". */
		const std::string message = error.at("message");
		CHECK((line == "bpfoom: " + message ||
		       line == "bpfoom: " + args[0] + ": " + message));
	}
}

/* Runs `args` (a command that succeeds) in both --json places; their stdout, which must agree. */
std::string json_both_ways(const std::vector<std::string> &args, const CliOptions &options)
{
	const test::CliResult first = run_cli(with_json_first(args), options);
	const test::CliResult last = run_cli(with_json_last(args), options);
	INFO("bpfoom " << Catch::Detail::stringify(args) << "\nstderr: " << first.err << last.err);
	CHECK(first.status == 0);
	CHECK(last.status == 0);
	CHECK(first.err.empty());
	CHECK(last.err.empty());
	CHECK(first.out == last.out);
	CHECK(nlohmann::json::accept(first.out));
	return first.out;
}

/* Holds the pin directory's lock in this process: another process's flock() waits. */
class HeldLock
{
public:
	explicit HeldLock(const std::string &dir) : fd_(open(dir.c_str(), O_RDONLY | O_DIRECTORY))
	{
		REQUIRE(fd_ >= 0);
		REQUIRE(flock(fd_, LOCK_EX | LOCK_NB) == 0);
	}
	~HeldLock() { close(fd_); }
	HeldLock(const HeldLock &) = delete;
	HeldLock &operator=(const HeldLock &) = delete;

private:
	int fd_;
};

} // namespace

TEST_CASE("cli json: every error class is one JSON object on stderr", "[cli][json]")
{
	test::PinnedMaps maps;
	test::TempCgroup cgroup;
	PolicyChange(maps.policy).set(cgroup.id(), {10, 0});
	const PriorityTable before = maps.contents();

	SECTION("usage, 2")
	{
		for (const std::vector<std::string> &args :
		     std::vector<std::vector<std::string>>{{"nonsense"},
							   {"--bogus"},
							   {"list", "extra"},
							   {"list", "--bogus"},
							   {"set", cgroup.path()},
							   {"sync"}})
			check_json_error(args, maps.options, 2, "usage");
		/* Without --json, no command prints the usage; with it, only the error. */
		const test::CliResult none = run_cli({"--json"}, maps.options);
		CHECK(none.status == 2);
		CHECK(none.out.empty());
		REQUIRE(none.err_lines().size() == 1);
		CHECK(nlohmann::json::parse(none.err)["error"]["kind"] == "usage");
	}
	SECTION("bad input, 3")
	{
		check_json_error({"set", "bpfoom-no-such-cgroup", "5"}, maps.options, 3,
				 "bad_input");
		check_json_error({"set", cgroup.path(), "1e3"}, maps.options, 3, "bad_input");
		check_json_error({"config", "--dry-run", "maybe"}, maps.options, 3, "bad_input");
		check_json_error({"sync", "-"}, maps.options, 3, "bad_input"); // empty stdin
		CliOptions relative = maps.options;
		relative.pin_dir = "pins";
		check_json_error({"list"}, relative, 3, "bad_input");
	}
	SECTION("unsupported, 4")
	{
		char dir[] = "/tmp/bpfoom-json-not-bpffs.XXXXXX";
		REQUIRE(mkdtemp(dir));
		CliOptions off_bpffs;
		off_bpffs.pin_dir = dir;
		check_json_error({"list"}, off_bpffs, 4, "unsupported");
		check_json_error({"set", cgroup.path(), "5"}, off_bpffs, 4, "unsupported");
		rmdir(dir);
	}
	SECTION("permission, 5")
	{
		CliOptions nobody = maps.options;
		nobody.as_nobody = true;
		check_json_error({"list"}, nobody, 5, "permission");
		check_json_error({"set", cgroup.path(), "5"}, nobody, 5, "permission");
	}
	SECTION("not loaded, 6")
	{
		test::PrivateBpffs bpffs;
		CliOptions empty;
		empty.pin_dir = bpffs.path() + "/bpfoom";
		check_json_error({"list"}, empty, 6, "not_loaded");
		check_json_error({"get", cgroup.path()}, empty, 6, "not_loaded");
		check_json_error({"set", cgroup.path(), "5"}, empty, 6, "not_loaded");
	}
	SECTION("busy, 7")
	{
		HeldLock lock(maps.options.pin_dir);
		setenv("BPFOOM_LOCK_TIMEOUT", "0.2", 1);
		check_json_error({"set", cgroup.path(), "5"}, maps.options, 7, "busy");
		check_json_error({"unset", cgroup.path()}, maps.options, 7, "busy");
		unsetenv("BPFOOM_LOCK_TIMEOUT");
	}
	CHECK(maps.contents() == before);
}

TEST_CASE("cli json: --json before the command prints what it prints after it", "[cli][json]")
{
	test::PinnedMaps maps;
	test::TempCgroup cgroup;
	PolicyChange(maps.policy).set(cgroup.id(), {-7, BPFOOM_PRIORITY_F_OMIT});

	const auto list = nlohmann::json::parse(json_both_ways({"list"}, maps.options));
	REQUIRE(list["entries"].size() == 1);
	CHECK(list["entries"][0]["cgroup_id"] == cgroup.id());
	const auto got =
	    nlohmann::json::parse(json_both_ways({"get", cgroup.path()}, maps.options));
	CHECK(got["priority"] == -7);
	CHECK(nlohmann::json::parse(json_both_ways({"status"}, maps.options))["entries"] == 1);
	const std::string file = test::write_temp_file(cgroup.path() + " -7 omit\n");
	const auto sync =
	    nlohmann::json::parse(json_both_ways({"sync", file, "--dry-run"}, maps.options));
	CHECK(sync["counts"]["unchanged"] == 1);
	CHECK(nlohmann::json::parse(json_both_ways({"gc"}, maps.options))["kept"] == 1);
	/* Other global options may stand beside it. */
	const test::CliResult verbose = run_cli({"--verbose", "--json", "list"}, maps.options);
	CHECK(verbose.status == 0);
	CHECK(nlohmann::json::parse(verbose.out) == list);
}

TEST_CASE("cli json: commands without a document print null, and still do their work",
	  "[cli][json]")
{
	test::PinnedMaps maps;
	test::TempCgroup cgroup;

	CHECK(json_both_ways({"set", cgroup.path(), "-3", "--omit"}, maps.options) == "null\n");
	CHECK(maps.contents() == PriorityTable{{cgroup.id(), {-3, BPFOOM_PRIORITY_F_OMIT}}});
	CHECK(json_both_ways({"config", "--default-priority", "12"}, maps.options) == "null\n");
	CHECK(maps.policy.settings().read().default_priority == 12);
	CHECK(json_both_ways({"config"}, maps.options) == "null\n");
	CHECK(json_both_ways({"unset", cgroup.path()}, maps.options) == "null\n");
	CHECK(maps.contents().empty());

	test::PrivateBpffs bpffs;
	CliOptions empty;
	empty.pin_dir = bpffs.path() + "/bpfoom";
	CHECK(json_both_ways({"unload"}, empty) == "null\n");
	/* Their --help says so. */
	for (const char *command : {"load", "unload", "set", "unset", "config"}) {
		INFO(command);
		CHECK_THAT(run_cli({command, "--help"}, empty).out,
			   Catch::Contains("--json") && Catch::Contains("print null"));
	}
}

TEST_CASE("cli json: a failing probe prints its report on stdout, its error on stderr",
	  "[cli][json]")
{
	if (kernel_has_oom_hook())
		return; // the host tests run on a kernel without the hook
	test::PrivateBpffs bpffs;
	CliOptions options;
	options.pin_dir = bpffs.path() + "/bpfoom";
	const test::CliResult probe = run_cli({"--json", "probe"}, options);
	INFO(probe.out << probe.err);
	CHECK(probe.status == 4);
	const nlohmann::json report = nlohmann::json::parse(probe.out);
	CHECK(report["ready"] == false);
	CHECK(report["foreign_programs"].is_null()); // no hook: nothing to look for
	REQUIRE(probe.err_lines().size() == 1);
	const nlohmann::json error = nlohmann::json::parse(probe.err)["error"];
	CHECK(error["kind"] == "unsupported");
	CHECK_THAT(error["message"].get<std::string>(),
		   Catch::StartsWith("this system cannot run the bpfoom policy: "));
}
