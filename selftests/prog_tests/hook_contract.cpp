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

#include "child_setup.hpp"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

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
	// For the next candidate on: the program reads its config every call.
	void set_behaviour(hook_contract_behaviour behaviour)
	{
		__atomic_store_n(&skel_->bss->config.behaviour, behaviour, __ATOMIC_SEQ_CST);
	}
	void reset_stats() { skel_->bss->stats = {}; }
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

TEST_CASE("a policy that skips every task cannot stop the OOM killer", "[hook][oom]")
{
	const auto behaviour = HOOK_CONTRACT_SKIP_ALL;

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

TEST_CASE("the oom-kill line says policy=bpf only when the policy changed the victim",
	  "[hook][oom][report]")
{
	// "small" (30 MB) is scanned before "big" (80 MB); the kernel's own
	// choice is "big".
	SECTION("a SKIP that leaves the kernel's choice: no marker")
	{
		MemcgScene scene("contract-marker-skip-same", 100, {"small", "big"});
		ContractProgram program(HOOK_CONTRACT_SKIP_TARGET, scene.child("small").id());
		auto outcome = small_versus_big(scene);
		INFO(outcome.describe());
		CHECK(program.stats().skipped >= 1);
		REQUIRE(outcome.kernel_kills.size() >= 1);
		CHECK(outcome.kernel_kills[0].task == "big");
		CHECK_FALSE(outcome.kernel_kills[0].policy);
	}
	SECTION("a SELECT of the kernel's own choice: no marker")
	{
		MemcgScene scene("contract-marker-select-same", 100, {"small", "big"});
		ContractProgram program(HOOK_CONTRACT_PREFER_TARGET, scene.child("big").id());
		auto outcome = small_versus_big(scene);
		INFO(outcome.describe());
		CHECK(program.stats().selected >= 1);
		REQUIRE(outcome.kernel_kills.size() >= 1);
		CHECK(outcome.kernel_kills[0].task == "big");
		CHECK_FALSE(outcome.kernel_kills[0].policy);
	}
	SECTION("a SKIP that changes the victim: marker")
	{
		MemcgScene scene("contract-marker-skip-other", 100, {"small", "big"});
		ContractProgram program(HOOK_CONTRACT_SKIP_TARGET, scene.child("big").id());
		auto outcome = small_versus_big(scene);
		INFO(outcome.describe());
		CHECK(program.stats().skipped >= 1);
		REQUIRE(outcome.kernel_kills.size() >= 1);
		CHECK(outcome.kernel_kills[0].task == "small");
		CHECK(outcome.kernel_kills[0].policy);
	}
}

namespace
{

using Clock = std::chrono::steady_clock;

// A child of this process in `cgroup`, with oom_score_adj 0 and name `name`,
// that runs `body` once told to go(). Its own waits and its exit are this
// test's to handle: it is not a Hog, whose finish() would reap a traced
// child's ptrace stops as its exit.
class Child : NonCopyable
{
public:
	template <typename Body>
	Child(const std::string &cgroup, const std::string &name, Body body)
	{
		const std::string procs = cgroup + "/cgroup.procs";
		int go[2];
		int ready[2];
		REQUIRE(::pipe2(go, O_CLOEXEC) == 0);
		REQUIRE(::pipe2(ready, O_CLOEXEC) == 0);
		pid_ = ::fork();
		REQUIRE(pid_ >= 0);
		if (pid_ == 0) {
			reset_signals_in_child();
			::prctl(PR_SET_PDEATHSIG, SIGKILL);
			::prctl(PR_SET_NAME, name.c_str());
			if (!set_oom_score_adj_in_child("0") || !write_in_child(procs.c_str(), "0"))
				::_exit(100);
			body(ready[1], go[0]);
			::_exit(0);
		}
		::close(go[0]);
		::close(ready[1]);
		go_fd_ = go[1];
		ready_fd_ = ready[0];
	}
	~Child()
	{
		if (pid_ > 0 && !reaped_) {
			::kill(pid_, SIGKILL);
			::waitpid(pid_, nullptr, __WALL);
		}
		::close(go_fd_);
		::close(ready_fd_);
	}

	pid_t pid() const { return pid_; }
	void go() const { REQUIRE(::write(go_fd_, "g", 1) == 1); }
	// A byte from the child: true, or false if it died first.
	bool wait_ready() const
	{
		char byte;
		return ::read(ready_fd_, &byte, 1) == 1;
	}
	// waitpid() with a deadline: the status of its next stop or its exit.
	int wait(std::chrono::seconds patience)
	{
		const auto deadline = Clock::now() + patience;
		int status = 0;
		for (;;) {
			const pid_t got = ::waitpid(pid_, &status, WNOHANG | __WALL);
			REQUIRE(got >= 0);
			if (got == pid_)
				break;
			if (Clock::now() > deadline)
				FAIL("child " << pid_ << " neither stopped nor exited within "
					      << patience.count() << " s");
			std::this_thread::sleep_for(std::chrono::milliseconds(10));
		}
		reaped_ = WIFEXITED(status) || WIFSIGNALED(status);
		return status;
	}

private:
	pid_t pid_ = -1;
	int go_fd_ = -1;
	int ready_fd_ = -1;
	bool reaped_ = false;
};

// In the child: touches `megabytes` of anonymous memory filled with `fill`.
char *touch(std::size_t megabytes, int fill)
{
	const std::size_t bytes = megabytes << 20;
	auto *memory = static_cast<char *>(
	    ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	if (memory == MAP_FAILED)
		::_exit(101);
	std::memset(memory, fill, bytes);
	return memory;
}

void wait_for_go(int go_fd)
{
	char byte;
	if (::read(go_fd, &byte, 1) != 1)
		::_exit(102);
}

std::string describe(const std::vector<OomKillRecord> &kills)
{
	std::string text;
	for (const auto &kill : kills)
		text += "  kernel: killed " + kill.task + " pid " + std::to_string(kill.pid) +
			(kill.policy ? " (policy=bpf)\n" : "\n");
	return text;
}

std::uint64_t read_number(const std::string &path)
{
	std::ifstream in(path);
	std::uint64_t value = 0;
	in >> value;
	return value;
}

} // namespace

// Overkill protection: a previous victim that has not released its memory
// (tsk_is_oom_victim() without MMF_OOM_SKIP) aborts the walk when the walk
// reaches it. A verdict that ended the walk before that point (the STOP
// of the hook's first revision, value 3) got a second task killed while
// the first was still exiting.
TEST_CASE("no verdict gets a task killed while a previous victim is still exiting",
	  "[hook][oom][overkill]")
{
	// Scanned in this order: "a" and "b" (the policy's candidates), then
	// the exiting victim, then the trigger of the second OOM.
	MemcgScene scene("contract-overkill", 100, {"a", "b", "victim", "trigger"});
	ContractProgram program(HOOK_CONTRACT_DEFAULT);
	KmsgReader kmsg;
	Hog a({.cgroup = scene.child("a").path(), .megabytes = 8, .name = "a"});
	Hog b({.cgroup = scene.child("b").path(), .megabytes = 8, .name = "b"});
	REQUIRE(a.wait_until_ready());
	REQUIRE(b.wait_until_ready());

	// The victim is held at its PTRACE_EVENT_EXIT stop, which do_exit()
	// reaches before signal->live drops (so the memcg walk still sees it)
	// and before exit_mm() (so nothing sets MMF_OOM_SKIP): it stays an
	// exiting victim until the OOM reaper sets MMF_OOM_SKIP, two seconds
	// (OOM_REAPER_DELAY) after the kill.
	Child victim(scene.child("victim").path(), "victim", [](int, int go) {
		wait_for_go(go);
		touch(120, 1); // the kernel's own choice: the biggest by far
	});
	REQUIRE(::ptrace(PTRACE_SEIZE, victim.pid(), nullptr,
			 PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL) == 0);
	victim.go();
	int status = victim.wait(std::chrono::seconds(60));
	INFO("victim status " << std::hex << status);
	REQUIRE(WIFSTOPPED(status));
	REQUIRE(status >> 8 == (SIGTRAP | (PTRACE_EVENT_EXIT << 8)));

	// Within the reaper's delay: a policy that SELECTs the first candidate
	// ("a") and returns 3 for the next ("b"), and a second OOM.
	program.reset_stats();
	program.set_behaviour(HOOK_CONTRACT_SELECT_THEN_3);
	const auto second_oom = Clock::now();
	Hog trigger({.cgroup = scene.child("trigger").path(), .megabytes = 30, .name = "trigger"});
	const bool trigger_done = trigger.wait_until_ready();
	const auto waited = Clock::now() - second_oom;
	const auto stats = program.stats();

	REQUIRE(::ptrace(PTRACE_CONT, victim.pid(), nullptr, nullptr) == 0);
	status = victim.wait(std::chrono::seconds(60));
	auto log = kmsg.read_new();
	auto kills = oom_kills_in(log);
	const auto a_exit = a.finish();
	const auto b_exit = b.finish();

	INFO(describe(kills));
	INFO("second OOM: trigger "
	     << (trigger_done ? "got its memory" : "died") << " after "
	     << std::chrono::duration_cast<std::chrono::milliseconds>(waited).count()
	     << " ms; policy calls " << stats.calls << ", selected " << stats.selected);
	CHECK(WIFSIGNALED(status));
	CHECK(WTERMSIG(status) == SIGKILL);
	// The second OOM ran while the victim was still exiting: once the
	// reaper has freed the victim's 120 MB, the trigger's 30 MB fit
	// without an OOM, and the policy would not have been asked.
	CHECK(stats.calls >= 1);
	CHECK(stats.selected >= 1);
	// The victim was the only task killed before the reaper hid it.
	const std::string reaped = "oom_reaper: reaped process " + std::to_string(victim.pid());
	auto reaped_at = std::find_if(log.begin(), log.end(), [&](const std::string &line) {
		return line.find(reaped) != std::string::npos;
	});
	CHECK(reaped_at != log.end());
	auto before_reaped = oom_kills_in(std::vector<std::string>(log.begin(), reaped_at));
	REQUIRE(before_reaped.size() >= 1);
	CHECK(before_reaped[0].pid == victim.pid());
	CHECK(before_reaped.size() == 1);
	CHECK_FALSE(a_exit.oom_killed());
	CHECK_FALSE(b_exit.oom_killed());
	CHECK(trigger_done);
}

// oom_task_origin(): a task that asked to be killed first (swapoff, KSM
// unmerge) is chosen when the walk reaches it. A verdict that ended the
// walk before that point killed the policy's choice instead.
TEST_CASE("no verdict overrides the oom_task_origin() task", "[hook][oom][origin]")
{
	const std::string ksm = "/sys/kernel/mm/ksm/";
	REQUIRE(std::filesystem::exists(ksm + "run"));
	constexpr std::size_t kMergeableMb = 16;
	const std::uint64_t pages = (kMergeableMb << 20) / ::sysconf(_SC_PAGESIZE);

	// Scanned in this order: "a" and "b" (the policy's candidates), then
	// the KSM user "unmerger", which is the origin while it unmerges.
	MemcgScene scene("contract-origin", 100, {"a", "b", "unmerger"});
	ContractProgram program(HOOK_CONTRACT_DEFAULT);
	Hog a({.cgroup = scene.child("a").path(), .megabytes = 8, .name = "a"});
	Hog b({.cgroup = scene.child("b").path(), .megabytes = 8, .name = "b"});
	REQUIRE(a.wait_until_ready());
	REQUIRE(b.wait_until_ready());

	// The unmerger's pages are all alike: ksmd merges them into a few
	// KSM pages, uncharging the rest. Writing 2 to ksm/run then makes it
	// the oom_task_origin() task while it breaks every merged page out
	// again, charging them back to its own memcg: that charge OOMs.
	Child unmerger(scene.child("unmerger").path(), "unmerger", [&](int ready, int go) {
		char *memory = touch(kMergeableMb, 0x5a);
		if (::madvise(memory, kMergeableMb << 20, MADV_MERGEABLE) != 0)
			::_exit(103);
		if (::write(ready, "r", 1) != 1)
			::_exit(102);
		wait_for_go(go);
		if (!write_in_child((ksm + "run").c_str(), "2"))
			::_exit(104);
		::_exit(0);
	});
	REQUIRE(unmerger.wait_ready());

	{
		const ValueOverride to_scan(ksm + "pages_to_scan", "5000");
		const ValueOverride sleep(ksm + "sleep_millisecs", "10");
		const ValueOverride run(ksm + "run", "1");
		const auto deadline = Clock::now() + std::chrono::seconds(120);
		while (read_number(ksm + "pages_sharing") + read_number(ksm + "pages_shared") <
		       pages * 9 / 10) {
			if (Clock::now() > deadline)
				FAIL("ksmd merged " << read_number(ksm + "pages_sharing")
						    << " pages in 120 s, not " << pages);
			std::this_thread::sleep_for(std::chrono::milliseconds(50));
		}
	} // ksmd stops: run is 0 again, and what it merged stays merged

	// Room for a few pages more, not for the unmerged copies.
	const auto current = std::stoull(scene.oom_cgroup().read("memory.current"));
	scene.oom_cgroup().write("memory.max", std::to_string(current + (4 << 20)));

	program.reset_stats();
	program.set_behaviour(HOOK_CONTRACT_SELECT_THEN_3);
	KmsgReader kmsg;
	unmerger.go();
	const int status = unmerger.wait(std::chrono::seconds(60));
	auto kills = oom_kills_in(kmsg.read_new());
	const auto a_exit = a.finish();
	const auto b_exit = b.finish();
	{
		// Nothing stays merged for later tests.
		const ValueOverride unmerge(ksm + "run", "2");
	}

	INFO(describe(kills));
	INFO("unmerger " << (WIFSIGNALED(status) ? "killed by signal " : "exited with status ")
			 << (WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status))
			 << "; policy calls " << program.stats().calls);
	CHECK(program.stats().selected >= 1);
	REQUIRE(kills.size() >= 1);
	CHECK(kills[0].task == "unmerger");
	CHECK(kills[0].pid == unmerger.pid());
	CHECK(WIFSIGNALED(status));
	CHECK(WTERMSIG(status) == SIGKILL);
	CHECK_FALSE(a_exit.oom_killed());
	CHECK_FALSE(b_exit.oom_killed());
}
