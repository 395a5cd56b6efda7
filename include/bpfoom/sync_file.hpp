// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#pragma once

#include <istream>
#include <map>
#include <string>
#include <vector>

#include "bpfoom/cgroup.hpp"
#include "bpfoom/priority.hpp"

namespace bpfoom
{

/*
 * The sync file: the whole desired priorities set, one entry a line,
 *
 *     CGROUP PRIORITY [omit]
 *
 * separated by blanks; '#' starts a comment (whole line or trailing), blank
 * lines are ignored. CGROUP is a path under the cgroup2 mount, absolute or
 * relative to it (so it cannot contain blanks or '#'); PRIORITY a signed
 * 32-bit decimal integer.
 */
struct SyncEntry {
	std::string cgroup; // as written
	Priority value;
	unsigned line;
};

/*
 * Parses the syntax only. Throws Errc::bad_input with "SOURCE:LINE: REASON"
 * on the first malformed line.
 */
std::vector<SyncEntry> parse_sync_file(std::istream &in, const std::string &source);

/* The desired set of a sync file, by cgroup id, with each cgroup's canonical path. */
struct SyncTarget {
	PriorityTable desired;
	std::map<std::uint64_t, std::string> paths;
};

/*
 * Resolves every entry's cgroup and builds the desired table. Throws
 * Errc::bad_input with "SOURCE:LINE: ..." for an unknown or refused cgroup,
 * or for a cgroup listed twice (also under two spellings of one path).
 */
SyncTarget resolve_sync_entries(const std::vector<SyncEntry> &entries,
				const CgroupResolver &cgroups, const std::string &source);

} // namespace bpfoom
