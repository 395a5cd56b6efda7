// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "context.hpp"

#include <charconv>
#include <cstdlib>
#include <iostream>

#include "bpfoom/error.hpp"
#include "bpfoom/priority.hpp"
#include "bpfoom/text.hpp"

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
		/* Boost echoes the offending argument, which may be of any length. */
		throw Error(Errc::usage,
			    escape(e.what(), 512) + " (see 'bpfoom " + inv.command + " --help')");
	}
	/* Every declared positional is required. */
	for (unsigned i = 0; i < positionals.max_total_count() && i < 8; i++) {
		const std::string &name = positionals.name_for_position(i);
		if (!vm.count(name))
			throw Error(Errc::usage, "missing " + name + " (see 'bpfoom " +
						     inv.command + " --help')");
	}
	/* A bad BPFOOM_LOCK_TIMEOUT is refused by every command, not only by those that wait. */
	lock_timeout();
	return true;
}

std::chrono::milliseconds lock_timeout()
{
	const char *value = std::getenv("BPFOOM_LOCK_TIMEOUT");
	if (!value || !*value)
		return PinDir::default_lock_timeout;
	/* SECONDS[.FRACTION], at most a day: a typo must not turn into a hang of years. */
	const std::string text = value;
	const char *begin = text.data(), *end = text.data() + text.size();
	std::uint64_t seconds = 0;
	auto [point, ec] = std::from_chars(begin, end, seconds);
	std::uint64_t ms = seconds * 1000;
	bool valid = ec == std::errc() && point != begin && seconds <= 86400;
	if (valid && point != end) {
		valid = *point == '.' && point + 1 != end && end - point <= 4;
		std::uint64_t scale = 100;
		for (const char *digit = point + 1; valid && digit != end; digit++, scale /= 10) {
			valid = *digit >= '0' && *digit <= '9';
			ms += static_cast<std::uint64_t>(*digit - '0') * scale;
		}
	}
	if (!valid)
		throw Error(Errc::bad_input, "BPFOOM_LOCK_TIMEOUT " + quote(text) +
						 " is not a number of seconds from 0 to 86400 "
						 "(e.g. 10 or 0.5)");
	return std::chrono::milliseconds(ms);
}

void warn_if_interrupted(const Policy &policy)
{
	if (auto interruption = policy.pins().interruption())
		std::cerr << "bpfoom: warning: " << one_line(interruption->description) << '\n';
}

std::int32_t parse_priority_arg(const std::string &text)
{
	if (auto value = parse_priority(text))
		return *value;
	throw Error(Errc::bad_input, "priority " + quote(text) + " is not a 32-bit integer");
}

bool parse_switch_arg(const std::string &option, const std::string &text)
{
	if (text == "on" || text == "true" || text == "1" || text == "yes")
		return true;
	if (text == "off" || text == "false" || text == "0" || text == "no")
		return false;
	throw Error(Errc::bad_input, option + " " + quote(text) + " is not 'on' or 'off'");
}

std::uint32_t parse_count_arg(const std::string &option, const std::string &text)
{
	/* Digits only: Boost would read "-1" as 4294967295, from_chars would take "+1". */
	std::uint64_t value = 0;
	bool valid = !text.empty() && text.size() <= 10;
	for (char c : text) {
		valid = valid && c >= '0' && c <= '9';
		value = value * 10 + static_cast<unsigned>(c - '0');
	}
	if (!valid || value < 1 || value > UINT32_MAX)
		throw Error(Errc::bad_input, option + " " + quote(text) +
						 " is not a whole number from 1 to " +
						 std::to_string(UINT32_MAX));
	return static_cast<std::uint32_t>(value);
}

Policy Invocation::policy() const
{
	return Policy(pin_dir, lock_timeout());
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
