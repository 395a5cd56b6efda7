// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// policy list, policy check, policy build: policies as files, before any
// of them is loaded. Each handler is followed by its spec (command.hpp).
#include "bpfoom/policy.hpp"
#include "bpfoom/policy_compiler.hpp"
#include "commands.hpp"

namespace bpfoom::cli
{

static void run_policy_list(const Invocation &inv, const Args &)
{
	inv.out.print(PolicyListReport{shipped_policies()});
}

const CommandSpec policy_list_command(
    "policy list", "list the shipped policies", "policy list [--json]", {json_option}, {},
    "Lists the policies compiled into bpfoom, which 'load --policy NAME' takes.\n"
    "The first is the default.\n",
    &policy_list_schema, run_policy_list);

static void run_policy_check(const Invocation &inv, const Args &args)
{
	const PolicyImage image =
	    resolve_policy(args.value("POLICY"), PolicyCompiler::from_environment());
	inv.out.print(PolicyCheckReport{check_policy(image), image.origin});
}

const CommandSpec policy_check_command(
    "policy check", "compile a policy and have the kernel verify it, attaching nothing",
    "policy check NAME|FILE [--json]", {json_option}, {"POLICY"},
    "Does everything 'load --policy' does before attaching: compiles FILE.bpf.c\n"
    "(or reads FILE.bpf.o), checks that the object is shaped as a policy, and\n"
    "loads it into the kernel so that the verifier judges it. Then closes it:\n"
    "nothing is attached or pinned, and a loaded policy is not touched. Exits 8\n"
    "if it does not compile, 9 if the verifier refuses it, 3 if it is not a\n"
    "policy, with clang's diagnostics or the verifier log's last lines.\n",
    &policy_check_schema, run_policy_check);

static void run_policy_build(const Invocation &inv, const Args &args)
{
	const std::string &output = args.value("output");
	PolicyCompiler::from_environment().build(args.value("SOURCE"), output);
	inv.out.print(PolicyBuildReport{output});
}

const CommandSpec policy_build_command(
    "policy build", "compile a policy's C source into a BPF object",
    "policy build FILE.bpf.c -o FILE.bpf.o", {{"output,o", true, "the object to write"}},
    {"SOURCE"},
    "Compiles a policy written in C on the SDK (bpfoom/policy.bpf.h) into a BPF\n"
    "object, as 'load --policy FILE.bpf.c' would, for building policies in CI:\n"
    "needs no root, no kernel support and no cache. The compiler is the one\n"
    "bpfoom was built with, unless BPFOOM_CLANG names another. Exits 8 with\n"
    "clang's diagnostics if the source does not compile.\n",
    nullptr, run_policy_build);

} // namespace bpfoom::cli
