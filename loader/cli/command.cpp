// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "command.hpp"

#include <algorithm>
#include <iostream>

#include "bpfoom/error.hpp"
#include "bpfoom/text.hpp"

namespace bpfoom::cli
{
namespace
{

constexpr const char *json_without_document = "print null, not this report; errors as JSON";

po::options_description described_options(const CommandSpec &spec)
{
	po::options_description options("Options");
	bool has_json = false;
	for (const auto &option : spec.options) {
		if (option.takes_value)
			options.add_options()(option.name, po::value<std::string>(),
					      option.description);
		else
			options.add_options()(option.name, option.description);
		has_json = has_json || std::string_view(option.name) == "json";
	}
	/* --json is global: every command takes it, with or without a document. */
	if (!has_json)
		options.add_options()("json", json_without_document);
	options.add_options()("help", "show this help and exit");
	return options;
}

void print_help(const CommandSpec &spec, const po::options_description &options)
{
	std::cout << "Usage: bpfoom " << spec.synopsis << "\n\n" << options << '\n' << spec.help;
	if (!spec.json)
		return;
	std::cout << '\n';
	print_schema(*spec.json, std::cout);
	if (!spec.json->notes.empty())
		std::cout << '\n' << spec.json->notes;
}

} // namespace

void print_schema(const JsonSchema &schema, std::ostream &out)
{
	out << schema.intro << "\n\n";
	std::string_view rest = schema.document;
	while (!rest.empty()) {
		const std::size_t end = std::min(rest.find('\n'), rest.size());
		out << "    " << rest.substr(0, end) << '\n';
		rest.remove_prefix(std::min(end + 1, rest.size()));
	}
}

bool asks_for_json(const std::vector<std::string> &args)
{
	const auto end = std::find(args.begin(), args.end(), "--");
	return std::find(args.begin(), end, "--json") != end;
}

std::optional<Args> parse_arguments(const CommandSpec &spec, const Invocation &inv)
{
	const po::options_description options = described_options(spec);
	po::positional_options_description positionals;
	for (const char *name : spec.positionals)
		positionals.add(name, 1);
	int style = po::command_line_style::unix_style;
	if (spec.negative_positionals)
		style &= ~po::command_line_style::allow_short;
	po::variables_map vm;
	try {
		/* Positionals are declared hidden so that --help lists options only. */
		po::options_description all;
		all.add(options);
		for (const char *name : spec.positionals)
			all.add_options()(name, po::value<std::string>());
		po::store(po::command_line_parser(inv.args)
			      .options(all)
			      .positional(positionals)
			      .style(style)
			      .run(),
			  vm);
		if (vm.count("help")) {
			print_help(spec, options);
			return std::nullopt;
		}
		po::notify(vm);
	} catch (const po::error &e) {
		/* Boost echoes the offending argument, which may be of any length. */
		throw Error(Errc::usage,
			    escape(e.what(), 512) + " (see 'bpfoom " + inv.command + " --help')");
	}
	for (const char *name : spec.positionals)
		if (!vm.count(name))
			throw Error(Errc::usage, "missing " + std::string(name) + " (see 'bpfoom " +
						     inv.command + " --help')");
	/* A bad BPFOOM_LOCK_TIMEOUT is refused by every command, not only by those that wait. */
	lock_timeout();
	return Args(std::move(vm));
}

} // namespace bpfoom::cli
