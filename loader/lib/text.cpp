// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "bpfoom/text.hpp"

namespace bpfoom
{
namespace
{

/* How much of an input an error message echoes, and of a whole message. */
constexpr std::size_t quoted_bytes = 256;
constexpr std::size_t line_bytes = 4096;

unsigned char byte_at(std::string_view s, std::size_t i)
{
	return static_cast<unsigned char>(s[i]);
}

/*
 * The length of the valid UTF-8 sequence `s` starts with, or 0 if it starts
 * with none. Valid as RFC 3629 has it: no overlong forms, no surrogates,
 * nothing above U+10FFFF, so that what passes is what a terminal decodes.
 */
std::size_t utf8_length(std::string_view s)
{
	const unsigned char lead = byte_at(s, 0);
	unsigned char low = 0x80, high = 0xbf; // the second byte's range
	std::size_t length;
	if (lead < 0x80)
		return 1;
	if (lead >= 0xc2 && lead <= 0xdf) {
		length = 2;
	} else if (lead >= 0xe0 && lead <= 0xef) {
		length = 3;
		if (lead == 0xe0)
			low = 0xa0; // overlong
		else if (lead == 0xed)
			high = 0x9f; // surrogates
	} else if (lead >= 0xf0 && lead <= 0xf4) {
		length = 4;
		if (lead == 0xf0)
			low = 0x90; // overlong
		else if (lead == 0xf4)
			high = 0x8f; // above U+10FFFF
	} else {
		return 0;
	}
	if (s.size() < length || byte_at(s, 1) < low || byte_at(s, 1) > high)
		return 0;
	for (std::size_t i = 2; i < length; i++)
		if ((byte_at(s, i) & 0xc0) != 0x80)
			return 0;
	return length;
}

/* A control character: C0, DEL, or C1 (U+0080-U+009F, encoded C2 80..C2 9F). */
bool is_control(std::string_view character)
{
	const unsigned char lead = byte_at(character, 0);
	if (character.size() == 1)
		return lead < 0x20 || lead == 0x7f;
	return character.size() == 2 && lead == 0xc2 && byte_at(character, 1) <= 0x9f;
}

void append_hex(std::string &out, unsigned char byte)
{
	static constexpr char digits[] = "0123456789abcdef";
	out += "\\x";
	out += digits[byte >> 4];
	out += digits[byte & 0xf];
}

std::string sanitize(std::string_view text, std::size_t max_bytes)
{
	std::string_view shown = text;
	if (text.size() > max_bytes) {
		/* Cut before a character, not inside one (a UTF-8 character has at most 4 bytes).
		 */
		std::size_t cut = max_bytes;
		for (int i = 0; i < 3 && cut > 0 && (byte_at(text, cut) & 0xc0) == 0x80; i++)
			cut--;
		shown = text.substr(0, cut);
	}
	std::string out;
	out.reserve(shown.size());
	for (std::size_t i = 0; i < shown.size();) {
		const std::size_t length = utf8_length(shown.substr(i));
		if (length == 0) {
			append_hex(out, byte_at(shown, i++));
			continue;
		}
		const std::string_view character = shown.substr(i, length);
		if (is_control(character))
			for (char c : character)
				append_hex(out, static_cast<unsigned char>(c));
		else
			out += character;
		i += length;
	}
	if (shown.size() < text.size())
		out += "...(" + std::to_string(text.size()) + " bytes)";
	return out;
}

} // namespace

std::string escape(std::string_view text, std::size_t max_bytes)
{
	return sanitize(text, max_bytes);
}

std::string quote(std::string_view input)
{
	return "'" + escape(input, quoted_bytes) + "'";
}

std::string one_line(std::string_view message)
{
	return sanitize(message, line_bytes);
}

std::size_t display_width(std::string_view utf8)
{
	std::size_t width = 0;
	for (char c : utf8)
		width += (static_cast<unsigned char>(c) & 0xc0) != 0x80;
	return width;
}

} // namespace bpfoom
