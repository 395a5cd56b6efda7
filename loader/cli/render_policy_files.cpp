// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// Reports of policy list, policy check and policy build.
#include "bpfoom/text.hpp"
#include "render.hpp"
#include "table.hpp"

namespace bpfoom::cli
{

Json to_json(const PolicyListReport &report)
{
	Json policies = Json::array();
	for (const auto &policy : report.policies)
		policies.push_back({{"name", policy.name}, {"summary", policy.summary}});
	return {{"policies", std::move(policies)}};
}

void print_text(const PolicyListReport &report, std::ostream &out)
{
	Table table({"POLICY", "SUMMARY"});
	for (const auto &policy : report.policies)
		table.add({std::string(policy.name), std::string(policy.summary)});
	table.print(out);
}

Json to_json(const PolicyCheckReport &report)
{
	return {{"name", report.policy.name},
		{"hash", report.policy.hash},
		{"origin", report.origin},
		{"verified", true}};
}

void print_text(const PolicyCheckReport &report, std::ostream &out)
{
	out << "policy " << escape(report.policy.name) << " (sha256:" << report.policy.hash
	    << ", from " << escape(report.origin)
	    << ") is a policy the kernel's verifier accepts; nothing was attached\n";
}

void print_text(const PolicyBuildReport &report, std::ostream &out)
{
	out << "wrote " << escape(report.output) << '\n';
}

} // namespace bpfoom::cli
