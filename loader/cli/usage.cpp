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
	       "Ranks OOM-kill candidates with a BPF policy attached to the kernel's OOM\n"
	       "victim selection: by memory cgroup priority, as shipped, or by your own.\n"
	       "\n"
	       "Commands:\n";
	constexpr std::size_t name_column = 14;
	for (const CommandSpec *command : commands) {
		const std::size_t length = std::strlen(command->name);
		out << "  " << command->name
		    << std::string(length < name_column ? name_column - length : 1, ' ')
		    << command->summary << '\n';
	}
	out << "\n"
	       "Options:\n"
	       "  --verbose   show libbpf's log (verifier output) on stderr\n"
	       "  --json      JSON output (as COMMAND --json), errors as JSON too\n"
	       "  --help      show this help\n"
	       "  --version   show the version\n"
	       "\n"
	       "Environment:\n"
	       "  BPFOOM_PIN_DIR       the bpffs directory of the pins (default " BPFOOM_PIN_DIR
	       ")\n"
	       "  BPFOOM_LOCK_TIMEOUT  seconds to wait for the pin directory's lock (default 10)\n"
	       "  BPFOOM_CLANG         the clang that compiles policies\n"
	       "                       (default " BPFOOM_DEFAULT_CLANG ")\n"
	       "  BPFOOM_POLICY_CACHE  where compiled policies are cached (default "
	       "/var/cache/bpfoom)\n"
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
	       "  8  a policy's C source did not compile (clang's diagnostics first)\n"
	       "  9  the kernel's verifier refused a policy (its log's last lines first)\n"
	       "Bad input changes nothing and is reported in one line on stderr.\n"
	       "\n";
	print_schema(error_schema, out);
}

} // namespace bpfoom::cli
