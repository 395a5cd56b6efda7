// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// Fixtures of the host unit tests: real cgroups, a private bpffs, real maps,
// and the CLI run as a subprocess. Each fails loudly when it cannot work.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bpfoom/cgroup.hpp"
#include "bpfoom/policy.hpp"
#include "bpfoom/policy_change.hpp"
#include "bpfoom/priority_map.hpp"
#include "bpfoom/unique_fd.hpp"
#include "command.hpp"
#include "private_bpffs.hpp"
#include "temp_dir.hpp"
#include "test_cgroup.hpp"

namespace bpfoom::test
{

/* The shared harness (selftests/lib), under the names these tests use. */
using selftests::PrivateBpffs;
using selftests::read_all;
using selftests::TestCgroup;
/* The name some host tests still use for TestCgroup (a fresh name under the root or `parent`). */
using TempCgroup = selftests::TestCgroup;

/* Fails the test unless running as root. */
void require_root();

/* The cgroup2 mount of this host, as the library finds it, or a failure naming why there is none.
 */
CgroupMounts host_cgroup_mounts();

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
	std::optional<selftests::TempDir> mount_point_; // when mounted for the test
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
	/* Set on top of BPFOOM_PIN_DIR: BPFOOM_POLICY_CACHE, BPFOOM_CLANG... */
	std::map<std::string, std::string> env;
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

/* Runs the built bpfoom binary with `args` (selftests::run_command), BPFOOM_PIN_DIR set. */
CliResult run_cli(const std::vector<std::string> &args, const CliOptions &options);

/* Writes `text` to a new file in a scratch directory removed when the tests end; its path. */
std::string write_temp_file(const std::string &text);

} // namespace bpfoom::test
