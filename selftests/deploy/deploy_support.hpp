// SPDX-License-Identifier: GPL-2.0
#pragma once

#include "bpfoom_cli.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <utility>

namespace bpfoom::selftests
{

// `bpfoom list --json`'s entries as cgroup path -> (priority, omit).
using PriorityEntries = std::map<std::string, std::pair<int, bool>>;
PriorityEntries entries_by_path(const nlohmann::json &list);

// The priorities map now, through the CLI.
inline PriorityEntries current_entries(const BpfoomCli &cli)
{
	return entries_by_path(cli.list());
}

} // namespace bpfoom::selftests
