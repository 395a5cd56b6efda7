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

namespace
{

constexpr std::pair<std::string_view, unsigned> size_suffixes[] = {
    {"Ti", 40}, {"Gi", 30}, {"Mi", 20}, {"Ki", 10}, {"T", 40}, {"G", 30}, {"M", 20}, {"K", 10}};

} // namespace

std::optional<std::uint64_t> parse_size(std::string_view text)
{
	unsigned shift = 0;
	for (const auto &[suffix, bits] : size_suffixes)
		if (text.size() > suffix.size() && text.ends_with(suffix)) {
			text.remove_suffix(suffix.size());
			shift = bits;
			break;
		}
	std::uint64_t value;
	auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
	if (ec != std::errc() || end != text.data() + text.size() || text.empty())
		return std::nullopt;
	if (shift && value > (~std::uint64_t(0) >> shift))
		return std::nullopt;
	return value << shift;
}

std::string format_size(std::uint64_t bytes)
{
	for (const auto &[suffix, bits] : size_suffixes) {
		if (suffix.size() != 2)
			continue;
		const std::uint64_t unit = std::uint64_t(1) << bits;
		if (bytes && bytes % unit == 0)
			return std::to_string(bytes / unit) + std::string(suffix);
	}
	return std::to_string(bytes);
}

} // namespace bpfoom
