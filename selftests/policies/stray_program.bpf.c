// SPDX-License-Identifier: GPL-2.0
/* Malformed: a policy with a program bpfoom would load but never attach. */
#include "raw_policy.h"

SEC("fmod_ret/bpf_oom_evaluate_task")
int BPF_PROG(eval, struct task_struct *task, struct oom_control *oc, long points, int ret)
{
	return BPFOOM_VERDICT_DEFAULT;
}

SEC("kprobe/oom_kill_process")
int stray(void *ctx)
{
	return 0;
}
