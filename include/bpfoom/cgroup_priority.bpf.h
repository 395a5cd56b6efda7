/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cgroup walk of the policy SDK (bpfoom/policy.bpf.h), and inherit
 * mode's rule, the one place it is written for BPF: a cgroup's priority is
 * its nearest ancestor-or-self entry in the priorities table, else the
 * default. The SDK describes every candidate with it, and
 * selftests/progs/cgroup_priority_walk.bpf.c runs the very same code over
 * whole cgroup trees so that a host test can hold the library's
 * effective_priority() to it.
 *
 * Cgroups deeper than BPFOOM_MAX_CGROUP_DEPTH are described from their
 * ancestor at that level: deeper entries, their own included, are not seen.
 *
 * Includes what it needs: vmlinux.h, the libbpf headers and bpfoom/abi.h.
 */
#ifndef BPFOOM_CGROUP_PRIORITY_BPF_H
#define BPFOOM_CGROUP_PRIORITY_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "bpfoom/abi.h"

/*
 * A cgroup's path from the root, with the own priorities looked up on the
 * way: tournament mode compares two paths where they diverge, and reuses
 * these lookups rather than making them again.
 */
struct bpfoom_cgroup_path {
	__u32 depth;	/* level of the cgroup, capped at BPFOOM_MAX_CGROUP_DEPTH */
	__u32 own_from; /* own[i] holds id[i]'s own priority for own_from <= i <= depth */
	__u64 id[BPFOOM_MAX_CGROUP_DEPTH + 1]; /* cgroup ids, root at 0 */
	__s32 own[BPFOOM_MAX_CGROUP_DEPTH + 1];
};

/* The cgroup a task is ranked by: its default-hierarchy (cgroup v2) cgroup. */
static __always_inline struct cgroup *bpfoom_task_cgroup(struct task_struct *task)
{
	return task->cgroups->dfl_cgrp;
}

/* A cgroup's v2 id: the kernfs node id, st_ino of its directory, the priorities' key. */
static __always_inline __u64 bpfoom_cgroup_id(struct cgroup *cgrp)
{
	return cgrp->kn->id;
}

/*
 * The parent of a cgroup, by direct BTF loads: walking up this way costs no
 * helper call, where cgroup->ancestors[] (a flexible array, indexed by a
 * variable) needs a probe read per level. A cgroup's own css has the parent
 * cgroup's own css as its parent. No NULL test: a BTF load through NULL
 * reads 0, as a probe read would, and keeps the pointer's type for the
 * verifier.
 */
static __always_inline struct cgroup *bpfoom_cgroup_parent(struct cgroup *cgrp)
{
	return cgrp->self.parent->cgroup;
}

/* The id of cgrp's ancestor at `level`, by ancestors[]: for cgroups deeper than the limit. */
static __always_inline __u64 bpfoom_cgroup_id_at(struct cgroup *cgrp, __u32 level)
{
	struct cgroup *ancestor = NULL;

	bpf_core_read(&ancestor, sizeof(ancestor), &cgrp->ancestors[level]);
	return ancestor ? BPF_CORE_READ(ancestor, kn, id) : 0;
}

/*
 * Fills ref's cgroup id, effective priority and flags (the nearest
 * ancestor-or-self entry of `table`, or the default) and, if path is given,
 * the cgroup's path with the own priority of every level it looked up. At
 * most BPFOOM_MAX_CGROUP_DEPTH + 1 map lookups; `table` may be NULL (no
 * entries). Leaves the pid, comm and badness alone. Returns whether the
 * cgroup is deeper than the depth limit.
 */
static __always_inline bool bpfoom_describe_cgroup(struct cgroup *cgrp_in,
						   const struct bpfoom_settings *cfg, void *table,
						   struct bpfoom_task_ref *ref,
						   struct bpfoom_cgroup_path *path)
{
	struct cgroup *cgrp = cgrp_in;
	__u32 level = cgrp_in->level;
	bool truncated = false;
	bool found = false;

	ref->cgroup_id = cgrp_in->kn->id;
	ref->priority = cfg->default_priority;
	ref->flags = BPFOOM_TASK_F_VALID;

	if (level > BPFOOM_MAX_CGROUP_DEPTH) {
		level = BPFOOM_MAX_CGROUP_DEPTH;
		truncated = true;
	}

	if (path) {
		path->depth = level;
		path->own_from = 0;
	}
	for (int i = BPFOOM_MAX_CGROUP_DEPTH; i >= 0; i--) {
		struct bpfoom_priority *entry;
		__u64 id;

		if (i > (int)level)
			continue;
		if (truncated) {
			id = bpfoom_cgroup_id_at(cgrp_in, i);
		} else {
			if (i < (int)level)
				cgrp = bpfoom_cgroup_parent(cgrp);
			id = cgrp->kn->id;
		}
		if (path)
			path->id[i] = id;
		if (found)
			continue;
		entry = table ? bpf_map_lookup_elem(table, &id) : NULL;
		if (path)
			path->own[i] = entry ? entry->priority : cfg->default_priority;
		if (entry) {
			ref->priority = entry->priority;
			if (entry->flags & BPFOOM_PRIORITY_F_OMIT)
				ref->flags |= BPFOOM_TASK_F_OMIT;
			found = true;
			if (!path)
				break;
			path->own_from = i;
		}
	}
	return truncated;
}

#endif /* BPFOOM_CGROUP_PRIORITY_BPF_H */
