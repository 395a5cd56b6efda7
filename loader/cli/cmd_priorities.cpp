// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// set, unset, get, list, gc: one cgroup's entry at a time, or all of them.
// Each handler is followed by its spec (command.hpp).
#include "bpfoom/error.hpp"
#include "bpfoom/inherit.hpp"
#include "bpfoom/policy_change.hpp"
#include "bpfoom/text.hpp"
#include "commands.hpp"

namespace bpfoom::cli
{

static void run_set(const Invocation &inv, const Args &args)
{
	/* Validate every input before opening anything. */
	Priority value{parse_priority_arg(args.value("PRIORITY")),
		       args.has("omit") ? BPFOOM_PRIORITY_F_OMIT : 0u};
	if (args.has("request")) {
		const auto request = parse_size(args.value("request"));
		if (!request)
			throw Error(Errc::bad_input,
				    "--request " + quote(args.value("request")) +
					": not a size in bytes (digits, optionally K, M, G, T or "
					"Ki, Mi, Gi, Ti)");
		value.request = *request;
	}
	const CgroupResolver cgroups = CgroupResolver::from_this_process();
	const Cgroup cgroup = cgroups.resolve(args.value("CGROUP"));

	const Policy policy = inv.policy();
	/* Locked for the write only: a slow reader of the output holds up no one. */
	const std::optional<Priority> before = PolicyChange(policy).set(cgroup.id, value);
	inv.out.print(SetReport{cgroup, value, before});
}

const CommandSpec set_command(
    "set", "set a cgroup's priority", "set CGROUP PRIORITY [--omit] [--request SIZE]",
    {{"omit", false, "never choose this cgroup's tasks while another candidate exists"},
     {"request", true, "the cgroup's memory request, for policies that rank by it (64Mi)"}},
    {"CGROUP", "PRIORITY"},
    "Sets CGROUP's priority: a signed 32-bit integer, higher is more important\n"
    "(killed later). Negative priorities need no '--'. The whole entry is\n"
    "replaced: flags and request not given are cleared.\n",
    nullptr, run_set, true);

static void run_unset(const Invocation &inv, const Args &args)
{
	const CgroupResolver cgroups = CgroupResolver::from_this_process();
	const Cgroup cgroup = cgroups.resolve(args.value("CGROUP"));
	const std::optional<Priority> before = PolicyChange(inv.policy()).unset(cgroup.id);
	inv.out.print(UnsetReport{cgroup, before});
}

const CommandSpec
    unset_command("unset", "remove a cgroup's priority", "unset CGROUP", {}, {"CGROUP"},
		  "Removes CGROUP's entry; it then inherits its ancestors' priority (or the\n"
		  "default). Exit 0 also if it had no entry.\n",
		  nullptr, run_unset);

static void run_get(const Invocation &inv, const Args &args)
{
	const CgroupResolver cgroups = CgroupResolver::from_this_process();
	const Cgroup cgroup = cgroups.resolve(args.value("CGROUP"));
	const Policy policy = inv.policy();
	const PriorityMap map = policy.priorities();
	const Settings settings = policy.settings().read();
	warn_if_interrupted(policy);
	const EffectivePriority effective =
	    effective_priority(map, cgroups, cgroup, settings.default_priority);
	inv.out.print(GetReport{cgroup, effective});
}

const CommandSpec
    get_command("get", "show a cgroup's (effective) priority", "get CGROUP [--json]", {json_option},
		{"CGROUP"},
		"Shows CGROUP's entry and, if it has none, where its effective priority comes\n"
		"from in inherit mode (an ancestor's entry or the default).\n",
		&get_schema, run_get);

static void run_list(const Invocation &inv, const Args &)
{
	const CgroupResolver cgroups = CgroupResolver::from_this_process();
	const Policy policy = inv.policy();
	const PriorityTable entries = policy.priorities().list();
	warn_if_interrupted(policy);
	inv.out.print(ListReport{entries, cgroups});
}

const CommandSpec
    list_command("list", "list every priority", "list [--json]", {json_option}, {},
		 "Lists every entry of the priorities map, by cgroup id. A cgroup that no\n"
		 "longer exists shows as gone (see 'bpfoom gc').\n",
		 &list_schema, run_list);

static void run_gc(const Invocation &inv, const Args &)
{
	/* The plan is returned once the lock is released: the report holds up no one. */
	const SyncPlan plan = PolicyChange(inv.policy()).gc(CgroupResolver::from_this_process());
	inv.out.print(GcReport{plan});
}

const CommandSpec gc_command("gc", "drop the priorities of deleted cgroups", "gc [--json]",
			     {json_option}, {},
			     "Removes the entries of cgroups that no longer exist.\n", &gc_schema,
			     run_gc);

} // namespace bpfoom::cli
