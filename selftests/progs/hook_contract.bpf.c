// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only program for the kernel hook's contract tests: a deliberately
 * simple two-class policy ("the target cgroup dies first") plus the
 * degenerate verdicts a buggy policy could return. The real policy lives in
 * bpf/policies/priority.bpf.c; this one exists so that the hook is tested on its
 * own terms.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpfoom/abi.h"
#include "hook_contract.h"

char LICENSE[] SEC("license") = "GPL";

/* Written by the test before each OOM; read on every candidate. */
struct hook_contract_config config;
struct hook_contract_stats stats;

static __u64 task_cgroup_id(struct task_struct *task)
{
	return BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, id);
}

static int prefer_target(struct task_struct *task, struct oom_control *oc)
{
	struct task_struct *chosen = oc->chosen;
	bool task_in_target = task_cgroup_id(task) == config.target_cgroup_id;
	bool chosen_in_target = chosen && task_cgroup_id(chosen) == config.target_cgroup_id;

	/*
	 * The target class is less important than everything else: it beats
	 * any outsider, and within a class the kernel's badness decides.
	 */
	if (task_in_target)
		return chosen_in_target ? BPFOOM_VERDICT_DEFAULT : BPFOOM_VERDICT_SELECT;
	return chosen_in_target ? BPFOOM_VERDICT_SKIP : BPFOOM_VERDICT_DEFAULT;
}

SEC("fmod_ret/bpf_oom_evaluate_task")
int BPF_PROG(hook_contract_eval, struct task_struct *task, struct oom_control *oc, long points,
	     int ret)
{
	int verdict;

	__sync_fetch_and_add(&stats.calls, 1);
	if (BPF_CORE_READ(task, signal, oom_score_adj) == -1000)
		__sync_fetch_and_add(&stats.unkillable_offered, 1);

	switch (config.behaviour) {
	case HOOK_CONTRACT_PREFER_TARGET:
		verdict = prefer_target(task, oc);
		break;
	case HOOK_CONTRACT_SELECT_ALL:
		verdict = BPFOOM_VERDICT_SELECT;
		break;
	case HOOK_CONTRACT_SKIP_ALL:
		verdict = BPFOOM_VERDICT_SKIP;
		break;
	case HOOK_CONTRACT_SELECT_THEN_3:
		verdict = oc->chosen ? 3 : BPFOOM_VERDICT_SELECT;
		break;
	case HOOK_CONTRACT_SKIP_TARGET:
		verdict = task_cgroup_id(task) == config.target_cgroup_id ? BPFOOM_VERDICT_SKIP
									  : BPFOOM_VERDICT_DEFAULT;
		break;
	default:
		verdict = BPFOOM_VERDICT_DEFAULT;
		break;
	}
	if (verdict == BPFOOM_VERDICT_SELECT)
		__sync_fetch_and_add(&stats.selected, 1);
	else if (verdict == BPFOOM_VERDICT_SKIP)
		__sync_fetch_and_add(&stats.skipped, 1);
	return verdict;
}
