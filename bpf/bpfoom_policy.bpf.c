// SPDX-License-Identifier: GPL-2.0
/*
 * bpfoom's OOM policy: ranks the OOM killer's candidates by the priority of
 * their memory cgroup, read from a hash map that userspace updates at any
 * time, and reports every victim on a ring buffer.
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
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpfoom/abi.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct bpfoom_priority);
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

/* A candidate with what ranking it needs: its cgroup path and entry. */
struct candidate {
	struct bpfoom_task_ref ref;
	__u32 depth; /* level of ref.cgroup_id, capped at BPFOOM_MAX_CGROUP_DEPTH */
	__u32 pad;
	__u64 path[BPFOOM_MAX_CGROUP_DEPTH + 1]; /* cgroup ids, root at 0 */
};

struct scan_state {
	__u64 oc;	    /* the oom_control of the OOM in progress */
	__u64 oom_pid_tgid; /* the task running out_of_memory() */
	__u32 candidates;
	__u32 selected;
	__u32 skipped;
	__u32 defaulted;
	struct candidate policy_choice;
	struct bpfoom_task_ref kernel_choice;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scan_state);
} scan_state SEC(".maps");

/* Scratch space for the candidate being ranked: too big for the stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct candidate);
} scratch SEC(".maps");

static const struct bpfoom_settings default_settings;

static __always_inline struct bpfoom_counters *counters_entry(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&counters, &zero);
}

#define count(field, n)                                         \
	do {                                                    \
		struct bpfoom_counters *__c = counters_entry(); \
		if (__c)                                        \
			__sync_fetch_and_add(&__c->field, n);   \
	} while (0)

static __always_inline const struct bpfoom_settings *current_settings(void)
{
	__u32 zero = 0;
	const struct bpfoom_settings *s = bpf_map_lookup_elem(&settings, &zero);

	return s ? s : &default_settings;
}

static __always_inline __u64 cgroup_id_at(struct cgroup *cgrp, __u32 level)
{
	struct cgroup *ancestor = NULL;

	bpf_core_read(&ancestor, sizeof(ancestor), &cgrp->ancestors[level]);
	return ancestor ? BPF_CORE_READ(ancestor, kn, id) : 0;
}

/*
 * Fills ref (ids, comm, effective priority and omit flag: the nearest
 * ancestor-or-self entry, or the default) and, if path is given, the cgroup
 * path. At most depth + 1 map lookups.
 */
static __always_inline void describe_task(struct task_struct *task, long badness,
					  const struct bpfoom_settings *cfg,
					  struct bpfoom_task_ref *ref, struct candidate *path)
{
	struct cgroup *cgrp = BPF_CORE_READ(task, cgroups, dfl_cgrp);
	__u32 level = BPF_CORE_READ(cgrp, level);
	bool found = false;

	if (level > BPFOOM_MAX_CGROUP_DEPTH) {
		count(depth_truncated, 1);
		level = BPFOOM_MAX_CGROUP_DEPTH;
	}

	ref->cgroup_id = BPF_CORE_READ(cgrp, kn, id);
	ref->badness = badness;
	ref->pid = BPF_CORE_READ(task, pid);
	ref->tgid = BPF_CORE_READ(task, tgid);
	ref->priority = cfg->default_priority;
	ref->flags = BPFOOM_TASK_F_VALID;
	BPF_CORE_READ_STR_INTO(&ref->comm, task, comm);

	if (path)
		path->depth = level;
	for (int i = BPFOOM_MAX_CGROUP_DEPTH; i >= 0; i--) {
		struct bpfoom_priority *entry;
		__u64 id;

		if (i > (int)level)
			continue;
		id = cgroup_id_at(cgrp, i);
		if (path)
			path->path[i] = id;
		if (found)
			continue;
		entry = bpf_map_lookup_elem(&priorities, &id);
		if (entry) {
			ref->priority = entry->priority;
			if (entry->flags & BPFOOM_PRIORITY_F_OMIT)
				ref->flags |= BPFOOM_TASK_F_OMIT;
			found = true;
			if (!path)
				break;
		}
	}
}

static __always_inline __s32 own_priority(__u64 cgroup_id, const struct bpfoom_settings *cfg)
{
	struct bpfoom_priority *entry = bpf_map_lookup_elem(&priorities, &cgroup_id);

	return entry ? entry->priority : cfg->default_priority;
}

/* <0: a dies first, >0: b dies first, 0: equal rank (badness decides). */
static __always_inline int compare_rank(const struct candidate *a, const struct candidate *b,
					const struct bpfoom_settings *cfg)
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
			if (i > (int)a->depth || i > (int)b->depth)
				break;
			if (a->path[i] != b->path[i]) {
				pa = own_priority(a->path[i], cfg);
				pb = own_priority(b->path[i], cfg);
				break;
			}
		}
	}
	return pa < pb ? -1 : pa > pb ? 1 : 0;
}

SEC("fentry/out_of_memory")
int BPF_PROG(bpfoom_oom, struct oom_control *oc)
{
	__u32 zero = 0;
	struct scan_state *st = bpf_map_lookup_elem(&scan_state, &zero);

	count(ooms, 1);
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
	struct scan_state *st;
	struct candidate *cand;
	__u32 zero = 0;
	int verdict;
	int rank;

	st = bpf_map_lookup_elem(&scan_state, &zero);
	cand = bpf_map_lookup_elem(&scratch, &zero);
	if (!st || !cand)
		return BPFOOM_VERDICT_DEFAULT;
	if (st->oc != (__u64)oc) {
		/* out_of_memory() was not seen: start the scan here. */
		__builtin_memset(st, 0, sizeof(*st));
		st->oc = (__u64)oc;
	}

	describe_task(task, points, cfg, &cand->ref,
		      cfg->mode == BPFOOM_MODE_TOURNAMENT ? cand : NULL);
	st->candidates++;
	count(candidates, 1);

	/* What the kernel's badness alone would choose: ties go to the later task. */
	if (!(st->kernel_choice.flags & BPFOOM_TASK_F_VALID) || points >= st->kernel_choice.badness)
		st->kernel_choice = cand->ref;

	/*
	 * The policy's own choice mirrors the kernel's: the first candidate
	 * is chosen by DEFAULT (chosen_points starts at LONG_MIN), and at
	 * equal rank DEFAULT lets the kernel compare badness.
	 */
	if (!(st->policy_choice.ref.flags & BPFOOM_TASK_F_VALID)) {
		rank = 0;
	} else {
		rank = compare_rank(cand, &st->policy_choice, cfg);
	}

	if (rank < 0) {
		verdict = BPFOOM_VERDICT_SELECT;
		st->policy_choice = *cand;
	} else if (rank > 0) {
		verdict = BPFOOM_VERDICT_SKIP;
	} else {
		verdict = BPFOOM_VERDICT_DEFAULT;
		if (!(st->policy_choice.ref.flags & BPFOOM_TASK_F_VALID) ||
		    points >= st->policy_choice.ref.badness)
			st->policy_choice = *cand;
	}

	if (cfg->dry_run)
		verdict = BPFOOM_VERDICT_DEFAULT;

	switch (verdict) {
	case BPFOOM_VERDICT_SELECT:
		st->selected++;
		count(selected, 1);
		break;
	case BPFOOM_VERDICT_SKIP:
		st->skipped++;
		count(skipped, 1);
		break;
	default:
		st->defaulted++;
		count(defaulted, 1);
		break;
	}
	return verdict;
}

SEC("tp_btf/mark_victim")
int BPF_PROG(bpfoom_victim, struct task_struct *task, uid_t uid)
{
	const struct bpfoom_settings *cfg = current_settings();
	struct oom_control *oc = NULL;
	struct bpfoom_event *event;
	struct scan_state *st;
	__u32 zero = 0;

	count(victims, 1);
	event = bpf_ringbuf_reserve(&events, sizeof(*event), 0);
	if (!event) {
		count(events_dropped, 1);
		return 0;
	}
	__builtin_memset(event, 0, sizeof(*event));
	event->boot_ns = bpf_ktime_get_boot_ns();
	describe_task(task, BPFOOM_BADNESS_UNKNOWN, cfg, &event->victim, NULL);

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
		event->policy_choice = st->policy_choice.ref;
		event->kernel_choice = st->kernel_choice;
	}
	bpf_ringbuf_submit(event, 0);
	return 0;
}
