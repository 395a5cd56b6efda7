// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// Private: RAII owners of the libbpf objects the loader handles.
#pragma once

#include <bpf/libbpf.h>
#include <memory>
#include <string_view>

#include "bpfoom_policy.skel.h"

namespace bpfoom
{

struct SkeletonDeleter {
	void operator()(bpfoom_policy *skel) const { bpfoom_policy__destroy(skel); }
};
/* The embedded BPF object; destroying it closes every fd it owns (maps, programs). */
using SkeletonPtr = std::unique_ptr<bpfoom_policy, SkeletonDeleter>;

struct LinkDeleter {
	/* Closes the link fd; a link that is pinned stays attached through its pin. */
	void operator()(bpf_link *link) const { bpf_link__destroy(link); }
};
using LinkPtr = std::unique_ptr<bpf_link, LinkDeleter>;

/* bpfoom_policy__open(), throwing on failure. */
SkeletonPtr open_skeleton();

/* The object's map pinned as `pin` (one of pins::maps); Errc::internal naming any other name. */
bpf_map *map_for_pin(const bpfoom_policy &skel, std::string_view pin);

/* The program attached by the link pinned as `link` (one of pins::links); Errc::internal
 * naming any other name. */
bpf_program *program_for_link(const bpfoom_policy &skel, std::string_view link);

/* bpf_program__attach(), throwing with the program's name on failure. */
LinkPtr attach_program(bpf_program *prog);

} // namespace bpfoom
