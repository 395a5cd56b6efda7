// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// probe, load, unload, status, config: the policy's life cycle and settings.
// Each handler is followed by its spec (command.hpp).
#include "bpfoom/error.hpp"
#include "bpfoom/policy_change.hpp"
#include "bpfoom/policy_compiler.hpp"
#include "bpfoom/probe.hpp"
#include "commands.hpp"

namespace bpfoom::cli
{

/* --mode, --default-priority and --dry-run, read as strings so that bad values are bad input. */
static SettingsUpdate settings_update(const Args &args, bool dry_run_is_switch)
{
	SettingsUpdate update;
	if (args.has("mode"))
		update.mode = parse_mode(args.value("mode"));
	if (args.has("default-priority"))
		update.default_priority = parse_priority_arg(args.value("default-priority"));
	if (dry_run_is_switch) {
		if (args.has("dry-run"))
			update.dry_run = true;
	} else if (args.has("dry-run")) {
		update.dry_run = parse_switch_arg("--dry-run", args.value("dry-run"));
	}
	return update;
}

static void run_probe(const Invocation &inv, const Args &)
{
	const ProbeReport report = probe(inv.pin_dir);
	inv.out.print(report);
	if (const ProbeCheck *failure = report.first_failure())
		throw Error(failure->failure,
			    "this system cannot run the bpfoom policy: " + failure->detail);
}

const CommandSpec
    probe_command("probe", "check that this kernel can run the policy", "probe [--json]",
		  {json_option}, {},
		  "Reports whether this kernel and host can run the bpfoom policy. Changes\n"
		  "nothing: the policy program is loaded to let the verifier and the fmod_ret\n"
		  "allow-list judge it, then closed. Exits 0 only if every check passes, else\n"
		  "with the code of the first failing one (4 unsupported, 5 permission).\n"
		  "Other programs attached to bpf_oom_evaluate_task() as fmod_ret are listed\n"
		  "and their check says \"warn\": they can override the policy's verdicts,\n"
		  "but the policy still attaches and runs, so they do not fail the probe.\n",
		  &probe_schema, run_probe);

const std::vector<OptionSpec> load_options{
    {"mode", true, "inherit (default) or tournament"},
    {"default-priority", true, "priority of cgroups without an entry (default 0)"},
    {"dry-run", false, "rank candidates and report, but let the kernel choose"},
    {"max-entries", true,
     "capacity of the priorities table (default 65536; a loaded one is resized)"},
    {"policy", true, "a shipped policy's NAME, or FILE.bpf.c or FILE.bpf.o (default priority)"}};

static void run_load(const Invocation &inv, const Args &args)
{
	LoadOptions options;
	if (args.has("policy"))
		options.policy =
		    resolve_policy(args.value("policy"), PolicyCompiler::from_environment());
	options.settings = settings_update(args, true);
	if (args.has("max-entries"))
		options.max_entries = parse_count_arg("--max-entries", args.value("max-entries"));
	/* Named, so that whatever the call held is released before the report. */
	const LoadResult result = inv.policy().load(options);
	inv.out.print(LoadReport{result, inv.pin_dir});
}

const CommandSpec
    load_command("load", "load and attach the policy (replaces a running one)",
		 "load [--policy NAME|FILE] [--mode M] [--default-priority N] [--dry-run]\n"
		 "            [--max-entries N]",
		 load_options, {},
		 "Loads a policy, attaches it to the kernel's OOM victim selection and pins\n"
		 "it under the pin directory. If a policy is already loaded, the new one\n"
		 "replaces it (the priorities, settings and counters are kept; settings not\n"
		 "given keep their current values), and exactly one policy stays attached.\n"
		 "--policy takes a shipped policy's name ('bpfoom policy list'), a C source\n"
		 "FILE.bpf.c written on the SDK (compiled with clang, the result cached), or\n"
		 "a compiled FILE.bpf.o. A policy that does not compile (exit 8), that the\n"
		 "verifier refuses (exit 9) or that is not shaped as a policy (exit 3)\n"
		 "changes nothing: the loaded one stays.\n"
		 "With --max-entries over a loaded policy, its priorities move into a table\n"
		 "of the new capacity in one swap (refused if they do not fit).\n",
		 nullptr, run_load);

static void run_unload(const Invocation &inv, const Args &)
{
	const bool removed = inv.policy().unload();
	inv.out.print(UnloadReport{removed});
}

const CommandSpec
    unload_command("unload", "detach the policy and remove its pins", "unload", {}, {},
		   "Detaches the policy and removes every pin, dropping the priorities.\n"
		   "Succeeds (exit 0) when nothing is loaded.\n",
		   nullptr, run_unload);

/* Exit 0 whether loaded or not, other programs on the hook or not. */
static void run_status(const Invocation &inv, const Args &)
{
	const PolicyStatus status = inv.policy().status();
	warn_of_foreign_programs(status.foreign_programs);
	inv.out.print(StatusReport{status, inv.pin_dir});
}

const CommandSpec
    status_command("status", "show programs, links, settings, counters", "status [--json]",
		   {json_option}, {},
		   "Shows whether the policy is loaded, its links and programs, the settings,\n"
		   "the number of priorities and the counters. Exits 0 in either case.\n"
		   "If a load or unload was interrupted, says what it left (staged links are\n"
		   "listed too) and what to run: 'bpfoom load' or 'bpfoom unload'.\n"
		   "Lists the other programs attached to bpf_oom_evaluate_task() as fmod_ret,\n"
		   "which bpfoom did not load, and warns about them on stderr: the first\n"
		   "program to return non-zero decides, so each can override the policy.\n",
		   &status_schema, run_status);

static void run_config(const Invocation &inv, const Args &args)
{
	const SettingsUpdate update = settings_update(args, false);
	const Policy policy = inv.policy();
	const Settings current = update.empty() ? policy.settings().read()
						: PolicyChange(policy).configure(update).after;
	inv.out.print(SettingsReport{current});
}

const CommandSpec
    config_command("config", "change the runtime settings",
		   "config [--mode M] [--default-priority N] [--dry-run on|off]",
		   {{"mode", true, "inherit or tournament"},
		    {"default-priority", true, "priority of cgroups without an entry"},
		    {"dry-run", true, "on: rank and report only; off: enforce"}},
		   {},
		   "Changes the runtime settings of the loaded policy, without reloading it,\n"
		   "and prints them. Without options, only prints them.\n",
		   nullptr, run_config);

} // namespace bpfoom::cli
