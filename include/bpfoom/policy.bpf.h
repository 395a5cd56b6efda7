/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpfoom's policy SDK: write the ranking of the OOM killer's candidates in
 * C, and this header does the rest.
 *
 * A policy is one file that includes this header (it includes vmlinux.h,
 * the libbpf headers bpf_helpers.h, bpf_tracing.h and bpf_core_read.h, and
 * bpfoom/abi.h itself), writes two hooks and invokes BPFOOM_POLICY once:
 *
 *	#include "bpfoom/policy.bpf.h"
 *
 *	// Per candidate: fill cand->key[] with what rank() compares.
 *	static __always_inline void describe(const struct bpfoom_scan *scan,
 *					     struct task_struct *task,
 *					     struct bpfoom_candidate *cand)
 *	{
 *		cand->key[0] = bpfoom_memcg_usage_bytes(bpfoom_task_memcg(task));
 *	}
 *
 *	// <0: a dies first, >0: b dies first, 0: the kernel's badness decides.
 *	static __always_inline int rank(const struct bpfoom_scan *scan,
 *					const struct bpfoom_candidate *a,
 *					const struct bpfoom_candidate *b)
 *	{
 *		return bpfoom_rank_higher_first(a->key[0], b->key[0]);
 *	}
 *
 *	BPFOOM_POLICY(describe, rank)
 *
 * BPFOOM_POLICY defines the object's license ("GPL"; define none yourself)
 * and its three programs, whose names the loader attaches by:
 *
 *   bpfoom_oom     fentry/out_of_memory           starts the per-OOM scan state
 *   bpfoom_eval    fmod_ret/bpf_oom_evaluate_task  the verdict for one candidate
 *   bpfoom_victim  tp_btf/mark_victim              one event per victim
 *
 * and the object gets the shared maps of bpfoom/maps.bpf.h (priorities,
 * settings, counters, events), the private scan_state, and the rodata the
 * loader fills before load (bpfoom_policy_name, bpfoom_policy_hash,
 * bpfoom_page_size). A policy may define maps and globals of its own.
 *
 * What the SDK does for every candidate, before and after the hooks:
 *
 *  - describes it into cand->ref: its default-hierarchy cgroup's id, its
 *    effective priority (inherit mode: nearest listed ancestor-or-self, else
 *    the default; memoised for a run of candidates from one cgroup, so every
 *    task of a cgroup sees one answer within an OOM), the omit flag of that
 *    entry, and its badness (the kernel's oom_badness(), `points`). In
 *    tournament mode it also records cand->path, the cgroup's path with the
 *    own priorities it looked up. Candidates deeper than
 *    BPFOOM_MAX_CGROUP_DEPTH are described by their ancestor at that depth
 *    and counted in counters.depth_truncated.
 *  - calls describe_fn(scan, task, cand). cand->key[] still holds an earlier
 *    candidate's values: write every key rank_fn reads, on every path.
 *  - compares the candidate with the policy's current choice. The omit rule
 *    comes first, under every policy: a candidate whose effective entry has
 *    the omit flag ranks after every candidate whose entry has not, whatever
 *    rank_fn would say; that is a promise to the operator, not the policy's
 *    to break. Only between two candidates both omitted, or both not, is
 *    rank_fn(scan, cand, choice) asked; the first candidate of a scan has
 *    nothing to be compared with and is taken as the kernel takes it.
 *  - returns the verdict the rank implies: <0 SELECT (the candidate becomes
 *    the choice), >0 SKIP, 0 DEFAULT (the kernel compares badness, and so
 *    does the policy's own record of its choice: ties go to the later task,
 *    as in the kernel). Nothing but DEFAULT, SELECT or SKIP is ever returned;
 *    in dry-run (settings.dry_run) always DEFAULT, while the policy's choice
 *    is still tracked and reported.
 *  - keeps what the kernel's badness alone would have chosen, the scan
 *    counters and the global counters, and reads a candidate's pid and comm
 *    only if it becomes one of the two choices.
 *
 * For every victim the OOM killer marks, bpfoom_victim writes one struct
 * bpfoom_event to `events`: the victim, the policy's choice and the
 * kernel's, the scan counters, and the policy's name and hash.
 *
 * The kernel's rules hold under every policy: a task the kernel would not
 * kill is never offered, and if a scan skipped tasks and found no victim,
 * the kernel rescans without the policy. A policy decides who dies, never
 * whether the OOM killer makes progress.
 *
 * Cost: bpfoom_eval runs once per candidate of every OOM scan, under the
 * kernel's oom_lock (which is also what makes the single scan_state entry
 * safe). The SDK's share is three map lookups (settings, counters, the
 * priorities slot), one for scan_state, and at most BPFOOM_MAX_CGROUP_DEPTH
 * + 1 table lookups to describe a cgroup (none for a repeated cgroup in
 * inherit mode). Write the hooks static __always_inline: a hook that does
 * nothing then costs nothing. Read kernel structures with direct loads
 * (task->field), which cost no helper call, as the helpers below do; bound
 * every loop by a constant (BPFOOM_MAX_CGROUP_DEPTH for cgroup walks); do
 * in describe_fn, once per candidate, what rank_fn would otherwise redo per
 * comparison. bpfoom_cgroup_entry() and bpfoom_cgroup_priority() cost a
 * map lookup each. The memcg helpers are direct loads; the memcg pointer
 * comes from bpf_rdonly_cast(), a kfunc call the verifier rewrites into a
 * register move, and is read-only: load through it, pass it to no helper.
 *
 * Helpers for hooks (all static __always_inline):
 *
 *   bpfoom_describe_none(scan, task, cand)      a describe_fn that does nothing
 *   bpfoom_rank_by_priority(scan, a, b)         the priority policy's ranking
 *   bpfoom_cgroup_entry(scan, cgroup_id)        the cgroup's own entry, or NULL
 *   bpfoom_cgroup_priority(scan, cgroup_id)     its own priority, or the default
 *   bpfoom_task_cgroup(task), bpfoom_cgroup_id(cgrp), bpfoom_cgroup_parent(cgrp),
 *   bpfoom_cgroup_id_at(cgrp, level), bpfoom_describe_cgroup(...)
 *                                               the cgroup walk (cgroup_priority.bpf.h)
 *   bpfoom_task_memcg(task)                     the task's memory cgroup
 *   bpfoom_memcg_usage_bytes(memcg), bpfoom_memcg_max_bytes(memcg),
 *   bpfoom_memcg_oom_group(memcg), bpfoom_memcg_parent(memcg),
 *   bpfoom_memcg_cgroup_id(memcg)               read at OOM time by direct loads
 *   bpfoom_cmp_s64(x, y), bpfoom_cmp_u64(x, y)  -1, 0, 1 as x <, ==, > y
 *   bpfoom_rank_higher_first(x, y), bpfoom_rank_lower_first(x, y)
 *                                               a rank: the larger (smaller) dies first
 *   bpfoom_rank_then(first, second)             first, or second if first is 0
 */
#ifndef BPFOOM_POLICY_BPF_H
#define BPFOOM_POLICY_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpfoom/abi.h"
#include "bpfoom/maps.bpf.h"
#include "bpfoom/cgroup_priority.bpf.h"

/*
 * Written by the loader before it loads the object (found by name in the
 * .rodata datasec): the policy's name and hash, which every event carries,
 * and the page size, the unit of the memcg counters. Until a loader writes
 * them they hold these initial values.
 */
const volatile char bpfoom_policy_name[BPFOOM_POLICY_NAME_LEN] __attribute__((aligned(8))) = "";
const volatile __u64 bpfoom_policy_hash = 0;
const volatile __u64 bpfoom_page_size = 4096;

/* The policy's own keys per candidate. */
#define BPFOOM_CANDIDATE_KEYS 2

/* A candidate as the SDK described it, with the policy's keys. */
struct bpfoom_candidate {
	/*
	 * cgroup_id, priority (effective, inherit mode's rule), flags
	 * (BPFOOM_TASK_F_VALID, BPFOOM_TASK_F_OMIT) and badness are the
	 * SDK's, filled before describe_fn. pid, tgid and comm are filled
	 * only once the candidate becomes a choice: in rank_fn, b's (the
	 * current choice's) are its own, a's are not yet (describe_fn has the
	 * task itself: task->pid).
	 */
	struct bpfoom_task_ref ref;
	/* describe_fn's, for rank_fn; an earlier candidate's until written. */
	__s64 key[BPFOOM_CANDIDATE_KEYS];
	/* Tournament mode only: the cgroup's path from the root (depth 0 otherwise). */
	struct bpfoom_cgroup_path path;
};

/* What the hooks see of the OOM in progress; valid for one evaluation. */
struct bpfoom_scan {
	const struct bpfoom_settings *settings; /* never NULL */
	void *priorities;	/* the current table, NULL if empty: see bpfoom_cgroup_entry() */
	struct oom_control *oc; /* oc->memcg: the OOM memcg, NULL for a global OOM */
};

/*
 * Inherit mode's answer for the cgroup of the last candidate. The kernel
 * scans a memcg OOM cgroup by cgroup, so consecutive candidates mostly share
 * a cgroup; within one scan each cgroup is then described once, and all its
 * tasks see the same priority even if it is rewritten mid-scan. Keyed by the
 * cgroup id, which is never reused.
 */
struct bpfoom__inherit_memo {
	__u64 cgroup_id; /* 0: empty */
	__s32 priority;
	__u32 flags;
	bool depth_truncated;
};

struct bpfoom__scan_state {
	__u64 oc;	    /* the oom_control of the OOM in progress */
	__u64 oom_pid_tgid; /* the task running out_of_memory() */
	struct bpfoom__inherit_memo memo;
	__u32 candidates;
	__u32 selected;
	__u32 skipped;
	/*
	 * slot[choice] is the policy's choice; the other slot describes the
	 * candidate being ranked, and becomes the choice by flipping the index
	 * rather than by being copied.
	 */
	__u32 choice;
	struct bpfoom_candidate slot[2];
	struct bpfoom_task_ref kernel_choice;
};

/* Private to the SDK's programs; not pinned. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bpfoom__scan_state);
} scan_state SEC(".maps");

/* ---- helpers for policies ---- */

/* The cgroup's own entry in the current table, or NULL (not listed, or no table). */
static __always_inline const struct bpfoom_priority *
bpfoom_cgroup_entry(const struct bpfoom_scan *scan, __u64 cgroup_id)
{
	return scan->priorities ? bpf_map_lookup_elem(scan->priorities, &cgroup_id) : NULL;
}

/* The cgroup's own priority, or the default if it has no entry (no inheritance). */
static __always_inline __s32 bpfoom_cgroup_priority(const struct bpfoom_scan *scan, __u64 cgroup_id)
{
	const struct bpfoom_priority *entry = bpfoom_cgroup_entry(scan, cgroup_id);

	return entry ? entry->priority : scan->settings->default_priority;
}

/* -1, 0 or 1 as x is less than, equal to or greater than y. */
static __always_inline int bpfoom_cmp_s64(__s64 x, __s64 y)
{
	return x < y ? -1 : x > y ? 1 : 0;
}

static __always_inline int bpfoom_cmp_u64(__u64 x, __u64 y)
{
	return x < y ? -1 : x > y ? 1 : 0;
}

/* A rank where the candidate with the higher value dies first. */
static __always_inline int bpfoom_rank_higher_first(__s64 x, __s64 y)
{
	return bpfoom_cmp_s64(y, x);
}

/* A rank where the candidate with the lower value dies first. */
static __always_inline int bpfoom_rank_lower_first(__s64 x, __s64 y)
{
	return bpfoom_cmp_s64(x, y);
}

/* Ranks chained: `first`, unless it is a tie. */
static __always_inline int bpfoom_rank_then(int first, int second)
{
	return first ? first : second;
}

/* A describe_fn for policies that rank by what the SDK describes. */
static __always_inline void bpfoom_describe_none(const struct bpfoom_scan *scan,
						 struct task_struct *task,
						 struct bpfoom_candidate *cand)
{
}

/*
 * The own priority of the path's cgroup at `level` (<= depth): the one
 * bpfoom_describe_cgroup() looked up, else a lookup.
 */
static __always_inline __s32 bpfoom__own_priority_at(const struct bpfoom_scan *scan,
						     const struct bpfoom_cgroup_path *path,
						     int level)
{
	if (level >= (int)path->own_from)
		return path->own[level];
	return bpfoom_cgroup_priority(scan, path->id[level]);
}

/*
 * The first level below the root where the two paths hold different
 * cgroups (two siblings), or 0 if there is none down to the shallower
 * path's depth: the same cgroup, or one path a prefix of the other.
 *
 * A subprogram rather than inlined, for cost: the loop runs for every
 * tournament comparison, once per level. Inlined into bpfoom_eval it had
 * all of the evaluation's live values around it, more than BPF has
 * registers for, and each iteration reloaded its pointers from the stack:
 * about 18 instructions an iteration against 10 here, where the call and
 * its return cost less than one iteration's reloads. It only searches; the
 * own priorities at that level, which may take a map lookup, are looked up
 * by the caller.
 */
static __noinline int bpfoom__diverge_level(const struct bpfoom_cgroup_path *a,
					    const struct bpfoom_cgroup_path *b)
{
	int depth_a = a->depth, depth_b = b->depth;
	int depth = depth_a < depth_b ? depth_a : depth_b;

	for (int i = 1; i <= BPFOOM_MAX_CGROUP_DEPTH; i++) {
		if (i > depth)
			break;
		if (a->id[i] != b->id[i])
			return i;
	}
	return 0;
}

/*
 * The priority policy's rank: the lower priority dies first. Inherit mode
 * compares the effective priorities (ref.priority); tournament mode the own
 * priorities of the two sibling cgroups where the paths diverge (the same
 * cgroup, or one path a prefix of the other: equal rank). At equal rank,
 * 0: the kernel's badness decides. The omit rule is the SDK's, applied
 * before.
 */
static __always_inline int bpfoom_rank_by_priority(const struct bpfoom_scan *scan,
						   const struct bpfoom_candidate *a,
						   const struct bpfoom_candidate *b)
{
	__s32 pa = a->ref.priority, pb = b->ref.priority;

	if (scan->settings->mode == BPFOOM_MODE_TOURNAMENT) {
		int level = bpfoom__diverge_level(&a->path, &b->path);

		pa = pb = 0;
		if (level) {
			pa = bpfoom__own_priority_at(scan, &a->path, level);
			pb = bpfoom__own_priority_at(scan, &b->path, level);
		}
	}
	return pa < pb ? -1 : pa > pb ? 1 : 0;
}

/*
 * A css as the mem_cgroup it is the first member of. The verifier knows a
 * css only as a css; bpf_rdonly_cast() tells it the containing type (a
 * read-only pointer: loads only, no helper arguments), and is rewritten by
 * it into a register move, so it costs nothing at run time (Linux 6.2+).
 */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;

static __always_inline struct mem_cgroup *bpfoom__memcg_of(struct cgroup_subsys_state *css)
{
	return bpf_rdonly_cast(container_of(css, struct mem_cgroup, css),
			       bpf_core_type_id_kernel(struct mem_cgroup));
}

/*
 * The task's memory cgroup: the css of the memory controller in its
 * default-hierarchy cgroup, which is that of the nearest ancestor-or-self
 * cgroup with the controller enabled (the root's if none). Needs
 * CONFIG_MEMCG. No NULL tests in the memcg helpers, as in the cgroup walk:
 * a direct load through NULL reads 0, and the pointer keeps its type for
 * the verifier.
 */
static __always_inline struct mem_cgroup *bpfoom_task_memcg(struct task_struct *task)
{
	/* The running kernel's index, not vmlinux.h's: relocated at load. */
	int id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	struct cgroup_subsys_state **subsys = task->cgroups->subsys;

	return bpfoom__memcg_of(subsys[id]);
}

/* The memcg's usage (memory.current) in bytes; 0 for NULL. */
static __always_inline __u64 bpfoom_memcg_usage_bytes(struct mem_cgroup *memcg)
{
	return (__u64)memcg->memory.usage.counter * bpfoom_page_size;
}

#define BPFOOM_MEMCG_MAX_UNLIMITED (~0ULL)

/* The memcg's limit (memory.max) in bytes, BPFOOM_MEMCG_MAX_UNLIMITED if "max"; 0 for NULL. */
static __always_inline __u64 bpfoom_memcg_max_bytes(struct mem_cgroup *memcg)
{
	__u64 page_size = bpfoom_page_size;
	__u64 pages = memcg->memory.max;

	/* PAGE_COUNTER_MAX, LONG_MAX / PAGE_SIZE, is "max". */
	if (!page_size || pages >= 0x7fffffffffffffffULL / page_size)
		return BPFOOM_MEMCG_MAX_UNLIMITED;
	return pages * page_size;
}

/* Whether the memcg kills all its tasks together (memory.oom.group); false for NULL. */
static __always_inline bool bpfoom_memcg_oom_group(struct mem_cgroup *memcg)
{
	return memcg->oom_group;
}

/* The memcg's parent; NULL for the root (and for NULL). */
static __always_inline struct mem_cgroup *bpfoom_memcg_parent(struct mem_cgroup *memcg)
{
	return bpfoom__memcg_of(memcg->css.parent);
}

/* The cgroup id of the memcg's cgroup; 0 for NULL. */
static __always_inline __u64 bpfoom_memcg_cgroup_id(struct mem_cgroup *memcg)
{
	return memcg->css.cgroup->kn->id;
}

/* ---- the SDK's programs; policies use them through BPFOOM_POLICY ---- */

/*
 * Inherit mode's bpfoom_describe_cgroup() without a path, answered from the
 * memo for a repeated cgroup. Returns whether the cgroup is deeper than the
 * depth limit.
 */
static __always_inline bool bpfoom__describe_inherit(struct task_struct *task,
						     const struct bpfoom_settings *cfg, void *table,
						     struct bpfoom_task_ref *ref,
						     struct bpfoom__inherit_memo *memo)
{
	__u64 id = bpfoom_task_cgroup(task)->kn->id;

	if (id && id == memo->cgroup_id) {
		ref->cgroup_id = id;
		ref->priority = memo->priority;
		ref->flags = memo->flags;
		return memo->depth_truncated;
	}
	memo->depth_truncated =
	    bpfoom_describe_cgroup(bpfoom_task_cgroup(task), cfg, table, ref, NULL);
	memo->cgroup_id = ref->cgroup_id;
	memo->priority = ref->priority;
	memo->flags = ref->flags;
	return memo->depth_truncated;
}

/* The parts of a task's record only a choice or a victim needs. */
static __always_inline void bpfoom__fill_identity(struct task_struct *task,
						  struct bpfoom_task_ref *ref)
{
	ref->pid = task->pid;
	ref->tgid = task->tgid;
	__builtin_memcpy(ref->comm, task->comm, sizeof(ref->comm));
}

static __always_inline int bpfoom__on_oom(struct oom_control *oc)
{
	struct bpfoom_counters *counters = bpfoom_counters_entry();
	__u32 zero = 0;
	struct bpfoom__scan_state *st = bpf_map_lookup_elem(&scan_state, &zero);

	bpfoom_count(counters, ooms);
	if (!st)
		return 0;
	__builtin_memset(st, 0, sizeof(*st));
	st->oc = (__u64)oc;
	st->oom_pid_tgid = bpf_get_current_pid_tgid();
	return 0;
}

/* One evaluation in progress: what bpfoom__eval_begin() sets up for the hooks and the end. */
struct bpfoom__eval {
	struct bpfoom_scan scan;
	struct bpfoom_counters *counters;
	struct bpfoom__scan_state *st;
	struct bpfoom_candidate *cand;	 /* the spare slot, describing the task */
	struct bpfoom_candidate *choice; /* the policy's current choice */
	__u32 cur;			 /* choice's slot */
};

/*
 * Describes the candidate into the spare slot and counts it. Returns false
 * (answer DEFAULT, call no hook) only if the scan state is missing.
 */
static __always_inline bool bpfoom__eval_begin(struct bpfoom__eval *e, struct task_struct *task,
					       struct oom_control *oc, long points)
{
	struct bpfoom__scan_state *st;
	__u32 zero = 0;
	bool truncated;

	e->scan.settings = bpfoom_current_settings();
	e->counters = bpfoom_counters_entry();
	e->scan.priorities = bpfoom_current_priorities();
	e->scan.oc = oc;

	st = bpf_map_lookup_elem(&scan_state, &zero);
	if (!st)
		return false;
	if (st->oc != (__u64)oc) {
		/* out_of_memory() was not seen: start the scan here. */
		__builtin_memset(st, 0, sizeof(*st));
		st->oc = (__u64)oc;
	}
	e->st = st;
	e->cur = st->choice & 1;
	e->choice = &st->slot[e->cur];
	e->cand = &st->slot[e->cur ^ 1];

	/*
	 * Two calls, so that each inlined copy sees a constant path: a
	 * pointer selected at run time would reach the verifier as a scalar.
	 */
	if (e->scan.settings->mode == BPFOOM_MODE_TOURNAMENT) {
		truncated =
		    bpfoom_describe_cgroup(bpfoom_task_cgroup(task), e->scan.settings,
					   e->scan.priorities, &e->cand->ref, &e->cand->path);
	} else {
		truncated = bpfoom__describe_inherit(task, e->scan.settings, e->scan.priorities,
						     &e->cand->ref, &st->memo);
		e->cand->path.depth = 0; /* no path: equal rank if the mode changes mid-scan */
	}
	if (truncated)
		bpfoom_count(e->counters,
			     depth_truncated); /* ranked by its ancestor at the limit */
	e->cand->ref.badness = points;
	st->candidates++;
	bpfoom_count(e->counters, candidates);
	return true;
}

/*
 * The omit rule, every policy's: an omitted candidate ranks after one that
 * is not. 0 if both are omitted or neither is: then the policy ranks.
 */
static __always_inline int bpfoom__rank_omit(const struct bpfoom_candidate *a,
					     const struct bpfoom_candidate *b)
{
	bool a_omit = a->ref.flags & BPFOOM_TASK_F_OMIT;
	bool b_omit = b->ref.flags & BPFOOM_TASK_F_OMIT;

	if (a_omit != b_omit)
		return a_omit ? 1 : -1;
	return 0;
}

/*
 * The policy's choice and the kernel's updated from the rank of the
 * candidate against the policy's choice, the verdict classified and
 * counted once. Returns DEFAULT, SELECT or SKIP only.
 */
static __always_inline int bpfoom__eval_end(struct bpfoom__eval *e, struct task_struct *task,
					    long points, int rank)
{
	struct bpfoom__scan_state *st = e->st;
	struct bpfoom_candidate *cand = e->cand;
	int verdict;
	bool take;

	/*
	 * The policy's own choice mirrors the kernel's: the first candidate
	 * is chosen by DEFAULT (chosen_points starts at LONG_MIN), and at
	 * equal rank DEFAULT lets the kernel compare badness.
	 */
	if (rank < 0) {
		verdict = BPFOOM_VERDICT_SELECT;
		take = true;
	} else if (rank > 0) {
		verdict = BPFOOM_VERDICT_SKIP;
		take = false;
	} else {
		verdict = BPFOOM_VERDICT_DEFAULT;
		take = !(e->choice->ref.flags & BPFOOM_TASK_F_VALID) ||
		       points >= e->choice->ref.badness;
	}

	/* What the kernel's badness alone would choose: ties go to the later task. */
	if (!(st->kernel_choice.flags & BPFOOM_TASK_F_VALID) ||
	    points >= st->kernel_choice.badness) {
		bpfoom__fill_identity(task, &cand->ref);
		st->kernel_choice = cand->ref;
	} else if (take) {
		bpfoom__fill_identity(task, &cand->ref);
	}
	if (take)
		st->choice = e->cur ^ 1;

	if (e->scan.settings->dry_run)
		verdict = BPFOOM_VERDICT_DEFAULT;

	switch (verdict) {
	case BPFOOM_VERDICT_SELECT:
		st->selected++;
		bpfoom_count(e->counters, selected);
		break;
	case BPFOOM_VERDICT_SKIP:
		st->skipped++;
		bpfoom_count(e->counters, skipped);
		break;
	default:
		bpfoom_count(e->counters, defaulted);
		break;
	}
	return verdict;
}

static __always_inline int bpfoom__on_victim(struct task_struct *task)
{
	const struct bpfoom_settings *cfg = bpfoom_current_settings();
	struct bpfoom_counters *counters = bpfoom_counters_entry();
	const volatile __u64 *name = (const volatile __u64 *)bpfoom_policy_name;
	__u64 *event_name;
	struct oom_control *oc = NULL;
	struct bpfoom_event *event;
	struct bpfoom__scan_state *st;
	__u32 zero = 0;

	bpfoom_count(counters, victims);
	event = bpf_ringbuf_reserve(&events, sizeof(*event), 0);
	if (!event) {
		bpfoom_count(counters, events_dropped);
		return 0;
	}
	__builtin_memset(event, 0, sizeof(*event));
	event->boot_ns = bpf_ktime_get_boot_ns();
	/* Described for the event only: a truncation here is not a candidate's, and not counted. */
	bpfoom_describe_cgroup(bpfoom_task_cgroup(task), cfg, bpfoom_current_priorities(),
			       &event->victim, NULL);
	event->victim.badness = BPFOOM_BADNESS_UNKNOWN;
	bpfoom__fill_identity(task, &event->victim);

	/* Read as volatile: the loader rewrites these after compilation. */
	event->policy_hash = bpfoom_policy_hash;
	event_name = (__u64 *)event->policy_name;
	for (int i = 0; i < BPFOOM_POLICY_NAME_LEN / 8; i++)
		event_name[i] = name[i];

	st = bpf_map_lookup_elem(&scan_state, &zero);
	/* The scan state is this OOM's only if this task entered out_of_memory(). */
	if (st && st->oom_pid_tgid == bpf_get_current_pid_tgid())
		oc = (struct oom_control *)st->oc;

	if (oc) {
		struct mem_cgroup *memcg = BPF_CORE_READ(oc, memcg);
		struct task_struct *chosen = BPF_CORE_READ(oc, chosen);

		if (memcg) {
			event->flags |= BPFOOM_EVENT_F_MEMCG_OOM;
			event->oom_memcg_id = BPF_CORE_READ(memcg, css.cgroup, kn, id);
		}
		if (chosen == task)
			event->victim.badness = BPF_CORE_READ(oc, chosen_points);
		else
			event->flags |= BPFOOM_EVENT_F_GROUP_MEMBER;
		/* Set by the kernel only when the victim is not the one it would have chosen. */
		if (bpf_core_field_exists(oc->chosen_by_bpf) && BPF_CORE_READ(oc, chosen_by_bpf))
			event->flags |= BPFOOM_EVENT_F_POLICY;
	}
	if (oc && st->candidates) {
		event->flags |= BPFOOM_EVENT_F_HOOKED;
		if (cfg->dry_run)
			event->flags |= BPFOOM_EVENT_F_DRY_RUN;
		event->candidates = st->candidates;
		event->selected = st->selected;
		event->skipped = st->skipped;
		event->policy_choice = st->slot[st->choice & 1].ref;
		event->kernel_choice = st->kernel_choice;
	}
	bpf_ringbuf_submit(event, 0);
	return 0;
}

/*
 * The policy: the license and the three programs, around the author's
 * hooks (see the top of this file). Invoke once, at file scope.
 */
#define BPFOOM_POLICY(describe_fn, rank_fn)                                                      \
	char LICENSE[] SEC("license") = "GPL";                                                   \
                                                                                                 \
	SEC("fentry/out_of_memory")                                                              \
	int BPF_PROG(bpfoom_oom, struct oom_control *oc)                                         \
	{                                                                                        \
		return bpfoom__on_oom(oc);                                                       \
	}                                                                                        \
                                                                                                 \
	SEC("fmod_ret/bpf_oom_evaluate_task")                                                    \
	int BPF_PROG(bpfoom_eval, struct task_struct *task, struct oom_control *oc, long points, \
		     int ret)                                                                    \
	{                                                                                        \
		struct bpfoom__eval bpfoom__e;                                                   \
		int bpfoom__rank = 0;                                                            \
                                                                                                 \
		if (!bpfoom__eval_begin(&bpfoom__e, task, oc, points))                           \
			return BPFOOM_VERDICT_DEFAULT;                                           \
		describe_fn(&bpfoom__e.scan, task, bpfoom__e.cand);                              \
		if (bpfoom__e.choice->ref.flags & BPFOOM_TASK_F_VALID) {                         \
			bpfoom__rank = bpfoom__rank_omit(bpfoom__e.cand, bpfoom__e.choice);      \
			if (!bpfoom__rank)                                                       \
				bpfoom__rank =                                                   \
				    rank_fn(&bpfoom__e.scan, bpfoom__e.cand, bpfoom__e.choice);  \
		}                                                                                \
		return bpfoom__eval_end(&bpfoom__e, task, points, bpfoom__rank);                 \
	}                                                                                        \
                                                                                                 \
	SEC("tp_btf/mark_victim")                                                                \
	int BPF_PROG(bpfoom_victim, struct task_struct *task, uid_t uid)                         \
	{                                                                                        \
		return bpfoom__on_victim(task);                                                  \
	}

#endif /* BPFOOM_POLICY_BPF_H */
