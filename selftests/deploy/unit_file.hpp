// SPDX-License-Identifier: GPL-2.0
#pragma once

#include "command.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bpfoom::selftests
{

// A process environment, by variable name.
using Environment = std::map<std::string, std::string>;

// One command line of an Exec*= setting, ready to run.
struct ExecCommand {
	std::vector<std::string> argv;
	bool ignore_failure = false; // the "-" prefix
};

// A systemd unit file read the way systemd reads it (systemd.syntax(7),
// systemd.service(5), systemd.exec(5)), for the parts a service like
// bpfoom.service uses: sections, line continuations, Exec*= command lines
// with quoting, specifiers and $VARIABLE expansion, Environment= and
// EnvironmentFile=. Anything else that would change how systemd runs the
// commands (other Exec prefixes, specifiers other than %%) is refused with
// std::runtime_error rather than silently run differently.
class UnitFile
{
public:
	static UnitFile read(const std::filesystem::path &path);
	static UnitFile parse(std::string_view text);

	// Every value of KEY in [SECTION], in order; an empty assignment
	// ("ExecStart=") resets the list, as in systemd.
	std::vector<std::string> values(const std::string &section, const std::string &key) const;

	// What systemd hands the service: Environment= assignments, then the
	// EnvironmentFile= files (which override them; a "-" prefix makes a
	// file optional).
	Environment environment() const;

	// The command lines of KEY (ExecStart, ExecReload, ExecStop) in
	// [Service], split into words and expanded against `env`.
	std::vector<ExecCommand> commands(const std::string &key, const Environment &env) const;

private:
	std::vector<std::pair<std::string, std::string>>
	    section_key_values_; // "Section.Key", value
};

// Splits a command line or an Environment= value into words as systemd does:
// blanks separate words, '...' and "..." quote, backslash escapes.
std::vector<std::string> split_unit_words(std::string_view line);

// Expands a command line's words against `env`: a word that is exactly
// $NAME becomes the value's blank-separated words (none if empty or unset),
// ${NAME} anywhere becomes the value, $$ becomes $.
std::vector<std::string> expand_unit_variables(const std::vector<std::string> &words,
					       const Environment &env);

// Reads an EnvironmentFile=: KEY=VALUE lines, '#' and ';' comments, values
// optionally quoted.
Environment parse_environment_file(std::string_view text);

// What running one Exec*= list did.
struct ExecOutcome {
	bool ok = true;
	std::vector<CommandResult> results; // one per command run, in order
	std::string describe() const;
};

// Runs an Exec*= list as systemd runs a service's commands: in order, each
// with a clean environment (systemd's PATH plus `env`), in /, stdin empty,
// stopping at the first one that fails unless it has the "-" prefix.
ExecOutcome run_exec(const std::vector<ExecCommand> &commands, const Environment &env);

} // namespace bpfoom::selftests
