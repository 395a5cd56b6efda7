// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// events: the OOM decision stream, from the pinned ring buffer or observe-only.
#include <csignal>
#include <ctime>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <sys/signalfd.h>

#include "bpfoom/error.hpp"
#include "bpfoom/events.hpp"
#include "bpfoom/probe.hpp"
#include "bpfoom/text.hpp"
#include "commands.hpp"
#include "json.hpp"

namespace bpfoom::cli
{
namespace
{

/* ISO 8601 UTC with microseconds: 2025-01-31T12:34:56.123456Z */
std::string iso_time(std::chrono::system_clock::time_point time)
{
	const auto us =
	    std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count();
	const std::time_t seconds = us / 1000000;
	std::tm utc{};
	gmtime_r(&seconds, &utc);
	std::ostringstream out;
	out << std::put_time(&utc, "%Y-%m-%dT%H:%M:%S") << '.' << std::setw(6) << std::setfill('0')
	    << us % 1000000 << 'Z';
	return out.str();
}

/* The path of a cgroup, if known: null when gone (or cgroup2 is not mounted). */
Json path_json(const CgroupResolver *cgroups, std::uint64_t id)
{
	return cgroups ? or_null(cgroups->path_of(id)) : Json(nullptr);
}

/*
 * TASK = {"pid": n, "tgid": n, "comm": string, "cgroup_id": n,
 *         "cgroup_path": string | null, "priority": n, "omit": bool,
 *         "badness": n | null}
 */
Json task_json(const EventTask &task, const CgroupResolver *cgroups)
{
	return {{"pid", task.pid},
		{"tgid", task.tgid},
		{"comm", task.comm},
		{"cgroup_id", task.cgroup_id},
		{"cgroup_path", path_json(cgroups, task.cgroup_id)},
		{"priority", task.priority},
		{"omit", task.omit},
		{"badness", or_null(task.badness)}};
}

Json choice_json(const std::optional<EventTask> &task, const CgroupResolver *cgroups)
{
	return task ? task_json(*task, cgroups) : Json(nullptr);
}

/*
 * events --json: one object per line.
 *   {"time": "YYYY-MM-DDTHH:MM:SS.uuuuuuZ", "boot_ns": n,
 *    "oom": "global"|"memcg", "oom_memcg_id": n | null, "oom_memcg_path": string | null,
 *    "decided_by": "policy"|"kernel", "dry_run": bool, "hooked": bool,
 *    "group_member": bool,
 *    "victim": TASK, "policy_choice": TASK | null, "kernel_choice": TASK | null,
 *    "scan": {"candidates": n, "selected": n, "skipped": n}}
 * Paths are null when the cgroup no longer exists (or cgroup2 is not mounted).
 */
Json event_json(const OomEvent &event, const CgroupResolver *cgroups)
{
	return {{"time", iso_time(event.time)},
		{"boot_ns", event.boot_ns},
		{"oom", event.memcg_oom ? "memcg" : "global"},
		{"oom_memcg_id", event.memcg_oom ? Json(event.oom_memcg_id) : Json(nullptr)},
		{"oom_memcg_path",
		 event.memcg_oom ? path_json(cgroups, event.oom_memcg_id) : Json(nullptr)},
		{"decided_by", event.decided_by_policy ? "policy" : "kernel"},
		{"dry_run", event.dry_run},
		{"hooked", event.hooked},
		{"group_member", event.group_member},
		{"victim", task_json(event.victim, cgroups)},
		{"policy_choice", choice_json(event.policy_choice, cgroups)},
		{"kernel_choice", choice_json(event.kernel_choice, cgroups)},
		{"scan",
		 {{"candidates", event.candidates},
		  {"selected", event.selected},
		  {"skipped", event.skipped}}}};
}

/* Comms and paths are escape()d: whoever names a task or a cgroup writes them. */
std::string task_text(const EventTask &task, const CgroupResolver *cgroups)
{
	std::string cgroup = cgroups ? escape(cgroup_label(*cgroups, task.cgroup_id))
				     : "cgroup id " + std::to_string(task.cgroup_id);
	return std::to_string(task.tgid) + "/" + std::to_string(task.pid) + " (" +
	       escape(task.comm) + ") in " + cgroup + " priority " + std::to_string(task.priority) +
	       (task.omit ? " omit" : "") + " badness " +
	       (task.badness ? std::to_string(*task.badness) : std::string("?"));
}

void print_text(const OomEvent &event, const CgroupResolver *cgroups)
{
	std::cout << iso_time(event.time) << ' '
		  << (event.memcg_oom
			  ? "memcg OOM in " +
				(cgroups ? escape(cgroup_label(*cgroups, event.oom_memcg_id))
					 : std::to_string(event.oom_memcg_id))
			  : std::string("global OOM"))
		  << ": killed " << task_text(event.victim, cgroups) << "; decided by "
		  << (event.group_member	? "memory.oom.group"
		      : event.decided_by_policy ? "policy"
						: "kernel")
		  << (event.dry_run ? " (dry run)" : "") << "; scanned " << event.candidates
		  << " selected " << event.selected << " skipped " << event.skipped << '\n';
	if (event.policy_choice)
		std::cout << "    policy choice: " << task_text(*event.policy_choice, cgroups)
			  << '\n';
	if (event.kernel_choice)
		std::cout << "    kernel choice: " << task_text(*event.kernel_choice, cgroups)
			  << '\n';
	std::cout.flush();
}

/* A signalfd for SIGINT/SIGTERM: following stops cleanly, without a global flag. */
UniqueFd stop_signals()
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

} // namespace

int cmd_events(const Invocation &inv)
{
	po::options_description options("Options");
	options.add_options()("json", "one JSON object per line (schema in the README)")(
	    "follow", "keep streaming until SIGINT or SIGTERM");
	po::variables_map vm;
	if (!parse_command(
		inv, options, {}, vm,
		{"events [--json] [--follow]",
		 "Prints the OOM killer's decisions: one event per task marked as victim.\n"
		 "If the policy is loaded, reads its pinned ring buffer: without --follow,\n"
		 "prints what is buffered and exits. Reading consumes: two readers split the\n"
		 "stream. If nothing is loaded (or the kernel lacks the hook), attaches the\n"
		 "event programs alone (observe-only) for as long as it runs; without\n"
		 "--follow it then exits at once, having seen nothing.\n"}))
		return 0;

	std::optional<CgroupResolver> cgroups;
	try {
		cgroups.emplace(CgroupResolver::from_this_process());
	} catch (const Error &) {
		/* Events still make sense with ids only. */
	}
	const CgroupResolver *resolver = cgroups ? &*cgroups : nullptr;
	const bool json = vm.count("json");
	auto print = [&](const OomEvent &event) {
		json ? print_json(event_json(event, resolver)) : print_text(event, resolver);
	};

	const Policy policy = inv.policy();
	warn_if_interrupted(policy);
	UniqueFd stop = vm.count("follow") ? stop_signals() : UniqueFd();
	if (policy.loaded()) {
		UniqueFd events = policy.events_map();
		EventReader reader(events.get(), print);
		if (stop)
			reader.follow(stop.get());
		else
			reader.drain();
		return 0;
	}
	ObserveSession session;
	if (!json)
		std::cerr << "bpfoom: events: the policy is not loaded; observing the kernel's own "
			     "choices\n";
	EventReader reader(session.events_map_fd(), print);
	if (stop)
		reader.follow(stop.get());
	else
		reader.drain();
	return 0;
}

} // namespace bpfoom::cli
