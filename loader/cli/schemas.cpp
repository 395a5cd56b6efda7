// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// The README's "JSON output" section holds a copy of each document below,
// byte for byte: change both (the unit tests fail until they agree).
#include "schemas.hpp"

namespace bpfoom::cli
{

namespace
{
constexpr std::string_view one_object = "With --json it prints one object instead:";
} // namespace

const JsonSchema probe_schema{
    one_object,
    R"({"ready": bool, "checks": [{"name", "ok", "warning", "detail"}],
 "foreign_programs": [{"link_id", "prog_id", "prog_name"}] | null})",
    "\"ready\" is true only if every check passed; a check with \"warning\"\n"
    "passed but found something to look at. \"foreign_programs\": the programs\n"
    "attached to bpf_oom_evaluate_task() as fmod_ret that bpfoom did not load\n"
    "(null: not looked for, without the hook or privileges, or listing failed).\n",
};

const JsonSchema status_schema{
    one_object,
    R"({"loaded": bool, "policy": {"name": str, "hash": str} | null,
 "interrupted": str | null, "pin_dir": str,
 "links": [{"name", "link_id", "prog_id", "prog_name"}],
 "settings": {"mode": "inherit"|"tournament", "default_priority": n,
              "dry_run": bool, "abi_version": n} | null,
 "entries": n | null, "max_entries": n | null,
 "counters": {"ooms", "candidates", "selected", "skipped", "defaulted",
              "victims", "events_dropped", "depth_truncated"} | null,
 "foreign_programs": [{"link_id", "prog_id", "prog_name"}] | null})",
    "null: that map is not pinned. \"policy\" names the loaded policy and the\n"
    "first 16 hex digits of its object's SHA-256 (null: nothing loaded).\n"
    "\"interrupted\" is null unless a load or unload was interrupted or is under\n"
    "way (then a sentence saying what to run). \"foreign_programs\": the\n"
    "programs attached to bpf_oom_evaluate_task() as fmod_ret that bpfoom did\n"
    "not load, whether a policy is loaded or not (null: the kernel has no hook).\n",
};

const JsonSchema get_schema{
    one_object,
    R"({"cgroup_id": n, "path": str, "priority": n, "omit": bool,
 "flags": n, "from": "own"|"ancestor"|"default",
 "from_cgroup_id": n | null, "from_path": str | null})",
    "\"priority\", \"omit\" and \"flags\" are the effective values;\n"
    "\"from_cgroup_id\" and \"from_path\" name the cgroup whose entry they come\n"
    "from (CGROUP itself for \"own\"), and are null for \"default\".\n",
};

const JsonSchema list_schema{
    one_object,
    R"({"entries": [{"cgroup_id": n, "path": str | null, "priority": n,
              "omit": bool, "flags": n, "request": n | null}]})",
    "Sorted by cgroup id; \"path\" is null for a cgroup that no longer exists;\n"
    "\"request\" is the memory request in bytes, null if none was given.\n",
};

const JsonSchema sync_schema{
    "With --json it prints the changes as one object instead:",
    R"({"dry_run": bool, "added": [CHANGE], "changed": [CHANGE],
 "removed": [CHANGE], "counts": {"added": n, "changed": n,
 "removed": n, "unchanged": n}}
CHANGE   = {"cgroup_id": n, "path": str | null,
            "before": PRIORITY | null, "after": PRIORITY | null}
PRIORITY = {"priority": n, "omit": bool, "flags": n, "request": n | null})",
    "Each list is sorted by cgroup id. \"before\" is null for an addition,\n"
    "\"after\" for a removal, \"path\" for a cgroup that no longer exists.\n"
    "With --dry-run, \"dry_run\" is true and nothing has changed.\n",
};

const JsonSchema gc_schema{
    one_object,
    R"({"removed": [{"cgroup_id": n, "priority": n, "omit": bool,
              "flags": n, "request": n | null}], "kept": n})",
    "\"removed\" lists the dropped entries by cgroup id; \"kept\" counts the\n"
    "entries left.\n",
};

const JsonSchema events_schema{
    "With --json it prints one object per line instead:",
    R"({"time": "YYYY-MM-DDTHH:MM:SS.uuuuuuZ", "boot_ns": n,
 "oom": "global"|"memcg", "oom_memcg_id": n | null,
 "oom_memcg_path": str | null, "decided_by": "policy"|"kernel",
 "policy": {"name": str, "hash": str} | null,
 "dry_run": bool, "hooked": bool, "group_member": bool,
 "victim": TASK, "policy_choice": TASK | null, "kernel_choice": TASK | null,
 "scan": {"candidates", "selected", "skipped"}}
TASK = {"pid", "tgid", "comm", "cgroup_id", "cgroup_path": str | null,
        "priority", "omit": bool, "badness": n | null})",
    "Paths are null for a cgroup that no longer exists (or without cgroup2).\n",
};

const JsonSchema policy_list_schema{
    one_object,
    R"({"policies": [{"name": str, "summary": str}]})",
    "",
};

const JsonSchema policy_check_schema{
    one_object,
    R"({"name": str, "hash": str, "origin": str, "verified": true})",
    "\"origin\" is \"shipped\" or the file given. A policy that fails is an error.\n",
};

const JsonSchema error_schema{
    "With --json, the error line is one JSON object instead (exit status unchanged):",
    R"({"error": {"message": str, "exit_code": n,
           "kind": "internal"|"usage"|"bad_input"|"unsupported"|
                   "permission"|"not_loaded"|"busy"|"policy_compile"|
                   "policy_rejected",
           "detail": str (only with another program's report)}})",
    "",
};

} // namespace bpfoom::cli
