// SPDX-License-Identifier: GPL-2.0
/*
 * bpfoom's OOM policy: ranks the OOM killer's candidates by the priority of
 * their memory cgroup, read from a table that userspace updates at any
 * time (or replaces whole, see `priorities`), and reports every victim on a
 * ring buffer.
 *
 *   bpfoom_oom     fentry/out_of_memory           starts the per-OOM scan state
 *   bpfoom_eval    fmod_ret/bpf_oom_evaluate_task  the verdict for one candidate
 *   bpfoom_victim  tp_btf/mark_victim              one event per victim
 *
 * bpfoom_oom and bpfoom_victim work on any kernel; bpfoom_eval needs the
 * bpfoom hook. OOM handling is serialised by the kernel's oom_lock, which is
 * what makes a single scan_state entry safe.
 *
 * Ranking: a candidate dies before another if it is not omitted and the
 * other is; else if its priority is lower (inherit: its nearest listed
 * ancestor-or-self; tournament: the sibling cgroups where the two paths
 * diverge); else, at equal rank, the kernel's badness decides.
 *
 * bpfoom_eval runs once per candidate of every OOM scan, so it is written for
 * cost (selftests/bench measures it): kernel structures are read with direct
 * BTF loads rather than probe-read helper calls, a candidate is described
 * into the spare one of two slots and becomes the choice by flipping an index
 * rather than by copying it, its pid and comm are read only if it becomes a
 * choice, and the own priorities it looked up on the way are kept for the
 * tournament comparisons against it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpfoom/abi.h"
#include "bpfoom/cgroup_priority.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/*
 * The priorities are read through one level of indirection: the slot of
 * `priorities` holds the current table, and a sync swaps in a whole new
 * one. Each evaluation looks the slot up once and makes all its lookups in
 * that table, so it sees one set, never half of a sync. The table the
 * program got stays alive until the program returns (an inner map is freed
 * only after an RCU grace period). userspace creates the tables;
 * max_entries here is only the template's.
 */
/*
 * Sizes rather than BTF types: clang describes a struct reached only through
 * the outer map's pointer as a forward declaration, which libbpf cannot size.
 * The tables userspace creates carry no BTF either, and must match this.
 */
struct priority_table {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BPFOOM_PRIORITIES_DEFAULT_ENTRIES);
	__uint(key_size, sizeof(__u64));
	__uint(value_size, sizeof(struct bpfoom_priority));
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct priority_table);
} priorities SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bpfoom_settings);
} settings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bpfoom_counters);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

/* A candidate with what ranking it needs: its entry and, in tournament mode, its cgroup path. */
struct candidate {
	struct bpfoom_task_ref ref;
	struct cgroup_path path;
};

/*
 * Inherit mode's answer for the cgroup of the last candidate. The kernel
 * scans a memcg OOM cgroup by cgroup, so consecutive candidates mostly share
 * a cgroup; within one scan each cgroup is then described once, and all its
 * tasks see the same priority even if it is rewritten mid-scan. Keyed by the
 * cgroup id, which is never reused.
 */
struct inherit_memo {
	__u64 cgroup_id; /* 0: empty */
	__s32 priority;
	__u32 flags;
	bool depth_truncated;
};

struct scan_state {
	__u64 oc;	    /* the oom_control of the OOM in progress */
	__u64 oom_pid_tgid; /* the task running out_of_memory() */
	struct inherit_memo memo;
	__u32 candidates;
	__u32 selected;
	__u32 skipped;
	/*
	 * slot[choice] is the policy's choice; the other slot describes the
	 * candidate being ranked, and becomes the choice by flipping the index.
	 */
	__u32 choice;
	struct candidate slot[2];
	struct bpfoom_task_ref kernel_choice;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scan_state);
} scan_state SEC(".maps");

static const struct bpfoom_settings default_settings;

static __always_inline struct bpfoom_counters *counters_entry(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&counters, &zero);
}

/*
 * The one way a counter is bumped: each program looks the counters entry up
 * once, on entry, and passes it here (NULL only if the map is missing).
 */
#define count(counters, field)                                       \
	do {                                                         \
		if (counters)                                        \
			__sync_fetch_and_add(&(counters)->field, 1); \
	} while (0)

/* The current priorities table; NULL (no entries) only before the loader's first fill. */
static __always_inline void *current_priorities(void)
{
	__u32 slot = BPFOOM_PRIORITIES_SLOT;

	return bpf_map_lookup_elem(&priorities, &slot);
}

static __always_inline const struct bpfoom_settings *current_settings(void)
{
	__u32 zero = 0;
	const struct bpfoom_settings *s = bpf_map_lookup_elem(&settings, &zero);

	return s ? s : &default_settings;
}

/* The cgroup a task is ranked by: its default-hierarchy (cgroup v2) cgroup. */
static __always_inline struct cgroup *task_cgroup(struct task_struct *task)
{
	return task->cgroups->dfl_cgrp;
}

/*
 * describe_cgroup() without a path, answered from the memo for a repeated
 * cgroup. Returns whether the cgroup is deeper than the depth limit.
 */
static __always_inline bool describe_task_inherit(struct task_struct *task,
						  const struct bpfoom_settings *cfg, void *table,
						  struct bpfoom_task_ref *ref,
						  struct inherit_memo *memo)
{
	__u64 id = task_cgroup(task)->kn->id;

	if (id && id == memo->cgroup_id) {
		ref->cgroup_id = id;
		ref->priority = memo->priority;
		ref->flags = memo->flags;
		return memo->depth_truncated;
	}
	memo->depth_truncated = describe_cgroup(task_cgroup(task), cfg, table, ref, NULL);
	memo->cgroup_id = ref->cgroup_id;
	memo->priority = ref->priority;
	memo->flags = ref->flags;
	return memo->depth_truncated;
}

/* The parts of a task's record only a choice or a victim needs. */
static __always_inline void fill_identity(struct task_struct *task, struct bpfoom_task_ref *ref)
{
	ref->pid = task->pid;
	ref->tgid = task->tgid;
	__builtin_memcpy(ref->comm, task->comm, sizeof(ref->comm));
}

static __always_inline __s32 own_priority(__u64 cgroup_id, const struct bpfoom_settings *cfg,
					  void *table)
{
	struct bpfoom_priority *entry = table ? bpf_map_lookup_elem(table, &cgroup_id) : NULL;

	return entry ? entry->priority : cfg->default_priority;
}

/*
 * The own priority of the path's cgroup at `level` (<= depth): the one
 * describe_cgroup() looked up, else a lookup.
 */
static __always_inline __s32 own_priority_at(const struct cgroup_path *path, int level,
					     const struct bpfoom_settings *cfg, void *table)
{
	if (level >= (int)path->own_from)
		return path->own[level];
	return own_priority(path->id[level], cfg, table);
}

/* <0: a dies first, >0: b dies first, 0: equal rank (badness decides). */
static __always_inline int compare_rank(const struct candidate *a, const struct candidate *b,
					const struct bpfoom_settings *cfg, void *table)
{
	bool a_omit = a->ref.flags & BPFOOM_TASK_F_OMIT;
	bool b_omit = b->ref.flags & BPFOOM_TASK_F_OMIT;
	__s32 pa = a->ref.priority, pb = b->ref.priority;

	if (a_omit != b_omit)
		return a_omit ? 1 : -1;

	if (cfg->mode == BPFOOM_MODE_TOURNAMENT) {
		/*
		 * The first level where the paths diverge holds two siblings;
		 * their own entries decide. Same cgroup, or one path a prefix
		 * of the other: equal rank.
		 */
		pa = pb = 0;
		for (int i = 1; i <= BPFOOM_MAX_CGROUP_DEPTH; i++) {
			if (i > (int)a->path.depth || i > (int)b->path.depth)
				break;
			if (a->path.id[i] != b->path.id[i]) {
				pa = own_priority_at(&a->path, i, cfg, table);
				pb = own_priority_at(&b->path, i, cfg, table);
				break;
			}
		}
	}
	return pa < pb ? -1 : pa > pb ? 1 : 0;
}

SEC("fentry/out_of_memory")
int BPF_PROG(bpfoom_oom, struct oom_control *oc)
{
	struct bpfoom_counters *counters = counters_entry();
	__u32 zero = 0;
	struct scan_state *st = bpf_map_lookup_elem(&scan_state, &zero);

	count(counters, ooms);
	if (!st)
		return 0;
	__builtin_memset(st, 0, sizeof(*st));
	st->oc = (__u64)oc;
	st->oom_pid_tgid = bpf_get_current_pid_tgid();
	return 0;
}

SEC("fmod_ret/bpf_oom_evaluate_task")
int BPF_PROG(bpfoom_eval, struct task_struct *task, struct oom_control *oc, long points, int ret)
{
	const struct bpfoom_settings *cfg = current_settings();
	struct bpfoom_counters *counters = counters_entry();
	void *table = current_priorities();
	struct candidate *cand, *choice;
	struct scan_state *st;
	bool take, truncated;
	__u32 zero = 0, cur;
	int verdict;
	int rank;

	st = bpf_map_lookup_elem(&scan_state, &zero);
	if (!st)
		return BPFOOM_VERDICT_DEFAULT;
	if (st->oc != (__u64)oc) {
		/* out_of_memory() was not seen: start the scan here. */
		__builtin_memset(st, 0, sizeof(*st));
		st->oc = (__u64)oc;
	}
	cur = st->choice & 1;
	choice = &st->slot[cur];
	cand = &st->slot[cur ^ 1];

	/*
	 * Two calls, so that each inlined copy sees a constant path: a
	 * pointer selected at run time would reach the verifier as a scalar.
	 */
	if (cfg->mode == BPFOOM_MODE_TOURNAMENT) {
		truncated = describe_cgroup(task_cgroup(task), cfg, table, &cand->ref, &cand->path);
	} else {
		truncated = describe_task_inherit(task, cfg, table, &cand->ref, &st->memo);
		cand->path.depth = 0; /* no path: equal rank if the mode changes mid-scan */
	}
	if (truncated)
		count(counters, depth_truncated); /* ranked by its ancestor at the limit */
	cand->ref.badness = points;
	st->candidates++;
	count(counters, candidates);

	/*
	 * The policy's own choice mirrors the kernel's: the first candidate
	 * is chosen by DEFAULT (chosen_points starts at LONG_MIN), and at
	 * equal rank DEFAULT lets the kernel compare badness.
	 */
	if (!(choice->ref.flags & BPFOOM_TASK_F_VALID)) {
		rank = 0;
	} else {
		rank = compare_rank(cand, choice, cfg, table);
	}

	if (rank < 0) {
		verdict = BPFOOM_VERDICT_SELECT;
		take = true;
	} else if (rank > 0) {
		verdict = BPFOOM_VERDICT_SKIP;
		take = false;
	} else {
		verdict = BPFOOM_VERDICT_DEFAULT;
		take = !(choice->ref.flags & BPFOOM_TASK_F_VALID) || points >= choice->ref.badness;
	}

	/* What the kernel's badness alone would choose: ties go to the later task. */
	if (!(st->kernel_choice.flags & BPFOOM_TASK_F_VALID) ||
	    points >= st->kernel_choice.badness) {
		fill_identity(task, &cand->ref);
		st->kernel_choice = cand->ref;
	} else if (take) {
		fill_identity(task, &cand->ref);
	}
	if (take)
		st->choice = cur ^ 1;

	if (cfg->dry_run)
		verdict = BPFOOM_VERDICT_DEFAULT;

	switch (verdict) {
	case BPFOOM_VERDICT_SELECT:
		st->selected++;
		count(counters, selected);
		break;
	case BPFOOM_VERDICT_SKIP:
		st->skipped++;
		count(counters, skipped);
		break;
	default:
		count(counters, defaulted);
		break;
	}
	return verdict;
}

SEC("tp_btf/mark_victim")
int BPF_PROG(bpfoom_victim, struct task_struct *task, uid_t uid)
{
	const struct bpfoom_settings *cfg = current_settings();
	struct bpfoom_counters *counters = counters_entry();
	struct oom_control *oc = NULL;
	struct bpfoom_event *event;
	struct scan_state *st;
	__u32 zero = 0;

	count(counters, victims);
	event = bpf_ringbuf_reserve(&events, sizeof(*event), 0);
	if (!event) {
		count(counters, events_dropped);
		return 0;
	}
	__builtin_memset(event, 0, sizeof(*event));
	event->boot_ns = bpf_ktime_get_boot_ns();
	/* Described for the event only: a truncation here is not a candidate's, and not counted. */
	describe_cgroup(task_cgroup(task), cfg, current_priorities(), &event->victim, NULL);
	event->victim.badness = BPFOOM_BADNESS_UNKNOWN;
	fill_identity(task, &event->victim);

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
		if (bpf_core_field_exists(oc->bpf_verdicts) && BPF_CORE_READ(oc, bpf_verdicts))
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
