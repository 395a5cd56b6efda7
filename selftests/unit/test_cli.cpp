// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// The bpfoom binary's exit codes and messages, against maps pinned in a
// private bpffs, with proof that refused commands change nothing.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bpfoom/policy.hpp"
#include "bpfoom/probe.hpp"
#include "helpers.hpp"

using namespace bpfoom;
using test::CliOptions;
using test::run_cli;

namespace
{

/* The CLI's pinned maps with two entries, one of them omitted. */
struct SeededMaps : test::PinnedMaps {
	test::TestCgroup cgroup_a, cgroup_b;

	SeededMaps()
	{
		PolicyChange(policy).set(cgroup_a.id(), {10, 0});
		PolicyChange(policy).set(cgroup_b.id(), {-10, BPFOOM_PRIORITY_F_OMIT});
	}

	std::string root() const { return read_cgroup_mounts().cgroup2; }
};

/* Runs a command that must be refused: its exit code, its one stderr line, and no change. */
void check_refused(SeededMaps &maps, const std::vector<std::string> &args, int status,
		   const std::string &message, const std::string &input = "")
{
	const PriorityTable before = maps.contents();
	const Settings settings_before = maps.policy.settings().read();
	CliOptions options = maps.options;
	options.input = input;
	const test::CliResult result = run_cli(args, options);
	INFO("bpfoom " << Catch::Detail::stringify(args) << "\nstdout: " << result.out
		       << "\nstderr: " << result.err);
	CHECK(result.status == status);
	REQUIRE(result.err_lines().size() == 1);
	CHECK(result.err_lines()[0] == message);
	CHECK(maps.contents() == before);
	CHECK(maps.policy.settings().read() == settings_before);
}

CliOptions with_input(CliOptions options, const std::string &input)
{
	options.input = input;
	return options;
}

/* Runs a --json command that must succeed and parses its stdout as one JSON value. */
nlohmann::json run_json(const std::vector<std::string> &args, const CliOptions &options)
{
	const test::CliResult result = run_cli(args, options);
	INFO("bpfoom " << Catch::Detail::stringify(args) << "\nstdout: " << result.out
		       << "\nstderr: " << result.err);
	REQUIRE(result.status == 0);
	CHECK(result.err.empty());
	REQUIRE(nlohmann::json::accept(result.out));
	return nlohmann::json::parse(result.out);
}

/* The {"priority", "omit", "flags"} object of the JSON schemas, or null. */
nlohmann::json priority_json(const std::optional<Priority> &value)
{
	if (!value)
		return nullptr;
	return {{"priority", value->priority},
		{"omit", value->omit()},
		{"flags", value->flags},
		{"request", value->request ? nlohmann::json(value->request) : nullptr}};
}

/* One change of sync --json: {"cgroup_id", "path", "before", "after"}. */
nlohmann::json change_json(std::uint64_t id, const std::optional<std::string> &path,
			   const std::optional<Priority> &before,
			   const std::optional<Priority> &after)
{
	return {{"cgroup_id", id},
		{"path", path ? nlohmann::json(*path) : nlohmann::json(nullptr)},
		{"before", priority_json(before)},
		{"after", priority_json(after)}};
}

} // namespace

TEST_CASE("cli: bad input exits 3 with one line and changes nothing", "[cli]")
{
	SeededMaps maps;
	const std::string root = maps.root();
	const std::string a = maps.cgroup_a.path();

	check_refused(maps, {"set", "bpfoom-no-such-cgroup", "5"}, 3,
		      "bpfoom: set: cgroup 'bpfoom-no-such-cgroup': no such cgroup under " + root);
	check_refused(maps, {"set", "/tmp", "5"}, 3,
		      "bpfoom: set: cgroup '/tmp': is outside the cgroup2 mount " + root);
	check_refused(maps, {"set", a, "99999999999"}, 3,
		      "bpfoom: set: priority '99999999999' is not a 32-bit integer");
	check_refused(maps, {"set", a, "high"}, 3,
		      "bpfoom: set: priority 'high' is not a 32-bit integer");
	check_refused(maps, {"unset", "bpfoom-no-such-cgroup"}, 3,
		      "bpfoom: unset: cgroup 'bpfoom-no-such-cgroup': no such cgroup under " +
			  root);
	check_refused(maps, {"get", "../.."}, 3,
		      "bpfoom: get: cgroup '../..': is outside the cgroup2 mount " + root);
	check_refused(maps, {"config", "--mode", "random"}, 3,
		      "bpfoom: config: mode 'random' is not one of 'inherit', 'tournament'");
	check_refused(maps, {"config", "--default-priority", "1e9"}, 3,
		      "bpfoom: config: priority '1e9' is not a 32-bit integer");
	check_refused(maps, {"config", "--dry-run", "maybe"}, 3,
		      "bpfoom: config: --dry-run 'maybe' is not 'on' or 'off'");
}

TEST_CASE("cli: a cgroup v1 path is refused as such", "[cli]")
{
	SeededMaps maps;
	test::V1Hierarchy v1;
	const PriorityTable before = maps.contents();
	const test::CliResult result = run_cli({"set", v1.path(), "5"}, maps.options);
	CHECK(result.status == 3);
	REQUIRE(result.err_lines().size() == 1);
	CHECK_THAT(result.err_lines()[0],
		   Catch::StartsWith("bpfoom: set: cgroup '" + v1.path() +
				     "': is in the cgroup v1 hierarchy at " + v1.path()));
	CHECK(maps.contents() == before);
}

TEST_CASE("cli: a malformed or inconsistent sync file changes nothing", "[cli][sync]")
{
	SeededMaps maps;
	const std::string root = maps.root();
	const std::string a = maps.cgroup_a.path();
	const std::string b = maps.cgroup_b.path();
	const std::string a_rel = a.substr(root.size() + 1);

	struct Case {
		std::string text, message;
	};
	const Case cases[] = {
	    {a + " 1\n" + b + "\n",
	     "2: expected 'CGROUP PRIORITY [omit] [request=SIZE]', found one field"},
	    {"# c\n" + a + " 99999999999\n",
	     "2: the priority (field 2) is not a signed 32-bit decimal integer"},
	    {a + " 1 omitt\n", "1: field 3 is not 'omit' or 'request=SIZE', or repeats one"},
	    {a + " 1 omit x\n", "1: field 4 is not 'omit' or 'request=SIZE', or repeats one"},
	    {a + " 1 omit request=1 x\n",
	     "1: expected 'CGROUP PRIORITY [omit] [request=SIZE]', found 5 fields"},
	    {a + " 1 request=lots\n", "1: field 3: the request is not a size in bytes (digits, "
				      "optionally K, M, G, T or Ki, Mi, Gi, Ti)"},
	    {a + " 1\n" + a_rel + " 2\n",
	     "2: cgroup '" + a_rel + "' is already listed on line 1 as '" + a + "'"},
	    {a + " 1\nbpfoom-no-such-cgroup 2\n",
	     "2: cgroup 'bpfoom-no-such-cgroup': no such cgroup under " + root},
	    {b + " 1\n/tmp 2\n", "2: cgroup '/tmp': is outside the cgroup2 mount " + root},
	};
	for (const auto &c : cases) {
		const std::string file = test::write_temp_file(c.text);
		check_refused(maps, {"sync", file}, 3, "bpfoom: sync: " + file + ":" + c.message);
		check_refused(maps, {"sync", file, "--dry-run"}, 3,
			      "bpfoom: sync: " + file + ":" + c.message);
		check_refused(maps, {"sync", "-"}, 3, "bpfoom: sync: <stdin>:" + c.message, c.text);
		unlink(file.c_str());
	}
	check_refused(
	    maps, {"sync", "/nonexistent/prios.conf"}, 3,
	    "bpfoom: sync: cannot open '/nonexistent/prios.conf': No such file or directory");

	/* More entries than the map holds (16). */
	std::vector<std::unique_ptr<test::TestCgroup>> many;
	std::string text;
	for (int i = 0; i < 17; i++) {
		many.push_back(std::make_unique<test::TestCgroup>());
		text += many.back()->path() + " " + std::to_string(i) + "\n";
	}
	const std::string file = test::write_temp_file(text);
	check_refused(maps, {"sync", file}, 3,
		      "bpfoom: sync: " + file +
			  ": 17 entries exceed the priorities map's capacity of 16 (see 'bpfoom "
			  "load --max-entries')");
	unlink(file.c_str());
}

TEST_CASE("cli: sync applies the whole file, dry-run applies nothing", "[cli][sync]")
{
	SeededMaps maps;
	test::TestCgroup c;
	const std::string root = maps.root();
	const std::string text = "# desired\n" + maps.cgroup_a.path() + " 11\n" +
				 c.path().substr(root.size() + 1) + " -3 omit\n";
	const PriorityTable before = maps.contents();

	const auto dry = run_cli({"sync", "-", "--dry-run"}, with_input(maps.options, text));
	CHECK(dry.status == 0);
	CHECK_THAT(dry.out, Catch::Contains("1 added, 1 changed, 1 removed, 0 unchanged"));
	CHECK(maps.contents() == before);

	const auto applied = run_cli({"sync", "-"}, with_input(maps.options, text));
	CHECK(applied.status == 0);
	CHECK(applied.err.empty());
	CHECK_THAT(applied.out, Catch::Contains("+  " + c.path() + "  -3 omit"));
	CHECK_THAT(applied.out, Catch::Contains("1 added, 1 changed, 1 removed, 0 unchanged"));
	CHECK(maps.contents() ==
	      PriorityTable{{maps.cgroup_a.id(), {11, 0}}, {c.id(), {-3, BPFOOM_PRIORITY_F_OMIT}}});

	const auto again = run_cli({"sync", "-"}, with_input(maps.options, text));
	CHECK_THAT(again.out, Catch::Contains("0 added, 0 changed, 0 removed, 2 unchanged"));
}

TEST_CASE("cli: set, get, unset, list and gc on the pinned map", "[cli]")
{
	SeededMaps maps;
	test::TestCgroup child(maps.cgroup_a.path());
	const auto set =
	    run_cli({"set", maps.cgroup_a.path(), "-2147483648", "--omit"}, maps.options);
	CHECK(set.status == 0);
	CHECK(maps.policy.priorities().get(maps.cgroup_a.id()) ==
	      Priority{INT32_MIN, BPFOOM_PRIORITY_F_OMIT});

	/* The child has no entry of its own: get shows what it inherits. */
	const auto get = run_cli({"get", child.path()}, maps.options);
	CHECK(get.status == 0);
	CHECK_THAT(get.out,
		   Catch::Contains("-2147483648") && Catch::Contains(maps.cgroup_a.path()));

	const auto list = run_cli({"list", "--json"}, maps.options);
	CHECK(list.status == 0);
	CHECK_THAT(list.out,
		   Catch::Contains("{\"cgroup_id\":" + std::to_string(maps.cgroup_a.id()) +
				   ",\"path\":\"" + maps.cgroup_a.path() +
				   "\",\"priority\":-2147483648,\"omit\":true,\"flags\":1,"
				   "\"request\":null}"));

	/* A request: set with it, listed in bytes (JSON) and as the sync file writes it. */
	CHECK(
	    run_cli({"set", maps.cgroup_a.path(), "3", "--request", "64Mi"}, maps.options).status ==
	    0);
	CHECK(maps.policy.priorities().get(maps.cgroup_a.id()) == Priority{3, 0, 64ull << 20});
	CHECK_THAT(run_cli({"list", "--json"}, maps.options).out,
		   Catch::Contains("\"flags\":0,\"request\":67108864}"));
	CHECK_THAT(run_cli({"list"}, maps.options).out,
		   Catch::Contains("REQUEST") && Catch::Contains("64Mi"));
	const auto bad_request =
	    run_cli({"set", maps.cgroup_a.path(), "3", "--request", "lots"}, maps.options);
	CHECK(bad_request.status == 3);
	CHECK_THAT(bad_request.err, Catch::Contains("--request 'lots'"));
	CHECK(maps.policy.priorities().get(maps.cgroup_a.id()) == Priority{3, 0, 64ull << 20});

	CHECK(run_cli({"unset", maps.cgroup_a.path()}, maps.options).status == 0);
	CHECK_FALSE(maps.policy.priorities().get(maps.cgroup_a.id()));

	const std::uint64_t b_id = maps.cgroup_b.id();
	maps.cgroup_b.remove();
	const auto gc = run_cli({"gc"}, maps.options);
	CHECK(gc.status == 0);
	CHECK_THAT(gc.out, Catch::Contains("removed 1 entries"));
	CHECK_FALSE(maps.policy.priorities().get(b_id));
}

TEST_CASE("cli: get --json names the effective priority and where it comes from", "[cli][json]")
{
	SeededMaps maps;
	/* b has an entry of its own; b/child inherits it; b/child/grandchild has its own again,
	 * which its child inherits: the nearest ancestor's entry wins. */
	test::TestCgroup child(maps.cgroup_b.path());
	test::TestCgroup grandchild(child.path());
	test::TestCgroup great(grandchild.path());
	const Priority grandchild_value{4711, BPFOOM_PRIORITY_F_OMIT | 0x100};
	PolicyChange(maps.policy).set(grandchild.id(), grandchild_value);
	const Priority b_value = *maps.policy.priorities().get(maps.cgroup_b.id());

	/* A cgroup with no entry on its path takes the default: make it not 0. */
	test::TestCgroup loner;
	SettingsUpdate update;
	update.default_priority = -1234;
	const Settings settings = PolicyChange(maps.policy).configure(update).after;

	struct Case {
		const test::TestCgroup &cgroup;
		Priority value;
		std::string from;
		const test::TestCgroup *from_cgroup;
	};
	const Case cases[] = {
	    {maps.cgroup_b, b_value, "own", &maps.cgroup_b},
	    {child, b_value, "ancestor", &maps.cgroup_b},
	    {grandchild, grandchild_value, "own", &grandchild},
	    {great, grandchild_value, "ancestor", &grandchild},
	    {loner, Priority{settings.default_priority, 0}, "default", nullptr},
	};
	const PriorityTable before = maps.contents();
	for (const auto &c : cases) {
		INFO(c.cgroup.path());
		nlohmann::json got = run_json({"get", c.cgroup.path(), "--json"}, maps.options);
		CHECK(got["cgroup_id"] == c.cgroup.id());
		CHECK(got["path"] == c.cgroup.path());
		CHECK(got["priority"] == c.value.priority);
		CHECK(got["omit"] == c.value.omit());
		CHECK(got["flags"] == c.value.flags);
		CHECK(got["from"] == c.from);
		if (c.from_cgroup) {
			CHECK(got["from_cgroup_id"] == c.from_cgroup->id());
			CHECK(got["from_path"] == c.from_cgroup->path());
		} else {
			CHECK(got["from_cgroup_id"].is_null());
			CHECK(got["from_path"].is_null());
		}
	}
	/* A path relative to the cgroup2 mount names the same cgroup. */
	const std::string relative = child.path().substr(maps.root().size() + 1);
	nlohmann::json got = run_json({"get", relative, "--json"}, maps.options);
	CHECK(got["path"] == child.path());
	CHECK(got["cgroup_id"] == child.id());
	CHECK(maps.contents() == before);
}

TEST_CASE("cli: sync --json reports every change; with --dry-run it changes nothing",
	  "[cli][sync][json]")
{
	SeededMaps maps;
	test::TestCgroup added, unchanged, gone;
	const Priority unchanged_value{5, 0};
	const Priority gone_value{7, 0x100};
	PolicyChange(maps.policy).set(unchanged.id(), unchanged_value);
	PolicyChange(maps.policy).set(gone.id(), gone_value);
	const std::uint64_t gone_id = gone.id();
	gone.remove();

	const PriorityTable before = maps.contents();
	const std::uint64_t a = maps.cgroup_a.id(), b = maps.cgroup_b.id();
	const Priority a_after{before.at(a).priority + 1, BPFOOM_PRIORITY_F_OMIT};
	const Priority added_value{-3, BPFOOM_PRIORITY_F_OMIT};
	const std::string root = maps.root();
	const std::string text =
	    "# desired\n" + maps.cgroup_a.path() + " " + std::to_string(a_after.priority) +
	    " omit\n" + added.path().substr(root.size() + 1) + " " +
	    std::to_string(added_value.priority) + " omit\n" + unchanged.path() + " " +
	    std::to_string(unchanged_value.priority) + "\n";

	/* Removals in id order: b (still there) and the deleted cgroup (path null). */
	nlohmann::json removed = nlohmann::json::array();
	for (const auto &[id, value] : before)
		if (id == b)
			removed.push_back(
			    change_json(b, maps.cgroup_b.path(), value, std::nullopt));
		else if (id == gone_id)
			removed.push_back(change_json(gone_id, std::nullopt, value, std::nullopt));
	REQUIRE(removed.size() == 2);
	const nlohmann::json expected_changes = {
	    {"added", nlohmann::json::array(
			  {change_json(added.id(), added.path(), std::nullopt, added_value)})},
	    {"changed",
	     nlohmann::json::array({change_json(a, maps.cgroup_a.path(), before.at(a), a_after)})},
	    {"removed", removed},
	};
	auto check_report = [&](nlohmann::json report, bool dry_run) {
		INFO(report.dump());
		CHECK(report["dry_run"] == dry_run);
		for (const char *kind : {"added", "changed", "removed"}) {
			INFO(kind);
			CHECK(report[kind] == expected_changes[kind]);
			CHECK(report["counts"][kind] == expected_changes[kind].size());
		}
		CHECK(report["counts"]["unchanged"] == 1);
	};

	check_report(run_json({"sync", "-", "--dry-run", "--json"}, with_input(maps.options, text)),
		     true);
	CHECK(maps.contents() == before);

	const std::string file = test::write_temp_file(text);
	check_report(run_json({"sync", file, "--json"}, maps.options), false);
	unlink(file.c_str());
	CHECK(maps.contents() == PriorityTable{{a, a_after},
					       {added.id(), added_value},
					       {unchanged.id(), unchanged_value}});

	nlohmann::json again = run_json({"sync", "-", "--json"}, with_input(maps.options, text));
	CHECK(again["dry_run"] == false);
	CHECK(again["added"].empty());
	CHECK(again["changed"].empty());
	CHECK(again["removed"].empty());
	CHECK(again["counts"] == nlohmann::json{{"added", 0},
						{"changed", 0},
						{"removed", 0},
						{"unchanged", maps.contents().size()}});
}

TEST_CASE("cli: gc --json lists the entries it removed and counts those it kept", "[cli][json]")
{
	SeededMaps maps;
	test::TestCgroup kept, gone;
	PolicyChange(maps.policy).set(kept.id(), {123, 0});
	PolicyChange(maps.policy).set(gone.id(), {-77, BPFOOM_PRIORITY_F_OMIT | 0x100});
	const PriorityTable before = maps.contents();
	const std::uint64_t b = maps.cgroup_b.id(), gone_id = gone.id();
	maps.cgroup_b.remove();
	gone.remove();

	nlohmann::json removed = nlohmann::json::array();
	PriorityTable left;
	for (const auto &[id, value] : before) {
		if (id != b && id != gone_id) {
			left[id] = value;
			continue;
		}
		nlohmann::json entry = {{"cgroup_id", id}};
		entry.update(priority_json(value));
		removed.push_back(entry);
	}
	REQUIRE(removed.size() == 2);

	nlohmann::json report = run_json({"gc", "--json"}, maps.options);
	CHECK(report["removed"] == removed);
	CHECK(report["kept"] == left.size());
	CHECK(maps.contents() == left);

	const nlohmann::json again = run_json({"gc", "--json"}, maps.options);
	CHECK(again == nlohmann::json{{"removed", nlohmann::json::array()}, {"kept", left.size()}});
}

TEST_CASE("cli: usage errors exit 2", "[cli]")
{
	SeededMaps maps;
	const PriorityTable before = maps.contents();
	for (const std::vector<std::string> &args :
	     std::vector<std::vector<std::string>>{{"set", maps.cgroup_a.path()},
						   {"set", maps.cgroup_a.path(), "1", "2"},
						   {"set", maps.cgroup_a.path(), "1", "--bogus"},
						   {"sync"},
						   {"list", "extra"},
						   {"nonsense"},
						   {}}) {
		const auto result = run_cli(args, maps.options);
		INFO(Catch::Detail::stringify(args) << ": " << result.err);
		CHECK(result.status == 2);
		CHECK_FALSE(result.err.empty());
	}
	CHECK(maps.contents() == before);
	CHECK(run_cli({"--help"}, maps.options).status == 0);
	for (const char *command : {"probe", "load", "unload", "status", "set", "unset", "get",
				    "list", "sync", "gc", "config", "events"}) {
		const auto help = run_cli({command, "--help"}, maps.options);
		INFO(command);
		CHECK(help.status == 0);
		CHECK_THAT(help.out, Catch::StartsWith(std::string("Usage: bpfoom ") + command));
	}
}

TEST_CASE("cli: nothing loaded exits 6; unload is idempotent", "[cli]")
{
	test::PrivateBpffs bpffs;
	test::TestCgroup cgroup;
	CliOptions options;
	options.pin_dir = bpffs.path() + "/bpfoom";
	const std::string missing = options.pin_dir + "/priorities";
	for (const std::vector<std::string> &args :
	     std::vector<std::vector<std::string>>{{"set", cgroup.path(), "1"},
						   {"unset", cgroup.path()},
						   {"get", cgroup.path()},
						   {"list"},
						   {"gc"}}) {
		const auto result = run_cli(args, options);
		INFO(Catch::Detail::stringify(args));
		CHECK(result.status == 6);
		REQUIRE(result.err_lines().size() == 1);
		CHECK(result.err_lines()[0] == "bpfoom: " + args[0] +
						   ": bpfoom is not loaded (no " + missing +
						   "); run 'bpfoom load'");
	}
	const auto status = run_cli({"status", "--json"}, options);
	CHECK(status.status == 0);
	CHECK_THAT(status.out, Catch::StartsWith("{\"loaded\":false,"));
	CHECK(run_cli({"unload"}, options).status == 0);
	CHECK(run_cli({"unload"}, options).status == 0);
	CHECK_FALSE(PinDir(options.pin_dir).exists());
}

TEST_CASE("cli: not root exits 5 and changes nothing", "[cli]")
{
	SeededMaps maps;
	const PriorityTable before = maps.contents();
	CliOptions nobody = maps.options;
	nobody.as_nobody = true;
	for (const std::vector<std::string> &args : std::vector<std::vector<std::string>>{
		 {"set", maps.cgroup_a.path(), "1"}, {"unset", maps.cgroup_a.path()}, {"list"}}) {
		const auto result = run_cli(args, nobody);
		INFO(Catch::Detail::stringify(args) << ": " << result.err);
		CHECK(result.status == 5);
		REQUIRE(result.err_lines().size() == 1);
		CHECK_THAT(result.err_lines()[0], Catch::Contains("permission denied"));
	}
	CHECK(maps.contents() == before);
}

TEST_CASE("cli: load and probe on a kernel without the hook say so", "[cli]")
{
	test::PrivateBpffs bpffs;
	CliOptions options;
	options.pin_dir = bpffs.path() + "/bpfoom";
	const auto probe = run_cli({"probe"}, options);
	const auto load = run_cli({"load"}, options);
	if (kernel_has_oom_hook()) {
		CHECK_THAT(probe.out, Catch::Contains("oom hook           ok"));
		return;
	}
	CHECK(probe.status == 4);
	CHECK_THAT(probe.out, Catch::Contains("oom hook           FAIL"));
	CHECK(load.status == 4);
	REQUIRE(load.err_lines().size() == 1);
	CHECK(load.err_lines()[0] ==
	      "bpfoom: load: this kernel has no bpf_oom_evaluate_task() hook (it was built without "
	      "bpfoom's OOM patch), so no policy can attach: boot a kernel with the patch from "
	      "bpfoom's kernel/ directory; until then 'bpfoom events' reports the kernel's own OOM "
	      "kills");
	CHECK_FALSE(PinDir(options.pin_dir).exists());
}

TEST_CASE("cli: a sync input that cannot be read to its end changes nothing", "[cli][sync]")
{
	/*
	 * The stream library used to read these as an empty file, and the
	 * sync then removed every priority: `bpfoom sync - <&-`, `< /tmp`,
	 * `0>file`.
	 */
	SeededMaps maps;
	const std::string file = test::write_temp_file("");
	struct Case {
		const char *what;
		CliOptions options;
		std::string message;
	};
	CliOptions closed = maps.options, directory = maps.options, write_only = maps.options;
	closed.stdin_closed = true;
	directory.stdin_path = "/tmp";
	directory.stdin_flags = O_RDONLY | O_DIRECTORY;
	write_only.stdin_path = file;
	write_only.stdin_flags = O_WRONLY;
	for (const auto &[what, options, message] :
	     {Case{"closed", closed, "<stdin>: cannot read: Bad file descriptor"},
	      Case{"a directory", directory, "<stdin>: cannot read: Is a directory"},
	      Case{"write-only", write_only, "<stdin>: cannot read: Bad file descriptor"}}) {
		INFO("stdin " << what);
		const PriorityTable before = maps.contents();
		const auto result = run_cli({"sync", "-"}, options);
		CHECK(result.status == 3);
		REQUIRE(result.err_lines().size() == 1);
		CHECK(result.err_lines()[0] == "bpfoom: sync: " + message);
		CHECK(maps.contents() == before);
	}
	/* A directory given by name fails the same way. */
	check_refused(maps, {"sync", "/tmp"}, 3, "bpfoom: sync: /tmp: cannot read: Is a directory");
	unlink(file.c_str());
}

TEST_CASE("cli: an empty desired set is refused unless --allow-empty", "[cli][sync]")
{
	SeededMaps maps;
	const std::string empty = test::write_temp_file("");
	const std::string comments = test::write_temp_file("# a producer wrote only this\n\n");
	const std::string reason = ": no entries (empty, or only comments and blank lines); as a "
				   "whole desired set it would remove every priority, so it is "
				   "refused unless asked for (bpfoom sync --allow-empty)";
	check_refused(maps, {"sync", "-"}, 3, "bpfoom: sync: <stdin>" + reason, "");
	check_refused(maps, {"sync", empty}, 3, "bpfoom: sync: " + empty + reason);
	check_refused(maps, {"sync", comments}, 3, "bpfoom: sync: " + comments + reason);
	check_refused(maps, {"sync", comments, "--dry-run"}, 3,
		      "bpfoom: sync: " + comments + reason);

	const auto allowed = run_cli({"sync", comments, "--allow-empty"}, maps.options);
	INFO(allowed.err);
	CHECK(allowed.status == 0);
	CHECK_THAT(allowed.out, Catch::Contains("0 added, 0 changed, 2 removed"));
	CHECK(maps.contents().empty());
	unlink(empty.c_str());
	unlink(comments.c_str());
}

TEST_CASE("cli: sync inputs are bounded and must be text", "[cli][sync]")
{
	SeededMaps maps;
	const std::string a = maps.cgroup_a.path();
	/* An endless line (/dev/zero) used to grow to gigabytes. */
	check_refused(maps, {"sync", "/dev/zero"}, 3,
		      "bpfoom: sync: /dev/zero:1: longer than 8192 bytes, the most a sync file "
		      "line may hold");
	const std::string long_line = a + " 1\n" + std::string(9000, 'x') + " 1\n";
	check_refused(maps, {"sync", "-"}, 3,
		      "bpfoom: sync: <stdin>:2: longer than 8192 bytes, the most a sync file line "
		      "may hold",
		      long_line);
	/* "\0 5" gave the cgroup2 root priority 5; "c\0junk" named c. */
	check_refused(maps, {"sync", "-"}, 3,
		      "bpfoom: sync: <stdin>:1: control character 0x00 (NUL) at column 1 (a sync "
		      "file is text)",
		      std::string("\0 5\n", 4));
	check_refused(maps, {"sync", "-"}, 3,
		      "bpfoom: sync: <stdin>:1: control character 0x00 (NUL) at column " +
			  std::to_string(a.size() + 1) + " (a sync file is text)",
		      a + std::string("\0junk 4\n", 8));
}

TEST_CASE("cli: sync refuses more than 64 MiB of input", "[cli][sync]")
{
	SeededMaps maps;
	/* Valid lines all the way, so only the total bound can stop it. */
	const std::string line = maps.cgroup_a.path() + " 1 # " + std::string(7000, '-') + "\n";
	std::string text;
	while (text.size() <= (64u << 20))
		text += line;
	const std::string file = test::write_temp_file(text);
	check_refused(maps, {"sync", file}, 3,
		      "bpfoom: sync: " + file +
			  ": more than 64 MiB, the most a sync input may hold");
	unlink(file.c_str());
}

TEST_CASE("cli: sync releases the lock before it prints its report", "[cli][sync]")
{
	/*
	 * A caller that reads the output only after the process exits must
	 * not block every other writer: the report (over the pipe's size and
	 * stdout's buffer) is printed with the pin directory unlocked.
	 */
	test::PinnedMaps maps(512);
	const Policy &policy = maps.policy;
	std::vector<std::unique_ptr<test::TestCgroup>> cgroups;
	std::string text;
	for (int i = 0; i < 400; i++) {
		cgroups.push_back(std::make_unique<test::TestCgroup>());
		text += cgroups.back()->path() + " 1\n";
	}
	const std::string file = test::write_temp_file(text);

	int out[2];
	REQUIRE(pipe2(out, O_CLOEXEC) == 0);
	REQUIRE(fcntl(out[1], F_SETPIPE_SZ, 4096) >= 4096);
	const pid_t pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		dup2(out[1], 1);
		const int null = open("/dev/null", O_WRONLY);
		dup2(null, 2);
		setenv("BPFOOM_PIN_DIR", policy.pins().path().c_str(), 1);
		execl(BPFOOM_CLI_PATH, "bpfoom", "sync", file.c_str(), nullptr);
		_exit(120);
	}
	close(out[1]);
	/* Not a timing assertion: a bound so that a broken build fails instead of hanging. */
	int queued = 0;
	for (int i = 0; i < 6000 && queued < 4096; i++) {
		REQUIRE(ioctl(out[0], FIONREAD, &queued) == 0);
		usleep(10000);
	}
	REQUIRE(queued >= 4096);
	CHECK(waitpid(pid, nullptr, WNOHANG) == 0); // still writing its report

	UniqueFd dir(open(policy.pins().path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	REQUIRE(dir);
	CHECK(flock(dir.get(), LOCK_EX | LOCK_NB) == 0);
	flock(dir.get(), LOCK_UN);

	const std::string report = test::read_all(out[0]);
	close(out[0]);
	int status = 0;
	REQUIRE(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status));
	CHECK(WEXITSTATUS(status) == 0);
	CHECK_THAT(report, Catch::Contains("400 added"));
	CHECK(policy.priorities().count() == 400);
	unlink(file.c_str());
}
