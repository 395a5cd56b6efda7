// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpfoom-node-agent-example [--load] [--events]
 *
 * The smallest node agent: it drives bpfoom in-process through libbpfoom
 * instead of running the CLI. It reads the desired priorities on stdin, in
 * the sync-file format ("CGROUP PRIORITY [omit]", one a line), and makes the
 * pinned priorities map equal to them as one all-or-nothing plan, as
 * `bpfoom sync -` does. A real agent computes the set from its pods (see
 * docs/kubernetes/) and calls reconcile() whenever it changes.
 *
 *   --load    load the policy first if it is not loaded
 *   --events  afterwards, print the OOM events buffered since the last reader
 *
 * Exit status: 0, or the bpfoom::Errc category of the failure (the CLI's codes).
 * Build it against an installed bpfoom with CMake (CMakeLists.txt,
 * find_package(bpfoom)) or with pkg-config (Makefile).
 */
#include <bpfoom/cgroup.hpp>
#include <bpfoom/error.hpp>
#include <bpfoom/events.hpp>
#include <bpfoom/policy.hpp>
#include <bpfoom/policy_change.hpp>
#include <bpfoom/sync_file.hpp>
#include <bpfoom/sync_plan.hpp>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <unistd.h>

namespace
{

/* Makes the priorities equal to the set read from `desired_fd`; returns what changed. */
bpfoom::SyncPlan reconcile(const bpfoom::Policy &policy, int desired_fd)
{
	const std::string source = "<stdin>";
	const auto cgroups = bpfoom::CgroupResolver::from_this_process();
	/*
	 * A read error is an error, not an empty set, and an empty set is
	 * refused: a producer that died must not erase the node's priorities.
	 * Every line is checked (syntax, cgroup exists, no duplicates) before
	 * anything changes.
	 */
	const std::string text = bpfoom::read_sync_input(desired_fd, source);
	const auto entries = bpfoom::parse_sync_file(text, source);
	const auto target = bpfoom::resolve_sync_entries(entries, cgroups, source);

	/*
	 * PolicyChange holds the pin directory's lock, so this never interleaves
	 * with a bpfoom command or a reload, and applies the whole new set at
	 * once, or nothing.
	 */
	return bpfoom::PolicyChange(policy).sync(target.desired, source);
}

void print_events(const bpfoom::Policy &policy)
{
	const auto cgroups = bpfoom::CgroupResolver::from_this_process();
	/* A ring buffer has one consumer position: this reader takes the events from any other. */
	const bpfoom::UniqueFd events = policy.events_map();
	bpfoom::EventReader reader(events.get(), [&](const bpfoom::OomEvent &event) {
		const auto path = cgroups.path_of(event.victim.cgroup_id);
		std::cout << "oom kill: " << event.victim.comm << " (pid " << event.victim.pid
			  << ") in " << path.value_or("a removed cgroup") << ", priority "
			  << event.victim.priority << ", decided by "
			  << (event.decided_by_policy ? "the policy" : "the kernel") << '\n';
	});
	reader.drain();
}

} // namespace

int main(int argc, char **argv)
{
	bool load = false, events = false;
	for (int i = 1; i < argc; i++) {
		if (!std::strcmp(argv[i], "--load")) {
			load = true;
		} else if (!std::strcmp(argv[i], "--events")) {
			events = true;
		} else {
			std::cerr << "usage: bpfoom-node-agent-example [--load] [--events]\n";
			return bpfoom::exit_code(bpfoom::Errc::usage);
		}
	}

	try {
		const char *pin_dir = std::getenv("BPFOOM_PIN_DIR");
		const bpfoom::Policy policy(pin_dir && *pin_dir ? pin_dir : BPFOOM_PIN_DIR);
		if (load && !policy.loaded())
			policy.load({});

		const bpfoom::SyncPlan plan = reconcile(policy, STDIN_FILENO);
		std::cout << "reconciled: " << plan.added.size() << " added, "
			  << plan.changed.size() << " changed, " << plan.removed.size()
			  << " removed, " << plan.unchanged << " unchanged\n";
		if (events)
			print_events(policy);
		return 0;
	} catch (const bpfoom::Error &e) {
		std::cerr << "bpfoom-node-agent-example: " << e.what() << '\n';
		return bpfoom::exit_code(e.kind());
	}
}
