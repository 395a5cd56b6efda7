// SPDX-License-Identifier: GPL-2.0
/* youngest-first: in an OOM, the most recently started process dies first. */
#include "bpfoom/policy.bpf.h"

/* Per candidate: what rank() compares, its start time (ns since boot). */
static __always_inline void describe(const struct bpfoom_scan *scan, struct task_struct *task,
				     struct bpfoom_candidate *cand)
{
	cand->key[0] = task->start_time;
}

/* <0: a dies first, >0: b dies first, 0: the kernel's badness decides. */
static __always_inline int rank(const struct bpfoom_scan *scan, const struct bpfoom_candidate *a,
				const struct bpfoom_candidate *b)
{
	return bpfoom_rank_higher_first(a->key[0], b->key[0]);
}

BPFOOM_POLICY(describe, rank)
