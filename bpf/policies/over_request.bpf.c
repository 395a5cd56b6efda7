// SPDX-License-Identifier: GPL-2.0
/*
 * over-request: the victim comes from the cgroup most over its declared
 * memory request. An orchestrator pushes each workload's request with its
 * priority (sync file `CGROUP PRIORITY [omit] request=SIZE`, or `bpfoom set
 * --request`); a Kubernetes node agent passes each pod's memory request on
 * its pod cgroup. Users asked for exactly this from the kernel OOM killer:
 * kill the container that is over its request, not the biggest one
 * (kubernetes issue 133839), the order the kubelet already uses when it
 * evicts pods under node memory pressure.
 *
 * Ranking, the kubelet's eviction order:
 *
 *  1. (the SDK, under every policy) omitted cgroups last;
 *  2. a candidate whose unit uses more than its request dies before one
 *     whose unit is within it;
 *  3. then the lower priority (inherit or tournament, as the priority
 *     policy ranks);
 *  4. then the unit further above its request, usage minus request, in
 *     bytes (negative within it: the unit closest to its request first);
 *  5. then, within one unit, the kernel's badness.
 *
 * Usage minus request, not usage over request: the bytes above the request
 * are what the node has to find, and a ratio would rank a 10 MiB workload
 * at 3x its request above a 10 GiB one at 1.5x. This is also the kubelet's
 * measure.
 *
 * A candidate's unit is its nearest ancestor-or-self memory cgroup, below
 * the OOM's scope, whose entry carries a request (a pod's cgroup, above its
 * containers'); its usage is that cgroup's memory.current. Without such an
 * entry the unit is the task's own memory cgroup with a request of zero: a
 * workload that declared nothing is over by all it uses. A request of 0 is
 * the same as none. The walk is bounded by BPFOOM_MAX_CGROUP_DEPTH.
 */
#include "bpfoom/policy.bpf.h"

static __always_inline void describe(const struct bpfoom_scan *scan, struct task_struct *task,
				     struct bpfoom_candidate *cand)
{
	struct mem_cgroup *own = bpfoom_task_memcg(task);
	struct mem_cgroup *oom_memcg = scan->oc->memcg;
	struct mem_cgroup *memcg = own, *unit = own;
	__u64 request = 0;

	for (int i = 0; i <= BPFOOM_MAX_CGROUP_DEPTH; i++) {
		const struct bpfoom_priority *entry;

		if (!memcg)
			break;
		entry = bpfoom_cgroup_entry(scan, bpfoom_memcg_cgroup_id(memcg));
		if (entry && entry->request) {
			unit = memcg;
			request = entry->request;
			break;
		}
		if (memcg == oom_memcg)
			break;
		memcg = bpfoom_memcg_parent(memcg);
	}
	/* No memory cgroup (memcg disabled): nothing to rank by, equal rank. */
	if (!unit) {
		cand->key[0] = 0;
		return;
	}
	/* Signed: within the request is below zero. Usage never nears 2^63 bytes. */
	cand->key[0] = (__s64)bpfoom_memcg_usage_bytes(unit) - (__s64)request;
}

static __always_inline int rank(const struct bpfoom_scan *scan, const struct bpfoom_candidate *a,
				const struct bpfoom_candidate *b)
{
	const bool a_over = a->key[0] > 0, b_over = b->key[0] > 0;

	if (a_over != b_over)
		return a_over ? -1 : 1;
	return bpfoom_rank_then(bpfoom_rank_by_priority(scan, a, b),
				bpfoom_rank_higher_first(a->key[0], b->key[0]));
}

BPFOOM_POLICY(describe, rank)
