/* SPDX-License-Identifier: GPL-2.0 */
/* Shared between hook_contract.bpf.c and the contract tests. */
#ifndef BPFOOM_SELFTESTS_HOOK_CONTRACT_H
#define BPFOOM_SELFTESTS_HOOK_CONTRACT_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

enum hook_contract_behaviour {
	HOOK_CONTRACT_DEFAULT = 0,	 /* BPFOOM_VERDICT_DEFAULT always */
	HOOK_CONTRACT_PREFER_TARGET = 1, /* target cgroup's tasks die first */
	HOOK_CONTRACT_SELECT_ALL = 2,	 /* BPFOOM_VERDICT_SELECT for every candidate */
	HOOK_CONTRACT_SKIP_ALL = 3,	 /* BPFOOM_VERDICT_SKIP for every candidate */
	/*
	 * BPFOOM_VERDICT_SELECT for the first candidate, then 3 for every
	 * other: the value of the STOP verdict an earlier revision of the hook
	 * had, which ended the walk; now any value but 0-2 is DEFAULT.
	 */
	HOOK_CONTRACT_SELECT_THEN_3 = 4,
	HOOK_CONTRACT_SKIP_TARGET = 5, /* BPFOOM_VERDICT_SKIP for the target cgroup's tasks */
};

struct hook_contract_config {
	__u64 target_cgroup_id;
	__u32 behaviour;
	__u32 pad;
};

struct hook_contract_stats {
	__u64 calls; /* candidates offered by the hook */
	__u64 selected;
	__u64 skipped;
	__u64 unkillable_offered; /* oom_score_adj -1000 tasks offered: must stay 0 */
};

#endif
