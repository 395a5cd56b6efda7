// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// The CLI's --json output: objects that keep their keys in the order the
// README documents, printed one per line.
#pragma once

#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

namespace bpfoom::cli
{

/* Keys stay in insertion order: the documented schemas list them in that order. */
using Json = nlohmann::ordered_json;

/* `value`, or null. */
template <typename T> Json or_null(const std::optional<T> &value)
{
	return value ? Json(*value) : Json(nullptr);
}

/*
 * Prints `value` compactly on one line of `out`, flushed (events are
 * streamed to pipes). Cgroup paths and comms are bytes, not necessarily
 * UTF-8: bytes that are not valid UTF-8 become U+FFFD, so the output is
 * always valid JSON (a cgroup_id stays exact). Everything outside ASCII is
 * written as \uXXXX, so that no C1 control reaches a terminal either.
 */
inline void print_json(const Json &value, std::ostream &out = std::cout)
{
	out << value.dump(-1, ' ', true, Json::error_handler_t::replace) << std::endl;
}

} // namespace bpfoom::cli
