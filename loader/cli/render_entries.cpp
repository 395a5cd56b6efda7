// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// Reports about priority entries: set, unset, get, list, gc.
#include <algorithm>

#include "bpfoom/text.hpp"
#include "render.hpp"
#include "table.hpp"

namespace bpfoom::cli
{

std::string cgroup_label(const CgroupResolver &cgroups, std::uint64_t id)
{
	if (auto path = cgroups.path_of(id))
		return *path;
	return "(cgroup id " + std::to_string(id) + ", gone)";
}

/* As the sync file writes it: "5 omit request=64Mi". */
std::string describe(const Priority &value)
{
	return std::to_string(value.priority) + (value.omit() ? " omit" : "") +
	       (value.request ? " request=" + format_size(value.request) : "");
}

Json request_json(const Priority &value)
{
	return value.request ? Json(value.request) : Json(nullptr);
}

void print_text(const SetReport &report, std::ostream &out)
{
	out << escape(report.cgroup.path) << ": " << describe(report.value)
	    << (report.before ? " (was " + describe(*report.before) + ")"
			      : std::string(" (new entry)"))
	    << '\n';
}

void print_text(const UnsetReport &report, std::ostream &out)
{
	out << escape(report.cgroup.path) << ": "
	    << (report.before ? "removed (was " + describe(*report.before) + ")"
			      : std::string("had no entry"))
	    << '\n';
}

Json to_json(const GetReport &report)
{
	const EffectivePriority &effective = report.effective;
	const std::optional<Cgroup> &source = effective.source;
	return {{"cgroup_id", report.cgroup.id},
		{"path", report.cgroup.path},
		{"priority", effective.value.priority},
		{"omit", effective.value.omit()},
		{"flags", effective.value.flags},
		{"from", effective.from_name()},
		{"from_cgroup_id", source ? Json(source->id) : Json(nullptr)},
		{"from_path", source ? Json(source->path) : Json(nullptr)}};
}

void print_text(const GetReport &report, std::ostream &out)
{
	const EffectivePriority &effective = report.effective;
	/* FROM: "own entry", the ancestor's path, or "default". */
	std::string from = "default";
	if (effective.from == EffectivePriority::From::own)
		from = "own entry";
	else if (effective.source)
		from = effective.source->path;
	Table table({"CGROUP", "ID", "PRIORITY", "OMIT", "FROM"});
	table.add({report.cgroup.path, std::to_string(report.cgroup.id),
		   std::to_string(effective.value.priority), effective.value.omit() ? "yes" : "no",
		   from});
	table.print(out);
}

Json to_json(const ListReport &report)
{
	Json list = Json::array();
	for (const auto &[id, value] : report.entries)
		list.push_back(Json{{"cgroup_id", id},
				    {"path", or_null(report.cgroups.path_of(id))},
				    {"priority", value.priority},
				    {"omit", value.omit()},
				    {"flags", value.flags},
				    {"request", request_json(value)}});
	return {{"entries", std::move(list)}};
}

void print_text(const ListReport &report, std::ostream &out)
{
	/* A REQUEST column only where some entry has one: most machines never set any. */
	const bool requests = std::any_of(report.entries.begin(), report.entries.end(),
					  [](const auto &entry) { return entry.second.request; });
	Table table = requests ? Table({"CGROUP", "ID", "PRIORITY", "OMIT", "REQUEST"})
			       : Table({"CGROUP", "ID", "PRIORITY", "OMIT"});
	for (const auto &[id, value] : report.entries) {
		std::vector<std::string> row{cgroup_label(report.cgroups, id), std::to_string(id),
					     std::to_string(value.priority),
					     value.omit() ? "yes" : "no"};
		if (requests)
			row.push_back(value.request ? format_size(value.request) : "-");
		table.add(row);
	}
	table.print(out);
}

Json to_json(const GcReport &report)
{
	Json removed = Json::array();
	for (const auto &gone : report.plan.removed)
		removed.push_back(Json{{"cgroup_id", gone.cgroup_id},
				       {"priority", gone.before->priority},
				       {"omit", gone.before->omit()},
				       {"flags", gone.before->flags},
				       {"request", request_json(*gone.before)}});
	return {{"removed", std::move(removed)}, {"kept", report.plan.after.size()}};
}

void print_text(const GcReport &report, std::ostream &out)
{
	for (const auto &gone : report.plan.removed)
		out << "- (cgroup id " << gone.cgroup_id << ") " << describe(*gone.before) << '\n';
	out << "gc: removed " << report.plan.removed.size() << " entries of deleted cgroups, kept "
	    << report.plan.after.size() << '\n';
}

} // namespace bpfoom::cli
