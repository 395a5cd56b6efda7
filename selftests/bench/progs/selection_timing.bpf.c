// SPDX-License-Identifier: GPL-2.0
/*
 * Times the kernel's victim selection for a memcg OOM, in the kernel.
 *
 * select_bad_process() is static (the patched kernel splits it into static
 * helpers the compiler may inline), but for a memcg OOM the selection loop is
 * exactly one mem_cgroup_scan_tasks(memcg, oom_evaluate_task, oc) call, and
 * mem_cgroup_scan_tasks() is global. It is also called for the task dump
 * (dump_task, off in the benchmark anyway) and for memory.oom.group kills.
 * Its callback argument cannot tell them apart (6.12's verifier refuses
 * function-pointer arguments of fentry programs), the call context can: the
 * selection gets the out_of_memory() call's oom_control while nothing is
 * chosen yet; the dump comes after the choice, and the group kill passes a
 * string.
 *
 * The fentry/fexit pair costs the same in every configuration and is paid
 * once per scan, not per candidate.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

#define SELECTION_TIMING_MAX_SCANS 64

/* Read and reset by userspace between OOMs; OOM handling is serialised by oom_lock. */
__u64 scan_ns[SELECTION_TIMING_MAX_SCANS];
/* Whether that scan ended on an in-flight victim (oc->chosen == -1) rather than a choice. */
__u8 scan_aborted[SELECTION_TIMING_MAX_SCANS];
__u32 scans;

/* The oom_control of the OOM in progress, and the scan being timed. */
static struct oom_control *current_oc;
static struct oom_control *timed_oc;
static __u64 started;

SEC("fentry/out_of_memory")
int BPF_PROG(selection_oom, struct oom_control *oc)
{
	current_oc = oc;
	return 0;
}

SEC("fentry/mem_cgroup_scan_tasks")
int BPF_PROG(selection_start, struct mem_cgroup *memcg, void *fn, void *arg)
{
	struct oom_control *oc = current_oc;

	if (!oc || arg != oc || BPF_CORE_READ(oc, chosen))
		return 0;
	timed_oc = oc;
	started = bpf_ktime_get_ns();
	return 0;
}

SEC("fexit/mem_cgroup_scan_tasks")
int BPF_PROG(selection_end, struct mem_cgroup *memcg, void *fn, void *arg)
{
	__u64 end = bpf_ktime_get_ns();
	struct oom_control *oc = timed_oc;
	__u32 i = scans;

	if (!oc || arg != oc)
		return 0;
	if (i < SELECTION_TIMING_MAX_SCANS) {
		scan_ns[i] = end - started;
		scan_aborted[i] = (long)BPF_CORE_READ(oc, chosen) == -1L;
	}
	scans = i + 1;
	timed_oc = NULL;
	return 0;
}

/*
 * The cheapest policy there is: an fmod_ret program that returns DEFAULT for
 * every candidate. Attached on demand (never by the skeleton), it measures what
 * the trampoline alone adds to each candidate: the floor under any BPF policy.
 */
SEC("fmod_ret/bpf_oom_evaluate_task")
int BPF_PROG(selection_floor, struct task_struct *task, struct oom_control *oc, long points,
	     int ret)
{
	return 0;
}
