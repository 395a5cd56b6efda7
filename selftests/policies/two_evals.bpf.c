// SPDX-License-Identifier: GPL-2.0
/* Malformed: two verdict programs; the loader would not know which to attach. */
#include "raw_policy.h"

SEC("fmod_ret/bpf_oom_evaluate_task")
int BPF_PROG(first_eval, struct task_struct *task, struct oom_control *oc, long points, int ret)
{
	return BPFOOM_VERDICT_DEFAULT;
}

SEC("fmod_ret/bpf_oom_evaluate_task")
int BPF_PROG(second_eval, struct task_struct *task, struct oom_control *oc, long points, int ret)
{
	return BPFOOM_VERDICT_DEFAULT;
}
