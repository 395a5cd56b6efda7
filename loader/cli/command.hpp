// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// A command as data: what it is called, what it takes, what its --help says
// and which JSON document it prints; parsing its arguments is shared.
#pragma once

#include <boost/program_options.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "context.hpp"
#include "schemas.hpp"

namespace bpfoom::cli
{

namespace po = boost::program_options;

struct OptionSpec {
	const char *name;	 // without "--"
	bool takes_value;	 // read as a string, parsed by the command
	const char *description; // for --help
};

/* --json for a command that prints one document. */
inline constexpr OptionSpec json_option{"json", false,
					"print one JSON object (schema below and in the README)"};

/* A command's parsed arguments. */
class Args
{
public:
	explicit Args(po::variables_map vm) : vm_(std::move(vm)) {}
	bool has(const char *name) const { return vm_.count(name) > 0; }
	/* The value of a positional, or of an option that was given. */
	const std::string &value(const char *name) const { return vm_[name].as<std::string>(); }

private:
	po::variables_map vm_;
};

/*
 * Each command's spec is written beside its handler, positionally and in
 * parentheses (aggregate initialisation): a few lines, in this order.
 */
struct CommandSpec {
	const char *name;
	const char *summary;  // its line in 'bpfoom --help'
	const char *synopsis; // "set CGROUP PRIORITY [--omit]"
	/* In --help's order; "--help" follows, and "--json" too if the command has no document. */
	std::vector<OptionSpec> options = {};
	std::vector<const char *> positionals = {}; // each required, once, in this order
	std::string_view help;			    // paragraphs after the options
	const JsonSchema *json = nullptr;	    // its --json document, or none
	/* Exit 0 when it returns; failures are thrown as bpfoom::Error. */
	void (*run)(const Invocation &, const Args &);
	bool negative_positionals = false; // "-5" is a positional (short options off)
};

/*
 * Parses inv.args as `spec` says. Returns nothing if --help was asked for
 * (and printed). Boost.Program_options errors and missing positionals
 * become Errc::usage; a bad BPFOOM_LOCK_TIMEOUT Errc::bad_input.
 */
std::optional<Args> parse_arguments(const CommandSpec &spec, const Invocation &inv);

/* Whether `args` asks for --json (before any "--"), which then covers usage errors too. */
bool asks_for_json(const std::vector<std::string> &args);

/* A JSON document as --help shows it: `intro`, then the schema indented by four spaces. */
void print_schema(const JsonSchema &schema, std::ostream &out);

} // namespace bpfoom::cli
