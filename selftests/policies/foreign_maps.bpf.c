// SPDX-License-Identifier: GPL-2.0
/*
 * Malformed: its own idea of the shared maps (a flat hash of priorities,
 * where bpfoom keeps an array holding the current table). Adopting the
 * pinned maps would hand it data it reads wrong, so the loader refuses it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpfoom/abi.h"

char LICENSE[] SEC("license") = "GPL";

const volatile char bpfoom_policy_name[BPFOOM_POLICY_NAME_LEN] __attribute__((aligned(8))) = "";
const volatile __u64 bpfoom_policy_hash = 0;
const volatile __u64 bpfoom_page_size = 4096;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u64);
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

SEC("fentry/out_of_memory")
int BPF_PROG(old_oom, struct oom_control *oc)
{
	return 0;
}

SEC("fmod_ret/bpf_oom_evaluate_task")
int BPF_PROG(old_eval, struct task_struct *task, struct oom_control *oc, long points, int ret)
{
	__u64 key = 0;

	return bpf_map_lookup_elem(&priorities, &key) ? BPFOOM_VERDICT_SKIP : 0;
}

SEC("tp_btf/mark_victim")
int BPF_PROG(old_victim, struct task_struct *task, uid_t uid)
{
	return 0;
}
