// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// sync: make the priorities map equal to a file, all or nothing.
#include <unistd.h>

#include "bpfoom/error.hpp"
#include "bpfoom/policy_change.hpp"
#include "bpfoom/sync_file.hpp"
#include "commands.hpp"

namespace bpfoom::cli
{

const std::vector<OptionSpec> sync_options{
    {"dry-run", false, "print what would change, change nothing"},
    {"allow-empty", false, "accept a FILE with no entries: remove every priority"},
    json_option};

static void run_sync(const Invocation &inv, const Args &args)
{
	const std::string &file = args.value("FILE");
	const std::string source = file == "-" ? "<stdin>" : file;
	const std::string text =
	    file == "-" ? read_sync_input(STDIN_FILENO, source) : read_sync_file(file);
	const auto entries =
	    parse_sync_file(text, source, {.allow_empty = args.has("allow-empty")});
	const CgroupResolver cgroups = CgroupResolver::from_this_process();
	const SyncTarget target = resolve_sync_entries(entries, cgroups, source);

	const Policy policy = inv.policy();
	const bool dry_run = args.has("dry-run");
	/* The lock covers the plan and its application, not the report. */
	const SyncPlan plan = dry_run ? policy.priorities().plan_sync(target.desired, source)
				      : PolicyChange(policy).sync(target.desired, source);
	inv.out.print(SyncReport{plan, dry_run, target, cgroups});
}

const CommandSpec
    sync_command("sync", "make the priorities equal to a file, all or nothing",
		 "sync FILE|- [--dry-run] [--allow-empty] [--json]", sync_options, {"FILE"},
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
		 "released.\n",
		 &sync_schema, run_sync);

} // namespace bpfoom::cli
