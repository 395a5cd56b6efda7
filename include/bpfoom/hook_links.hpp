// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// The programs attached to the OOM hook, bpfoom's and anyone else's.
#pragma once

#include <cstdint>
#include <linux/bpf.h>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace bpfoom
{

/*
 * The hook as a tracing link names its target: the id of the BTF object
 * that holds the function (the kernel's, vmlinux) and the id of its FUNC in
 * that BTF.
 */
struct HookTarget {
	std::uint32_t btf_obj_id = 0;
	std::uint32_t btf_id = 0;
};

/*
 * A program attached to the hook as fmod_ret. fmod_ret has no owner: any
 * number of programs can attach, the trampoline runs them one after another
 * (on 6.12, the most recently attached first), and the first non-zero
 * return is the hook's verdict; the programs after it do not run. So each
 * of them can override the others. fentry and fexit programs on the hook
 * only watch: they are not listed.
 */
struct HookProgram {
	std::uint32_t link_id = 0;
	std::uint32_t prog_id = 0;
	std::string prog_name; // as the kernel keeps it: at most 15 characters
	bool owned = false;    // its link is pinned in bpfoom's pin directory
};

/* Whether `info` is a link that runs a program on `hook` as fmod_ret. */
bool returns_hook_verdicts(const bpf_link_info &info, const HookTarget &hook);

/*
 * The links among `links` that return verdicts on `hook`, in link id order,
 * each marked owned if its id is in `owned_link_ids`. Program names are
 * left empty: the caller asks the kernel for them, for these links alone.
 */
std::vector<HookProgram> select_hook_programs(std::span<const bpf_link_info> links,
					      const HookTarget &hook,
					      std::span<const std::uint32_t> owned_link_ids);

/*
 * The hook in the running kernel: its FUNC in the kernel's BTF and the
 * kernel BTF's object id. Nothing if the kernel has no hook, or no BTF to
 * find it in (then nothing can attach to it either). Errc::permission
 * without CAP_SYS_ADMIN: listing BTF objects needs it.
 */
std::optional<HookTarget> find_oom_hook();

/*
 * Every program attached to `hook` as fmod_ret now, in link id order, owned
 * as select_hook_programs() says. Links detached while they are read are
 * left out. Errors name the link or program that could not be read.
 */
std::vector<HookProgram> hook_programs(const HookTarget &hook,
				       std::span<const std::uint32_t> owned_link_ids);

} // namespace bpfoom
