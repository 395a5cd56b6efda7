// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// set, unset, get, list, gc: one cgroup's entry at a time, or all of them.
#include <filesystem>
#include <iostream>

#include "bpfoom/error.hpp"
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

/* Where `cgroup`'s effective priority comes from in inherit mode: its own entry or an ancestor's.
 */
struct Inherited {
	std::string source; // "own entry", an ancestor's path, or "default"
	Priority value;
};

Inherited effective_priority(const CgroupResolver &cgroups, const PriorityMap &map,
			     const Cgroup &cgroup, std::int32_t default_priority)
{
	namespace fs = std::filesystem;
	if (auto own = map.get(cgroup.id))
		return {"own entry", *own};
	for (fs::path dir = fs::path(cgroup.path).parent_path();; dir = dir.parent_path()) {
		if (dir.string().size() < cgroups.root().size())
			break;
		const Cgroup ancestor = cgroups.resolve(dir.string());
		if (auto value = map.get(ancestor.id))
			return {ancestor.path, *value};
		if (dir == fs::path(cgroups.root()))
			break;
	}
	return {"default", Priority{default_priority, 0}};
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

	Policy policy(inv.pin_dir);
	PriorityMap map = policy.priorities();
	StateChange change(policy);
	const auto before = map.get(cgroup.id);
	map.set(cgroup.id, value);
	std::cout << cgroup.path << ": " << describe(value)
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
	Policy policy(inv.pin_dir);
	PriorityMap map = policy.priorities();
	StateChange change(policy);
	const auto before = map.get(cgroup.id);
	const bool removed = map.unset(cgroup.id);
	std::cout << cgroup.path << ": "
		  << (removed && before ? "removed (was " + describe(*before) + ")"
					: std::string("had no entry"))
		  << '\n';
	return 0;
}

int cmd_get(const Invocation &inv)
{
	po::options_description options("Options");
	po::variables_map vm;
	if (!parse_command(inv, options, cgroup_positional(), vm,
			   {"get CGROUP", "Shows CGROUP's entry and, if it has none, where its "
					  "effective priority comes\nfrom in inherit mode (an "
					  "ancestor's entry or the default).\n"}))
		return 0;

	const CgroupResolver cgroups = CgroupResolver::from_this_process();
	const Cgroup cgroup = cgroups.resolve(vm["CGROUP"].as<std::string>());
	Policy policy(inv.pin_dir);
	PriorityMap map = policy.priorities();
	const Settings settings = policy.settings().read();
	const Inherited effective =
	    effective_priority(cgroups, map, cgroup, settings.default_priority);

	Table table({"CGROUP", "ID", "PRIORITY", "OMIT", "FROM"});
	table.add({cgroup.path, std::to_string(cgroup.id), std::to_string(effective.value.priority),
		   effective.value.omit() ? "yes" : "no", effective.source});
	table.print(std::cout);
	return 0;
}

/*
 * list --json, one object:
 *   {"entries": [{"cgroup_id": n, "path": string | null, "priority": n,
 *                 "omit": bool, "flags": n}]}
 * sorted by cgroup_id; path is null if the cgroup no longer exists.
 */
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
	const PriorityTable entries = Policy(inv.pin_dir).priorities().list();
	if (vm.count("json")) {
		JsonWriter json(std::cout);
		json.begin_object().key("entries").begin_array();
		for (const auto &[id, value] : entries)
			json.begin_object()
			    .member("cgroup_id", id)
			    .member("path", cgroups.path_of(id))
			    .member("priority", value.priority)
			    .member("omit", value.omit())
			    .member("flags", value.flags)
			    .end_object();
		json.end_array().end_object();
		std::cout << '\n';
		return 0;
	}
	Table table({"CGROUP", "ID", "PRIORITY", "OMIT"});
	for (const auto &[id, value] : entries)
		table.add({cgroup_label(cgroups, id), std::to_string(id),
			   std::to_string(value.priority), value.omit() ? "yes" : "no"});
	table.print(std::cout);
	return 0;
}

int cmd_gc(const Invocation &inv)
{
	po::options_description options("Options");
	po::variables_map vm;
	if (!parse_command(inv, options, {}, vm,
			   {"gc", "Removes the entries of cgroups that no longer exist.\n"}))
		return 0;

	const CgroupResolver cgroups = CgroupResolver::from_this_process();
	Policy policy(inv.pin_dir);
	PriorityMap map = policy.priorities();
	StateChange change(policy);
	const SyncPlan plan = plan_gc(map.list(), cgroups);
	map.apply(plan);
	for (const auto &gone : plan.removed)
		std::cout << "- (cgroup id " << gone.cgroup_id << ") " << describe(*gone.before)
			  << '\n';
	std::cout << "gc: removed " << plan.removed.size() << " entries of deleted cgroups, kept "
		  << plan.after.size() << '\n';
	return 0;
}

} // namespace bpfoom::cli
