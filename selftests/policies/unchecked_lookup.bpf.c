// SPDX-License-Identifier: GPL-2.0
/*
 * Compiles, but the verifier refuses it: a map lookup's result is used
 * without the NULL check, the classic first mistake.
 */
#include "bpfoom/policy.bpf.h"

static __always_inline void describe(const struct bpfoom_scan *scan, struct task_struct *task,
				     struct bpfoom_candidate *cand)
{
	__u32 zero = 0;
	struct bpfoom_settings *settings_entry = bpf_map_lookup_elem(&settings, &zero);

	cand->key[0] = settings_entry->default_priority;
}

static __always_inline int rank(const struct bpfoom_scan *scan, const struct bpfoom_candidate *a,
				const struct bpfoom_candidate *b)
{
	return bpfoom_rank_higher_first(a->key[0], b->key[0]);
}

BPFOOM_POLICY(describe, rank)
