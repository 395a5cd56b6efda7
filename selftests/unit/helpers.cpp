// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "helpers.hpp"

#include <bpf/bpf.h>
#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bpfoom/abi.h"
#include "bpfoom/priority_map.hpp"
#include "bpfoom/settings.hpp"

namespace bpfoom::test
{

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
	mount_point_.emplace("bpfoom-v1");
	path_ = mount_point_->path();
	if (mount("cgroup", path_.c_str(), "cgroup", 0, "none,name=bpfoomtest") != 0)
		FAIL("this host has no cgroup v1 hierarchy and mounting one failed: "
		     << std::strerror(errno));
}

V1Hierarchy::~V1Hierarchy()
{
	if (mount_point_)
		umount2(path_.c_str(), MNT_DETACH);
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
	/* A fresh load's settings, written as the kernel takes them: the library writes only
	 * pinned maps, through PolicyChange. */
	const Settings defaults;
	const std::uint32_t key = 0;
	const bpfoom_settings raw{.mode = static_cast<__u32>(defaults.mode),
				  .default_priority = defaults.default_priority,
				  .dry_run = defaults.dry_run,
				  .abi_version = defaults.abi_version};
	if (bpf_map_update_elem(fd.get(), &key, &raw, BPF_ANY) != 0)
		FAIL("writing the settings map: " << std::strerror(errno));
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
	selftests::Command command{.argv = {BPFOOM_CLI_PATH},
				   .input = options.input,
				   .stdin_closed = options.stdin_closed,
				   .stdin_path = options.stdin_path,
				   .stdin_flags = options.stdin_flags,
				   .env = {{"BPFOOM_PIN_DIR", options.pin_dir}},
				   .as_nobody = options.as_nobody};
	command.argv.insert(command.argv.end(), args.begin(), args.end());
	command.env.insert(options.env.begin(), options.env.end());
	const selftests::CommandResult result = selftests::run_command(command);
	/* A shell's convention: a signal shows as 128 + its number. */
	return {result.signal ? 128 + result.signal : result.exit_status, result.out, result.err};
}

std::string write_temp_file(const std::string &text)
{
	static const selftests::TempDir dir("bpfoom-test-files");
	static int files = 0;
	return dir.write("file-" + std::to_string(++files), text);
}

} // namespace bpfoom::test
