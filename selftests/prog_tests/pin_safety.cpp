// SPDX-License-Identifier: GPL-2.0
/*
 * The pin directory on the real /sys/fs/bpf (mounted 1777, as systems do)
 * of the patched kernel, with another user in play: one who makes the
 * directory before root's first load, one whose pin sits in root's
 * directory, and a process that holds the lock and never lets go.
 */
#include "bpfoom_cli.hpp"
#include "scenario_support.hpp"

#include "bpfoom/abi.h"
#include "bpfoom/pin_dir.hpp"

#include <grp.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>

using namespace bpfoom::selftests;
namespace pins = bpfoom::pins;

namespace
{

constexpr uid_t nobody = 65534;

const std::string pin_dir = BPFOOM_PIN_DIR;

// Runs `step` in a child as uid/gid 65534 and requires it to succeed.
template <typename Step> void as_nobody(Step step)
{
	pid_t child = ::fork();
	REQUIRE(child >= 0);
	if (child == 0) {
		const bool ok = ::setgroups(0, nullptr) == 0 &&
				::setresgid(nobody, nobody, nobody) == 0 &&
				::setresuid(nobody, nobody, nobody) == 0 && step();
		::_exit(ok ? 0 : 1);
	}
	int status;
	REQUIRE(::waitpid(child, &status, 0) == child);
	REQUIRE(WIFEXITED(status));
	REQUIRE(WEXITSTATUS(status) == 0);
}

struct stat lstat_of(const std::string &path)
{
	struct stat st;
	REQUIRE(::lstat(path.c_str(), &st) == 0);
	return st;
}

// Checks `result` is a refusal with `status` and one line holding every part.
void check_refused(const CommandResult &result, int status, const std::vector<std::string> &parts)
{
	INFO(result.describe());
	CHECK(result.exit_status == status);
	CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
	for (const auto &part : parts)
		CHECK_THAT(result.err, Catch::Contains(part));
}

// Whether /proc/locks shows a FLOCK held by `pid`.
bool holds_flock(pid_t pid)
{
	std::ifstream locks("/proc/locks");
	std::string line;
	while (std::getline(locks, line)) {
		std::istringstream fields(line);
		std::string id, type, mode, access;
		pid_t holder = 0;
		if (fields >> id >> type >> mode >> access >> holder && type == "FLOCK" &&
		    holder == pid)
			return true;
	}
	return false;
}

// Sets an environment variable for the bpfoom runs of one scope.
class ScopedEnv
{
public:
	ScopedEnv(const char *name, const char *value) : name_(name) { ::setenv(name, value, 1); }
	~ScopedEnv() { ::unsetenv(name_); }

private:
	const char *name_;
};

} // namespace

TEST_CASE("pin safety: a pin directory a user made before root's first load is refused",
	  "[cli][pins]")
{
	BpfoomCli cli;
	cli.must({"unload"});
	/* As systems mount it (the test guest mounts it 0700): any user can make the directory. */
	const mode_t bpffs_mode = lstat_of("/sys/fs/bpf").st_mode & 07777;
	REQUIRE(::chmod("/sys/fs/bpf", 01777) == 0);
	struct RestoreMode {
		mode_t mode;
		~RestoreMode() { ::chmod("/sys/fs/bpf", mode); }
	} restore{bpffs_mode};
	as_nobody([] {
		return ::mkdir(pin_dir.c_str(), 0777) == 0 && ::chmod(pin_dir.c_str(), 0777) == 0;
	});

	check_refused(cli.run({"load"}), 4,
		      {pin_dir + " is owned by uid 65534 (nobody) with mode 0777",
		       "rm -r " + pin_dir, "BPFOOM_PIN_DIR"});
	CHECK(count_hook_links() == 0); // nothing loaded
	const struct stat st = lstat_of(pin_dir);
	CHECK(st.st_uid == nobody); // nor chowned or chmodded into shape
	CHECK((st.st_mode & 07777) == 0777);
	check_refused(cli.run({"status"}), 4, {pin_dir + " is owned by uid 65534"});

	REQUIRE(::rmdir(pin_dir.c_str()) == 0);
	cli.must({"load"});
	CHECK(count_hook_links() == 1);
	CHECK((lstat_of(pin_dir).st_mode & 07777) == 0700);
	CHECK(lstat_of(pin_dir).st_uid == 0);
	cli.must({"unload"});
}

TEST_CASE("pin safety: a pin another user owns in root's directory is refused", "[cli][pins]")
{
	LoadedPolicy policy;
	const auto &cli = policy.cli();
	MemcgScene scene("pin-safety", 100, {"a"});
	cli.must({"set", scene.relative("a"), "10"});
	const auto entries = cli.list()["entries"];

	/* As another user's pin would look: given away here, since no user can pin in 0700. */
	const std::string priorities = pin_dir + "/" + std::string(pins::priorities);
	REQUIRE(::chown(priorities.c_str(), nobody, nobody) == 0);
	for (const std::vector<std::string> &args : std::vector<std::vector<std::string>>{
		 {"set", scene.relative("a"), "20"}, {"list"}, {"status"}, {"load"}})
		check_refused(cli.run(args), 4,
			      {priorities + " is owned by uid 65534 (nobody) with mode 0600",
			       "'bpfoom unload' removes every pin"});
	CHECK(count_hook_links() == 1); // the refused load changed nothing

	REQUIRE(::chown(priorities.c_str(), 0, 0) == 0);
	CHECK(cli.list()["entries"] == entries);
}

TEST_CASE("pin safety: a lock another process holds is waited for at most BPFOOM_LOCK_TIMEOUT",
	  "[cli][pins]")
{
	LoadedPolicy policy;
	const auto &cli = policy.cli();
	MemcgScene scene("pin-lock", 100, {"a"});

	/* flock(1) holds the lock for its command, here for 30 s (a bounded hang without the fix).
	 */
	pid_t holder = ::fork();
	REQUIRE(holder >= 0);
	if (holder == 0) {
		::setpgid(0, 0);
		::execlp("flock", "flock", pin_dir.c_str(), "sleep", "30", nullptr);
		::_exit(127);
	}
	const auto started = std::chrono::steady_clock::now();
	while (!holds_flock(holder)) {
		REQUIRE(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));
		::usleep(10000);
	}

	{
		ScopedEnv timeout("BPFOOM_LOCK_TIMEOUT", "1");
		const auto before = std::chrono::steady_clock::now();
		check_refused(cli.run({"set", scene.relative("a"), "5"}), 7,
			      {"gave up after 1 s waiting for the lock on " + pin_dir,
			       "held by pid " + std::to_string(holder) + " (flock)"});
		CHECK(std::chrono::steady_clock::now() - before < std::chrono::seconds(20));
		check_refused(cli.run({"load"}), 7, {"held by pid " + std::to_string(holder)});
	}
	::kill(-holder, SIGKILL);
	::waitpid(holder, nullptr, 0);

	cli.must({"set", scene.relative("a"), "5"});
	CHECK(count_hook_links() == 1);
}
