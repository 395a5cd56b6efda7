// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <catch2/catch.hpp>
#include <sstream>

#include "bpfoom/error.hpp"
#include "bpfoom/sync_file.hpp"
#include "helpers.hpp"

using namespace bpfoom;

namespace
{

std::vector<SyncEntry> parse(const std::string &text)
{
	std::istringstream in(text);
	return parse_sync_file(in, "prios.conf");
}

/* The exact message (and the bad_input category) of parsing `text`. */
std::string parse_error(const std::string &text)
{
	try {
		parse(text);
	} catch (const Error &e) {
		CHECK(e.kind() == Errc::bad_input);
		return e.what();
	}
	FAIL("parsing succeeded: " << text);
	return {};
}

} // namespace

TEST_CASE("parse_priority takes exactly the signed 32-bit decimals", "[sync_file]")
{
	CHECK(parse_priority("0") == 0);
	CHECK(parse_priority("-5") == -5);
	CHECK(parse_priority("+7") == 7);
	CHECK(parse_priority("2147483647") == 2147483647);
	CHECK(parse_priority("-2147483648") == INT32_MIN);
	for (const char *bad : {"2147483648", "-2147483649", "99999999999", "", "+", "-", "+-1",
				"0x10", "1.5", "1e3", " 1", "1 ", "abc", "5x"})
		CHECK_FALSE(parse_priority(bad));
}

TEST_CASE("sync file: entries, flags, comments and blank lines", "[sync_file]")
{
	auto entries = parse("# header\n"
			     "\n"
			     "a 5\n"
			     "   b/c   -7   omit   # trailing comment\n"
			     "\t/abs/path +3\n");
	REQUIRE(entries.size() == 3);
	CHECK(entries[0].cgroup == "a");
	CHECK(entries[0].value == Priority{5, 0});
	CHECK(entries[0].line == 3);
	CHECK(entries[1].cgroup == "b/c");
	CHECK(entries[1].value == Priority{-7, BPFOOM_PRIORITY_F_OMIT});
	CHECK(entries[1].line == 4);
	CHECK(entries[2].cgroup == "/abs/path");
	CHECK(entries[2].value.priority == 3);
	CHECK(entries[2].line == 5);
	CHECK(parse("").empty());
	CHECK(parse("# only a comment\n\n   \n").empty());
}

TEST_CASE("sync file: every malformed line is reported with its number", "[sync_file]")
{
	CHECK(parse_error("a 1\nb\n") == "prios.conf:2: missing priority after cgroup 'b'");
	CHECK(parse_error("a x") == "prios.conf:1: priority 'x' is not a 32-bit integer");
	CHECK(parse_error("# c\n\na 99999999999\n") ==
	      "prios.conf:3: priority '99999999999' is not a 32-bit integer");
	CHECK(parse_error("a -2147483649") ==
	      "prios.conf:1: priority '-2147483649' is not a 32-bit integer");
	CHECK(parse_error("a 1.5") == "prios.conf:1: priority '1.5' is not a 32-bit integer");
	CHECK(parse_error("a 5 omitt") ==
	      "prios.conf:1: unknown flag 'omitt' (the only flag is 'omit')");
	CHECK(parse_error("a 5 OMIT") ==
	      "prios.conf:1: unknown flag 'OMIT' (the only flag is 'omit')");
	CHECK(parse_error("a 5 omit extra") == "prios.conf:1: unexpected 'extra' after the flag");
	CHECK(parse_error("a 5 omit omit") == "prios.conf:1: unexpected 'omit' after the flag");
}

TEST_CASE("sync file: cgroups are resolved and duplicates refused under any spelling",
	  "[sync_file][cgroup]")
{
	test::TempCgroup a, b;
	const CgroupResolver cgroups(test::host_cgroup_mounts());
	const std::string a_name = a.path().substr(cgroups.root().size() + 1);
	const std::string b_name = b.path().substr(cgroups.root().size() + 1);

	auto resolve = [&](const std::string &text) {
		std::istringstream in(text);
		return resolve_sync_entries(parse_sync_file(in, "prios.conf"), cgroups,
					    "prios.conf");
	};
	auto resolve_error = [&](const std::string &text) -> std::string {
		try {
			resolve(text);
		} catch (const Error &e) {
			CHECK(e.kind() == Errc::bad_input);
			return e.what();
		}
		FAIL("resolving succeeded: " << text);
		return {};
	};

	SyncTarget target = resolve(a_name + " 5\n" + b.path() + " -1 omit\n");
	CHECK(target.desired ==
	      PriorityTable{{a.id(), {5, 0}}, {b.id(), {-1, BPFOOM_PRIORITY_F_OMIT}}});
	CHECK(target.paths.at(a.id()) == a.path());

	CHECK(resolve_error(a_name + " 1\n" + a_name + " 2\n") ==
	      "prios.conf:2: cgroup '" + a_name + "' is already listed on line 1");
	CHECK(resolve_error(a_name + " 1\n# x\n" + a.path() + " 2\n") ==
	      "prios.conf:3: cgroup '" + a.path() + "' is already listed on line 1 as '" + a_name +
		  "'");
	CHECK(resolve_error(a_name + " 1\n" + b_name + "/../" + a_name + "/ 2\n") ==
	      "prios.conf:2: cgroup '" + b_name + "/../" + a_name +
		  "/' is already listed on line 1 as '" + a_name + "'");
	CHECK(resolve_error(a_name + " 1\nbpfoom-no-such-cgroup 2\n") ==
	      "prios.conf:2: cgroup 'bpfoom-no-such-cgroup': no such cgroup under " +
		  cgroups.root());
}
