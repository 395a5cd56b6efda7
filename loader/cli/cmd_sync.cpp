// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// sync: make the priorities map equal to a file, all or nothing.
#include <fstream>
#include <iostream>
#include <unistd.h>

#include "bpfoom/error.hpp"
#include "bpfoom/policy_change.hpp"
#include "bpfoom/sync_file.hpp"
#include "commands.hpp"
#include "json.hpp"
#include "table.hpp"

namespace bpfoom::cli
{
namespace
{

/* PRIORITY = {"priority": n, "omit": bool, "flags": n}, or null. */
Json priority_json(const std::optional<Priority> &value)
{
	if (!value)
		return nullptr;
	return {{"priority", value->priority}, {"omit", value->omit()}, {"flags", value->flags}};
}

/* [CHANGE], CHANGE = {"cgroup_id": n, "path": string | null, "before", "after"} */
Json changes_json(const std::vector<SyncChange> &changes, const SyncTarget &target,
		  const CgroupResolver &cgroups)
{
	Json list = Json::array();
	for (const auto &c : changes) {
		const auto known = target.paths.find(c.cgroup_id);
		list.push_back(Json{{"cgroup_id", c.cgroup_id},
				    {"path", known != target.paths.end()
						 ? Json(known->second)
						 : or_null(cgroups.path_of(c.cgroup_id))},
				    {"before", priority_json(c.before)},
				    {"after", priority_json(c.after)}});
	}
	return list;
}

/* sync --json: the schema is in cmd_sync()'s comment. */
Json sync_json(const SyncPlan &plan, bool dry_run, const SyncTarget &target,
	       const CgroupResolver &cgroups)
{
	return {{"dry_run", dry_run},
		{"added", changes_json(plan.added, target, cgroups)},
		{"changed", changes_json(plan.changed, target, cgroups)},
		{"removed", changes_json(plan.removed, target, cgroups)},
		{"counts",
		 {{"added", plan.added.size()},
		  {"changed", plan.changed.size()},
		  {"removed", plan.removed.size()},
		  {"unchanged", plan.unchanged}}}};
}

void print_sync(const SyncPlan &plan, bool dry_run, const SyncTarget &target,
		const CgroupResolver &cgroups)
{
	Table table({"", "CGROUP", "PRIORITY"});
	for (const auto &c : plan.added)
		table.add({"+", target.paths.at(c.cgroup_id), describe(*c.after)});
	for (const auto &c : plan.changed)
		table.add({"~", target.paths.at(c.cgroup_id),
			   describe(*c.before) + " -> " + describe(*c.after)});
	for (const auto &c : plan.removed)
		table.add({"-", cgroup_label(cgroups, c.cgroup_id), describe(*c.before)});
	if (!table.empty())
		table.print(std::cout);
	std::cout << (dry_run ? "sync (dry run, nothing changed): " : "sync: ") << plan.added.size()
		  << " added, " << plan.changed.size() << " changed, " << plan.removed.size()
		  << " removed, " << plan.unchanged << " unchanged\n";
}

} // namespace

/*
 * sync --json, one object:
 *   {"dry_run": bool, "added": [CHANGE], "changed": [CHANGE], "removed": [CHANGE],
 *    "counts": {"added": n, "changed": n, "removed": n, "unchanged": n}}
 * CHANGE = {"cgroup_id": n, "path": string | null,
 *           "before": PRIORITY | null, "after": PRIORITY | null}
 * PRIORITY = {"priority": n, "omit": bool, "flags": n}
 * Each array is sorted by cgroup_id; before is null for an addition, after for a
 * removal; path is null for a deleted cgroup. With dry_run nothing was changed.
 */
int cmd_sync(const Invocation &inv)
{
	po::options_description options("Options");
	options.add_options()("dry-run", "print what would change, change nothing")(
	    "allow-empty", "accept a FILE with no entries: remove every priority")(
	    "json", "print one JSON object (schema below and in the README)");
	po::positional_options_description positionals;
	positionals.add("FILE", 1);
	po::variables_map vm;
	if (!parse_command(
		inv, options, positionals, vm,
		{"sync FILE|- [--dry-run] [--allow-empty] [--json]",
		 "Makes the priorities map hold exactly the entries of FILE ('-': stdin):\n"
		 "entries not in FILE are removed. FILE has one entry a line,\n"
		 "\n"
		 "    CGROUP PRIORITY [omit]\n"
		 "\n"
		 "separated by spaces or tabs; '#' starts a comment, blank lines are\n"
		 "ignored; control characters are refused. CGROUP\n"
		 "is a cgroup2 directory, absolute or relative to the cgroup2 mount;\n"
		 "PRIORITY a signed 32-bit integer (higher = killed later); 'omit' never\n"
		 "chooses the cgroup's tasks while another candidate exists. Example:\n"
		 "\n"
		 "    # critical services last\n"
		 "    system.slice/sshd.service    1000 omit\n"
		 "    system.slice                 100\n"
		 "    user.slice                   -10\n"
		 "\n"
		 "The whole file is checked first (syntax, every cgroup exists, no cgroup\n"
		 "listed twice under any spelling, the map's capacity); any error is\n"
		 "reported as FILE:LINE and nothing changes. So is a FILE that cannot be\n"
		 "read to its end (a closed or write-only stdin, a directory), one longer\n"
		 "than 64 MiB or with a line longer than 8192 bytes, and one with no\n"
		 "entries at all (an empty stdin from a producer that died): that would\n"
		 "remove every priority, so it needs --allow-empty. The new set replaces\n"
		 "the old one at once: the policy, and a sync killed at any point, see the\n"
		 "old set or the new one, never a mix. Prints each change (+ added,\n"
		 "~ changed, - removed) and a count, after the pin directory's lock is\n"
		 "released.\n"
		 "\n"
		 "With --json it prints the changes as one object instead:\n"
		 "\n"
		 "    {\"dry_run\": bool, \"added\": [CHANGE], \"changed\": [CHANGE],\n"
		 "     \"removed\": [CHANGE], \"counts\": {\"added\": n, \"changed\": n,\n"
		 "     \"removed\": n, \"unchanged\": n}}\n"
		 "    CHANGE   = {\"cgroup_id\": n, \"path\": str | null,\n"
		 "                \"before\": PRIORITY | null, \"after\": PRIORITY | null}\n"
		 "    PRIORITY = {\"priority\": n, \"omit\": bool, \"flags\": n}\n"
		 "\n"
		 "Each list is sorted by cgroup id. \"before\" is null for an addition,\n"
		 "\"after\" for a removal, \"path\" for a cgroup that no longer exists.\n"
		 "With --dry-run, \"dry_run\" is true and nothing has changed.\n"}))
		return 0;

	const std::string file = vm["FILE"].as<std::string>();
	const std::string source = file == "-" ? "<stdin>" : file;
	const std::string text =
	    file == "-" ? read_sync_input(STDIN_FILENO, source) : read_sync_file(file);
	const auto entries =
	    parse_sync_file(text, source, {.allow_empty = vm.count("allow-empty") > 0});
	const CgroupResolver cgroups = CgroupResolver::from_this_process();
	const SyncTarget target = resolve_sync_entries(entries, cgroups, source);

	const Policy policy = inv.policy();
	const bool dry_run = vm.count("dry-run");
	/* The lock covers the plan and its application, not the report. */
	const SyncPlan plan = dry_run ? policy.priorities().plan_sync(target.desired, source)
				      : PolicyChange(policy).sync(target.desired, source);

	if (vm.count("json"))
		print_json(sync_json(plan, vm.count("dry-run") > 0, target, cgroups));
	else
		print_sync(plan, vm.count("dry-run") > 0, target, cgroups);
	return 0;
}

} // namespace bpfoom::cli
