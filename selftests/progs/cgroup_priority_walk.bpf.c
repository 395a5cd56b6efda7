// SPDX-License-Identifier: GPL-2.0
/*
 * Runs the policy's own describe_cgroup() (bpfoom/cgroup_priority.bpf.h)
 * over a cgroup tree, so that a host test can compare it with the library's
 * effective_priority(): a cgroup iterator, attached to the tree's root in
 * pre-order, prints one line per cgroup,
 *
 *     CGROUP_ID PRIORITY OMIT
 *
 * from the priorities table in the slot of `priorities` (the test reuses
 * the pinned map of a policy) and the default priority in `settings`.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpfoom/abi.h"
#include "bpfoom/cgroup_priority.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* The same layout as the policy's maps: the test reuses a policy's pinned ones. */
struct priority_table {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BPFOOM_PRIORITIES_DEFAULT_ENTRIES);
	__uint(key_size, sizeof(__u64));
	__uint(value_size, sizeof(struct bpfoom_priority));
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct priority_table);
} priorities SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bpfoom_settings);
} settings SEC(".maps");

SEC("iter/cgroup")
int cgroup_priority_walk(struct bpf_iter__cgroup *ctx)
{
	struct cgroup *cgrp = ctx->cgroup;
	struct bpfoom_settings *cfg;
	struct bpfoom_task_ref ref = {};
	__u32 slot = BPFOOM_PRIORITIES_SLOT, zero = 0;

	if (!cgrp)
		return 0;
	cfg = bpf_map_lookup_elem(&settings, &zero);
	if (!cfg)
		return 1;
	describe_cgroup(cgrp, cfg, bpf_map_lookup_elem(&priorities, &slot), &ref, NULL);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%llu %d %d\n", ref.cgroup_id, ref.priority,
		       (ref.flags & BPFOOM_TASK_F_OMIT) ? 1 : 0);
	return 0;
}
