// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// probe, load, unload, status, config: the policy's life cycle and settings.
#include <iostream>

#include "bpfoom/error.hpp"
#include "bpfoom/policy_change.hpp"
#include "bpfoom/probe.hpp"
#include "bpfoom/text.hpp"
#include "commands.hpp"
#include "json.hpp"
#include "table.hpp"

namespace bpfoom::cli
{
namespace
{

void print_settings(const Settings &settings)
{
	Table table({"SETTING", "VALUE"});
	table.add({"mode", std::string(mode_name(settings.mode))});
	table.add({"default priority", std::to_string(settings.default_priority)});
	table.add({"dry run", settings.dry_run ? "on" : "off"});
	table.print(std::cout);
}

Json settings_json(const Settings &settings)
{
	return {{"mode", mode_name(settings.mode)},
		{"default_priority", settings.default_priority},
		{"dry_run", settings.dry_run},
		{"abi_version", settings.abi_version}};
}

/* probe --json: {"ready": bool, "checks": [{"name", "ok", "detail"}]} */
Json probe_json(const ProbeReport &report)
{
	Json checks = Json::array();
	for (const auto &check : report.checks)
		checks.push_back(
		    {{"name", check.name}, {"ok", check.ok}, {"detail", check.detail}});
	return {{"ready", report.ready()}, {"checks", std::move(checks)}};
}

void print_probe(const ProbeReport &report)
{
	Table table({"CHECK", "RESULT", "DETAIL"});
	for (const auto &check : report.checks)
		table.add({check.name, check.ok ? "ok" : "FAIL", check.detail});
	table.print(std::cout);
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

/*
 * status --json, one object:
 *   {"loaded": bool, "interrupted": string | null, "pin_dir": string,
 *    "links": [{"name": string, "link_id": n, "prog_id": n, "prog_name": string}],
 *    "settings": {"mode": "inherit"|"tournament", "default_priority": n,
 *                 "dry_run": bool, "abi_version": n} | null,
 *    "entries": n | null, "max_entries": n | null,
 *    "counters": {"ooms", "candidates", "selected", "skipped", "defaulted",
 *                 "victims", "events_dropped", "depth_truncated": n} | null}
 * null: the map is not pinned. "interrupted": null, or a sentence saying what
 * an interrupted load or unload left (staged links attached, a partial link
 * set) and what to run; "links" then lists the staged links too.
 */
Json status_json(const PolicyStatus &status, const std::string &pin_dir)
{
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
		{"interrupted", or_null(status.interrupted)},
		{"pin_dir", pin_dir},
		{"links", std::move(links)},
		{"settings", status.settings ? settings_json(*status.settings) : Json(nullptr)},
		{"entries", or_null(status.entries)},
		{"max_entries", or_null(status.max_entries)},
		{"counters", std::move(counters)}};
}

void print_status(const PolicyStatus &status, const std::string &pin_dir)
{
	std::cout << "policy: " << (status.loaded ? "loaded" : "not loaded") << " (pin dir "
		  << escape(pin_dir) << ")\n";
	if (status.interrupted)
		std::cout << "interrupted: " << one_line(*status.interrupted) << '\n';
	if (!status.links.empty()) {
		Table links({"LINK", "LINK ID", "PROGRAM", "PROG ID"});
		for (const auto &link : status.links)
			links.add({link.pin_name, std::to_string(link.link_id), link.prog_name,
				   std::to_string(link.prog_id)});
		links.print(std::cout);
	}
	if (status.settings)
		print_settings(*status.settings);
	if (status.entries)
		std::cout << "priorities: " << *status.entries << " of " << *status.max_entries
			  << " entries\n";
	if (status.counters) {
		Table table({"COUNTER", "VALUE"});
		for (const auto &[name, value] : named_counters(*status.counters))
			table.add({name, std::to_string(value)});
		table.print(std::cout);
	}
}

/* Reads --mode/--default-priority/--dry-run values given as strings, so bad values are bad input.
 */
SettingsUpdate settings_update(const po::variables_map &vm, bool dry_run_is_switch)
{
	SettingsUpdate update;
	if (vm.count("mode"))
		update.mode = parse_mode(vm["mode"].as<std::string>());
	if (vm.count("default-priority"))
		update.default_priority =
		    parse_priority_arg(vm["default-priority"].as<std::string>());
	if (dry_run_is_switch) {
		if (vm.count("dry-run"))
			update.dry_run = true;
	} else if (vm.count("dry-run")) {
		update.dry_run = parse_switch_arg("--dry-run", vm["dry-run"].as<std::string>());
	}
	return update;
}

} // namespace

int cmd_probe(const Invocation &inv)
{
	po::options_description options("Options");
	options.add_options()("json", "print a JSON object: {\"ready\": bool, \"checks\": "
				      "[{\"name\", \"ok\", \"detail\"}]}");
	po::variables_map vm;
	if (!parse_command(
		inv, options, {}, vm,
		{"probe [--json]",
		 "Reports whether this kernel and host can run the bpfoom policy. Changes\n"
		 "nothing: the policy program is loaded to let the verifier and the fmod_ret\n"
		 "allow-list judge it, then closed. Exits 0 only if every check passes, else\n"
		 "with the code of the first failing one (4 unsupported, 5 permission).\n"}))
		return 0;

	const ProbeReport report = probe(inv.pin_dir);
	if (vm.count("json"))
		print_json(probe_json(report));
	else
		print_probe(report);
	if (const ProbeCheck *failure = report.first_failure()) {
		std::cerr << "bpfoom: probe: this system cannot run the bpfoom policy: "
			  << one_line(failure->detail) << '\n';
		return exit_code(failure->failure);
	}
	if (!vm.count("json"))
		std::cout << "This system can run the bpfoom policy.\n";
	return 0;
}

int cmd_load(const Invocation &inv)
{
	po::options_description options("Options");
	options.add_options()("mode", po::value<std::string>(), "inherit (default) or tournament")(
	    "default-priority", po::value<std::string>(),
	    "priority of cgroups without an entry (default 0)")(
	    "dry-run", "rank candidates and report, but let the kernel choose")(
	    "max-entries", po::value<std::string>(),
	    "capacity of the priorities table (default 65536; a loaded one is resized)");
	po::variables_map vm;
	if (!parse_command(
		inv, options, {}, vm,
		{"load [--mode M] [--default-priority N] [--dry-run] [--max-entries N]",
		 "Loads the policy, attaches it to the kernel's OOM victim selection and pins\n"
		 "it under the pin directory. If a policy is already loaded, the new one\n"
		 "replaces it (the priorities, settings and counters are kept; settings not\n"
		 "given keep their current values), and exactly one policy stays attached.\n"
		 "With --max-entries over a loaded policy, its priorities move into a table\n"
		 "of the new capacity in one swap (refused if they do not fit).\n"}))
		return 0;

	LoadOptions load_options;
	load_options.settings = settings_update(vm, true);
	if (vm.count("max-entries"))
		load_options.max_entries =
		    parse_count_arg("--max-entries", vm["max-entries"].as<std::string>());

	const LoadResult result = inv.policy().load(load_options);
	std::cout << (result.replaced ? "replaced the running policy" : "loaded the policy")
		  << " (pinned in " << escape(inv.pin_dir) << ", " << result.entries_kept
		  << " priorities kept, capacity " << result.max_entries << ")\n";
	Table table({"LINK", "LINK ID", "PROGRAM", "PROG ID"});
	for (const auto &link : result.links)
		table.add({link.pin_name, std::to_string(link.link_id), link.prog_name,
			   std::to_string(link.prog_id)});
	table.print(std::cout);
	print_settings(result.settings);
	return 0;
}

int cmd_unload(const Invocation &inv)
{
	po::options_description options("Options");
	po::variables_map vm;
	if (!parse_command(inv, options, {}, vm,
			   {"unload",
			    "Detaches the policy and removes every pin, dropping the priorities.\n"
			    "Succeeds (exit 0) when nothing is loaded.\n"}))
		return 0;
	const bool removed = inv.policy().unload();
	std::cout << (removed ? "unloaded the policy\n" : "nothing was loaded\n");
	return 0;
}

/* status [--json]: exit 0 whether loaded or not. */
int cmd_status(const Invocation &inv)
{
	po::options_description options("Options");
	options.add_options()("json", "print one JSON object (schema in the README)");
	po::variables_map vm;
	if (!parse_command(
		inv, options, {}, vm,
		{"status [--json]",
		 "Shows whether the policy is loaded, its links and programs, the settings,\n"
		 "the number of priorities and the counters. Exits 0 in either case.\n"
		 "If a load or unload was interrupted, says what it left (staged links are\n"
		 "listed too) and what to run: 'bpfoom load' or 'bpfoom unload'.\n"}))
		return 0;

	const PolicyStatus status = inv.policy().status();
	if (vm.count("json"))
		print_json(status_json(status, inv.pin_dir));
	else
		print_status(status, inv.pin_dir);
	return 0;
}

int cmd_config(const Invocation &inv)
{
	po::options_description options("Options");
	options.add_options()("mode", po::value<std::string>(), "inherit or tournament")(
	    "default-priority", po::value<std::string>(), "priority of cgroups without an entry")(
	    "dry-run", po::value<std::string>(), "on: rank and report only; off: enforce");
	po::variables_map vm;
	if (!parse_command(
		inv, options, {}, vm,
		{"config [--mode M] [--default-priority N] [--dry-run on|off]",
		 "Changes the runtime settings of the loaded policy, without reloading it,\n"
		 "and prints them. Without options, only prints them.\n"}))
		return 0;

	const SettingsUpdate update = settings_update(vm, false);
	const Policy policy = inv.policy();
	const Settings current = update.empty() ? policy.settings().read()
						: PolicyChange(policy).configure(update).after;
	print_settings(current);
	return 0;
}

} // namespace bpfoom::cli
