// SPDX-License-Identifier: GPL-2.0
#pragma once

#include "non_copyable.hpp"

#include "command.hpp"

#include <bpf/bpf.h>
#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bpfoom::selftests
{

// `bpfoom list --json`'s entries as cgroup path -> (priority, omit); "(gone)"
// for a cgroup removed since it was listed.
using PriorityEntries = std::map<std::string, std::pair<int, bool>>;

// The bpfoom CLI as the VM tests drive it: a separate process, as an
// operator or an orchestrator would run it.
class BpfoomCli
{
public:
	CommandResult run(const std::vector<std::string> &args,
			  const std::string &input = {}) const;
	// Runs and fails the current test unless bpfoom exits 0.
	std::string must(const std::vector<std::string> &args, const std::string &input = {}) const;

	nlohmann::json status() const;
	nlohmann::json list() const;
	// The priorities map now, by path.
	PriorityEntries entries() const;
	// Every event buffered since the last call, oldest first.
	std::vector<nlohmann::json> drain_events() const;
};

// bpfoom loaded for the lifetime of the object, with whatever was loaded
// before unloaded first, so each scenario starts from an empty map.
class LoadedPolicy : NonCopyable
{
public:
	explicit LoadedPolicy(const std::vector<std::string> &load_args = {});
	~LoadedPolicy();

	const BpfoomCli &cli() const { return cli_; }

private:
	BpfoomCli cli_;
};

// No policy loaded while the object lives, nor left behind whatever the
// test did: for tests that load (or have something load) the policy themselves.
class NothingLoaded : NonCopyable
{
public:
	NothingLoaded();
	~NothingLoaded();
};

// A policy of the test tree (selftests/policies/NAME.bpf.c, or the tutorial's
// docs/examples/NAME.bpf.c), built on the host by `bpfoom policy build`: the
// VM loads the object rather than compile under emulation.
std::string test_policy(const std::string &name);

// The id of the loaded policy program (bpfoom_eval) in `status --json`, 0 if none.
unsigned policy_program_id(const nlohmann::json &status);

// Events whose victim has this pid.
std::vector<nlohmann::json> events_for_pid(const std::vector<nlohmann::json> &events, int pid);

// Attached links, whoever made them, for which `matches` holds.
int count_links(const std::function<bool(const bpf_link_info &)> &matches);
// The tracing links attached to the kernel's OOM hook.
int count_hook_links();
// Attached links whose program has this name.
int count_links_of(std::string_view prog_name);

} // namespace bpfoom::selftests
