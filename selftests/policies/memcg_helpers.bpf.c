// SPDX-License-Identifier: GPL-2.0
/*
 * A policy on the SDK (bpfoom/policy.bpf.h) that uses every helper the
 * priority policy does not, so that loading it proves the verifier takes
 * them: the largest memcg usage above its request dies first, then the
 * largest usage, then the kernel's badness.
 *
 * The usage and request of a candidate are its memory.oom.group domain's
 * if it has one (the outermost ancestor-or-self memcg with
 * memory.oom.group set below the OOM's, as the kernel would kill together),
 * else its own memcg's; the request is that cgroup's own entry's. Not a
 * shipped policy: a test of the SDK, and an example of a describe hook that
 * does real work.
 */
#include "bpfoom/policy.bpf.h"

/* The memcg whose usage a candidate is ranked by. */
static __always_inline struct mem_cgroup *group_memcg(const struct bpfoom_scan *scan,
						      struct mem_cgroup *memcg)
{
	struct mem_cgroup *oom_memcg = scan->oc->memcg;
	struct mem_cgroup *group = memcg;

	for (int i = 0; i < BPFOOM_MAX_CGROUP_DEPTH; i++) {
		if (!memcg || memcg == oom_memcg)
			break;
		if (bpfoom_memcg_oom_group(memcg))
			group = memcg;
		memcg = bpfoom_memcg_parent(memcg);
	}
	return group;
}

static __always_inline void describe(const struct bpfoom_scan *scan, struct task_struct *task,
				     struct bpfoom_candidate *cand)
{
	struct mem_cgroup *memcg = group_memcg(scan, bpfoom_task_memcg(task));
	const struct bpfoom_priority *entry;
	__u64 usage = bpfoom_memcg_usage_bytes(memcg);
	__u64 max = bpfoom_memcg_max_bytes(memcg);
	__u64 request = 0;

	entry = bpfoom_cgroup_entry(scan, bpfoom_memcg_cgroup_id(memcg));
	if (entry)
		request = entry->request;
	if (max != BPFOOM_MEMCG_MAX_UNLIMITED && usage > max)
		usage = max;
	cand->key[0] = usage > request ? (__s64)(usage - request) : 0;
	cand->key[1] = (__s64)usage;
}

static __always_inline int rank(const struct bpfoom_scan *scan, const struct bpfoom_candidate *a,
				const struct bpfoom_candidate *b)
{
	return bpfoom_rank_then(bpfoom_rank_higher_first(a->key[0], b->key[0]),
				bpfoom_rank_higher_first(a->key[1], b->key[1]));
}

BPFOOM_POLICY(describe, rank)
