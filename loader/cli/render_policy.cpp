// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// Reports of the policy's life cycle: probe, load, unload, status, config.
#include "bpfoom/text.hpp"
#include "render.hpp"
#include "table.hpp"

namespace bpfoom::cli
{
namespace
{

void print_settings(const Settings &settings, std::ostream &out)
{
	Table table({"SETTING", "VALUE"});
	table.add({"mode", std::string(mode_name(settings.mode))});
	table.add({"default priority", std::to_string(settings.default_priority)});
	table.add({"dry run", settings.dry_run ? "on" : "off"});
	table.print(out);
}

Json settings_json(const Settings &settings)
{
	return {{"mode", mode_name(settings.mode)},
		{"default_priority", settings.default_priority},
		{"dry_run", settings.dry_run},
		{"abi_version", settings.abi_version}};
}

void print_links(const std::vector<PinnedLink> &links, std::ostream &out)
{
	Table table({"LINK", "LINK ID", "PROGRAM", "PROG ID"});
	for (const auto &link : links)
		table.add({link.pin_name, std::to_string(link.link_id), link.prog_name,
			   std::to_string(link.prog_id)});
	table.print(out);
}

Json foreign_programs_json(const std::optional<std::vector<HookProgram>> &programs)
{
	if (!programs)
		return nullptr;
	Json list = Json::array();
	for (const auto &program : *programs)
		list.push_back({{"link_id", program.link_id},
				{"prog_id", program.prog_id},
				{"prog_name", program.prog_name}});
	return list;
}

/* The other programs on the hook, if any, under a line saying what they can do. */
void print_foreign_programs(const std::optional<std::vector<HookProgram>> &programs,
			    std::ostream &out)
{
	if (!programs || programs->empty())
		return;
	out << "other programs on " << oom_hook_name
	    << "() (fmod_ret: the first to return non-zero decides):\n";
	Table table({"LINK ID", "PROG ID", "PROGRAM"});
	for (const auto &program : *programs)
		table.add({std::to_string(program.link_id), std::to_string(program.prog_id),
			   program.prog_name});
	table.print(out);
}

/* A probe check's RESULT column. */
std::string result_of(const ProbeCheck &check)
{
	if (!check.ok)
		return "FAIL";
	return check.warning ? "warn" : "ok";
}

/* The counters by the names status shows them under, in its order. */
std::vector<std::pair<const char *, std::uint64_t>> named_counters(const bpfoom_counters &c)
{
	return {{"ooms", c.ooms},
		{"candidates", c.candidates},
		{"selected", c.selected},
		{"skipped", c.skipped},
		{"defaulted", c.defaulted},
		{"victims", c.victims},
		{"events_dropped", c.events_dropped},
		{"depth_truncated", c.depth_truncated}};
}

/* "priority (sha256:1a2b3c4d5e6f7a8b)": a policy as the operator names it, with its hash. */
std::string describe_policy(const PolicyIdentity &policy)
{
	return escape(policy.name) + " (sha256:" + policy.hash + ")";
}

Json policy_json(const std::optional<PolicyIdentity> &policy)
{
	if (!policy)
		return nullptr;
	return {{"name", policy->name}, {"hash", policy->hash}};
}

} // namespace

Json to_json(const ProbeReport &report)
{
	Json checks = Json::array();
	for (const auto &check : report.checks)
		checks.push_back({{"name", check.name},
				  {"ok", check.ok},
				  {"warning", check.warning},
				  {"detail", check.detail}});
	return {{"ready", report.ready()},
		{"checks", std::move(checks)},
		{"foreign_programs", foreign_programs_json(report.foreign_programs)}};
}

void print_text(const ProbeReport &report, std::ostream &out)
{
	Table table({"CHECK", "RESULT", "DETAIL"});
	for (const auto &check : report.checks)
		table.add({check.name, result_of(check), check.detail});
	table.print(out);
	print_foreign_programs(report.foreign_programs, out);
	/* A failure is the error line, on stderr. */
	if (report.ready())
		out << "This system can run the bpfoom policy.\n";
}

void print_text(const LoadReport &report, std::ostream &out)
{
	const LoadResult &result = report.result;
	out << (result.replaced ? "replaced the running policy with " : "loaded the policy ")
	    << describe_policy(result.policy) << "; pinned in " << escape(report.pin_dir) << ", "
	    << result.entries_kept << " priorities kept, capacity " << result.max_entries << "\n";
	print_links(result.links, out);
	print_settings(result.settings, out);
}

void print_text(const UnloadReport &report, std::ostream &out)
{
	out << (report.removed ? "unloaded the policy\n" : "nothing was loaded\n");
}

Json to_json(const StatusReport &report)
{
	const PolicyStatus &status = report.status;
	Json links = Json::array();
	for (const auto &link : status.links)
		links.push_back({{"name", link.pin_name},
				 {"link_id", link.link_id},
				 {"prog_id", link.prog_id},
				 {"prog_name", link.prog_name}});
	Json counters = nullptr;
	if (status.counters) {
		counters = Json::object();
		for (const auto &[name, value] : named_counters(*status.counters))
			counters[name] = value;
	}
	return {{"loaded", status.loaded},
		{"policy", policy_json(status.policy)},
		{"interrupted", or_null(status.interrupted)},
		{"pin_dir", report.pin_dir},
		{"links", std::move(links)},
		{"settings", status.settings ? settings_json(*status.settings) : Json(nullptr)},
		{"entries", or_null(status.entries)},
		{"max_entries", or_null(status.max_entries)},
		{"counters", std::move(counters)},
		{"foreign_programs", foreign_programs_json(status.foreign_programs)}};
}

void print_text(const StatusReport &report, std::ostream &out)
{
	const PolicyStatus &status = report.status;
	out << "policy: " << (status.loaded ? "loaded" : "not loaded") << " (pin dir "
	    << escape(report.pin_dir) << ")\n";
	if (status.policy)
		out << "running: " << describe_policy(*status.policy) << '\n';
	if (status.interrupted)
		out << "interrupted: " << one_line(*status.interrupted) << '\n';
	if (!status.links.empty())
		print_links(status.links, out);
	if (status.settings)
		print_settings(*status.settings, out);
	if (status.entries)
		out << "priorities: " << *status.entries << " of " << *status.max_entries
		    << " entries\n";
	if (status.counters) {
		Table table({"COUNTER", "VALUE"});
		for (const auto &[name, value] : named_counters(*status.counters))
			table.add({name, std::to_string(value)});
		table.print(out);
	}
	print_foreign_programs(status.foreign_programs, out);
}

void print_text(const SettingsReport &report, std::ostream &out)
{
	print_settings(report.settings, out);
}

} // namespace bpfoom::cli
