// SPDX-License-Identifier: GPL-2.0
/*
 * The install tree and the systemd unit: bpfoom installed with
 * `cmake --install --prefix` into a tmpfs, and the installed unit's
 * ExecStart=/ExecReload=/ExecStop= lines run as systemd would run them
 * (systemd itself does not run in the VM). The unit must leave the policy
 * loaded with /etc/bpfoom/priorities.conf's priorities, and those must rank
 * a real OOM.
 */
#include "install_tree.hpp"
#include "scenario_support.hpp"
#include "writable_etc.hpp"

#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <set>
#include <sstream>

using namespace bpfoom::selftests;
namespace fs = std::filesystem;

namespace
{

// What every service test runs in: the unit installed into a fresh tree,
// a writable /etc, and no policy loaded on either side of the test.
struct ServiceFixture {
	BpfoomCli cli;
	NothingLoaded nothing_loaded;
	InstallTree tree;
	InstalledService service{tree};
	WritableEtc etc;
};

bool executable(const fs::path &path)
{
	struct stat st;
	return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111);
}

const fs::path kPriorities = "bpfoom/priorities.conf";

} // namespace

TEST_CASE("install: cmake --install --prefix installs the CLI, the library, its headers, "
	  "pkg-config and CMake files and the systemd unit",
	  "[install]")
{
	InstallTree tree;
	INFO(tree.install_log().describe());
	const fs::path libdir = tree / BPFOOM_INSTALL_LIBDIR;

	CHECK(executable(tree / "sbin/bpfoom"));
	CHECK(fs::is_regular_file(libdir / "libbpfoom.a"));
	for (const auto &header :
	     fs::directory_iterator(fs::path(BPFOOM_SOURCE_DIR) / "include/bpfoom"))
		CHECK(fs::is_regular_file(tree / "include/bpfoom" / header.path().filename()));
	CHECK(fs::is_regular_file(libdir / "cmake/bpfoom/bpfoom-config.cmake"));
	CHECK(fs::is_regular_file(libdir / "cmake/bpfoom/bpfoom-config-version.cmake"));
	CHECK(fs::is_regular_file(libdir / "cmake/bpfoom/bpfoom-targets.cmake"));
	CHECK(executable(tree / "libexec/bpfoom/bpfoom-sync-priorities"));

	// The installed CLI runs from there, on its own.
	auto version = run_command({(tree / "sbin/bpfoom").string(), "--version"});
	CHECK(version.exit_status == 0);

	// pkg-config finds the library and its headers under the prefix.
	auto flags =
	    run_command({"/usr/bin/env", "PKG_CONFIG_PATH=" + (libdir / "pkgconfig").string(),
			 "pkg-config", "--cflags", "--libs", "bpfoom"});
	INFO(flags.describe());
	REQUIRE(flags.exit_status == 0);
	std::istringstream words(flags.out);
	std::string word;
	std::set<std::string> seen;
	while (words >> word) {
		if (word.rfind("-I", 0) == 0)
			CHECK(fs::equivalent(word.substr(2), tree / "include"));
		if (word.rfind("-L", 0) == 0)
			CHECK(fs::equivalent(word.substr(2), libdir));
		seen.insert(word.substr(0, 2) == "-I" || word.substr(0, 2) == "-L"
				? word.substr(0, 2)
				: word);
	}
	/* libbpf and libcrypto: what a static libbpfoom needs linked beside it. */
	CHECK(seen == std::set<std::string>{"-I", "-L", "-lbpfoom", "-lbpf", "-lcrypto"});
}

TEST_CASE("install: the unit names this install's programs and passes systemd-analyze verify",
	  "[install][service]")
{
	InstallTree tree;
	InstalledService service(tree);
	const auto env = service.unit().environment();
	for (const auto *key : {"ExecStart", "ExecReload", "ExecStop"}) {
		const auto commands = service.unit().commands(key, env);
		INFO(key);
		REQUIRE(!commands.empty());
		for (const auto &command : commands) {
			INFO(command.argv[0]);
			CHECK(command.argv[0].rfind(tree.prefix().string() + "/", 0) == 0);
			CHECK(executable(command.argv[0]));
			CHECK(!command.ignore_failure);
		}
	}
	CHECK(service.unit().values("Service", "Type") == std::vector<std::string>{"oneshot"});
	CHECK(service.unit().values("Service", "RemainAfterExit") ==
	      std::vector<std::string>{"yes"});
	CHECK(service.unit().values("Unit", "RequiresMountsFor") ==
	      std::vector<std::string>{"/sys/fs/bpf /sys/fs/cgroup"});

	// systemd's own reading of the unit: syntax, keys, executables.
	auto verify = run_command(
	    {"/usr/bin/systemd-analyze", "verify", "--man=no", service.unit_path().string()});
	INFO(verify.describe());
	CHECK(verify.exit_status == 0);
	CHECK(verify.err.empty());
}

TEST_CASE_METHOD(
    ServiceFixture,
    "service: start loads the policy and applies the priorities file, reload re-applies "
    "it, stop unloads",
    "[service]")
{
	TestCgroup a(cgroup2_mount(), "svc-a"), b(cgroup2_mount(), "svc-b");

	etc.write(kPriorities, "# boot-time priorities\nsvc-a 10\n/sys/fs/cgroup/svc-b 20 omit\n");
	auto started = service.start();
	INFO(started.describe());
	REQUIRE(started.ok);
	REQUIRE(started.results.size() == 2);
	auto status = cli.status();
	CHECK(status["loaded"] == true);
	CHECK(status["settings"]["mode"] == "inherit");
	CHECK(cli.entries() == PriorityEntries{{a.path(), {10, false}}, {b.path(), {20, true}}});
	const auto program = policy_program_id(status);
	REQUIRE(program != 0);

	SECTION("reload makes the priorities equal to the changed file, program unchanged")
	{
		etc.write(kPriorities, "svc-a 30\n");
		auto reloaded = service.reload();
		INFO(reloaded.describe());
		REQUIRE(reloaded.ok);
		CHECK(cli.entries() == PriorityEntries{{a.path(), {30, false}}});
		CHECK(policy_program_id(cli.status()) == program);
	}
	SECTION("a bad file fails the reload, naming file and line, and changes nothing")
	{
		etc.write(kPriorities, "svc-a 30\nsvc-b many\n");
		auto reloaded = service.reload();
		INFO(reloaded.describe());
		CHECK(!reloaded.ok);
		CHECK(reloaded.results.back().exit_status == 3);
		CHECK(reloaded.results.back().err.find("/etc/bpfoom/priorities.conf:2") !=
		      std::string::npos);
		CHECK(cli.entries() ==
		      PriorityEntries{{a.path(), {10, false}}, {b.path(), {20, true}}});
	}
	SECTION("without the file, reload leaves the priorities to whoever else sets them")
	{
		etc.remove(kPriorities);
		cli.must({"set", "svc-a", "99"});
		auto reloaded = service.reload();
		INFO(reloaded.describe());
		REQUIRE(reloaded.ok);
		CHECK(cli.entries() ==
		      PriorityEntries{{a.path(), {99, false}}, {b.path(), {20, true}}});
	}
	SECTION("stop unloads the policy; a second stop is harmless")
	{
		auto stopped = service.stop();
		INFO(stopped.describe());
		REQUIRE(stopped.ok);
		CHECK(cli.status()["loaded"] == false);
		CHECK(count_hook_links() == 0);
		CHECK(service.stop().ok);
	}
}

TEST_CASE_METHOD(ServiceFixture,
		 "service: without the priorities file, start loads the policy with no priorities",
		 "[service]")
{
	etc.remove(kPriorities);

	auto started = service.start();
	INFO(started.describe());
	REQUIRE(started.ok);
	CHECK(started.results.back().out.find("/etc/bpfoom/priorities.conf does not exist") !=
	      std::string::npos);
	CHECK(cli.status()["loaded"] == true);
	CHECK(cli.entries().empty());
}

TEST_CASE_METHOD(ServiceFixture,
		 "service: a bad priorities file fails the start, naming file and line",
		 "[service]")
{
	TestCgroup a(cgroup2_mount(), "svc-a");
	etc.write(kPriorities, "svc-a 10\nsvc-no-such-cgroup 5\n");

	auto started = service.start();
	INFO(started.describe());
	CHECK(!started.ok);
	REQUIRE(started.results.size() == 2);
	CHECK(started.results.back().exit_status == 3);
	CHECK(started.results.back().err.find("/etc/bpfoom/priorities.conf:2") !=
	      std::string::npos);
	CHECK(cli.entries().empty());
}

TEST_CASE_METHOD(ServiceFixture, "service: load options come from /etc/default/bpfoom", "[service]")
{
	etc.remove(kPriorities);
	etc.write(
	    "default/bpfoom",
	    "# bpfoom.service\nBPFOOM_LOAD_OPTIONS=\"--mode tournament --default-priority 7\"\n");

	auto started = service.start();
	INFO(started.describe());
	REQUIRE(started.ok);
	auto settings = cli.status()["settings"];
	CHECK(settings["mode"] == "tournament");
	CHECK(settings["default_priority"] == 7);
}

TEST_CASE_METHOD(ServiceFixture, "service: the priorities the unit applied decide a real OOM",
		 "[service][oom]")
{
	MemcgScene scene("svc-oom", 100, {"batch", "database"});
	etc.write(kPriorities,
		  scene.relative("batch") + " 10\n" + scene.relative("database") + " 100\n");
	auto started = service.start();
	INFO(started.describe());
	REQUIRE(started.ok);
	cli.drain_events();

	// The stock kernel would kill the bigger database.
	auto oom = run_policy_oom(
	    cli, scene, {{.name = "batch", .cgroup = "batch", .megabytes = 30}},
	    {.name = "database", .cgroup = "database", .megabytes = 80},
	    ExpectedEvents{.priority = {{"batch", 10}, {"database", 100}}, .decided_by = "policy"});
	INFO(oom.outcome.describe());
	CHECK(oom.outcome.first_killed() == "batch");
	CHECK(oom.outcome.oom_kills["batch"] >= 1);
}
