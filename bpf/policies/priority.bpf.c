// SPDX-License-Identifier: GPL-2.0
/*
 * The priority policy, bpfoom's default: ranks the OOM killer's candidates
 * by the priority of their cgroup, read from a table that userspace updates
 * at any time (or replaces whole, see bpfoom/maps.bpf.h), and reports every
 * victim on the events ring buffer. Written on the policy SDK
 * (bpfoom/policy.bpf.h), which does the bookkeeping; this file is only the
 * ranking.
 *
 * Ranking: a candidate dies before another if it is not omitted and the
 * other is (the SDK's rule, under every policy); else if its priority is
 * lower (inherit: its nearest listed ancestor-or-self; tournament: the
 * sibling cgroups where the two paths diverge); else, at equal rank, the
 * kernel's badness decides.
 *
 * Everything it ranks by the SDK has described already: the effective
 * priority and, in tournament mode, the cgroup path with the own priorities
 * looked up on the way. So the describe hook is the SDK's empty one, which
 * compiles away, and bpfoom_eval costs what the SDK's bookkeeping costs and
 * no more (selftests/bench measures it).
 */
#include "bpfoom/policy.bpf.h"

BPFOOM_POLICY(bpfoom_describe_none, bpfoom_rank_by_priority)
