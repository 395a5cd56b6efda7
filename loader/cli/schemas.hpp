// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// The --json documents, each written once: `bpfoom COMMAND --help` prints it
// from here, and the README holds a copy that the unit tests compare with it
// (selftests/unit/test_cli_json_schemas.cpp).
#pragma once

#include <string_view>

namespace bpfoom::cli
{

/* One --json document as the help shows it. */
struct JsonSchema {
	std::string_view intro;	   // the sentence before it, e.g. "With --json it prints ..."
	std::string_view document; // the schema itself, lines without indentation
	std::string_view notes;	   // paragraphs after it in --help, or empty
};

extern const JsonSchema probe_schema;
extern const JsonSchema status_schema;
extern const JsonSchema get_schema;
extern const JsonSchema list_schema;
extern const JsonSchema sync_schema;
extern const JsonSchema gc_schema;
extern const JsonSchema events_schema;
extern const JsonSchema policy_list_schema;
extern const JsonSchema policy_check_schema;
/* What any command prints on stderr instead of its error line under --json. */
extern const JsonSchema error_schema;

} // namespace bpfoom::cli
