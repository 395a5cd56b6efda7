// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// Fixtures of the host unit tests: real cgroups, a private bpffs, real maps,
// and the CLI run as a subprocess. Each fails loudly when it cannot work.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bpfoom/cgroup.hpp"
#include "bpfoom/policy.hpp"
#include "bpfoom/policy_change.hpp"
#include "bpfoom/priority_map.hpp"
#include "bpfoom/unique_fd.hpp"
#include "private_bpffs.hpp"

namespace bpfoom::test
{

using selftests::PrivateBpffs;

/* Fails the test unless running as root. */
void require_root();

/* The cgroup2 mount of this host, or a failure naming why there is none. */
CgroupMounts host_cgroup_mounts();

/* A fresh cgroup2 directory (unique name) under the cgroup2 root, or under `parent`. */
class TempCgroup
{
public:
	explicit TempCgroup(const std::string &parent = "");
	~TempCgroup();
	TempCgroup(const TempCgroup &) = delete;
	TempCgroup &operator=(const TempCgroup &) = delete;

	const std::string &path() const { return path_; }
	std::uint64_t id() const;
	/* rmdir now (the destructor then does nothing). */
	void remove();

private:
	std::string path_;
	bool removed_ = false;
};

/* A v1 hierarchy mount point: an existing one, or a named one mounted for the test. */
class V1Hierarchy
{
public:
	V1Hierarchy();
	~V1Hierarchy();
	const std::string &path() const { return path_; }
	/* The host's cgroup mounts, this hierarchy among them. */
	CgroupMounts mounts() const;

private:
	std::string path_;
	bool mounted_ = false;
};

/* A new BPF hash map with the priorities layout. */
UniqueFd create_priority_map(std::uint32_t max_entries);
/* A new settings array map, written with default settings. */
UniqueFd create_settings_map();

struct CliResult {
	int status; // exit status, or 128 + signal
	std::string out, err;
	/* The stderr lines. */
	std::vector<std::string> err_lines() const;
};

struct CliOptions {
	std::string pin_dir;
	std::string input;	// fed to stdin
	bool as_nobody = false; // setresgid/setresuid to 65534 before exec
	/* Instead of a pipe of `input`: stdin closed, or this path opened with these flags. */
	bool stdin_closed = false;
	std::string stdin_path;
	int stdin_flags = 0;
};

/*
 * A pin dir in a private bpffs holding a priorities map (an empty table of
 * `capacity` entries) and a settings map, as `bpfoom load` leaves them: all
 * the CLI's map commands need on a host whose kernel has no hook.
 */
struct PinnedMaps {
	explicit PinnedMaps(std::uint32_t capacity = 16);

	PrivateBpffs bpffs;
	Policy policy;
	CliOptions options; // pin_dir set to the policy's

	PriorityTable contents() const { return policy.priorities().list(); }
	/* A map standing in for a pin of another kind (a link, say) at `name`. */
	void pin_stand_in(std::string_view name);
};

/* Runs the built bpfoom binary with `args`. */
CliResult run_cli(const std::vector<std::string> &args, const CliOptions &options);

/* Writes `text` to a new temporary file and returns its path (removed at exit by the OS tmp
 * policy). */
/* Everything `fd` yields until EOF. */
std::string read_all(int fd);
std::string write_temp_file(const std::string &text);

} // namespace bpfoom::test
