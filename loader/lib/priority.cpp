// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "bpfoom/priority.hpp"

#include <charconv>

namespace bpfoom
{

std::optional<std::int32_t> parse_priority(std::string_view text)
{
	/* from_chars takes '-' but not '+'; accept both, once. */
	if (!text.empty() && text.front() == '+' && text.size() > 1 && text[1] != '-')
		text.remove_prefix(1);
	std::int32_t value;
	auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
	if (ec != std::errc() || end != text.data() + text.size() || text.empty())
		return std::nullopt;
	return value;
}

} // namespace bpfoom
