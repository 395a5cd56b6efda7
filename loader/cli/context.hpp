// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// What every command gets: its arguments, the pin directory, where its
// report goes; and the parsers of argument values the commands share.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bpfoom/policy.hpp"
#include "output.hpp"

namespace bpfoom::cli
{

struct Invocation {
	std::string command;	       // e.g. "set"; empty before one is found
	std::vector<std::string> args; // after the command name
	std::string pin_dir;	       // BPFOOM_PIN_DIR from the environment, or the default
	bool verbose = false;
	Output out; // --json, before or after the command name

	/* The policy pinned in pin_dir; its writers wait lock_timeout() for the lock. */
	Policy policy() const;
};

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
 * parse_arguments() checks it for every command.
 */
std::chrono::milliseconds lock_timeout();

/*
 * For commands that only read: one line on stderr ("bpfoom: warning: ...")
 * if an interrupted load or unload left the pins inconsistent, so their
 * output is not taken for the whole truth. Changes nothing. A text line
 * under --json too: it is not an error, and the output still follows.
 */
void warn_if_interrupted(const Policy &policy);

/*
 * One line on stderr ("bpfoom: warning: ...") if other programs are
 * attached to the hook as fmod_ret (Policy::foreign_programs()), naming
 * each: the first of them to return non-zero overrides bpfoom's verdict.
 * A text line under --json too, as above.
 */
void warn_of_foreign_programs(const std::optional<std::vector<HookProgram>> &programs);

} // namespace bpfoom::cli
