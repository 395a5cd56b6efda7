// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// sync's report: every change the new set made (or would make), and counts.
#include "render.hpp"
#include "table.hpp"

namespace bpfoom::cli
{
namespace
{

/* PRIORITY, or null. */
Json priority_json(const std::optional<Priority> &value)
{
	if (!value)
		return nullptr;
	return {{"priority", value->priority},
		{"omit", value->omit()},
		{"flags", value->flags},
		{"request", value->request ? Json(value->request) : Json(nullptr)}};
}

/* The path the file gave, else the cgroup's current one (null if it is gone). */
Json path_json(const SyncReport &report, std::uint64_t id)
{
	const auto known = report.target.paths.find(id);
	if (known != report.target.paths.end())
		return known->second;
	return or_null(report.cgroups.path_of(id));
}

/* [CHANGE] */
Json changes_json(const std::vector<SyncChange> &changes, const SyncReport &report)
{
	Json list = Json::array();
	for (const auto &c : changes)
		list.push_back(Json{{"cgroup_id", c.cgroup_id},
				    {"path", path_json(report, c.cgroup_id)},
				    {"before", priority_json(c.before)},
				    {"after", priority_json(c.after)}});
	return list;
}

} // namespace

Json to_json(const SyncReport &report)
{
	const SyncPlan &plan = report.plan;
	return {{"dry_run", report.dry_run},
		{"added", changes_json(plan.added, report)},
		{"changed", changes_json(plan.changed, report)},
		{"removed", changes_json(plan.removed, report)},
		{"counts",
		 {{"added", plan.added.size()},
		  {"changed", plan.changed.size()},
		  {"removed", plan.removed.size()},
		  {"unchanged", plan.unchanged}}}};
}

void print_text(const SyncReport &report, std::ostream &out)
{
	const SyncPlan &plan = report.plan;
	const auto &paths = report.target.paths;
	Table table({"", "CGROUP", "PRIORITY"});
	for (const auto &c : plan.added)
		table.add({"+", paths.at(c.cgroup_id), describe(*c.after)});
	for (const auto &c : plan.changed)
		table.add({"~", paths.at(c.cgroup_id),
			   describe(*c.before) + " -> " + describe(*c.after)});
	for (const auto &c : plan.removed)
		table.add({"-", cgroup_label(report.cgroups, c.cgroup_id), describe(*c.before)});
	if (!table.empty())
		table.print(out);
	out << (report.dry_run ? "sync (dry run, nothing changed): " : "sync: ")
	    << plan.added.size() << " added, " << plan.changed.size() << " changed, "
	    << plan.removed.size() << " removed, " << plan.unchanged << " unchanged\n";
}

} // namespace bpfoom::cli
