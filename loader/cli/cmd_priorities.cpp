// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// set, unset, get, list, gc: one cgroup's entry at a time, or all of them.
#include <iostream>

#include "bpfoom/error.hpp"
#include "bpfoom/inherit.hpp"
#include "bpfoom/policy_change.hpp"
#include "bpfoom/text.hpp"
#include "commands.hpp"
#include "json.hpp"
#include "table.hpp"

namespace bpfoom::cli
{
namespace
{

po::positional_options_description cgroup_positional()
{
	po::positional_options_description positionals;
	positionals.add("CGROUP", 1);
	return positionals;
}

constexpr std::string_view cgroup_help =
    "CGROUP is a cgroup2 directory: an absolute path under the cgroup2 mount,\n"
    "or a path relative to it (e.g. system.slice/nginx.service).\n";

/*
 * get --json, one object:
 *   {"cgroup_id": n, "path": string, "priority": n, "omit": bool, "flags": n,
 *    "from": "own"|"ancestor"|"default",
 *    "from_cgroup_id": n | null, "from_path": string | null}
 * priority, omit and flags are the effective values in inherit mode; from_* name
 * the cgroup whose entry they are (CGROUP itself for "own"), null for "default".
 */
Json inherited_json(const Cgroup &cgroup, const EffectivePriority &effective)
{
	return {{"cgroup_id", cgroup.id},
		{"path", cgroup.path},
		{"priority", effective.value.priority},
		{"omit", effective.value.omit()},
		{"flags", effective.value.flags},
		{"from", effective.from_name()},
		{"from_cgroup_id", effective.source ? Json(effective.source->id) : Json(nullptr)},
		{"from_path", effective.source ? Json(effective.source->path) : Json(nullptr)}};
}

void print_inherited(const Cgroup &cgroup, const EffectivePriority &effective)
{
	/* FROM: "own entry", the ancestor's path, or "default". */
	std::string from = "default";
	if (effective.from == EffectivePriority::From::own)
		from = "own entry";
	else if (effective.source)
		from = effective.source->path;
	Table table({"CGROUP", "ID", "PRIORITY", "OMIT", "FROM"});
	table.add({cgroup.path, std::to_string(cgroup.id), std::to_string(effective.value.priority),
		   effective.value.omit() ? "yes" : "no", from});
	table.print(std::cout);
}

/*
 * list --json, one object:
 *   {"entries": [{"cgroup_id": n, "path": string | null, "priority": n,
 *                 "omit": bool, "flags": n}]}
 * sorted by cgroup_id; path is null if the cgroup no longer exists.
 */
Json entries_json(const PriorityTable &entries, const CgroupResolver &cgroups)
{
	Json list = Json::array();
	for (const auto &[id, value] : entries)
		list.push_back(Json{{"cgroup_id", id},
				    {"path", or_null(cgroups.path_of(id))},
				    {"priority", value.priority},
				    {"omit", value.omit()},
				    {"flags", value.flags}});
	return {{"entries", std::move(list)}};
}

void print_entries(const PriorityTable &entries, const CgroupResolver &cgroups)
{
	Table table({"CGROUP", "ID", "PRIORITY", "OMIT"});
	for (const auto &[id, value] : entries)
		table.add({cgroup_label(cgroups, id), std::to_string(id),
			   std::to_string(value.priority), value.omit() ? "yes" : "no"});
	table.print(std::cout);
}

/*
 * gc --json, one object:
 *   {"removed": [{"cgroup_id": n, "priority": n, "omit": bool, "flags": n}],
 *    "kept": n}
 * removed: the entries dropped, sorted by cgroup_id; kept: the entries left.
 */
Json gc_json(const SyncPlan &plan)
{
	Json removed = Json::array();
	for (const auto &gone : plan.removed)
		removed.push_back(Json{{"cgroup_id", gone.cgroup_id},
				       {"priority", gone.before->priority},
				       {"omit", gone.before->omit()},
				       {"flags", gone.before->flags}});
	return {{"removed", std::move(removed)}, {"kept", plan.after.size()}};
}

void print_gc(const SyncPlan &plan)
{
	for (const auto &gone : plan.removed)
		std::cout << "- (cgroup id " << gone.cgroup_id << ") " << describe(*gone.before)
			  << '\n';
	std::cout << "gc: removed " << plan.removed.size() << " entries of deleted cgroups, kept "
		  << plan.after.size() << '\n';
}

} // namespace

int cmd_set(const Invocation &inv)
{
	po::options_description options("Options");
	options.add_options()("omit", "never choose this cgroup's tasks while another candidate "
				      "exists");
	po::positional_options_description positionals;
	positionals.add("CGROUP", 1).add("PRIORITY", 1);
	po::variables_map vm;
	if (!parse_command(
		inv, options, positionals, vm,
		{"set CGROUP PRIORITY [--omit]",
		 std::string_view("Sets CGROUP's priority: a signed 32-bit integer, higher is "
				  "more important\n(killed later). Negative priorities "
				  "need no '--'.\n")},
		true))
		return 0;

	/* Validate every input before opening anything. */
	const Priority value{parse_priority_arg(vm["PRIORITY"].as<std::string>()),
			     vm.count("omit") ? BPFOOM_PRIORITY_F_OMIT : 0u};
	const CgroupResolver cgroups = CgroupResolver::from_this_process();
	const Cgroup cgroup = cgroups.resolve(vm["CGROUP"].as<std::string>());

	const Policy policy = inv.policy();
	/* Locked for the write only: a slow reader of the output holds up no one. */
	const std::optional<Priority> before = PolicyChange(policy).set(cgroup.id, value);
	std::cout << escape(cgroup.path) << ": " << describe(value)
		  << (before ? " (was " + describe(*before) + ")" : std::string(" (new entry)"))
		  << '\n';
	return 0;
}

int cmd_unset(const Invocation &inv)
{
	po::options_description options("Options");
	po::variables_map vm;
	if (!parse_command(
		inv, options, cgroup_positional(), vm,
		{"unset CGROUP",
		 "Removes CGROUP's entry; it then inherits its ancestors' priority (or the\n"
		 "default). Exit 0 also if it had no entry.\n"}))
		return 0;

	const CgroupResolver cgroups = CgroupResolver::from_this_process();
	const Cgroup cgroup = cgroups.resolve(vm["CGROUP"].as<std::string>());
	const Policy policy = inv.policy();
	const std::optional<Priority> before = PolicyChange(policy).unset(cgroup.id);
	std::cout << escape(cgroup.path) << ": "
		  << (before ? "removed (was " + describe(*before) + ")"
			     : std::string("had no entry"))
		  << '\n';
	return 0;
}

int cmd_get(const Invocation &inv)
{
	po::options_description options("Options");
	options.add_options()("json", "print one JSON object (schema below and in the README)");
	po::variables_map vm;
	if (!parse_command(
		inv, options, cgroup_positional(), vm,
		{"get CGROUP [--json]",
		 "Shows CGROUP's entry and, if it has none, where its effective priority comes\n"
		 "from in inherit mode (an ancestor's entry or the default).\n"
		 "\n"
		 "With --json it prints one object instead:\n"
		 "\n"
		 "    {\"cgroup_id\": n, \"path\": str, \"priority\": n, \"omit\": bool,\n"
		 "     \"flags\": n, \"from\": \"own\"|\"ancestor\"|\"default\",\n"
		 "     \"from_cgroup_id\": n | null, \"from_path\": str | null}\n"
		 "\n"
		 "\"priority\", \"omit\" and \"flags\" are the effective values;\n"
		 "\"from_cgroup_id\" and \"from_path\" name the cgroup whose entry they come\n"
		 "from (CGROUP itself for \"own\"), and are null for \"default\".\n"}))
		return 0;

	const CgroupResolver cgroups = CgroupResolver::from_this_process();
	const Cgroup cgroup = cgroups.resolve(vm["CGROUP"].as<std::string>());
	const Policy policy = inv.policy();
	const PriorityMap map = policy.priorities();
	const Settings settings = policy.settings().read();
	warn_if_interrupted(policy);
	const EffectivePriority effective =
	    effective_priority(map, cgroups, cgroup, settings.default_priority);

	if (vm.count("json"))
		print_json(inherited_json(cgroup, effective));
	else
		print_inherited(cgroup, effective);
	return 0;
}

int cmd_list(const Invocation &inv)
{
	po::options_description options("Options");
	options.add_options()("json", "print one JSON object (schema in the README)");
	po::variables_map vm;
	if (!parse_command(inv, options, {}, vm,
			   {"list [--json]",
			    "Lists every entry of the priorities map, by cgroup id. "
			    "A cgroup that no\nlonger exists shows as gone (see "
			    "'bpfoom gc').\n"}))
		return 0;

	const CgroupResolver cgroups = CgroupResolver::from_this_process();
	const Policy policy = inv.policy();
	const PriorityTable entries = policy.priorities().list();
	warn_if_interrupted(policy);
	if (vm.count("json"))
		print_json(entries_json(entries, cgroups));
	else
		print_entries(entries, cgroups);
	return 0;
}

int cmd_gc(const Invocation &inv)
{
	po::options_description options("Options");
	options.add_options()("json", "print one JSON object (schema below and in the README)");
	po::variables_map vm;
	if (!parse_command(
		inv, options, {}, vm,
		{"gc [--json]",
		 "Removes the entries of cgroups that no longer exist.\n"
		 "\n"
		 "With --json it prints one object instead:\n"
		 "\n"
		 "    {\"removed\": [{\"cgroup_id\": n, \"priority\": n, \"omit\": bool,\n"
		 "                  \"flags\": n}], \"kept\": n}\n"
		 "\n"
		 "\"removed\" lists the dropped entries by cgroup id; \"kept\" counts the\n"
		 "entries left.\n"}))
		return 0;

	const CgroupResolver cgroups = CgroupResolver::from_this_process();
	const Policy policy = inv.policy();
	const SyncPlan plan = PolicyChange(policy).gc(cgroups); // unlocked before the report
	if (vm.count("json"))
		print_json(gc_json(plan));
	else
		print_gc(plan);
	return 0;
}

} // namespace bpfoom::cli
