// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// What every command gets: its arguments, the pin directory, argument parsing.
#pragma once

#include <boost/program_options.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bpfoom/cgroup.hpp"
#include "bpfoom/policy.hpp"

namespace bpfoom::cli
{

namespace po = boost::program_options;

struct Invocation {
	std::string command;	       // e.g. "set"
	std::vector<std::string> args; // after the command name
	std::string pin_dir;	       // BPFOOM_PIN_DIR from the environment, or the default
	bool verbose = false;

	/* The policy pinned in pin_dir; its writers wait lock_timeout() for the lock. */
	Policy policy() const;
};

/* What a command documents in its --help. */
struct CommandHelp {
	std::string_view synopsis; // "set CGROUP PRIORITY [--omit]"
	std::string_view text;	   // paragraphs after the options
};

/*
 * Parses a command's arguments. Returns false if --help was asked for (and
 * printed). Boost.Program_options errors become Errc::usage. With
 * `negative_positionals`, "-5" is a positional (short options are off).
 */
bool parse_command(const Invocation &inv, po::options_description options,
		   const po::positional_options_description &positionals, po::variables_map &vm,
		   const CommandHelp &help, bool negative_positionals = false);

/* A priority argument, or Errc::bad_input naming it. */
std::int32_t parse_priority_arg(const std::string &text);

/* "on"/"off" (also true/false, 1/0, yes/no), or Errc::bad_input naming `option`. */
bool parse_switch_arg(const std::string &option, const std::string &text);

/*
 * A count given to `option` (e.g. "--max-entries"): decimal digits, 1 to
 * UINT32_MAX, or Errc::bad_input naming the option and the text. Unsigned
 * options are read as strings and parsed here because Boost wraps "-1".
 */
std::uint32_t parse_count_arg(const std::string &option, const std::string &text);

/*
 * How long a command waits for the pin directory's lock: BPFOOM_LOCK_TIMEOUT
 * (seconds, e.g. 10 or 0.5) from the environment, or PinDir's default.
 * Errc::bad_input naming the variable if it is not a number of seconds.
 * parse_command() checks it for every command.
 */
std::chrono::milliseconds lock_timeout();

/*
 * For commands that only read: one line on stderr ("bpfoom: warning: ...")
 * if an interrupted load or unload left the pins inconsistent, so their
 * output is not taken for the whole truth. Changes nothing.
 */
void warn_if_interrupted(const Policy &policy);

/* Shown for a cgroup id whose directory is gone, or outside this mount. */
std::string cgroup_label(const CgroupResolver &cgroups, std::uint64_t id);

/* "-5" or "-5 omit". */
std::string describe(const Priority &value);

} // namespace bpfoom::cli
