// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel hook's contract, proved by real OOMs in the test VM: the hook
 * is an fmod_ret target, its verdicts steer victim selection, and no verdict
 * can kill an unkillable task or stop the OOM killer from making progress.
 */
#include "oom_scene.hpp"
#include "test_cgroup.hpp"
#include "value_override.hpp"

#include "hook_contract.h"
#include "hook_contract.skel.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <fstream>
#include <memory>
#include <string>

using namespace bpfoom::selftests;

namespace
{

constexpr const char *kHook = "bpf_oom_evaluate_task";

struct SkeletonDestroy {
	void operator()(hook_contract *skel) const { hook_contract__destroy(skel); }
};

// The test program, loaded and attached for as long as the object lives.
class ContractProgram
{
public:
	ContractProgram(hook_contract_behaviour behaviour, std::uint64_t target_cgroup_id = 0)
	{
		skel_.reset(hook_contract__open_and_load());
		REQUIRE(skel_);
		skel_->bss->config.behaviour = behaviour;
		skel_->bss->config.target_cgroup_id = target_cgroup_id;
		REQUIRE(hook_contract__attach(skel_.get()) == 0);
	}

	const hook_contract_stats &stats() const { return skel_->bss->stats; }
	int link_fd() const { return bpf_link__fd(skel_->links.hook_contract_eval); }

private:
	std::unique_ptr<hook_contract, SkeletonDestroy> skel_;
};

// A 30 MB task in "small" and an 80 MB trigger in "big" under a 100 MB limit:
// the stock kernel kills the trigger, the bigger of the two.
SceneOutcome small_versus_big(MemcgScene &scene, int small_adj = 0)
{
	return scene.run(
	    {{.name = "small", .cgroup = "small", .megabytes = 30, .oom_score_adj = small_adj}},
	    {.name = "big", .cgroup = "big", .megabytes = 80});
}

} // namespace

TEST_CASE("the hook is a function in the kernel's BTF", "[hook]")
{
	std::unique_ptr<btf, decltype(&btf__free)> vmlinux(btf__load_vmlinux_btf(), btf__free);
	REQUIRE(vmlinux);

	int func_id = btf__find_by_name_kind(vmlinux.get(), kHook, BTF_KIND_FUNC);
	REQUIRE(func_id > 0);
	const btf_type *func = btf__type_by_id(vmlinux.get(), func_id);
	const btf_type *proto = btf__type_by_id(vmlinux.get(), func->type);
	REQUIRE(btf_is_func_proto(proto));
	REQUIRE(btf_vlen(proto) == 3);

	const char *expected[] = {"task", "oc", "points"};
	const btf_param *params = btf_params(proto);
	for (int i = 0; i < 3; i++)
		CHECK(std::string(btf__name_by_offset(vmlinux.get(), params[i].name_off)) ==
		      expected[i]);

	// Traceable, so a trampoline can be attached to it.
	std::ifstream functions("/sys/kernel/tracing/available_filter_functions");
	std::string line;
	bool traceable = false;
	while (std::getline(functions, line))
		traceable |= line.rfind(kHook, 0) == 0 &&
			     (line.size() == strlen(kHook) || line[strlen(kHook)] == ' ');
	CHECK(traceable);
}

TEST_CASE("an fmod_ret program attaches to the hook", "[hook]")
{
	ContractProgram program(HOOK_CONTRACT_DEFAULT);

	bpf_link_info info{};
	__u32 len = sizeof(info);
	REQUIRE(bpf_obj_get_info_by_fd(program.link_fd(), &info, &len) == 0);
	CHECK(info.type == BPF_LINK_TYPE_TRACING);
	CHECK(info.tracing.attach_type == BPF_MODIFY_RETURN);

	std::unique_ptr<btf, decltype(&btf__free)> vmlinux(btf__load_vmlinux_btf(), btf__free);
	REQUIRE(vmlinux);
	CHECK(static_cast<int>(info.tracing.target_btf_id) ==
	      btf__find_by_name_kind(vmlinux.get(), kHook, BTF_KIND_FUNC));
}

TEST_CASE("SELECT makes a smaller task in the chosen cgroup the victim", "[hook][oom]")
{
	SECTION("without a program the kernel kills the bigger task")
	{
		MemcgScene scene("contract-select-stock", 100, {"small", "big"});
		auto outcome = small_versus_big(scene);
		INFO(outcome.describe());
		CHECK(outcome.killed() == std::vector<std::string>{"big"});
		CHECK(outcome.oom_kills["big"] == 1);
		CHECK(outcome.oom_kills["small"] == 0);
	}
	SECTION("with the program the smaller task in the chosen cgroup dies")
	{
		MemcgScene scene("contract-select-bpf", 100, {"small", "big"});
		ContractProgram program(HOOK_CONTRACT_PREFER_TARGET, scene.child("small").id());
		auto outcome = small_versus_big(scene);
		INFO(outcome.describe());
		// The first kill is the OOM killer's choice; see first_killed().
		CHECK(outcome.first_killed() == "small");
		CHECK(outcome.exits["small"].oom_killed());
		CHECK(outcome.oom_kills["small"] == 1);
		CHECK(program.stats().selected >= 1);
		// The kernel's own report says a policy decided.
		REQUIRE(outcome.kernel_kills.size() >= 1);
		CHECK(outcome.kernel_kills[0].task == "small");
		CHECK(outcome.kernel_kills[0].policy);
	}
}

TEST_CASE("a task with oom_score_adj -1000 is never killed, even when SELECTed", "[hook][oom]")
{
	MemcgScene scene("contract-unkillable", 100, {"small", "big"});
	ContractProgram program(HOOK_CONTRACT_SELECT_ALL);
	// "small" is protected; the program SELECTs whatever it is offered.
	auto outcome = small_versus_big(scene, -1000);
	INFO(outcome.describe());
	CHECK(outcome.killed() == std::vector<std::string>{"big"});
	CHECK(outcome.oom_kills["small"] == 0);
	CHECK(program.stats().unkillable_offered == 0);
	CHECK(program.stats().selected >= 1);
}

TEST_CASE("a policy that skips or stops at every task cannot stop the OOM killer", "[hook][oom]")
{
	auto behaviour = GENERATE(HOOK_CONTRACT_SKIP_ALL, HOOK_CONTRACT_STOP_ALL);
	CAPTURE(behaviour);

	SECTION("memcg OOM")
	{
		MemcgScene scene("contract-progress-memcg", 100, {"small", "big"});
		ContractProgram program(behaviour);
		auto outcome = small_versus_big(scene);
		INFO(outcome.describe());
		// The rescan without the policy picks by badness: the bigger task.
		CHECK(outcome.killed() == std::vector<std::string>{"big"});
		CHECK(outcome.oom_kills["big"] == 1);
		CHECK(program.stats().calls >= 1);
		CHECK(outcome.kernel_log_contains(
		    "BPF policy left no victim, rescanning without it"));
		REQUIRE(outcome.kernel_kills.size() == 1);
		CHECK_FALSE(outcome.kernel_kills[0].policy);
	}
	SECTION("global OOM")
	{
		// No memcg limit: the hog exhausts the guest. The harness protects
		// itself; the hog resets its own oom_score_adj to 0.
		const OomScoreAdjGuard unkillable;
		TestCgroup cgroup(cgroup2_mount(), "contract-progress-global");
		ContractProgram program(behaviour);
		KmsgReader kmsg;
		Hog hog({.cgroup = cgroup.path(),
			 .until_killed = true,
			 .global_oom = true,
			 .name = "global-hog"});
		CHECK_FALSE(hog.wait_until_ready());
		auto exit = hog.finish();
		auto log = kmsg.read_new();

		INFO(exit.describe());
		CHECK(exit.oom_killed());
		CHECK(cgroup.oom_kills() == 1);
		CHECK(program.stats().calls >= 1);
		auto kills = oom_kills_in(log);
		REQUIRE(kills.size() >= 1);
		CHECK(kills[0].task == "global-hog");
	}
}

TEST_CASE("after a SELECT, DEFAULT verdicts let the biggest task of the class win", "[hook][oom]")
{
	// "low" is the less important class: two tasks, the smaller one
	// scanned first and SELECTed; the bigger one gets DEFAULT and must
	// out-rank it on its real badness. "high" holds the biggest task.
	// "low-big" allocates last and is the OOM's own trigger: with the
	// victim being the allocating task, no retried charge can run a second
	// OOM before the victim's memory is uncharged (TCG's overkill window).
	MemcgScene scene("contract-select-default", 100, {"low", "high"});
	ContractProgram program(HOOK_CONTRACT_PREFER_TARGET, scene.child("low").id());
	auto outcome = scene.run({{.name = "low-small", .cgroup = "low", .megabytes = 12},
				  {.name = "high", .cgroup = "high", .megabytes = 70}},
				 {.name = "low-big", .cgroup = "low", .megabytes = 30});
	INFO(outcome.describe());
	CHECK(outcome.first_killed() == "low-big");
	CHECK(outcome.exits["low-big"].oom_killed());
	CHECK_FALSE(outcome.exits["low-small"].oom_killed());
	CHECK(outcome.oom_kills["low"] == 1);
	CHECK(program.stats().selected >= 1);
	CHECK(program.stats().skipped >= 1);
}
