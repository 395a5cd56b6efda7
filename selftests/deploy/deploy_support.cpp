// SPDX-License-Identifier: GPL-2.0
#include "deploy_support.hpp"

namespace bpfoom::selftests
{

PriorityEntries entries_by_path(const nlohmann::json &list)
{
	PriorityEntries entries;
	for (const auto &entry : list["entries"]) {
		const std::string path =
		    entry["path"].is_null() ? "(gone)" : entry["path"].get<std::string>();
		entries[path] = {entry["priority"].get<int>(), entry["omit"].get<bool>()};
	}
	return entries;
}

} // namespace bpfoom::selftests
