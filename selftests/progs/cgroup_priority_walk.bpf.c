// SPDX-License-Identifier: GPL-2.0
/*
 * Runs the policies' own bpfoom_describe_cgroup() (bpfoom/cgroup_priority.bpf.h)
 * over a cgroup tree, so that a host test can compare it with the library's
 * effective_priority(): a cgroup iterator, attached to the tree's root in
 * pre-order, prints one line per cgroup,
 *
 *     CGROUP_ID PRIORITY OMIT
 *
 * from the priorities table in the slot of `priorities` (the test reuses
 * the pinned map of a policy) and the default priority in `settings`. The
 * maps are the SDK's own definitions (bpfoom/maps.bpf.h), so their layouts
 * are the policies' by construction.
 */
#include "bpfoom/maps.bpf.h"
#include <bpf/bpf_tracing.h>
#include "bpfoom/cgroup_priority.bpf.h"

char LICENSE[] SEC("license") = "GPL";

SEC("iter/cgroup")
int cgroup_priority_walk(struct bpf_iter__cgroup *ctx)
{
	struct cgroup *cgrp = ctx->cgroup;
	struct bpfoom_settings *cfg;
	struct bpfoom_task_ref ref = {};
	__u32 zero = 0;

	if (!cgrp)
		return 0;
	cfg = bpf_map_lookup_elem(&settings, &zero);
	if (!cfg)
		return 1;
	bpfoom_describe_cgroup(cgrp, cfg, bpfoom_current_priorities(), &ref, NULL);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%llu %d %d\n", ref.cgroup_id, ref.priority,
		       (ref.flags & BPFOOM_TASK_F_OMIT) ? 1 : 0);
	return 0;
}
