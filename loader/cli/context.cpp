// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "context.hpp"

#include <iostream>

#include "bpfoom/error.hpp"
#include "bpfoom/priority.hpp"

namespace bpfoom::cli
{

bool parse_command(const Invocation &inv, po::options_description options,
		   const po::positional_options_description &positionals, po::variables_map &vm,
		   const CommandHelp &help, bool negative_positionals)
{
	options.add_options()("help", "show this help and exit");
	int style = po::command_line_style::unix_style;
	if (negative_positionals)
		style &= ~po::command_line_style::allow_short;
	try {
		/* Positionals are declared hidden so that --help lists options only. */
		po::options_description all;
		all.add(options);
		for (unsigned i = 0; i < positionals.max_total_count() && i < 8; i++) {
			const std::string &name = positionals.name_for_position(i);
			if (!all.find_nothrow(name, false))
				all.add_options()(name.c_str(), po::value<std::string>());
		}
		po::store(po::command_line_parser(inv.args)
			      .options(all)
			      .positional(positionals)
			      .style(style)
			      .run(),
			  vm);
		if (vm.count("help")) {
			std::cout << "Usage: bpfoom " << help.synopsis << "\n\n"
				  << options << '\n'
				  << help.text;
			return false;
		}
		po::notify(vm);
	} catch (const po::error &e) {
		throw Error(Errc::usage,
			    std::string(e.what()) + " (see 'bpfoom " + inv.command + " --help')");
	}
	/* Every declared positional is required. */
	for (unsigned i = 0; i < positionals.max_total_count() && i < 8; i++) {
		const std::string &name = positionals.name_for_position(i);
		if (!vm.count(name))
			throw Error(Errc::usage, "missing " + name + " (see 'bpfoom " +
						     inv.command + " --help')");
	}
	return true;
}

std::int32_t parse_priority_arg(const std::string &text)
{
	if (auto value = parse_priority(text))
		return *value;
	throw Error(Errc::bad_input, "priority '" + text + "' is not a 32-bit integer");
}

bool parse_switch_arg(const std::string &option, const std::string &text)
{
	if (text == "on" || text == "true" || text == "1" || text == "yes")
		return true;
	if (text == "off" || text == "false" || text == "0" || text == "no")
		return false;
	throw Error(Errc::bad_input, option + " '" + text + "' is not 'on' or 'off'");
}

StateChange::StateChange(const Policy &policy) : lock_(policy.pins().lock())
{
	policy.pins().recover();
}

std::string cgroup_label(const CgroupResolver &cgroups, std::uint64_t id)
{
	if (auto path = cgroups.path_of(id))
		return *path;
	return "(cgroup id " + std::to_string(id) + ", gone)";
}

std::string describe(const Priority &value)
{
	return std::to_string(value.priority) + (value.omit() ? " omit" : "");
}

} // namespace bpfoom::cli
