// SPDX-License-Identifier: GPL-2.0
/*
 * The unit-file reader the service tests rely on, against systemd's rules:
 * if it ran a command differently from systemd, the service tests would
 * prove nothing.
 */
#include "unit_file.hpp"

#include <catch2/catch.hpp>

using namespace bpfoom::selftests;
using Words = std::vector<std::string>;

TEST_CASE("unit file: words are split and unquoted as systemd does", "[unit-file]")
{
	CHECK(split_unit_words("/bin/x a  'b c' \"d \\\"e\\\"\" f\\sg") ==
	      Words{"/bin/x", "a", "b c", "d \"e\"", "f g"});
	CHECK(split_unit_words("  ") == Words{});
	CHECK_THROWS(split_unit_words("/bin/x 'open"));
	CHECK_THROWS(split_unit_words("/bin/x \\q"));
}

TEST_CASE("unit file: variables expand as systemd expands them", "[unit-file]")
{
	const Environment env{{"OPTS", "--mode  tournament"}, {"FILE", "/etc/a b"}, {"EMPTY", ""}};
	CHECK(expand_unit_variables({"/bin/x", "$OPTS", "$EMPTY", "$UNSET", "end"}, env) ==
	      Words{"/bin/x", "--mode", "tournament", "end"});
	CHECK(expand_unit_variables({"--file=${FILE}", "${UNSET}x", "$$OPTS", "a$OPTS"}, env) ==
	      Words{"--file=/etc/a b", "x", "$OPTS", "a$OPTS"});
}

TEST_CASE("unit file: sections, continuations, resets, prefixes and the environment", "[unit-file]")
{
	auto unit = UnitFile::parse("# comment\n"
				    "[Unit]\n"
				    "Description=x\n"
				    "[Service]\n"
				    "; another comment\n"
				    "Environment=A=1 \"B=two words\"\n"
				    "Environment=A=3\n"
				    "ExecStart=/bin/early\n"
				    "ExecStart=\n"
				    "ExecStart=-/bin/first $A \\\n"
				    "    ${B} 100%%\n"
				    "ExecStart=/bin/second\n");
	const auto env = unit.environment();
	CHECK(env == Environment{{"A", "3"}, {"B", "two words"}});
	const auto start = unit.commands("ExecStart", env);
	REQUIRE(start.size() == 2);
	CHECK(start[0].argv == Words{"/bin/first", "3", "two words", "100%"});
	CHECK(start[0].ignore_failure);
	CHECK(start[1].argv == Words{"/bin/second"});
	CHECK(!start[1].ignore_failure);
	CHECK(unit.values("Unit", "Description") == Words{"x"});
	CHECK(unit.commands("ExecReload", env).empty());

	CHECK_THROWS(UnitFile::parse("[Service]\nExecStart=+/bin/x\n").commands("ExecStart", {}));
	CHECK_THROWS(UnitFile::parse("[Service]\nExecStart=x\n").commands("ExecStart", {}));
	CHECK_THROWS(UnitFile::parse("[Service]\nExecStart=/bin/x %n\n").commands("ExecStart", {}));
	CHECK_THROWS(UnitFile::parse("[Service]\nEnvironmentFile=/no/such/file\n").environment());
	CHECK(UnitFile::parse("[Service]\nEnvironmentFile=-/no/such/file\n").environment().empty());
}

TEST_CASE("unit file: environment files", "[unit-file]")
{
	CHECK(parse_environment_file("# c\n; c\n\nA=1\n B = \"x y\" \nC='z'\n") ==
	      Environment{{"A", "1"}, {"B", "x y"}, {"C", "z"}});
	CHECK_THROWS(parse_environment_file("no equals sign\n"));
}

TEST_CASE("unit file: commands run with systemd's clean environment, in order, stopping at a "
	  "failure",
	  "[unit-file]")
{
	const std::vector<ExecCommand> commands{
	    {{"/bin/sh", "-c", "echo \"$PWD $HOME $X\""}, false},
	    {{"/bin/false"}, true},
	    {{"/bin/false"}, false},
	    {{"/bin/true"}, false},
	};
	auto outcome = run_exec(commands, {{"X", "from-unit"}});
	CHECK(!outcome.ok);
	REQUIRE(outcome.results.size() == 3);
	CHECK(outcome.results[0].out == "/  from-unit\n");
}
