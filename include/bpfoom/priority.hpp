// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "bpfoom/abi.h"

namespace bpfoom
{

/* One value of the priorities map, as userspace sees it. */
struct Priority {
	std::int32_t priority = 0;
	std::uint32_t flags = 0; // BPFOOM_PRIORITY_F_*, kept raw so a round trip never loses bits
	/* The cgroup's memory request in bytes, for policies that rank by it; 0: none. */
	std::uint64_t request = 0;

	bool omit() const { return flags & BPFOOM_PRIORITY_F_OMIT; }
	bool operator==(const Priority &) const = default;
};

/* Map contents keyed by cgroup id, ordered so that listings and diffs are stable. */
using PriorityTable = std::map<std::uint64_t, Priority>;

/*
 * Parses a priority as the operator writes it: optional sign, decimal
 * digits, within [INT32_MIN, INT32_MAX]. Nothing else (no hex, no spaces).
 */
std::optional<std::int32_t> parse_priority(std::string_view text);

/*
 * Parses a memory size as an orchestrator writes a request: decimal bytes,
 * optionally with a binary suffix K, M, G or T (also Ki, Mi, Gi, Ti, as
 * Kubernetes writes them). Nothing if it is not one, or overflows 64 bits.
 */
std::optional<std::uint64_t> parse_size(std::string_view text);

/* A size as parse_size() reads it back: the largest suffix that divides it exactly. */
std::string format_size(std::uint64_t bytes);

} // namespace bpfoom
