// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "bpfoom/sync_file.hpp"

#include <sstream>
#include <unordered_map>

#include "bpfoom/cgroup_batch.hpp"
#include "bpfoom/error.hpp"

namespace bpfoom
{
namespace
{

Error bad_line(const std::string &source, unsigned line, const std::string &reason)
{
	return Error(Errc::bad_input, source + ":" + std::to_string(line) + ": " + reason);
}

} // namespace

std::vector<SyncEntry> parse_sync_file(std::istream &in, const std::string &source)
{
	std::vector<SyncEntry> entries;
	std::string text;
	for (unsigned line = 1; std::getline(in, text); line++) {
		if (auto hash = text.find('#'); hash != std::string::npos)
			text.erase(hash);
		std::istringstream words(text);
		std::string cgroup, priority, flag, extra;
		if (!(words >> cgroup))
			continue; // blank or comment-only
		if (!(words >> priority))
			throw bad_line(source, line,
				       "missing priority after cgroup '" + cgroup + "'");
		auto value = parse_priority(priority);
		if (!value)
			throw bad_line(source, line,
				       "priority '" + priority + "' is not a 32-bit integer");
		SyncEntry entry{cgroup, Priority{*value, 0}, line};
		if (words >> flag) {
			if (flag != "omit")
				throw bad_line(source, line,
					       "unknown flag '" + flag +
						   "' (the only flag is 'omit')");
			entry.value.flags |= BPFOOM_PRIORITY_F_OMIT;
		}
		if (words >> extra)
			throw bad_line(source, line, "unexpected '" + extra + "' after the flag");
		entries.push_back(std::move(entry));
	}
	if (in.bad())
		throw Error(Errc::bad_input, source + ": read error");
	return entries;
}

SyncTarget resolve_sync_entries(const std::vector<SyncEntry> &entries,
				const CgroupResolver &cgroups, const std::string &source)
{
	SyncTarget target;
	/* One batch: each parent directory is opened once, not walked per entry. */
	CgroupBatchResolver batch(cgroups);
	std::unordered_map<std::uint64_t, const SyncEntry *> first_seen;
	for (const auto &entry : entries) {
		const Cgroup cgroup = [&] {
			try {
				return batch.resolve(entry.cgroup);
			} catch (const Error &e) {
				throw Error(e.kind(), source + ":" + std::to_string(entry.line) +
							  ": " + e.what());
			}
		}();
		/* Compare ids, not spellings: "a", "/mnt/a" and "a/../a" are one cgroup. */
		auto [it, inserted] = first_seen.emplace(cgroup.id, &entry);
		if (!inserted)
			throw bad_line(source, entry.line,
				       "cgroup '" + entry.cgroup + "' is already listed on line " +
					   std::to_string(it->second->line) +
					   (it->second->cgroup == entry.cgroup
						? std::string()
						: " as '" + it->second->cgroup + "'"));
		target.desired[cgroup.id] = entry.value;
		target.paths[cgroup.id] = cgroup.path;
	}
	return target;
}

} // namespace bpfoom
