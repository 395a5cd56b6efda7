/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The contract between the bpfoom BPF programs and userspace: map layouts,
 * verdicts, runtime settings and the event record. Plain C, included by both
 * sides; every name carries the bpfoom prefix so that it never clashes with
 * the kernel's own definitions in vmlinux.h.
 *
 * Changing a layout here is an ABI break for pinned maps: a newer loader
 * must not reuse maps pinned by an older one (see BPFOOM_ABI_VERSION).
 */
#ifndef BPFOOM_ABI_H
#define BPFOOM_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/*
 * 2: the priorities pin became an array of maps whose one slot holds the
 *    current table, so that a sync replaces the whole set in one update.
 * 3: policies are loaded from any object written against the SDK
 *    (bpfoom/policy.bpf.h): a priority entry carries a memory request, and
 *    an event names the policy that handled the OOM.
 */
#define BPFOOM_ABI_VERSION 3

/* Size of a policy's name, its NUL included (bpfoom_policy_name, bpfoom_event). */
#define BPFOOM_POLICY_NAME_LEN 32

/* bpffs directory holding the pinned links and maps (mode 0700). */
#define BPFOOM_PIN_DIR "/sys/fs/bpf/bpfoom"

/*
 * Deepest cgroup level the policy walks. Every loop in the BPF programs is
 * bounded by it; deeper cgroups are ranked by their ancestor at this level.
 */
#define BPFOOM_MAX_CGROUP_DEPTH 16

/*
 * Return values of the kernel's bpf_oom_evaluate_task() hook (its kernel-doc
 * states the contract). No verdict ends the kernel's walk; any other value
 * is DEFAULT.
 */
enum bpfoom_verdict {
	BPFOOM_VERDICT_DEFAULT = 0, /* compare oom_badness() as the kernel does */
	BPFOOM_VERDICT_SELECT = 1,  /* make this task the current choice */
	BPFOOM_VERDICT_SKIP = 2,    /* ignore this task */
};

/*
 * The priorities: a table (BPF_MAP_TYPE_HASH, flags 0, key __u64 cgroup v2 id
 * -- the kernfs node id, equal to st_ino of the cgroup's directory -- value
 * below), held in slot 0 of the pinned "priorities" map
 * (BPF_MAP_TYPE_ARRAY_OF_MAPS, key __u32, one slot). Single entries are
 * written in place; a sync fills a new table and swaps it into the slot, so
 * that a reader sees the old set or the new one, never a mix. Higher
 * priority = more important = killed later.
 */
#define BPFOOM_PRIORITIES_SLOT 0
/* Capacity of a new table unless 'bpfoom load --max-entries' says otherwise. */
#define BPFOOM_PRIORITIES_DEFAULT_ENTRIES 65536
struct bpfoom_priority {
	__s32 priority;
	__u32 flags; /* BPFOOM_PRIORITY_F_* */
	/*
	 * The cgroup's memory request in bytes, as an orchestrator pushes it
	 * (a pod's requests.memory), for policies that rank usage against it
	 * (over-request); 0: none. The priority policy ignores it.
	 */
	__u64 request;
};

/* Never choose this cgroup's tasks while any other candidate exists. */
#define BPFOOM_PRIORITY_F_OMIT (1U << 0)
#define BPFOOM_PRIORITY_F_ALL BPFOOM_PRIORITY_F_OMIT

enum bpfoom_mode {
	/* A task's priority is its nearest ancestor-or-self entry's. */
	BPFOOM_MODE_INHERIT = 0,
	/* Two tasks are compared by the sibling cgroups where their paths diverge. */
	BPFOOM_MODE_TOURNAMENT = 1,
};

/* The settings map: BPF_MAP_TYPE_ARRAY, one entry, key 0. */
struct bpfoom_settings {
	__u32 mode;		/* enum bpfoom_mode */
	__s32 default_priority; /* of cgroups with no entry of their own */
	__u32 dry_run;		/* non-zero: rank candidates, but always return DEFAULT */
	__u32 abi_version;	/* BPFOOM_ABI_VERSION of the loader that created the maps */
};

/*
 * The counters map: BPF_MAP_TYPE_ARRAY, one entry, key 0. OOM handling is
 * serialised by the kernel's oom_lock, but the counters are still updated
 * atomically so a reader never sees a torn value.
 */
struct bpfoom_counters {
	__u64 ooms;	       /* out_of_memory() invocations seen */
	__u64 candidates;      /* tasks offered to the policy */
	__u64 selected;	       /* SELECT verdicts returned */
	__u64 skipped;	       /* SKIP verdicts returned */
	__u64 defaulted;       /* DEFAULT verdicts returned */
	__u64 victims;	       /* tasks marked as OOM victim */
	__u64 events_dropped;  /* events lost because the ring buffer was full */
	__u64 depth_truncated; /* candidates deeper than BPFOOM_MAX_CGROUP_DEPTH */
};

/* A task as the policy saw it. */
struct bpfoom_task_ref {
	__u64 cgroup_id; /* default-hierarchy cgroup */
	__s64 badness;	 /* oom_badness(); BPFOOM_BADNESS_UNKNOWN if not seen */
	__u32 pid;
	__u32 tgid;
	__s32 priority; /* effective priority */
	__u32 flags;	/* BPFOOM_TASK_F_* */
	char comm[16];
};

#define BPFOOM_BADNESS_UNKNOWN (-0x7fffffffffffffffLL - 1)

#define BPFOOM_TASK_F_VALID (1U << 0) /* the record holds a task */
#define BPFOOM_TASK_F_OMIT (1U << 1)  /* its effective entry has the omit flag */

/* event flags */
#define BPFOOM_EVENT_F_MEMCG_OOM (1U << 0)    /* memcg OOM (else global) */
#define BPFOOM_EVENT_F_POLICY (1U << 1)	      /* the victim is not the kernel's own choice */
#define BPFOOM_EVENT_F_DRY_RUN (1U << 2)      /* policy ran in dry-run mode */
#define BPFOOM_EVENT_F_HOOKED (1U << 3)	      /* the policy was consulted in this OOM */
#define BPFOOM_EVENT_F_GROUP_MEMBER (1U << 4) /* killed by memory.oom.group, not chosen */

/*
 * One record per task the OOM killer marks as victim, from the oom:mark_victim
 * tracepoint, on the events ring buffer (BPF_MAP_TYPE_RINGBUF).
 */
struct bpfoom_event {
	__u64 boot_ns;	    /* CLOCK_BOOTTIME */
	__u64 oom_memcg_id; /* cgroup id of the OOM memcg, 0 for a global OOM */
	__u32 flags;	    /* BPFOOM_EVENT_F_* */
	__u32 candidates;   /* scan counters of this OOM */
	__u32 selected;
	__u32 skipped;
	struct bpfoom_task_ref victim;
	/* What the policy chose (or, in dry-run, would have chosen). */
	struct bpfoom_task_ref policy_choice;
	/* What the kernel's badness alone would have chosen. */
	struct bpfoom_task_ref kernel_choice;
	/*
	 * The policy that handled the OOM: what the loader wrote into the
	 * object's bpfoom_policy_hash and bpfoom_policy_name before loading
	 * it (zero if it wrote nothing). The name is NUL-padded, and
	 * NUL-terminated unless it fills all BPFOOM_POLICY_NAME_LEN bytes.
	 */
	__u64 policy_hash;
	char policy_name[BPFOOM_POLICY_NAME_LEN];
};

#endif /* BPFOOM_ABI_H */
