// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// How a failure reaches the operator: one line on stderr, text or JSON.
#pragma once

#include <string_view>

#include "bpfoom/error.hpp"
#include "context.hpp"

namespace bpfoom::cli
{

/* The name of a kind in JSON errors: "bad_input", "not_loaded"... */
std::string_view kind_name(Errc kind);

/*
 * Prints the one error line on stderr and returns the exit status for
 * `kind`. As text: "bpfoom: COMMAND: MESSAGE" ("bpfoom: MESSAGE" before
 * a command is known). Under --json: {"error": {"message", "exit_code",
 * "kind"}} (schemas.hpp, error_schema), with the same message. Another
 * program's report on the failure (Error::detail(): clang's diagnostics, the
 * verifier's log) comes before the line as it was written, or as "detail".
 *
 * stderr, not stdout as bpftool has it: stdout carries only the documents
 * of the command's own schema, so that probe's report (printed before its
 * failure) and a stream of events (cut short by an error) stay well
 * formed, and the error is still the one line on stderr it is without
 * --json. The exit status says which of the two to read.
 */
int report_error(const Invocation &inv, Errc kind, std::string_view message,
		 std::string_view detail = {});

} // namespace bpfoom::cli
