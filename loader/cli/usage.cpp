// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// bpfoom --help.
#include <cstring>
#include <ostream>

#include "commands.hpp"

namespace bpfoom::cli
{

void print_usage(std::ostream &out, std::span<const CommandSpec *const> commands)
{
	out << "Usage: bpfoom [--verbose] [--json] COMMAND [ARGS...]\n"
	       "       bpfoom COMMAND --help\n"
	       "\n"
	       "Ranks OOM-kill candidates by memory cgroup priority, with a BPF policy\n"
	       "attached to the kernel's OOM victim selection.\n"
	       "\n"
	       "Commands:\n";
	for (const CommandSpec *command : commands)
		out << "  " << command->name << std::string(10 - std::strlen(command->name), ' ')
		    << command->summary << '\n';
	out << "\n"
	       "Options:\n"
	       "  --verbose   show libbpf's log (verifier output) on stderr\n"
	       "  --json      JSON output (as COMMAND --json), errors as JSON too\n"
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
	       "Bad input changes nothing and is reported in one line on stderr.\n"
	       "\n";
	print_schema(error_schema, out);
}

} // namespace bpfoom::cli
