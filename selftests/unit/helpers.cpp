// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "helpers.hpp"

#include <bpf/bpf.h>
#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <grp.h>
#include <fstream>
#include <sstream>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bpfoom/abi.h"
#include "bpfoom/priority_map.hpp"
#include "bpfoom/settings.hpp"

namespace bpfoom::test
{
namespace
{

std::string temp_dir(const char *prefix)
{
	std::string pattern = std::string("/tmp/") + prefix + "XXXXXX";
	if (!mkdtemp(pattern.data()))
		FAIL("mkdtemp: " << std::strerror(errno));
	return pattern;
}

} // namespace

void require_root()
{
	if (geteuid() != 0)
		FAIL("these tests create cgroups, maps and mounts: run them as root");
}

CgroupMounts host_cgroup_mounts()
{
	CgroupMounts mounts = read_cgroup_mounts();
	if (mounts.cgroup2.empty())
		FAIL("no cgroup2 is mounted on this host (see /proc/self/mountinfo)");
	return mounts;
}

TempCgroup::TempCgroup(const std::string &parent)
{
	require_root();
	const std::string base = parent.empty() ? host_cgroup_mounts().cgroup2 : parent;
	for (int attempt = 0;; attempt++) {
		path_ = base + "/bpfoom-test-" + std::to_string(getpid()) + "-" +
			std::to_string(attempt);
		if (mkdir(path_.c_str(), 0755) == 0)
			break;
		if (errno != EEXIST)
			FAIL("cannot create cgroup " << path_ << ": " << std::strerror(errno));
	}
}

TempCgroup::~TempCgroup()
{
	if (!removed_)
		rmdir(path_.c_str());
}

void TempCgroup::remove()
{
	if (rmdir(path_.c_str()) != 0)
		FAIL("cannot remove cgroup " << path_ << ": " << std::strerror(errno));
	removed_ = true;
}

std::uint64_t TempCgroup::id() const
{
	struct stat st;
	REQUIRE(stat(path_.c_str(), &st) == 0);
	return st.st_ino;
}

V1Hierarchy::V1Hierarchy()
{
	require_root();
	CgroupMounts mounts = host_cgroup_mounts();
	if (!mounts.v1.empty()) {
		path_ = mounts.v1.front().mount_point;
		return;
	}
	/* A named hierarchy without controllers: harmless, and possible on any v1-capable kernel.
	 */
	path_ = temp_dir("bpfoom-v1-");
	if (mount("cgroup", path_.c_str(), "cgroup", 0, "none,name=bpfoomtest") != 0)
		FAIL("this host has no cgroup v1 hierarchy and mounting one failed: "
		     << std::strerror(errno));
	mounted_ = true;
}

V1Hierarchy::~V1Hierarchy()
{
	if (mounted_) {
		umount2(path_.c_str(), MNT_DETACH);
		rmdir(path_.c_str());
	}
}

CgroupMounts V1Hierarchy::mounts() const
{
	CgroupMounts mounts = host_cgroup_mounts();
	for (const auto &m : mounts.v1)
		if (m.mount_point == path_)
			return mounts;
	return read_cgroup_mounts(); // the test's own v1 mount is there now
}

UniqueFd create_priority_map(std::uint32_t max_entries)
{
	require_root();
	/* The library's own constructor: the slot map and its first table, as `bpfoom load` makes
	 * them. */
	PriorityMap map = PriorityMap::create(max_entries);
	return UniqueFd(dup(map.fd()));
}

UniqueFd create_settings_map()
{
	require_root();
	UniqueFd fd(bpf_map_create(BPF_MAP_TYPE_ARRAY, "settings", sizeof(std::uint32_t),
				   sizeof(bpfoom_settings), 1, nullptr));
	if (!fd)
		FAIL("bpf_map_create(ARRAY): " << std::strerror(errno));
	SettingsMap(UniqueFd(dup(fd.get()))).write(Settings{});
	return fd;
}

PinnedMaps::PinnedMaps(std::uint32_t capacity) : policy(bpffs.path() + "/bpfoom")
{
	policy.pins().create();
	UniqueFd map = create_priority_map(capacity);
	policy.pins().pin(map.get(), pins::priorities);
	UniqueFd settings = create_settings_map();
	policy.pins().pin(settings.get(), pins::settings);
	options.pin_dir = policy.pins().path();
}

void PinnedMaps::pin_stand_in(std::string_view name)
{
	UniqueFd map = create_priority_map(1);
	policy.pins().pin(map.get(), name);
}

std::vector<std::string> CliResult::err_lines() const
{
	std::vector<std::string> lines;
	std::istringstream in(err);
	for (std::string line; std::getline(in, line);)
		lines.push_back(line);
	return lines;
}

CliResult run_cli(const std::vector<std::string> &args, const CliOptions &options)
{
	int out[2], err[2], in[2];
	REQUIRE(pipe2(out, O_CLOEXEC) == 0);
	REQUIRE(pipe2(err, O_CLOEXEC) == 0);
	REQUIRE(pipe2(in, O_CLOEXEC) == 0);
	pid_t pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		dup2(in[0], 0);
		if (options.stdin_closed) {
			close(0);
		} else if (!options.stdin_path.empty()) {
			const int fd = open(options.stdin_path.c_str(), options.stdin_flags);
			if (fd < 0 || dup2(fd, 0) != 0)
				_exit(122);
		}
		dup2(out[1], 1);
		dup2(err[1], 2);
		setenv("BPFOOM_PIN_DIR", options.pin_dir.c_str(), 1);
		if (options.as_nobody) {
			const gid_t nogroup = 65534;
			if (setgroups(0, nullptr) != 0 ||
			    setresgid(nogroup, nogroup, nogroup) != 0 ||
			    setresuid(65534, 65534, 65534) != 0)
				_exit(121);
		}
		std::vector<char *> argv;
		argv.push_back(const_cast<char *>(BPFOOM_CLI_PATH));
		for (const auto &arg : args)
			argv.push_back(const_cast<char *>(arg.c_str()));
		argv.push_back(nullptr);
		execv(BPFOOM_CLI_PATH, argv.data());
		_exit(120);
	}
	close(out[1]);
	close(err[1]);
	close(in[0]);
	/* Small inputs only: the pipe buffer holds them without a writer thread. */
	REQUIRE(options.input.size() < 60000);
	if (!options.input.empty())
		REQUIRE(write(in[1], options.input.data(), options.input.size()) ==
			static_cast<ssize_t>(options.input.size()));
	close(in[1]);
	CliResult result;
	result.out = read_all(out[0]);
	result.err = read_all(err[0]);
	close(out[0]);
	close(err[0]);
	int status;
	REQUIRE(waitpid(pid, &status, 0) == pid);
	result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (result.status == 122)
		FAIL("could not open " << options.stdin_path << " as stdin");
	if (result.status == 120 || result.status == 121)
		FAIL("could not start " << BPFOOM_CLI_PATH
					<< (options.as_nobody ? " as nobody" : ""));
	return result;
}

std::string read_all(int fd)
{
	std::string text;
	char buf[4096];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		text.append(buf, n);
	return text;
}

std::string write_temp_file(const std::string &text)
{
	std::string path = "/tmp/bpfoom-test-XXXXXX";
	int fd = mkstemp(path.data());
	REQUIRE(fd >= 0);
	REQUIRE(write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
	close(fd);
	return path;
}

} // namespace bpfoom::test
