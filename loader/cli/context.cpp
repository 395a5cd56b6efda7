// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "context.hpp"

#include <charconv>
#include <cstdlib>
#include <iostream>

#include "bpfoom/error.hpp"
#include "bpfoom/priority.hpp"
#include "bpfoom/pin_dir.hpp"
#include "bpfoom/probe.hpp"
#include "bpfoom/text.hpp"

namespace bpfoom::cli
{

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

void warn_of_foreign_programs(const std::optional<std::vector<HookProgram>> &programs)
{
	if (!programs || programs->empty())
		return;
	const bool one = programs->size() == 1;
	std::string listed;
	for (const auto &program : *programs) {
		if (!listed.empty())
			listed += "; ";
		listed += "link " + std::to_string(program.link_id) + ", program " +
			  std::to_string(program.prog_id) + " " + program.prog_name;
	}
	std::cerr << "bpfoom: warning: "
		  << one_line(std::to_string(programs->size()) + " other program" +
			      (one ? " is" : "s are") + " attached to " + oom_hook_name +
			      "() as fmod_ret (" + listed +
			      ") and can override bpfoom's verdicts: " +
			      "the first program to return non-zero decides")
		  << '\n';
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

} // namespace bpfoom::cli
