// SPDX-License-Identifier: GPL-2.0
/* Malformed: does not compile (a missing semicolon). */
#include "bpfoom/policy.bpf.h"

// clang-format off
static __always_inline int rank(const struct bpfoom_scan *scan, const struct bpfoom_candidate *a,
				const struct bpfoom_candidate *b)
{
	return bpfoom_rank_by_priority(scan, a, b)
} // clang-format on

BPFOOM_POLICY(bpfoom_describe_none, rank)
