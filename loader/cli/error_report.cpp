// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "error_report.hpp"

#include <iostream>
#include <iterator>

#include "bpfoom/text.hpp"
#include "json.hpp"

namespace bpfoom::cli
{

std::string_view kind_name(Errc kind)
{
	/* Indexed by exit code (error.hpp numbers the kinds so). */
	constexpr std::string_view names[] = {
	    "success",	  "internal",	"usage", "bad_input",	   "unsupported",
	    "permission", "not_loaded", "busy",	 "policy_compile", "policy_rejected"};
	const int code = exit_code(kind);
	return code > 0 && code < int(std::size(names)) ? names[code] : "internal";
}

int report_error(const Invocation &inv, Errc kind, std::string_view message,
		 std::string_view detail)
{
	/* One line, whatever the message echoes: see one_line(). */
	const std::string line = one_line(message);
	if (inv.out.json()) {
		nlohmann::json error{
		    {"message", line}, {"exit_code", exit_code(kind)}, {"kind", kind_name(kind)}};
		if (!detail.empty())
			error["detail"] = detail;
		print_json({{"error", error}}, std::cerr);
	} else {
		if (!detail.empty())
			std::cerr << detail << (detail.back() == '\n' ? "" : "\n");
		std::cerr << "bpfoom: " << (inv.command.empty() ? "" : inv.command + ": ") << line
			  << '\n';
	}
	return exit_code(kind);
}

} // namespace bpfoom::cli
