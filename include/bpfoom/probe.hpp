// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bpfoom/error.hpp"
#include "bpfoom/hook_links.hpp"

namespace bpfoom
{

/* The kernel function the policy attaches to (fmod_ret). */
inline constexpr const char *oom_hook_name = "bpf_oom_evaluate_task";

/* Whether the running kernel's BTF has the hook (Errc::unsupported if there is no kernel BTF). */
bool kernel_has_oom_hook();

/* Throws Errc::unsupported with one plain sentence unless the hook is there. */
void require_oom_hook();

/* One line of `bpfoom probe`. */
struct ProbeCheck {
	std::string name; // short, e.g. "oom hook"
	bool ok;
	std::string detail; // what was found, or why it fails
	Errc failure;	    // the category if !ok
	/* Passed, but found something to look at (another program on the hook). */
	bool warning = false;
};

struct ProbeReport {
	std::vector<ProbeCheck> checks;
	/*
	 * The programs on the hook that bpfoom did not load (Policy::
	 * foreign_programs()); nothing if they could not be looked for (no
	 * hook, no privileges, or listing failed: its check says why).
	 */
	std::optional<std::vector<HookProgram>> foreign_programs;

	/* The first failed check, if any. */
	const ProbeCheck *first_failure() const;
	bool ready() const { return first_failure() == nullptr; }
};

/*
 * Checks whether this kernel and host can run the policy: kernel BTF, the
 * hook, privileges, that the policy program loads (so fmod_ret on the hook
 * is allowed), cgroup2 with the memory controller, bpffs at the pin
 * directory's parent. Changes nothing: the program is loaded and closed,
 * never attached or pinned. Other programs on the hook (foreign_programs)
 * are a warning, not a failure: the policy still attaches and runs, but
 * they can override its verdicts.
 */
ProbeReport probe(const std::string &pin_dir);

} // namespace bpfoom
