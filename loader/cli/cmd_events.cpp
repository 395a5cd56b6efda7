// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// events: the OOM decision stream, from the pinned ring buffer or observe-only.
#include <csignal>
#include <iostream>
#include <sys/signalfd.h>

#include "bpfoom/error.hpp"
#include "bpfoom/events.hpp"
#include "commands.hpp"

namespace bpfoom::cli
{

/* A signalfd for SIGINT/SIGTERM: following stops cleanly, without a global flag. */
static UniqueFd stop_signals()
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, nullptr) != 0)
		throw system_error("cannot block SIGINT/SIGTERM", errno);
	UniqueFd fd(signalfd(-1, &set, SFD_CLOEXEC));
	if (!fd)
		throw system_error("cannot create a signalfd", errno);
	return fd;
}

/* Prints what `events_fd` holds, or (with `stop`) streams until `stop` is readable. */
static void read_events(int events_fd, const UniqueFd &stop, const EventReader::Handler &print)
{
	EventReader reader(events_fd, print);
	if (stop)
		reader.follow(stop.get());
	else
		reader.drain();
}

static void run_events(const Invocation &inv, const Args &args)
{
	std::optional<CgroupResolver> cgroups;
	try {
		cgroups.emplace(CgroupResolver::from_this_process());
	} catch (const Error &) {
		/* Events still make sense with ids only. */
	}
	const CgroupResolver *resolver = cgroups ? &*cgroups : nullptr;
	auto print = [&](const OomEvent &event) { inv.out.print(EventReport{event, resolver}); };

	const Policy policy = inv.policy();
	warn_if_interrupted(policy);
	const UniqueFd stop = args.has("follow") ? stop_signals() : UniqueFd();
	if (policy.loaded()) {
		const UniqueFd events = policy.events_map();
		read_events(events.get(), stop, print);
		return;
	}
	const ObserveSession session;
	if (!inv.out.json())
		std::cerr << "bpfoom: events: the policy is not loaded; observing the kernel's own "
			     "choices\n";
	read_events(session.events_map_fd(), stop, print);
}

const CommandSpec
    events_command("events", "show the OOM killer's decisions", "events [--json] [--follow]",
		   {{"json", false, "one JSON object per line (schema below)"},
		    {"follow", false, "keep streaming until SIGINT or SIGTERM"}},
		   {},
		   "Prints the OOM killer's decisions: one event per task marked as victim.\n"
		   "If the policy is loaded, reads its pinned ring buffer: without --follow,\n"
		   "prints what is buffered and exits. Reading consumes: two readers split the\n"
		   "stream. If nothing is loaded (or the kernel lacks the hook), attaches the\n"
		   "event programs alone (observe-only) for as long as it runs; without\n"
		   "--follow it then exits at once, having seen nothing.\n",
		   &events_schema, run_events);

} // namespace bpfoom::cli
