// SPDX-License-Identifier: GPL-2.0
/* Hostile: returns values no verdict has, negative and large, by turns. */
#include "raw_policy.h"

static int calls;

SEC("fmod_ret/bpf_oom_evaluate_task")
int BPF_PROG(out_of_range, struct task_struct *task, struct oom_control *oc, long points, int ret)
{
	return (calls++ & 1) ? -1 : 1000;
}
