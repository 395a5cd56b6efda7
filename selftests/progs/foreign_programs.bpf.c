// SPDX-License-Identifier: GPL-2.0
/*
 * Another tool's programs on the OOM hook, for prog_tests/foreign_programs.cpp:
 * an fmod_ret program, which bpfoom must list because it can override the
 * policy's verdicts (here it never does: 0 is DEFAULT, which leaves the
 * candidate to the programs after it and the kernel), and an fentry
 * program, which only watches and must not be listed.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("fmod_ret/bpf_oom_evaluate_task")
int BPF_PROG(foreign_eval, struct task_struct *task, struct oom_control *oc, long points, int ret)
{
	return 0;
}

SEC("fentry/bpf_oom_evaluate_task")
int BPF_PROG(foreign_watch, struct task_struct *task, struct oom_control *oc, long points)
{
	return 0;
}
