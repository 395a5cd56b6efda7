// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// One OOM event, as a JSON line or as a line (and its choices) for people.
#include <ctime>
#include <iomanip>
#include <sstream>

#include "bpfoom/text.hpp"
#include "render.hpp"

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

/* TASK */
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

std::string oom_text(const OomEvent &event, const CgroupResolver *cgroups)
{
	if (!event.memcg_oom)
		return "global OOM";
	return "memcg OOM in " + (cgroups ? escape(cgroup_label(*cgroups, event.oom_memcg_id))
					  : std::to_string(event.oom_memcg_id));
}

} // namespace

Json to_json(const EventReport &report)
{
	const OomEvent &event = report.event;
	const CgroupResolver *cgroups = report.cgroups;
	return {{"time", iso_time(event.time)},
		{"boot_ns", event.boot_ns},
		{"oom", event.memcg_oom ? "memcg" : "global"},
		{"oom_memcg_id", event.memcg_oom ? Json(event.oom_memcg_id) : Json(nullptr)},
		{"oom_memcg_path",
		 event.memcg_oom ? path_json(cgroups, event.oom_memcg_id) : Json(nullptr)},
		{"decided_by", event.decided_by_policy ? "policy" : "kernel"},
		{"policy", event.policy
			       ? Json{{"name", event.policy->name}, {"hash", event.policy->hash}}
			       : Json(nullptr)},
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

void print_text(const EventReport &report, std::ostream &out)
{
	const OomEvent &event = report.event;
	const CgroupResolver *cgroups = report.cgroups;
	out << iso_time(event.time) << ' ' << oom_text(event, cgroups) << ": killed "
	    << task_text(event.victim, cgroups) << "; decided by "
	    << (event.group_member	  ? "memory.oom.group"
		: event.decided_by_policy ? "policy"
					  : "kernel")
	    << (event.policy ? " under policy " + escape(event.policy->name) : "")
	    << (event.dry_run ? " (dry run)" : "") << "; scanned " << event.candidates
	    << " selected " << event.selected << " skipped " << event.skipped << '\n';
	if (event.policy_choice)
		out << "    policy choice: " << task_text(*event.policy_choice, cgroups) << '\n';
	if (event.kernel_choice)
		out << "    kernel choice: " << task_text(*event.kernel_choice, cgroups) << '\n';
	/* Streamed: each event is seen as it comes. */
	out.flush();
}

} // namespace bpfoom::cli
