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
	return parse_sync_file(text, "prios.conf", {.allow_empty = true});
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
	const std::string shape = "expected 'CGROUP PRIORITY [omit] [request=SIZE]', found ";
	const std::string not_flag = "is not 'omit' or 'request=SIZE', or repeats one";
	const std::string not_size = ": the request is not a size in bytes (digits, optionally K, "
				     "M, G, T or Ki, Mi, Gi, Ti)";
	const std::string not_priority =
	    "the priority (field 2) is not a signed 32-bit decimal integer";
	CHECK(parse_error("a 1\nb\n") == "prios.conf:2: " + shape + "one field");
	CHECK(parse_error("a x") == "prios.conf:1: " + not_priority);
	CHECK(parse_error("# c\n\na 99999999999\n") == "prios.conf:3: " + not_priority);
	CHECK(parse_error("a -2147483649") == "prios.conf:1: " + not_priority);
	CHECK(parse_error("a 1.5") == "prios.conf:1: " + not_priority);
	CHECK(parse_error("a 5 omitt") == "prios.conf:1: field 3 " + not_flag);
	CHECK(parse_error("a 5 OMIT") == "prios.conf:1: field 3 " + not_flag);
	CHECK(parse_error("a 5 omit extra") == "prios.conf:1: field 4 " + not_flag);
	CHECK(parse_error("a 5 omit omit") == "prios.conf:1: field 4 " + not_flag);
	CHECK(parse_error("a 5 request=1 request=2") == "prios.conf:1: field 4 " + not_flag);
	CHECK(parse_error("a 5 omit request=1 x") == "prios.conf:1: " + shape + "5 fields");
	CHECK(parse_error("a 5 request=") == "prios.conf:1: field 3" + not_size);
	CHECK(parse_error("a 5 request=-1") == "prios.conf:1: field 3" + not_size);
	CHECK(parse_error("a 5 request=1.5Gi") == "prios.conf:1: field 3" + not_size);
	CHECK(parse_error("a 5 request=1Pi") == "prios.conf:1: field 3" + not_size);
	CHECK(parse_error("a 5 omit request=18446744073709551616") ==
	      "prios.conf:1: field 4" + not_size);
	CHECK(parse_error("a 5 request=16777216Ti") == "prios.conf:1: field 3" + not_size);
}

TEST_CASE("sync file: a memory request, in bytes or with a binary suffix, in either order",
	  "[sync_file]")
{
	const auto entries = parse("a 5 request=64Mi\n"
				   "b -1 omit request=1G\n"
				   "c 0 request=4096 omit\n"
				   "d 7 request=0\n"
				   "e 1 request=18446744073709551615\n");
	REQUIRE(entries.size() == 5);
	CHECK(entries[0].value == Priority{5, 0, 64ull << 20});
	CHECK(entries[1].value == Priority{-1, BPFOOM_PRIORITY_F_OMIT, 1ull << 30});
	CHECK(entries[2].value == Priority{0, BPFOOM_PRIORITY_F_OMIT, 4096});
	CHECK(entries[3].value == Priority{7, 0, 0});
	CHECK(entries[4].value.request == ~0ull);
	/* What list and sync print reads back as the same size. */
	for (std::uint64_t bytes :
	     {0ull, 1ull, 4096ull, 64ull << 20, 3ull << 30, 5ull << 40, (64ull << 20) + 1, ~0ull})
		CHECK(parse_size(format_size(bytes)) == bytes);
	CHECK(format_size(64ull << 20) == "64Mi");
	CHECK(format_size(1536ull << 20) == "1536Mi");
}

TEST_CASE("sync file: the reasons never quote the line", "[sync_file]")
{
	/* What /etc/shadow looks like: none of it may reach a log. */
	const std::string secret = "root:$y$j9T$Q2xsZWFyLXRleHQ$hash:19000:0:99999:7:::";
	for (const std::string &text :
	     {secret + "\n", "x " + secret + "\n", "x 1 " + secret + "\n", "x 1 omit " + secret})
		CHECK_THAT(parse_error(text), !Catch::Contains("root") && !Catch::Contains("hash"));
}

TEST_CASE("sync file: control characters are refused, naming line and column", "[sync_file]")
{
	/* A NUL used to cut the path short: "\0 5" set the cgroup2 root. */
	CHECK(parse_error(std::string("\0 5\n", 4)) ==
	      "prios.conf:1: control character 0x00 (NUL) at column 1 (a sync file is text)");
	CHECK(parse_error(std::string("a 1\nrepro/c\0junk 4\n", 20)) ==
	      "prios.conf:2: control character 0x00 (NUL) at column 8 (a sync file is text)");
	CHECK(parse_error("a 1 # \x1b[31m\n") ==
	      "prios.conf:1: control character 0x1b (escape) at column 7 (a sync file is text)");
	CHECK(parse_error("a 1\r\n") == "prios.conf:1: control character 0x0d (carriage "
					"return: DOS line endings?) at column 4 (a sync file "
					"is text)");
	CHECK(parse_error("a\x7f 1\n") ==
	      "prios.conf:1: control character 0x7f at column 2 (a sync file is text)");
	/* Tabs separate fields like spaces. */
	CHECK(parse("a\t1\tomit\n").at(0).value.flags == BPFOOM_PRIORITY_F_OMIT);
}

TEST_CASE("sync file: an input without entries is refused unless allowed", "[sync_file]")
{
	for (const std::string text : {"", "\n", "# nothing but a comment\n\n   \n"}) {
		try {
			parse_sync_file(text, "<stdin>");
			FAIL("an empty set was accepted: '" << text << "'");
		} catch (const Error &e) {
			CHECK(e.kind() == Errc::bad_input);
			CHECK_THAT(e.what(), Catch::StartsWith("<stdin>: no entries") &&
						 Catch::Contains("--allow-empty"));
		}
		CHECK(parse_sync_file(text, "<stdin>", {.allow_empty = true}).empty());
	}
}

TEST_CASE("sync file: cgroups are resolved and duplicates refused under any spelling",
	  "[sync_file][cgroup]")
{
	test::TestCgroup a, b;
	const CgroupResolver cgroups(test::host_cgroup_mounts());
	const std::string a_name = a.path().substr(cgroups.root().size() + 1);
	const std::string b_name = b.path().substr(cgroups.root().size() + 1);

	auto resolve = [&](const std::string &text) {
		return resolve_sync_entries(parse_sync_file(text, "prios.conf"), cgroups,
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
