// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// bpfoom: the command line over libbpfoom. Reads the global options, finds
// the command in the table, and turns bpfoom::Error into the one error line
// (error_report.hpp) and the category's exit code.
#include <algorithm>
#include <bpf/libbpf.h>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "bpfoom/text.hpp"
#include "commands.hpp"
#include "error_report.hpp"

namespace
{

using namespace bpfoom;
using namespace bpfoom::cli;

/* As 'bpfoom --help' lists them. */
constexpr const CommandSpec *commands[] = {
    &probe_command,	  &load_command,	 &unload_command,	&status_command,
    &set_command,	  &unset_command,	 &get_command,		&list_command,
    &sync_command,	  &gc_command,		 &config_command,	&events_command,
    &policy_list_command, &policy_check_command, &policy_build_command,
};

/* libbpf logs at every level by default; the CLI shows its warnings only when asked. */
int libbpf_quiet(enum libbpf_print_level, const char *, va_list)
{
	return 0;
}

int libbpf_warnings(enum libbpf_print_level level, const char *format, va_list args)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return std::vfprintf(stderr, format, args);
}

/*
 * The command `args` starts with, and how many words name it: one, or two
 * for a group's commands ("policy check").
 */
std::pair<const CommandSpec *, std::size_t> find_command(const std::vector<std::string> &args)
{
	const std::string two_words = args.size() > 1 ? args[0] + " " + args[1] : "";
	for (const CommandSpec *spec : commands) {
		if (args[0] == spec->name)
			return {spec, 1};
		if (two_words == spec->name)
			return {spec, 2};
	}
	return {nullptr, 0};
}

/* Why `word` names no command: it names none, or only a group of them ("policy"). */
std::string unknown_command(const std::string &word)
{
	std::string group;
	for (const CommandSpec *spec : commands) {
		const std::string_view name = spec->name;
		if (name.size() > word.size() && name.starts_with(word) && name[word.size()] == ' ')
			group +=
			    (group.empty() ? "" : ", ") + std::string(name.substr(word.size() + 1));
	}
	if (!group.empty())
		return quote(word) + " needs one of: " + group + " (see 'bpfoom --help')";
	return "unknown command " + quote(word) + " (see 'bpfoom --help')";
}

/* Runs the command `inv` names; its exit status. */
int run(const CommandSpec &command, const Invocation &inv)
{
	try {
		/* Relative pins would land wherever the command happens to run. */
		if (inv.pin_dir.front() != '/')
			throw Error(Errc::bad_input, "BPFOOM_PIN_DIR " + quote(inv.pin_dir) +
							 " is not an absolute path");
		const std::optional<Args> args = parse_arguments(command, inv);
		if (args)
			command.run(inv, *args);
		return 0;
	} catch (const Error &e) {
		return report_error(inv, e.kind(), e.what(), e.detail());
	} catch (const std::exception &e) {
		return report_error(inv, Errc::internal, e.what());
	}
}

} // namespace

int main(int argc, char **argv)
{
	std::vector<std::string> args(argv + 1, argv + argc);
	Invocation inv;
	const char *pin_dir = std::getenv("BPFOOM_PIN_DIR");
	inv.pin_dir = pin_dir && *pin_dir ? pin_dir : BPFOOM_PIN_DIR;

	/* Global options come before the command; --json among them covers their errors too. */
	const auto first_command =
	    std::find_if(args.begin(), args.end(),
			 [](const std::string &arg) { return arg.rfind("-", 0) != 0; });
	inv.out = Output(std::find(args.begin(), first_command, "--json") != first_command);
	while (!args.empty() && args.front().rfind("-", 0) == 0) {
		const std::string option = args.front();
		args.erase(args.begin());
		if (option == "--help" || option == "-h") {
			print_usage(std::cout, commands);
			return 0;
		} else if (option == "--version") {
			std::cout << "bpfoom (ABI version " << BPFOOM_ABI_VERSION << ")\n";
			return 0;
		} else if (option == "--verbose" || option == "-v") {
			inv.verbose = true;
		} else if (option != "--json") {
			return report_error(inv, Errc::usage,
					    "unknown option " + quote(option) +
						" (see 'bpfoom --help')");
		}
	}
	if (args.empty()) {
		if (inv.out.json())
			return report_error(inv, Errc::usage,
					    "no command given (see 'bpfoom --help')");
		print_usage(std::cerr, commands);
		return exit_code(Errc::usage);
	}
	/* After the command name too, where the command's own options are (or an unknown one's). */
	if (asks_for_json(args))
		inv.out = Output(true);
	const auto [command, words] = find_command(args);
	if (!command)
		return report_error(inv, Errc::usage, unknown_command(args.front()));
	inv.command = command->name;
	inv.args.assign(args.begin() + static_cast<std::ptrdiff_t>(words), args.end());
	libbpf_set_print(inv.verbose ? libbpf_warnings : libbpf_quiet);
	return run(*command, inv);
}
