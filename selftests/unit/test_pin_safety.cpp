// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// The pin directory as something other users might reach: one they own, a pin
// they planted, a lock they hold, a directory off bpffs, a map of the wrong
// layout, and what an interrupted load leaves for the read commands to tell.
// Maps stand in for links, as in test_pin_dir.cpp.
#include <bpf/bpf.h>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <fcntl.h>
#include <functional>
#include <grp.h>
#include <nlohmann/json.hpp>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bpfoom/error.hpp"
#include "bpfoom/policy.hpp"
#include "helpers.hpp"

using namespace bpfoom;
using test::CliOptions;
using test::run_cli;

namespace
{

constexpr uid_t nobody = 65534;

/* Runs `step` in a child as uid/gid 65534; fails the test unless it returns true. */
void as_nobody(const std::function<bool()> &step)
{
	const pid_t child = fork();
	REQUIRE(child >= 0);
	if (child == 0) {
		const bool ok = setgroups(0, nullptr) == 0 &&
				setresgid(nobody, nobody, nobody) == 0 &&
				setresuid(nobody, nobody, nobody) == 0 && step();
		_exit(ok ? 0 : 1);
	}
	int status;
	REQUIRE(waitpid(child, &status, 0) == child);
	REQUIRE(WIFEXITED(status));
	REQUIRE(WEXITSTATUS(status) == 0);
}

/* The CLI's pinned maps with one entry. */
struct OneEntryMaps : test::PinnedMaps {
	test::TempCgroup cgroup;

	OneEntryMaps() { PolicyChange(policy).set(cgroup.id(), {10, 0}); }
};

/* The commands that reach the pin directory, each as an operator would type it. */
std::vector<std::vector<std::string>> every_command(const std::string &cgroup)
{
	const std::string sync_file = test::write_temp_file(cgroup + " 1\n");
	return {{"status"},	   {"list"}, {"get", cgroup}, {"set", cgroup, "5"},
		{"unset", cgroup}, {"gc"},   {"events"},      {"sync", sync_file},
		{"config"},	   {"load"}, {"unload"}};
}

/* Runs `args` and checks it exits `status` with one stderr line containing every `parts`. */
void check_refused(const std::vector<std::string> &args, const CliOptions &options, int status,
		   const std::vector<std::string> &parts)
{
	const test::CliResult result = run_cli(args, options);
	INFO("bpfoom " << Catch::Detail::stringify(args) << "\nstdout: " << result.out
		       << "\nstderr: " << result.err);
	CHECK(result.status == status);
	REQUIRE(result.err_lines().size() == 1);
	for (const auto &part : parts)
		CHECK_THAT(result.err_lines()[0], Catch::Contains(part));
}

struct stat lstat_of(const std::string &path)
{
	struct stat st;
	REQUIRE(lstat(path.c_str(), &st) == 0);
	return st;
}

/*
 * A child holding an exclusive flock on `dir`, named `comm`, for `seconds`
 * or until it is destroyed. Bounded, so that a command that waits forever
 * (as bpfoom did) fails the test instead of hanging it.
 */
class LockHolder
{
public:
	LockHolder(const std::string &dir, const char *comm, unsigned seconds = 8)
	{
		int ready[2];
		REQUIRE(pipe(ready) == 0);
		pid_ = fork();
		REQUIRE(pid_ >= 0);
		if (pid_ == 0) {
			prctl(PR_SET_NAME, comm);
			const int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY);
			if (fd < 0 || flock(fd, LOCK_EX) != 0)
				_exit(1);
			(void)!write(ready[1], "x", 1);
			sleep(seconds);
			_exit(0);
		}
		close(ready[1]);
		char byte;
		const bool locked = read(ready[0], &byte, 1) == 1;
		close(ready[0]);
		REQUIRE(locked);
	}
	~LockHolder()
	{
		kill(pid_, SIGKILL);
		waitpid(pid_, nullptr, 0);
	}
	pid_t pid() const { return pid_; }

private:
	pid_t pid_ = -1;
};

/* Sets an environment variable for the CLI runs in one scope. */
class ScopedEnv
{
public:
	ScopedEnv(const char *name, const char *value) : name_(name) { setenv(name, value, 1); }
	~ScopedEnv() { unsetenv(name_); }

private:
	const char *name_;
};

nlohmann::json status_json(const CliOptions &options)
{
	const test::CliResult result = run_cli({"status", "--json"}, options);
	INFO("stderr: " << result.err);
	REQUIRE(result.status == 0);
	return nlohmann::json::parse(result.out);
}

} // namespace

TEST_CASE("pin safety: a pin directory another user made is refused by every command, untouched",
	  "[pins][safety]")
{
	test::PrivateBpffs bpffs;
	test::TempCgroup cgroup;
	/* bpffs as systems mount it: 1777, so any user can make the directory first. */
	REQUIRE(chmod(bpffs.path().c_str(), 01777) == 0);
	const std::string dir = bpffs.path() + "/bpfoom";
	as_nobody([&] { return mkdir(dir.c_str(), 0777) == 0 && chmod(dir.c_str(), 0777) == 0; });
	CliOptions options;
	options.pin_dir = dir;

	for (const auto &args : every_command(cgroup.path()))
		check_refused(args, options, 4,
			      {dir + " is owned by uid 65534", "with mode 0777",
			       "set BPFOOM_PIN_DIR to another directory", "rm -r " + dir});
	/* Refused, not repaired: chmod would be undone by its owner at once. */
	const struct stat st = lstat_of(dir);
	CHECK(st.st_uid == nobody);
	CHECK((st.st_mode & 07777) == 0777);

	/* Root's own directory, but open to others, is refused too. */
	REQUIRE(rmdir(dir.c_str()) == 0);
	REQUIRE(mkdir(dir.c_str(), 0700) == 0);
	REQUIRE(chmod(dir.c_str(), 0755) == 0);
	check_refused({"status"}, options, 4, {dir + " is owned by uid 0 (root) with mode 0755"});
	/* Nor does the library's writer that takes its lock without any map. */
	try {
		Policy(dir).unload();
		FAIL("unloaded from a pin directory others can read");
	} catch (const Error &e) {
		CHECK(e.kind() == Errc::unsupported);
	}

	/* And so is a symbolic link, wherever it points. */
	REQUIRE(chmod(dir.c_str(), 0700) == 0);
	const std::string link = bpffs.path() + "/bpfoom-link";
	REQUIRE(symlink(dir.c_str(), link.c_str()) == 0);
	options.pin_dir = link;
	check_refused({"list"}, options, 4, {link + " is a symbolic link"});
}

TEST_CASE("pin safety: a pin another user owns, or others can open, is refused", "[pins][safety]")
{
	OneEntryMaps maps;
	const std::string priorities = maps.policy.pins() / pins::priorities;
	const PriorityTable before = maps.policy.priorities().list();

	/* What another user's pin looks like: root pins it here, then gives it away. */
	REQUIRE(chown(priorities.c_str(), nobody, nobody) == 0);
	for (const auto &args :
	     std::vector<std::vector<std::string>>{{"list"},
						   {"status"},
						   {"set", maps.cgroup.path(), "5"},
						   {"get", maps.cgroup.path()}})
		check_refused(args, maps.options, 4,
			      {priorities + " is owned by uid 65534", "with mode 0600",
			       "'bpfoom unload' removes every pin"});

	REQUIRE(chown(priorities.c_str(), 0, 0) == 0);
	REQUIRE(chmod(priorities.c_str(), 0644) == 0);
	check_refused({"list"}, maps.options, 4,
		      {priorities + " is owned by uid 0 (root) with mode 0644"});

	REQUIRE(chmod(priorities.c_str(), 0600) == 0);
	CHECK(maps.policy.priorities().list() == before);
	CHECK(run_cli({"list"}, maps.options).status == 0);
}

TEST_CASE("pin safety: a staged link another user owns is not rolled forward", "[pins][safety]")
{
	OneEntryMaps maps;
	const PinDir &pins = maps.policy.pins();
	for (auto name : pins::links)
		maps.pin_stand_in(pins::staged_name(name));
	REQUIRE(mkdir((pins / pins::commit_marker).c_str(), 0700) == 0);
	REQUIRE(chown((pins / pins::staged_name(pins::link_eval)).c_str(), nobody, nobody) == 0);
	check_refused({"set", maps.cgroup.path(), "5"}, maps.options, 4,
		      {pins / pins::staged_name(pins::link_eval) + " is owned by uid 65534"});
	CHECK_FALSE(pins.contains(pins::link_eval));
}

TEST_CASE("pin safety: a lock held too long is given up on, naming its holder", "[pins][safety]")
{
	OneEntryMaps maps;
	const PriorityTable before = maps.policy.priorities().list();
	LockHolder holder(maps.options.pin_dir, "lockholder");

	ScopedEnv timeout("BPFOOM_LOCK_TIMEOUT", "1");
	for (const auto &args : std::vector<std::vector<std::string>>{
		 {"set", maps.cgroup.path(), "5"}, {"unset", maps.cgroup.path()}, {"unload"}}) {
		const auto started = std::chrono::steady_clock::now();
		check_refused(args, maps.options, 7,
			      {"gave up after 1 s waiting for the lock on " + maps.options.pin_dir,
			       "held by pid " + std::to_string(holder.pid()) + " (lockholder)"});
		const auto waited = std::chrono::steady_clock::now() - started;
		CHECK(waited >= std::chrono::milliseconds(1000));
		CHECK(waited < std::chrono::seconds(5));
	}
	CHECK(maps.policy.priorities().list() == before);

	/* The library's writers are bounded too. */
	try {
		const PolicyChange change{
		    Policy(maps.options.pin_dir, std::chrono::milliseconds(100))};
		FAIL("took a lock another process holds");
	} catch (const Error &e) {
		CHECK(e.kind() == Errc::busy);
		CHECK(exit_code(e.kind()) == 7);
	}
}

TEST_CASE("pin safety: a bad BPFOOM_LOCK_TIMEOUT is refused by name", "[pins][safety]")
{
	OneEntryMaps maps;
	for (const char *value : {"abc", "-1", "1e3", "0.", "1.2345", "86401", " 5"}) {
		ScopedEnv timeout("BPFOOM_LOCK_TIMEOUT", value);
		for (const auto &args : std::vector<std::vector<std::string>>{
			 {"status"}, {"set", maps.cgroup.path(), "5"}})
			check_refused(args, maps.options, 3,
				      {"BPFOOM_LOCK_TIMEOUT '" + std::string(value) +
				       "' is not a number of seconds"});
	}
	for (const char *value : {"0", "0.5", "10", "86400"}) {
		ScopedEnv timeout("BPFOOM_LOCK_TIMEOUT", value);
		CHECK(run_cli({"set", maps.cgroup.path(), "5"}, maps.options).status == 0);
	}
}

TEST_CASE("pin safety: /proc/locks is parsed for FLOCK holders, whatever else it holds",
	  "[pins][safety]")
{
	const dev_t dev = makedev(0, 0x2f);
	const std::string text = "1: POSIX  ADVISORY  WRITE 11 00:2f:77 0 EOF\n"
				 "2: FLOCK  ADVISORY  WRITE 22 00:2f:77 0 EOF\n"
				 "2: -> FLOCK  ADVISORY  WRITE 23 00:2f:77 0 EOF\n"
				 "3: FLOCK  ADVISORY  READ  24 00:2f:78 0 EOF\n"
				 "4: FLOCK  ADVISORY  WRITE 25 00:2e:77 0 EOF\n"
				 "5: FLOCK  ADVISORY  READ  26 00:2f:77 0 EOF\n"
				 "garbage\n"
				 "6: FLOCK\n"
				 "7: FLOCK  ADVISORY  WRITE notapid 00:2f:77 0 EOF\n"
				 "8: FLOCK  ADVISORY  WRITE 27 00:2f:77x 0 EOF\n"
				 "9: FLOCK  ADVISORY  WRITE 28 2f:77 0 EOF\n"
				 "10: FLOCK  ADVISORY  WRITE 22 00:2f:77 0 EOF\n"
				 "11: FLOCK  ADVISORY  WRITE 29 00:2f:77";
	CHECK(flock_holders(text, dev, 77) == std::vector<pid_t>{22, 26, 29});
	CHECK(flock_holders("", dev, 77).empty());
	CHECK(flock_holders(std::string(4096, '\0'), dev, 77).empty());
}

TEST_CASE("pin safety: a pin directory off bpffs says so from every command", "[pins][safety]")
{
	test::TempCgroup cgroup;
	char dir[] = "/tmp/bpfoom-not-bpffs.XXXXXX"; // 0700, root's: only the filesystem is wrong
	REQUIRE(mkdtemp(dir));
	CliOptions options;
	options.pin_dir = dir;
	for (const auto &args : every_command(cgroup.path()))
		check_refused(args, options, 4, {std::string(dir) + " is not a bpffs directory"});
	CHECK(lstat_of(dir).st_mode & S_IFDIR); // unload did not remove it
	rmdir(dir);
}

TEST_CASE("pin safety: a pinned map of another layout is an incompatible bpfoom, exit 4",
	  "[pins][safety]")
{
	OneEntryMaps maps;
	const std::string priorities = maps.policy.pins() / pins::priorities;
	REQUIRE(maps.policy.pins().unpin(pins::priorities));
	UniqueFd array(bpf_map_create(BPF_MAP_TYPE_ARRAY, "priorities", 4, 8, 4, nullptr));
	REQUIRE(array);
	maps.policy.pins().pin(array.get(), pins::priorities);
	for (const auto &args : std::vector<std::vector<std::string>>{
		 {"list"},
		 {"status"},
		 {"set", maps.cgroup.path(), "5"},
		 {"unset", maps.cgroup.path()},
		 {"get", maps.cgroup.path()},
		 {"gc"},
		 {"sync", test::write_temp_file(maps.cgroup.path() + " 1\n")}})
		check_refused(args, maps.options, 4,
			      {priorities + " was pinned by an incompatible bpfoom",
			       "run 'bpfoom unload' first"});

	const std::string settings = maps.policy.pins() / pins::settings;
	REQUIRE(maps.policy.pins().unpin(pins::settings));
	maps.policy.pins().pin(array.get(), pins::settings);
	check_refused({"config"}, maps.options, 4,
		      {settings + " was pinned by an incompatible bpfoom"});
}

TEST_CASE("pin safety: read commands tell of an interrupted load; a writer repairs it",
	  "[pins][interrupted]")
{
	OneEntryMaps maps;
	const PinDir &pins = maps.policy.pins();
	for (auto name : pins::links)
		maps.pin_stand_in(name);
	CHECK(status_json(maps.options)["interrupted"].is_null());

	/* A replacing load killed after staging its policy link. */
	maps.pin_stand_in(pins::staged_name(pins::link_eval));
	auto status = status_json(maps.options);
	CHECK(status["loaded"] == true);
	CHECK(status["links"].size() == 4);
	REQUIRE(status["interrupted"].is_string());
	const std::string sentence = status["interrupted"];
	CHECK_THAT(sentence, Catch::Contains("was interrupted") &&
				 Catch::Contains("link_eval_new is attached but not committed") &&
				 Catch::Contains("two programs decide each OOM") &&
				 Catch::Contains("run 'bpfoom load'") &&
				 Catch::Contains("'bpfoom unload'"));
	const auto human = run_cli({"status"}, maps.options);
	CHECK_THAT(human.out, Catch::Contains("interrupted: " + sentence));
	for (const auto &args : std::vector<std::vector<std::string>>{
		 {"list"}, {"get", maps.cgroup.path()}, {"list", "--json"}}) {
		const auto result = run_cli(args, maps.options);
		INFO(Catch::Detail::stringify(args) << ": " << result.err);
		CHECK(result.status == 0);
		CHECK(result.err_lines() ==
		      std::vector<std::string>{"bpfoom: warning: " + sentence});
		CHECK_FALSE(result.out.empty());
	}
	CHECK(pins.contains(pins::staged_name(pins::link_eval))); // the readers changed nothing

	/* While a writer holds the lock, it is work in progress, not an interruption. */
	{
		LockHolder holder(maps.options.pin_dir, "loader");
		const std::string busy = status_json(maps.options)["interrupted"];
		CHECK_THAT(busy, Catch::Contains("is held, so a load or unload is under way"));
	}

	/* Any writer recovers first: the staged link is rolled back. */
	CHECK(run_cli({"set", maps.cgroup.path(), "5"}, maps.options).status == 0);
	status = status_json(maps.options);
	CHECK(status["interrupted"].is_null());
	CHECK(status["links"].size() == 3);
}

TEST_CASE("pin safety: a first load killed after staging counts as loaded and interrupted",
	  "[pins][interrupted]")
{
	OneEntryMaps maps;
	for (auto name : pins::links)
		maps.pin_stand_in(pins::staged_name(name));
	const auto status = status_json(maps.options);
	CHECK(status["loaded"] == true);
	CHECK(status["links"].size() == 3);
	REQUIRE(status["interrupted"].is_string());
	CHECK_THAT(
	    status["interrupted"].get<std::string>(),
	    Catch::Contains("the staged links link_eval_new, link_oom_new and link_victim_new "
			    "are attached but not committed"));
	CHECK(run_cli({"config", "--default-priority", "1"}, maps.options).status == 0);
	CHECK_FALSE(status_json(maps.options)["loaded"] == true);
}

TEST_CASE("pin safety: an unload killed between unpins is reported, and finished by a writer",
	  "[pins][interrupted]")
{
	OneEntryMaps maps;
	const PinDir &pins = maps.policy.pins();
	/* unload removes link_eval first: what it leaves when killed after one unpin. */
	maps.pin_stand_in(pins::link_oom);
	maps.pin_stand_in(pins::link_victim);
	auto status = status_json(maps.options);
	CHECK(status["loaded"] == false);
	REQUIRE(status["interrupted"].is_string());
	CHECK_THAT(status["interrupted"].get<std::string>(),
		   Catch::Contains("only link_oom and link_victim of the links link_eval, link_oom "
				   "and link_victim are pinned"));
	const auto events = run_cli({"events", "--json"}, maps.options);
	CHECK_THAT(events.err, Catch::StartsWith("bpfoom: warning: a 'bpfoom load' or 'bpfoom "
						 "unload' was interrupted"));

	CHECK(run_cli({"unset", maps.cgroup.path()}, maps.options).status == 0);
	CHECK_FALSE(pins.contains(pins::link_oom));
	CHECK_FALSE(pins.contains(pins::link_victim));
	status = status_json(maps.options);
	CHECK(status["interrupted"].is_null());
	CHECK(status["links"].empty());
}
