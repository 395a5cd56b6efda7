// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "bpfoom/probe.hpp"

#include <bpf/btf.h>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <unistd.h>

#include "bpfoom/cgroup.hpp"
#include "bpfoom/pin_dir.hpp"
#include "bpfoom/policy.hpp"
#include "policy_object.hpp"

namespace bpfoom
{
namespace
{

struct BtfDeleter {
	void operator()(btf *b) const { btf__free(b); }
};

/* Capability bits from capability.h, read from /proc/self/status (no libcap dependency). */
constexpr int cap_sys_admin = 21;
constexpr int cap_perfmon = 38;
constexpr int cap_bpf = 39;

std::uint64_t effective_capabilities()
{
	std::ifstream status("/proc/self/status");
	for (std::string line; std::getline(status, line);)
		if (line.rfind("CapEff:", 0) == 0)
			return std::stoull(line.substr(7), nullptr, 16);
	return 0;
}

ProbeCheck passed(std::string name, std::string detail)
{
	return {std::move(name), true, std::move(detail), Errc::internal};
}

ProbeCheck failed(std::string name, std::string detail, Errc kind)
{
	return {std::move(name), false, std::move(detail), kind};
}

ProbeCheck warning(std::string name, std::string detail)
{
	ProbeCheck check = passed(std::move(name), std::move(detail));
	check.warning = true;
	return check;
}

/* Lists the programs on the hook bpfoom did not load; a failure to look is a warning. */
ProbeCheck check_foreign_programs(const std::string &pin_dir,
				  std::optional<std::vector<HookProgram>> &found)
{
	const std::string name = "other programs";
	try {
		found = Policy(pin_dir).foreign_programs();
	} catch (const Error &e) {
		return warning(name, std::string("cannot list the programs on ") + oom_hook_name +
					 "(): " + e.what());
	}
	if (!found || found->empty())
		return passed(name,
			      std::string("no other fmod_ret program on ") + oom_hook_name + "()");
	const std::size_t n = found->size();
	return warning(name, std::to_string(n) + " other fmod_ret program" + (n == 1 ? "" : "s") +
				 " on the hook can override bpfoom's verdicts (listed below)");
}

/* Loads (never attaches) the whole object: the verifier and the fmod_ret allow-list have their say.
 */
ProbeCheck check_program_loads()
{
	try {
		PolicyObject object(shipped_policy("priority"), nullptr);
		object.load();
		return passed("policy program", "loads; fmod_ret on the hook is allowed");
	} catch (const Error &e) {
		/* Whatever the kernel holds against the shipped policy, this kernel cannot run it.
		 */
		const Errc kind =
		    e.kind() == Errc::permission ? Errc::permission : Errc::unsupported;
		return failed("policy program", e.what(), kind);
	}
}

/* The one sentence for a kernel without the hook: probe's detail and load's refusal. */
std::string missing_hook_sentence()
{
	return std::string("this kernel has no ") + oom_hook_name +
	       "() hook (it was built without bpfoom's OOM patch), so no policy can attach: boot "
	       "a kernel with the patch from bpfoom's kernel/ directory; until then 'bpfoom "
	       "events' reports the kernel's own OOM kills";
}

} // namespace

bool kernel_has_oom_hook()
{
	std::unique_ptr<btf, BtfDeleter> vmlinux(btf__load_vmlinux_btf());
	if (!vmlinux)
		throw Error(
		    Errc::unsupported,
		    "this kernel exposes no BTF (/sys/kernel/btf/vmlinux), which bpfoom needs");
	return btf__find_by_name_kind(vmlinux.get(), oom_hook_name, BTF_KIND_FUNC) > 0;
}

void require_oom_hook()
{
	if (!kernel_has_oom_hook())
		throw Error(Errc::unsupported, missing_hook_sentence());
}

const ProbeCheck *ProbeReport::first_failure() const
{
	for (const auto &check : checks)
		if (!check.ok)
			return &check;
	return nullptr;
}

ProbeReport probe(const std::string &pin_dir)
{
	ProbeReport report;
	auto &checks = report.checks;

	bool hook = false;
	try {
		hook = kernel_has_oom_hook();
		checks.push_back(passed("kernel BTF", "/sys/kernel/btf/vmlinux"));
		checks.push_back(
		    hook ? passed("oom hook", std::string(oom_hook_name) + "() found")
			 : failed("oom hook", missing_hook_sentence(), Errc::unsupported));
	} catch (const Error &e) {
		checks.push_back(failed("kernel BTF", e.what(), e.kind()));
	}

	const std::uint64_t caps = effective_capabilities();
	const bool privileged =
	    (caps >> cap_sys_admin & 1) || ((caps >> cap_bpf & 1) && (caps >> cap_perfmon & 1));
	checks.push_back(
	    privileged
		? passed("privileges", geteuid() == 0 ? "root" : "CAP_BPF and CAP_PERFMON")
		: failed("privileges", "needs root (CAP_SYS_ADMIN, or CAP_BPF with CAP_PERFMON)",
			 Errc::permission));

	if (hook && privileged) {
		checks.push_back(check_program_loads());
		checks.push_back(check_foreign_programs(pin_dir, report.foreign_programs));
	}

	try {
		CgroupResolver cgroups = CgroupResolver::from_this_process();
		checks.push_back(passed("cgroup2", "mounted at " + cgroups.root()));
		bool memory = false;
		for (const auto &name : cgroups.root_controllers())
			memory |= name == "memory";
		checks.push_back(memory ? passed("memory controller", "enabled in cgroup2")
					: failed("memory controller",
						 "not available in cgroup2 at " + cgroups.root() +
						     " (bound to a cgroup v1 hierarchy, or "
						     "disabled)",
						 Errc::unsupported));
	} catch (const Error &e) {
		checks.push_back(failed("cgroup2", e.what(), e.kind()));
	}

	try {
		PinDir(pin_dir).require_bpffs();
		checks.push_back(passed("bpffs", "pins go to " + pin_dir));
	} catch (const Error &e) {
		checks.push_back(failed("bpffs", e.what(), e.kind()));
	}
	return report;
}

} // namespace bpfoom
