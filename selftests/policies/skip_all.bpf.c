// SPDX-License-Identifier: GPL-2.0
/* Hostile: SKIPs every candidate. The kernel must still kill someone. */
#include "raw_policy.h"

SEC("fmod_ret/bpf_oom_evaluate_task")
int BPF_PROG(skip_all, struct task_struct *task, struct oom_control *oc, long points, int ret)
{
	return BPFOOM_VERDICT_SKIP;
}
