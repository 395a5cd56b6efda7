// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "bpfoom/cgroup.hpp"
#include "bpfoom/priority.hpp"

namespace bpfoom
{

/*
 * The sync file: the whole desired priorities set, one entry a line,
 *
 *     CGROUP PRIORITY [omit] [request=SIZE]
 *
 * separated by spaces or tabs; '#' starts a comment (whole line or
 * trailing), blank lines are ignored. CGROUP is a path under the cgroup2
 * mount, absolute or relative to it (so it cannot contain blanks or '#');
 * PRIORITY a signed 32-bit decimal integer; the optional fields in either
 * order, each once. SIZE is the cgroup's memory request (parse_size()), for
 * policies that rank by usage over request; the priority policy ignores it.
 * A sync file is text: no control characters (NUL, escape, carriage
 * return...) anywhere. Files of the older form (no request) read as before.
 */
inline constexpr std::string_view sync_line_syntax = "CGROUP PRIORITY [omit] [request=SIZE]";

struct SyncEntry {
	std::string cgroup; // as written
	Priority value;
	unsigned line;
};

/*
 * Bounds on a sync input, so that a runaway or hostile producer (a pipe
 * that never ends, /dev/zero) is refused instead of exhausting memory.
 */
inline constexpr std::size_t sync_input_max_bytes = 64 << 20;
inline constexpr std::size_t sync_line_max_bytes = 8192;

/*
 * Reads a whole sync input from `fd` (not closed). A read error (a closed
 * or write-only descriptor, a directory) is Errc::bad_input naming `source`
 * and the reason, never an early end of input; so is passing either bound.
 */
std::string read_sync_input(int fd, const std::string &source);

/* Opens `path` and reads it as read_sync_input() does. */
std::string read_sync_file(const std::string &path);

struct SyncFileOptions {
	/*
	 * An input with no entries would remove every priority. That is what a
	 * producer that died before writing anything also sends, so it is
	 * refused unless the caller says it means it.
	 */
	bool allow_empty = false;
};

/*
 * Parses the syntax only. Throws Errc::bad_input with "SOURCE:LINE: REASON"
 * on the first malformed line; the reason never quotes the line, so that a
 * file that is not a sync file at all (a secret) is not echoed.
 */
std::vector<SyncEntry> parse_sync_file(std::string_view text, const std::string &source,
				       const SyncFileOptions &options = {});

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
