// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// bpfoom: the command line over libbpfoom. Dispatches to one command, turns
// bpfoom::Error into one line on stderr and the category's exit code.
#include <bpf/libbpf.h>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "bpfoom/error.hpp"
#include "bpfoom/text.hpp"
#include "commands.hpp"

namespace
{

using namespace bpfoom;
using namespace bpfoom::cli;

struct Command {
	const char *name;
	int (*run)(const Invocation &);
	const char *summary;
};

constexpr Command commands[] = {
    {"probe", cmd_probe, "check that this kernel can run the policy"},
    {"load", cmd_load, "load and attach the policy (replaces a running one)"},
    {"unload", cmd_unload, "detach the policy and remove its pins"},
    {"status", cmd_status, "show programs, links, settings, counters"},
    {"set", cmd_set, "set a cgroup's priority"},
    {"unset", cmd_unset, "remove a cgroup's priority"},
    {"get", cmd_get, "show a cgroup's (effective) priority"},
    {"list", cmd_list, "list every priority"},
    {"sync", cmd_sync, "make the priorities equal to a file, all or nothing"},
    {"gc", cmd_gc, "drop the priorities of deleted cgroups"},
    {"config", cmd_config, "change the runtime settings"},
    {"events", cmd_events, "show the OOM killer's decisions"},
};

void print_usage(std::ostream &out)
{
	out << "Usage: bpfoom [--verbose] COMMAND [ARGS...]\n"
	       "       bpfoom COMMAND --help\n"
	       "\n"
	       "Ranks OOM-kill candidates by memory cgroup priority, with a BPF policy\n"
	       "attached to the kernel's OOM victim selection.\n"
	       "\n"
	       "Commands:\n";
	for (const auto &command : commands)
		out << "  " << command.name << std::string(10 - std::strlen(command.name), ' ')
		    << command.summary << '\n';
	out << "\n"
	       "Options:\n"
	       "  --verbose   show libbpf's log (verifier output) on stderr\n"
	       "  --help      show this help\n"
	       "  --version   show the version\n"
	       "\n"
	       "Environment:\n"
	       "  BPFOOM_PIN_DIR   the bpffs directory of the pins (default " BPFOOM_PIN_DIR ")\n"
	       "  BPFOOM_LOCK_TIMEOUT  seconds to wait for the pin directory's lock (default 10)\n"
	       "\n"
	       "Exit status:\n"
	       "  0  success\n"
	       "  1  internal or unexpected error\n"
	       "  2  usage error (unknown option, missing or extra argument)\n"
	       "  3  bad input (unknown cgroup, path outside cgroup2, cgroup v1 path,\n"
	       "     priority not a 32-bit integer, malformed sync file, duplicate entry,\n"
	       "     a sync input that cannot be read, is empty or exceeds the limits)\n"
	       "  4  not supported here (kernel without the hook or BTF, no cgroup2 or\n"
	       "     memory controller, no bpffs, a pin directory that is not root's\n"
	       "     alone, pins of an incompatible bpfoom)\n"
	       "  5  permission denied (not root)\n"
	       "  6  the policy is not loaded\n"
	       "  7  busy: another process held the pin directory's lock too long\n"
	       "Bad input changes nothing and is reported in one line on stderr.\n";
}

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

} // namespace

int main(int argc, char **argv)
{
	std::vector<std::string> args(argv + 1, argv + argc);
	Invocation inv;
	const char *pin_dir = std::getenv("BPFOOM_PIN_DIR");
	inv.pin_dir = pin_dir && *pin_dir ? pin_dir : BPFOOM_PIN_DIR;

	while (!args.empty() && args.front().rfind("-", 0) == 0) {
		const std::string option = args.front();
		args.erase(args.begin());
		if (option == "--help" || option == "-h") {
			print_usage(std::cout);
			return 0;
		} else if (option == "--version") {
			std::cout << "bpfoom (ABI version " << BPFOOM_ABI_VERSION << ")\n";
			return 0;
		} else if (option == "--verbose" || option == "-v") {
			inv.verbose = true;
		} else {
			std::cerr << "bpfoom: unknown option " << quote(option)
				  << " (see 'bpfoom --help')\n";
			return exit_code(Errc::usage);
		}
	}
	if (args.empty()) {
		print_usage(std::cerr);
		return exit_code(Errc::usage);
	}
	inv.command = args.front();
	inv.args.assign(args.begin() + 1, args.end());
	libbpf_set_print(inv.verbose ? libbpf_warnings : libbpf_quiet);

	for (const auto &command : commands) {
		if (inv.command != command.name)
			continue;
		/* Relative pins would land wherever the command happens to run. */
		if (inv.pin_dir.front() != '/') {
			std::cerr << "bpfoom: " << inv.command << ": BPFOOM_PIN_DIR "
				  << quote(inv.pin_dir) << " is not an absolute path\n";
			return exit_code(Errc::bad_input);
		}
		try {
			return command.run(inv);
		} catch (const Error &e) {
			/* One line, whatever the message echoes: see one_line(). */
			std::cerr << "bpfoom: " << inv.command << ": " << one_line(e.what())
				  << '\n';
			return exit_code(e.kind());
		} catch (const std::exception &e) {
			std::cerr << "bpfoom: " << inv.command << ": " << one_line(e.what())
				  << '\n';
			return exit_code(Errc::internal);
		}
	}
	std::cerr << "bpfoom: unknown command " << quote(inv.command) << " (see 'bpfoom --help')\n";
	return exit_code(Errc::usage);
}
