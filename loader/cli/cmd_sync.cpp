// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// sync: make the priorities map equal to a file, all or nothing.
#include <fstream>
#include <iostream>

#include "bpfoom/error.hpp"
#include "bpfoom/sync_file.hpp"
#include "commands.hpp"
#include "table.hpp"

namespace bpfoom::cli
{

int cmd_sync(const Invocation &inv)
{
	po::options_description options("Options");
	options.add_options()("dry-run", "print what would change, change nothing");
	po::positional_options_description positionals;
	positionals.add("FILE", 1);
	po::variables_map vm;
	if (!parse_command(
		inv, options, positionals, vm,
		{"sync FILE|- [--dry-run]",
		 "Makes the priorities map hold exactly the entries of FILE ('-': stdin):\n"
		 "entries not in FILE are removed. FILE has one entry a line,\n"
		 "\n"
		 "    CGROUP PRIORITY [omit]\n"
		 "\n"
		 "separated by blanks; '#' starts a comment, blank lines are ignored. CGROUP\n"
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
		 "reported as FILE:LINE and nothing changes. The changes are then applied\n"
		 "as one batch; if the kernel refuses part-way, the previous contents are\n"
		 "restored. Prints each change (+ added, ~ changed, - removed) and a count.\n"}))
		return 0;

	const std::string file = vm["FILE"].as<std::string>();
	std::vector<SyncEntry> entries;
	if (file == "-") {
		entries = parse_sync_file(std::cin, "<stdin>");
	} else {
		std::ifstream in(file);
		if (!in)
			throw Error(Errc::bad_input, "cannot open '" + file + "'");
		entries = parse_sync_file(in, file);
	}
	const std::string source = file == "-" ? "<stdin>" : file;
	const CgroupResolver cgroups = CgroupResolver::from_this_process();
	const SyncTarget target = resolve_sync_entries(entries, cgroups, source);

	Policy policy(inv.pin_dir);
	PriorityMap map = policy.priorities();
	map.check_capacity(target.desired, source);
	std::optional<StateChange> change;
	if (!vm.count("dry-run"))
		change.emplace(policy);
	const SyncPlan plan = plan_sync(map.list(), target.desired);
	if (!vm.count("dry-run"))
		map.apply(plan);

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
	std::cout << (vm.count("dry-run") ? "sync (dry run, nothing changed): " : "sync: ")
		  << plan.added.size() << " added, " << plan.changed.size() << " changed, "
		  << plan.removed.size() << " removed, " << plan.unchanged << " unchanged\n";
	return 0;
}

} // namespace bpfoom::cli
