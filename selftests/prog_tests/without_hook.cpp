// SPDX-License-Identifier: GPL-2.0
/*
 * bpfoom on a kernel without the hook: the stock flavour of the test kernel
 * (scripts/build-kernel.sh --flavour stock, the same source and config
 * without the series). What bpfoom promises there: probe and load say what
 * is missing in one sentence and change nothing in the kernel, and events,
 * observe-only, reports a real OOM kill with the kernel as the decider.
 * Every test first checks that the kernel has no hook, so that the suite
 * fails on the patched kernel instead of proving nothing there.
 */
#include "bpfoom_cli.hpp"
#include "oom_scene.hpp"

#include "bpfoom/abi.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/bpf.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string_view>
#include <thread>

using namespace bpfoom::selftests;

namespace
{

// What probe and load say on a kernel without the hook, word for word.
const std::string kMissingHook =
    "this kernel has no bpf_oom_evaluate_task() hook (it was built without bpfoom's OOM "
    "patch), so no policy can attach: boot a kernel with the patch from bpfoom's kernel/ "
    "directory; until then 'bpfoom events' reports the kernel's own OOM kills";

// The checks probe still reports when the hook is missing, all passing in the VM.
const std::vector<std::string> kOtherChecks{"kernel BTF", "privileges", "cgroup2",
					    "memory controller", "bpffs"};

void require_stock_kernel()
{
	std::unique_ptr<btf, decltype(&btf__free)> vmlinux(btf__load_vmlinux_btf(), btf__free);
	REQUIRE(vmlinux);
	INFO("this suite tests a kernel without the hook: run it on the stock flavour "
	     "(scripts/vm.sh --kernel \"$(scripts/build-kernel.sh --flavour stock)/bzImage\")");
	REQUIRE(btf__find_by_name_kind(vmlinux.get(), "bpf_oom_evaluate_task", BTF_KIND_FUNC) < 0);
}

// The row of probe's table for `check`, or "" if there is none.
std::string probe_row(const std::string &table, const std::string &check)
{
	for (const auto &line : lines_of(table))
		if (line.rfind(check + "  ", 0) == 0)
			return line;
	return {};
}

// The programs bpfoom loads, whoever loaded them.
constexpr std::string_view kBpfoomPrograms[] = {"bpfoom_oom", "bpfoom_eval", "bpfoom_victim"};

int bpfoom_links()
{
	int links = 0;
	for (auto name : kBpfoomPrograms)
		links += count_links_of(name);
	return links;
}

int bpfoom_programs()
{
	int programs = 0;
	__u32 id = 0;
	while (bpf_prog_get_next_id(id, &id) == 0) {
		const int fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0)
			continue; // freed since
		bpf_prog_info info{};
		__u32 len = sizeof(info);
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0)
			for (auto name : kBpfoomPrograms)
				programs += name == info.name;
		::close(fd);
	}
	return programs;
}

// Nothing of bpfoom in the kernel: no pin directory, nothing pinned on the
// bpffs at all, no bpfoom program attached or loaded. A program whose last
// user just exited is freed after an RCU grace period: it gets a moment.
void check_nothing_in_the_kernel()
{
	CHECK_FALSE(std::filesystem::exists(BPFOOM_PIN_DIR));
	const std::filesystem::path bpffs = std::filesystem::path(BPFOOM_PIN_DIR).parent_path();
	CHECK(std::filesystem::is_empty(bpffs));
	CHECK(bpfoom_links() == 0);
	for (int tries = 0; tries < 50 && bpfoom_programs() != 0; tries++)
		std::this_thread::sleep_for(std::chrono::milliseconds(100));
	CHECK(bpfoom_programs() == 0);
}

std::string file_text(const std::string &path)
{
	std::ifstream in(path);
	std::ostringstream text;
	text << in.rdbuf();
	return text.str();
}

// `bpfoom events --follow [--json]` with nothing loaded: it attaches its own
// observe-only programs for as long as it runs. Its stdout and stderr go to
// scratch files, read once it is stopped.
class ObservingEvents : NonCopyable
{
public:
	explicit ObservingEvents(bool json)
	{
		out_ = scratch_file();
		err_ = scratch_file();
		std::vector<std::string> argv{BPFOOM_CLI_PATH, "events", "--follow"};
		if (json)
			argv.push_back("--json");
		pid_ = ::fork();
		REQUIRE(pid_ >= 0);
		if (pid_ == 0) {
			const int out = ::open(out_.c_str(), O_WRONLY | O_TRUNC);
			const int err = ::open(err_.c_str(), O_WRONLY | O_TRUNC);
			if (out < 0 || err < 0 || ::dup2(out, STDOUT_FILENO) < 0 ||
			    ::dup2(err, STDERR_FILENO) < 0)
				::_exit(127);
			std::vector<char *> pointers;
			for (auto &arg : argv)
				pointers.push_back(arg.data());
			pointers.push_back(nullptr);
			::execv(pointers[0], pointers.data());
			::_exit(127);
		}
	}
	~ObservingEvents()
	{
		if (pid_ > 0) {
			::kill(pid_, SIGKILL);
			::waitpid(pid_, nullptr, 0);
		}
		::unlink(out_.c_str());
		::unlink(err_.c_str());
	}

	// Whether it has stopped, with `status` as waitpid() reported it.
	bool exited(int &status)
	{
		if (::waitpid(pid_, &status, WNOHANG) != pid_)
			return false;
		pid_ = -1;
		return true;
	}

	// Stops it the clean way (SIGTERM) and returns its exit status, -1 if a
	// signal ended it.
	int stop()
	{
		::kill(pid_, SIGTERM);
		int status = 0;
		::waitpid(pid_, &status, 0);
		pid_ = -1;
		return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	}

	std::string out() const { return file_text(out_); }
	std::string err() const { return file_text(err_); }

private:
	static std::string scratch_file()
	{
		char name[] = "/tmp/bpfoom-observe-XXXXXX";
		const int fd = ::mkstemp(name);
		REQUIRE(fd >= 0);
		::close(fd);
		return name;
	}

	std::string out_, err_;
	pid_t pid_ = -1;
};

// Waits until `readers` observe-only readers have attached both of their
// programs: an OOM before that would go unseen. Fails if one of them exits.
void wait_until_observing(std::vector<ObservingEvents *> readers)
{
	const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
	const int wanted = static_cast<int>(readers.size());
	while (count_links_of("bpfoom_oom") < wanted || count_links_of("bpfoom_victim") < wanted) {
		for (auto *reader : readers) {
			int status = 0;
			if (reader->exited(status)) {
				INFO("stderr: " << reader->err());
				FAIL("bpfoom events exited before it observed anything (wait "
				     "status "
				     << status << ")");
			}
		}
		if (std::chrono::steady_clock::now() >= deadline)
			FAIL("after 120 s, of "
			     << wanted << " bpfoom events readers' programs, "
			     << count_links_of("bpfoom_oom") << " bpfoom_oom and "
			     << count_links_of("bpfoom_victim") << " bpfoom_victim are attached");
		std::this_thread::sleep_for(std::chrono::milliseconds(100));
	}
}

std::vector<nlohmann::json> json_lines(const std::string &text)
{
	std::vector<nlohmann::json> events;
	for (const auto &line : lines_of(text))
		events.push_back(nlohmann::json::parse(line));
	return events;
}

} // namespace

TEST_CASE("without the hook, probe names it in one sentence and reports the other checks",
	  "[stock]")
{
	require_stock_kernel();
	BpfoomCli cli;

	const auto text = cli.run({"probe"});
	INFO(text.describe());
	CHECK(text.exit_status == 4);
	CHECK(text.err ==
	      "bpfoom: probe: this system cannot run the bpfoom policy: " + kMissingHook + "\n");
	const std::string hook_row = probe_row(text.out, "oom hook");
	CHECK_THAT(hook_row, Catch::Contains(" FAIL ") && Catch::EndsWith(kMissingHook));
	for (const auto &check : kOtherChecks) {
		INFO("check " << check);
		CHECK_THAT(probe_row(text.out, check), Catch::Contains(" ok "));
	}
	CHECK_THAT(text.out, !Catch::Contains("can run the bpfoom policy"));

	const auto json = cli.run({"probe", "--json"});
	INFO(json.describe());
	CHECK(json.exit_status == 4);
	const auto report = nlohmann::json::parse(json.out);
	CHECK(report["ready"] == false);
	std::map<std::string, nlohmann::json> checks;
	for (const auto &check : report["checks"])
		checks[check["name"].get<std::string>()] = check;
	REQUIRE(checks.count("oom hook"));
	CHECK(checks["oom hook"]["ok"] == false);
	CHECK(checks["oom hook"]["detail"] == kMissingHook);
	for (const auto &[name, check] : checks)
		if (name != "oom hook" && name != "policy program")
			CHECK(check["ok"] == true);
	for (const auto &name : kOtherChecks)
		CHECK(checks.count(name) == 1);
	REQUIRE(lines_of(json.err).size() == 1);
	const auto error = nlohmann::json::parse(json.err)["error"];
	CHECK(error["message"] == "this system cannot run the bpfoom policy: " + kMissingHook);
	CHECK(error["kind"] == "unsupported");
	CHECK(error["exit_code"] == 4);

	check_nothing_in_the_kernel();
}

TEST_CASE("without the hook, load refuses in that sentence and leaves nothing in the kernel",
	  "[stock]")
{
	require_stock_kernel();
	NothingLoaded nothing;
	BpfoomCli cli;
	const std::vector<std::vector<std::string>> loads{
	    {"load"},
	    {"load", "--policy", "largest-cgroup"},
	    {"load", "--policy", "priority", "--mode", "tournament", "--dry-run"},
	};
	for (const auto &load : loads) {
		const auto text = cli.run(load);
		INFO(Catch::Detail::stringify(load) << "\n" << text.describe());
		CHECK(text.exit_status == 4);
		CHECK(text.out.empty());
		CHECK(text.err == "bpfoom: load: " + kMissingHook + "\n");
		check_nothing_in_the_kernel();

		std::vector<std::string> with_json{"--json"};
		with_json.insert(with_json.end(), load.begin(), load.end());
		const auto json = cli.run(with_json);
		INFO(json.describe());
		CHECK(json.exit_status == 4);
		CHECK(json.out.empty());
		REQUIRE(lines_of(json.err).size() == 1);
		const auto error = nlohmann::json::parse(json.err)["error"];
		CHECK(error["message"] == kMissingHook);
		CHECK(error["kind"] == "unsupported");
		CHECK(error["exit_code"] == 4);
		check_nothing_in_the_kernel();
	}
	// And bpfoom says nothing is loaded, as it is.
	CHECK(cli.status()["loaded"] == false);
	const auto list = cli.run({"list"});
	INFO(list.describe());
	CHECK(list.exit_status == 6);
}

TEST_CASE("without the hook, events reports a real OOM kill, decided by the kernel", "[stock][oom]")
{
	require_stock_kernel();
	NothingLoaded nothing;
	BpfoomCli cli;

	// Without --follow it has nothing buffered to print, and says so only as text.
	const auto drained = cli.run({"events", "--json"});
	INFO(drained.describe());
	CHECK(drained.exit_status == 0);
	CHECK(drained.out.empty());
	CHECK(drained.err.empty());

	// The stock kernel kills the bigger task; nothing ranks them here.
	MemcgScene scene("stock-events", 100, {"a", "b"});
	const HogSpec small{.name = "small", .cgroup = "a", .megabytes = 30};
	const HogSpec big{.name = "big", .cgroup = "b", .megabytes = 80};
	ObservingEvents json(true), text(false);
	wait_until_observing({&json, &text});
	const SceneOutcome outcome = scene.run({small}, big);
	CHECK(json.stop() == 0);
	CHECK(text.stop() == 0);
	INFO(outcome.describe());
	INFO("events --json:\n"
	     << json.out() << json.err() << "events:\n"
	     << text.out() << text.err());
	CHECK(json.err().empty());

	// The kernel's own account: the first oom-kill: record and memory.events.
	REQUIRE(outcome.first_killed() == "big");
	REQUIRE_FALSE(outcome.kernel_kills.empty());
	const OomKillRecord &kill = outcome.kernel_kills.front();
	const int pid = outcome.pids.at("big");
	CHECK(kill.pid == pid);
	CHECK(kill.task == "big");
	CHECK(kill.oom_memcg == "/" + scene.relative(""));
	CHECK(kill.task_memcg == "/" + scene.relative("b"));
	CHECK_FALSE(kill.policy);
	for (const auto &kernel_kill : outcome.kernel_kills)
		CHECK_FALSE(kernel_kill.policy);

	// One event per task the kernel killed (under TCG a retrying allocation
	// can kill the small one too: see the README), none for a survivor.
	const auto events = json_lines(json.out());
	CHECK(events.size() == outcome.kill_order.size());
	for (const auto &[name, hog_pid] : outcome.pids) {
		INFO("hog " << name);
		const bool killed = outcome.exits.at(name).oom_killed();
		CHECK(events_for_pid(events, hog_pid).size() == (killed ? 1u : 0u));
		CHECK(outcome.oom_kills.at(name == "big" ? "b" : "a") == (killed ? 1u : 0u));
	}

	const auto victim_events = events_for_pid(events, pid);
	REQUIRE(victim_events.size() == 1);
	const auto &event = victim_events.front();
	INFO(event.dump());
	CHECK(event["decided_by"] == "kernel");
	CHECK(event["oom"] == "memcg");
	CHECK(event["oom_memcg_id"] == scene.oom_cgroup().id());
	CHECK(event["oom_memcg_path"] == scene.oom_cgroup().path());
	CHECK(event["policy"].is_null());
	CHECK(event["hooked"] == false);
	CHECK(event["dry_run"] == false);
	CHECK(event["group_member"] == false);
	CHECK(event["victim"]["pid"] == pid);
	CHECK(event["victim"]["tgid"] == pid);
	CHECK(event["victim"]["comm"] == kill.task);
	CHECK(event["victim"]["cgroup_id"] == scene.child("b").id());
	CHECK(event["victim"]["cgroup_path"] == scene.child("b").path());
	CHECK(event["victim"]["badness"].get<long>() > 0);
	CHECK(event["policy_choice"].is_null());
	CHECK(event["kernel_choice"].is_null());
	CHECK(event["scan"]["candidates"] == 0);

	// The text stream says the same, after saying that it only observes.
	CHECK(text.err() ==
	      "bpfoom: events: the policy is not loaded; observing the kernel's own choices\n");
	const std::string victim_text = "killed " + std::to_string(pid) + "/" +
					std::to_string(pid) + " (big) in " +
					scene.child("b").path() + " priority 0 badness ";
	bool reported = false;
	for (const auto &line : lines_of(text.out()))
		reported |= line.find(victim_text) != std::string::npos &&
			    line.find("; decided by kernel;") != std::string::npos;
	CHECK(reported);

	// Observing left nothing behind once the readers stopped.
	check_nothing_in_the_kernel();
}
