// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// A minimal streaming JSON writer for the CLI's --json output (RFC 8259 escaping).
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string_view>
#include <vector>

namespace bpfoom::cli
{

/*
 * Writes one compact JSON value. Containers are opened and closed
 * explicitly; key() precedes each member of an object. Commas are inserted
 * automatically.
 */
class JsonWriter
{
public:
	explicit JsonWriter(std::ostream &out) : out_(out) {}

	JsonWriter &begin_object() { return open('{'); }
	JsonWriter &end_object() { return close('}'); }
	JsonWriter &begin_array() { return open('['); }
	JsonWriter &end_array() { return close(']'); }

	JsonWriter &key(std::string_view name)
	{
		separate();
		string_literal(name);
		out_ << ':';
		after_key_ = true;
		return *this;
	}

	JsonWriter &value(std::string_view text)
	{
		separate();
		string_literal(text);
		return *this;
	}
	JsonWriter &value(const char *text) { return value(std::string_view(text)); }
	JsonWriter &value(bool flag)
	{
		separate();
		out_ << (flag ? "true" : "false");
		return *this;
	}
	JsonWriter &value(std::int64_t number)
	{
		separate();
		out_ << number;
		return *this;
	}
	JsonWriter &value(std::uint64_t number)
	{
		separate();
		out_ << number;
		return *this;
	}
	JsonWriter &value(std::int32_t number) { return value(std::int64_t(number)); }
	JsonWriter &value(std::uint32_t number) { return value(std::uint64_t(number)); }
	JsonWriter &null()
	{
		separate();
		out_ << "null";
		return *this;
	}
	template <typename T> JsonWriter &value(const std::optional<T> &maybe)
	{
		return maybe ? value(*maybe) : null();
	}

	/* key(name).value(v) */
	template <typename T> JsonWriter &member(std::string_view name, const T &v)
	{
		return key(name).value(v);
	}

private:
	JsonWriter &open(char bracket)
	{
		separate();
		out_ << bracket;
		first_.push_back(true);
		return *this;
	}
	JsonWriter &close(char bracket)
	{
		out_ << bracket;
		first_.pop_back();
		return *this;
	}
	void separate()
	{
		if (after_key_) {
			after_key_ = false;
			return;
		}
		if (!first_.empty()) {
			if (!first_.back())
				out_ << ',';
			first_.back() = false;
		}
	}
	void string_literal(std::string_view text)
	{
		static constexpr char hex[] = "0123456789abcdef";
		out_ << '"';
		for (unsigned char c : text) {
			switch (c) {
			case '"':
				out_ << "\\\"";
				break;
			case '\\':
				out_ << "\\\\";
				break;
			case '\n':
				out_ << "\\n";
				break;
			case '\r':
				out_ << "\\r";
				break;
			case '\t':
				out_ << "\\t";
				break;
			default:
				if (c < 0x20 || c == 0x7f)
					out_ << "\\u00" << hex[c >> 4] << hex[c & 0xf];
				else
					out_ << c;
			}
		}
		out_ << '"';
	}

	std::ostream &out_;
	std::vector<bool> first_; // per open container: no member written yet
	bool after_key_ = false;
};

} // namespace bpfoom::cli
