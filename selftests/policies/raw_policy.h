/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a policy written WITHOUT the SDK's BPFOOM_POLICY() needs to pass the
 * loader's shape check: the shared maps, the identity the loader writes,
 * and the two bookkeeping programs (which here do nothing). The hostile and
 * malformed test policies build on it and write their own eval program, so
 * that they can return what the SDK never would.
 */
#ifndef BPFOOM_TEST_RAW_POLICY_H
#define BPFOOM_TEST_RAW_POLICY_H

#include "bpfoom/maps.bpf.h"
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

const volatile char bpfoom_policy_name[BPFOOM_POLICY_NAME_LEN] __attribute__((aligned(8))) = "";
const volatile __u64 bpfoom_policy_hash = 0;
const volatile __u64 bpfoom_page_size = 4096;

SEC("fentry/out_of_memory")
int BPF_PROG(raw_oom, struct oom_control *oc)
{
	return 0;
}

SEC("tp_btf/mark_victim")
int BPF_PROG(raw_victim, struct task_struct *task, uid_t uid)
{
	return 0;
}

#endif /* BPFOOM_TEST_RAW_POLICY_H */
