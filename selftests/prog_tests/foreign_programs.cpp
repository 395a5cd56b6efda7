// SPDX-License-Identifier: GPL-2.0
/*
 * Another tool's program on the OOM hook beside bpfoom's policy
 * (progs/foreign_programs.bpf.c). fmod_ret has no owner and the first
 * non-zero return wins, so `bpfoom status` and `bpfoom probe` must list it,
 * by the link id, program id and name the kernel gives it, and status must
 * warn; its fentry twin only watches and is not listed; once it is detached
 * the lists are empty again.
 */
#include "bpfoom_cli.hpp"
#include "foreign_programs.skel.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <string>

namespace bpfoom::selftests
{
namespace
{

/* The two programs of progs/foreign_programs.bpf.c, attached while the object lives. */
class ForeignPrograms : NonCopyable
{
public:
	ForeignPrograms()
	{
		skel_ = foreign_programs__open_and_load();
		REQUIRE(skel_);
		REQUIRE(foreign_programs__attach(skel_) == 0);
	}
	~ForeignPrograms() { foreign_programs__destroy(skel_); }

	/* The fmod_ret program as status and probe must list it, from what libbpf reports. */
	nlohmann::json listed() const
	{
		bpf_link_info link{};
		__u32 len = sizeof(link);
		REQUIRE(bpf_obj_get_info_by_fd(bpf_link__fd(skel_->links.foreign_eval), &link,
					       &len) == 0);
		bpf_prog_info prog{};
		len = sizeof(prog);
		REQUIRE(bpf_obj_get_info_by_fd(bpf_program__fd(skel_->progs.foreign_eval), &prog,
					       &len) == 0);
		const std::string name = bpf_program__name(skel_->progs.foreign_eval);
		CHECK(name == prog.name); // short enough for the kernel to keep it whole
		CHECK(link.prog_id == prog.id);
		return nlohmann::json::array(
		    {{{"link_id", link.id}, {"prog_id", prog.id}, {"prog_name", name}}});
	}

	/* The warning status prints for it alone. */
	std::string warning() const
	{
		const nlohmann::json programs = listed();
		const auto &program = programs.at(0);
		return "bpfoom: warning: 1 other program is attached to bpf_oom_evaluate_task() as "
		       "fmod_ret (link " +
		       std::to_string(program["link_id"].get<unsigned>()) + ", program " +
		       std::to_string(program["prog_id"].get<unsigned>()) +
		       " foreign_eval) and can override bpfoom's verdicts: the first program to "
		       "return non-zero decides\n";
	}

private:
	foreign_programs *skel_ = nullptr;
};

nlohmann::json parsed(const CommandResult &result)
{
	INFO(result.describe());
	REQUIRE(result.exit_status == 0);
	return nlohmann::json::parse(result.out);
}

/*
 * `status --json` once its foreign_programs has `count` entries, or after 2 s:
 * a link bpfoom has just unpinned (the harness unloads before each test, a
 * load replaces the old links) stays attached until the kernel frees it, an
 * RCU grace period later, and is listed until then.
 */
CommandResult settled_status(const BpfoomCli &cli, std::size_t count)
{
	CommandResult result = cli.run({"status", "--json"});
	for (int i = 0; i < 200 && result.exit_status == 0 &&
			nlohmann::json::parse(result.out)["foreign_programs"].size() != count;
	     i++) {
		::usleep(10000);
		result = cli.run({"status", "--json"});
	}
	return result;
}

/* The "other programs" line of `probe --json`. */
nlohmann::json foreign_check(const nlohmann::json &probe)
{
	for (const auto &check : probe["checks"])
		if (check["name"] == "other programs")
			return check;
	FAIL("probe has no 'other programs' check: " << probe.dump());
	return nullptr;
}

/* Neither status nor probe lists anything, nor warns. */
void check_nothing_foreign(const BpfoomCli &cli)
{
	const CommandResult status = settled_status(cli, 0);
	INFO(status.describe());
	CHECK(parsed(status)["foreign_programs"] == nlohmann::json::array());
	CHECK(status.err.empty());

	const CommandResult probe = cli.run({"probe", "--json"});
	INFO(probe.describe());
	const auto report = parsed(probe);
	CHECK(report["ready"] == true);
	CHECK(report["foreign_programs"] == nlohmann::json::array());
	const auto check = foreign_check(report);
	CHECK(check["ok"] == true);
	CHECK(check["warning"] == false);
}

} // namespace

TEST_CASE("foreign programs: status and probe list another fmod_ret program on the hook, and "
	  "status warns",
	  "[cli][foreign]")
{
	LoadedPolicy policy;
	const auto &cli = policy.cli();
	check_nothing_foreign(cli);

	{
		const ForeignPrograms foreign;
		const nlohmann::json listed = foreign.listed();
		INFO("attached: " << listed.dump());
		CHECK(count_hook_links() == 2); // bpfoom's and the foreign fmod_ret

		const CommandResult status = settled_status(cli, 1);
		INFO(status.describe());
		const auto report = parsed(status);
		CHECK(report["foreign_programs"] == listed);
		CHECK(report["loaded"] == true);
		CHECK(policy_program_id(report) != 0); // bpfoom's own is in "links", not here
		CHECK(status.err == foreign.warning());

		const CommandResult human = cli.run({"status"});
		INFO(human.describe());
		CHECK(human.exit_status == 0);
		CHECK_THAT(
		    human.out,
		    Catch::Contains("other programs on bpf_oom_evaluate_task() (fmod_ret: "
				    "the first to return non-zero decides):\n"
				    "LINK ID  PROG ID  PROGRAM\n") &&
			Catch::Contains(std::to_string(listed[0]["link_id"].get<unsigned>())) &&
			Catch::Contains("foreign_eval"));
		CHECK(human.err == foreign.warning());

		/* Probe shows it as a warning and still passes: the policy attaches and runs. */
		const CommandResult probe = cli.run({"probe", "--json"});
		INFO(probe.describe());
		const auto probed = parsed(probe);
		CHECK(probed["ready"] == true);
		CHECK(probed["foreign_programs"] == listed);
		const auto check = foreign_check(probed);
		CHECK(check["ok"] == true);
		CHECK(check["warning"] == true);
		CHECK_THAT(check["detail"].get<std::string>(),
			   Catch::Contains("1 other fmod_ret program on the hook can override"));
		const CommandResult probe_text = cli.run({"probe"});
		INFO(probe_text.describe());
		CHECK(probe_text.exit_status == 0);
		CHECK_THAT(probe_text.out,
			   Catch::Contains("other programs     warn") &&
			       Catch::Contains("foreign_eval") &&
			       Catch::EndsWith("This system can run the bpfoom policy.\n"));

		/* A replacing load attaches bpfoom's new links after it: still only it is foreign.
		 */
		cli.must({"load"});
		const CommandResult reloaded = settled_status(cli, 1);
		INFO(reloaded.describe());
		CHECK(parsed(reloaded)["foreign_programs"] == listed);
		CHECK(reloaded.err == foreign.warning());

		/* With nothing of bpfoom's loaded it is still there, and listed. */
		cli.must({"unload"});
		const CommandResult unloaded = settled_status(cli, 1);
		INFO(unloaded.describe());
		CHECK(parsed(unloaded)["loaded"] == false);
		CHECK(parsed(unloaded)["foreign_programs"] == listed);
		CHECK(unloaded.err == foreign.warning());
		cli.must({"load"});
	}

	/* Detached: nothing is listed, nothing warns. */
	check_nothing_foreign(cli);
	CHECK(count_hook_links() == 1);
}

} // namespace bpfoom::selftests
