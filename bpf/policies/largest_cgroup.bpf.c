// SPDX-License-Identifier: GPL-2.0
/*
 * The largest-cgroup policy: the cgroup-aware OOM killer of Roman
 * Gushchin's 2017 proposal ("mm, oom: cgroup-aware OOM killer"), fairness
 * between containers. The victim comes from the memory cgroup that uses the
 * most memory, so a container of many small processes dies before one with
 * a single bigger process whenever its total is larger; the stock kernel
 * sees only the processes, and kills the bigger one.
 *
 * Ranking, after the SDK's omit rule:
 *
 *  1. Priorities first, if any are set: bpfoom_rank_by_priority(), the
 *     priority policy's rule (inherit or tournament mode). With no
 *     priorities every candidate ties here.
 *  2. Then the candidate's unit's usage, memory.current read at OOM time:
 *     the larger unit dies first. A task's unit is its highest
 *     ancestor-or-self memcg with memory.oom.group set below the OOM's
 *     scope (oc->memcg for a memcg OOM, the root for a global one), else
 *     its own memcg: leaf memcgs are compared with each other, and an
 *     oom.group cgroup is compared as one unit, the sum of its subtree.
 *     That is the cgroup the kernel kills whole if it picks a task in it.
 *  3. Within one unit, 0: the kernel's badness decides, so the biggest task
 *     of the largest unit dies (and, if the unit is an oom.group cgroup,
 *     the kernel then kills the rest of it).
 *
 * Where it departs from the 2017 proposal, and why:
 *
 *  - The proposal chose a memcg, then killed its biggest task, or all of
 *    it if oom_group was set. Here the kernel still chooses a task, among
 *    the tasks of the largest unit: the same victim (the biggest task
 *    there; the kernel's own memory.oom.group, merged in 4.19, kills the
 *    rest of an oom.group cgroup), from a hook that ranks tasks, one at a
 *    time, and cannot choose cgroups. A memcg with no killable task is
 *    never a candidate's unit, as the proposal skipped such memcgs.
 *  - Size is memory.current, the memcg's charged memory, page cache
 *    included. The proposal summed a memcg's anonymous, unevictable,
 *    kernel stack, unreclaimable slab, socket and swap pages; memory.current
 *    is the number an operator sees and sets memory.max against, and one
 *    direct load.
 *  - Tasks in the root memcg (possible only in a global OOM): the root's
 *    memory.current is the whole machine's, so each such task is its own
 *    unit, sized by its own badness (oom_badness(), in pages, times the
 *    page size). The proposal sized the root by other measures than the
 *    leaves (the largest badness of its tasks in one version, node-wide
 *    anonymous memory in another), which its review called unfair; a
 *    hook that sees one task at a time sizes each by what it holds.
 *  - Priorities come first. The proposal, as it reached -mm, ranked by
 *    size alone (its review's third objection); bpfoom's priorities are
 *    the operator's explicit word, so size only ranks within a priority,
 *    as badness does under the priority policy.
 *  - memory.oom.group on the OOM's scope itself merges nothing: the kernel
 *    kills the whole scope then, whoever is chosen, and the units below it
 *    still decide who dies first.
 *
 * Cost: per candidate, a walk up at most BPFOOM_MAX_CGROUP_DEPTH memcgs by
 * direct loads (no helper call, no map lookup), one read of the unit's
 * usage and id into cand->key[]; rank_fn compares keys. A memcg deeper than
 * the limit below the OOM's scope is grouped only by the oom.group
 * ancestors within BPFOOM_MAX_CGROUP_DEPTH of it. Usage read for two
 * candidates of one unit can differ by what was charged in between; the
 * unit's id makes them compare equal regardless.
 */
#include "bpfoom/policy.bpf.h"

/* cand->key[] */
#define KEY_USAGE 0 /* the unit's size in bytes */
#define KEY_UNIT 1  /* the unit's cgroup id; 0 for a root-memcg task, its own unit */

static __always_inline void describe(const struct bpfoom_scan *scan, struct task_struct *task,
				     struct bpfoom_candidate *cand)
{
	struct mem_cgroup *scope = scan->oc->memcg; /* NULL in a global OOM: the root */
	struct mem_cgroup *memcg = bpfoom_task_memcg(task);
	struct mem_cgroup *unit = memcg;
	struct mem_cgroup *parent;

	/* The root memcg (no parent): the task is its own unit. */
	if (!bpfoom_memcg_parent(memcg)) {
		cand->key[KEY_USAGE] = cand->ref.badness * (__s64)bpfoom_page_size;
		cand->key[KEY_UNIT] = 0;
		return;
	}
	/* Up to, not including, the scope and the root: the highest oom.group memcg. */
	for (int i = 0; i < BPFOOM_MAX_CGROUP_DEPTH; i++) {
		parent = bpfoom_memcg_parent(memcg);
		if (!parent || memcg == scope)
			break;
		if (bpfoom_memcg_oom_group(memcg))
			unit = memcg;
		memcg = parent;
	}
	cand->key[KEY_USAGE] = (__s64)bpfoom_memcg_usage_bytes(unit);
	cand->key[KEY_UNIT] = (__s64)bpfoom_memcg_cgroup_id(unit);
}

static __always_inline int rank(const struct bpfoom_scan *scan, const struct bpfoom_candidate *a,
				const struct bpfoom_candidate *b)
{
	bool same_unit = a->key[KEY_UNIT] && a->key[KEY_UNIT] == b->key[KEY_UNIT];
	int by_usage =
	    same_unit ? 0 : bpfoom_rank_higher_first(a->key[KEY_USAGE], b->key[KEY_USAGE]);

	return bpfoom_rank_then(bpfoom_rank_by_priority(scan, a, b), by_usage);
}

BPFOOM_POLICY(describe, rank)
