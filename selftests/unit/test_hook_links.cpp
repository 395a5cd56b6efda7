// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// Which links return verdicts on the OOM hook, and which of those are
// bpfoom's, from link infos as the kernel fills them: no hook, no root.
#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "bpfoom/hook_links.hpp"

using namespace bpfoom;

namespace
{

/* As 6.12 describes the hook's FUNC in the kernel's BTF (object 1) and a program on it. */
constexpr HookTarget hook{1, 4242};

bpf_link_info tracing_link(std::uint32_t id, std::uint32_t prog_id, std::uint32_t attach_type,
			   std::uint32_t obj_id = hook.btf_obj_id,
			   std::uint32_t btf_id = hook.btf_id)
{
	bpf_link_info info{};
	info.type = BPF_LINK_TYPE_TRACING;
	info.id = id;
	info.prog_id = prog_id;
	info.tracing.attach_type = attach_type;
	info.tracing.target_obj_id = obj_id;
	info.tracing.target_btf_id = btf_id;
	return info;
}

std::vector<std::uint32_t> link_ids(const std::vector<HookProgram> &programs)
{
	std::vector<std::uint32_t> ids;
	for (const auto &program : programs)
		ids.push_back(program.link_id);
	return ids;
}

} // namespace

TEST_CASE("hook links: only fmod_ret on the hook's FUNC in the kernel's BTF returns verdicts",
	  "[hook_links]")
{
	CHECK(returns_hook_verdicts(tracing_link(1, 10, BPF_MODIFY_RETURN), hook));

	/* fentry and fexit on the hook watch; they cannot change its return. */
	CHECK_FALSE(returns_hook_verdicts(tracing_link(2, 11, BPF_TRACE_FENTRY), hook));
	CHECK_FALSE(returns_hook_verdicts(tracing_link(3, 12, BPF_TRACE_FEXIT), hook));
	/* fmod_ret on another kernel function. */
	CHECK_FALSE(returns_hook_verdicts(
	    tracing_link(4, 13, BPF_MODIFY_RETURN, 1, hook.btf_id + 1), hook));
	/* The same type id in another BTF object: a module's, or a BPF program target's
	 * (target_obj_id is then the program's id). */
	CHECK_FALSE(returns_hook_verdicts(tracing_link(5, 14, BPF_MODIFY_RETURN, 7), hook));

	/* Another link type, whatever the bytes where a tracing link keeps its target. */
	bpf_link_info other = tracing_link(6, 15, BPF_MODIFY_RETURN);
	other.type = BPF_LINK_TYPE_RAW_TRACEPOINT;
	CHECK_FALSE(returns_hook_verdicts(other, hook));
	other.type = BPF_LINK_TYPE_CGROUP;
	CHECK_FALSE(returns_hook_verdicts(other, hook));
}

TEST_CASE("hook links: the programs on the hook in link id order, bpfoom's marked owned",
	  "[hook_links]")
{
	const std::vector<bpf_link_info> links = {
	    tracing_link(30, 300, BPF_MODIFY_RETURN),	     // another tool's
	    tracing_link(12, 120, BPF_MODIFY_RETURN),	     // bpfoom's link_eval
	    tracing_link(13, 130, BPF_TRACE_FENTRY),	     // bpfoom's link_oom, elsewhere anyway
	    tracing_link(20, 200, BPF_TRACE_FEXIT),	     // someone watching the hook
	    tracing_link(21, 210, BPF_MODIFY_RETURN, 1, 99), // fmod_ret elsewhere
	    tracing_link(25, 250, BPF_MODIFY_RETURN),	     // bpfoom's staged link_eval_new
	};
	const std::vector<std::uint32_t> owned = {12, 13, 14, 25};

	const std::vector<HookProgram> programs = select_hook_programs(links, hook, owned);
	CHECK(link_ids(programs) == std::vector<std::uint32_t>{12, 25, 30});
	REQUIRE(programs.size() == 3);
	CHECK(programs[0].prog_id == 120);
	CHECK(programs[0].owned);
	CHECK(programs[1].prog_id == 250);
	CHECK(programs[1].owned);
	CHECK(programs[2].prog_id == 300);
	CHECK_FALSE(programs[2].owned);
	for (const auto &program : programs)
		CHECK(program.prog_name.empty()); // named by the kernel, for these links alone

	SECTION("nothing pinned: every program on the hook is foreign")
	{
		const auto none = select_hook_programs(links, hook, {});
		CHECK(link_ids(none) == std::vector<std::uint32_t>{12, 25, 30});
		for (const auto &program : none)
			CHECK_FALSE(program.owned);
	}
	SECTION("no links at all")
	{
		CHECK(select_hook_programs({}, hook, owned).empty());
	}
}
