// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// What the bpfoom binary writes is safe to read: --json is valid JSON and
// human output holds no control bytes whatever the cgroups are named, every
// error is one bounded line, and bad option values and environment are bad
// input. Also escape()/quote()/one_line() themselves.
#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include "bpfoom/policy.hpp"
#include "bpfoom/text.hpp"
#include "helpers.hpp"

using namespace bpfoom;
using test::CliOptions;
using test::run_cli;

namespace
{

using test::PinnedMaps;

/* A cgroup whose name we choose (TempCgroup picks its own), removed at the end. */
class NamedCgroup
{
public:
	NamedCgroup(const std::string &parent, const std::string &name) : path_(parent + "/" + name)
	{
		if (mkdir(path_.c_str(), 0755) != 0)
			FAIL("cannot create cgroup " << Catch::Detail::stringify(path_) << ": "
						     << std::strerror(errno));
	}
	~NamedCgroup() { rmdir(path_.c_str()); }
	NamedCgroup(const NamedCgroup &) = delete;
	NamedCgroup &operator=(const NamedCgroup &) = delete;

	const std::string &path() const { return path_; }
	std::uint64_t id() const
	{
		struct stat st;
		REQUIRE(stat(path_.c_str(), &st) == 0);
		return st.st_ino;
	}

private:
	std::string path_;
};

/* Names that write to a terminal (a title change, a colour) and one that is not UTF-8. */
const std::string title_name = "\x1b]0;pwned\x07";
const std::string colour_name = "\x1b[31m";
const std::string invalid_name = "bad\xff\xfe";

/* Human output a terminal shows as text: no control byte but newlines, no ESC. */
void check_terminal_safe(const std::string &out)
{
	INFO(Catch::Detail::stringify(out));
	for (unsigned char c : out) {
		const bool shown_as_text = (c >= 0x20 && c != 0x7f) || c == '\n';
		CHECK(shown_as_text);
	}
}

/* Runs a --json command that must succeed; its stdout must parse as one JSON value. */
nlohmann::json run_json(const std::vector<std::string> &args, const CliOptions &options)
{
	const test::CliResult result = run_cli(args, options);
	INFO("bpfoom " << Catch::Detail::stringify(args) << "\nstdout: "
		       << Catch::Detail::stringify(result.out) << "\nstderr: " << result.err);
	REQUIRE(result.status == 0);
	/* ASCII only: not even a C1 control (U+0080-U+009F) can reach a terminal. */
	for (unsigned char c : result.out) {
		const bool ascii = (c >= 0x20 && c < 0x7f) || c == '\n';
		CHECK(ascii);
	}
	nlohmann::json value;
	REQUIRE_NOTHROW(value = nlohmann::json::parse(result.out));
	return value;
}

/* A failing command's stderr: exactly one line. */
std::string one_error_line(const test::CliResult &result)
{
	INFO("stderr: " << Catch::Detail::stringify(result.err));
	REQUIRE(result.err_lines().size() == 1);
	return result.err_lines()[0];
}

} // namespace

TEST_CASE("cli output: hostile cgroup names are valid JSON and inert text", "[cli][output]")
{
	PinnedMaps maps;
	test::TempCgroup parent;
	NamedCgroup title(parent.path(), title_name);
	NamedCgroup colour(parent.path(), colour_name);
	NamedCgroup invalid(parent.path(), invalid_name);
	for (const NamedCgroup *c : {&title, &colour, &invalid})
		PolicyChange(maps.policy).set(c->id(), {7, 0});

	/* JSON strings are Unicode: the bytes that are not UTF-8 become U+FFFD, ids stay exact. */
	const std::map<std::uint64_t, std::string> json_paths = {
	    {title.id(), title.path()},
	    {colour.id(), colour.path()},
	    {invalid.id(), parent.path() + "/bad\uFFFD\uFFFD"},
	};
	const std::string escaped[] = {
	    parent.path() + "/\\x1b]0;pwned\\x07",
	    parent.path() + "/\\x1b[31m",
	    parent.path() + "/bad\\xff\\xfe",
	};

	SECTION("list")
	{
		const nlohmann::json list = run_json({"list", "--json"}, maps.options);
		REQUIRE(list["entries"].size() == 3);
		for (const auto &entry : list["entries"])
			CHECK(entry["path"] ==
			      json_paths.at(entry["cgroup_id"].get<std::uint64_t>()));

		const auto human = run_cli({"list"}, maps.options);
		CHECK(human.status == 0);
		check_terminal_safe(human.out);
		for (const auto &text : escaped)
			CHECK_THAT(human.out, Catch::Contains(text));
	}
	SECTION("get")
	{
		for (const NamedCgroup *c : {&title, &colour, &invalid}) {
			const nlohmann::json got =
			    run_json({"get", c->path(), "--json"}, maps.options);
			CHECK(got["cgroup_id"] == c->id());
			CHECK(got["path"] == json_paths.at(c->id()));
			CHECK(got["from_path"] == json_paths.at(c->id()));

			const auto human = run_cli({"get", c->path()}, maps.options);
			CHECK(human.status == 0);
			check_terminal_safe(human.out);
		}
	}
	SECTION("sync")
	{
		/* The file names only the parent, so the three are removed and reported by path. */
		const std::string text = parent.path() + " 1\n";
		CliOptions options = maps.options;
		options.input = text;
		const nlohmann::json report =
		    run_json({"sync", "-", "--dry-run", "--json"}, options);
		REQUIRE(report["removed"].size() == 3);
		for (const auto &change : report["removed"])
			CHECK(change["path"] ==
			      json_paths.at(change["cgroup_id"].get<std::uint64_t>()));

		const auto human = run_cli({"sync", "-"}, options);
		CHECK(human.status == 0);
		check_terminal_safe(human.out);
		for (const auto &path : escaped)
			CHECK_THAT(human.out, Catch::Contains("-  " + path));
		CHECK(maps.policy.priorities().list() == PriorityTable{{parent.id(), {1, 0}}});
	}
}

TEST_CASE("cli output: an error is one line whatever the arguments hold", "[cli][output]")
{
	PinnedMaps maps;
	const std::string root = read_cgroup_mounts().cgroup2;

	const auto forged = run_cli({"set", "x\nbpfoom: forged", "5"}, maps.options);
	CHECK(forged.status == 3);
	CHECK(one_error_line(forged) ==
	      "bpfoom: set: cgroup 'x\\x0abpfoom: forged': no such cgroup under " + root);

	const auto priority = run_cli({"set", root, "1\n2"}, maps.options);
	CHECK(priority.status == 3);
	CHECK(one_error_line(priority) ==
	      "bpfoom: set: priority '1\\x0a2' is not a 32-bit integer");

	const auto command = run_cli({"no\x1b[2Jsuch"}, maps.options);
	CHECK(command.status == 2);
	CHECK(one_error_line(command) ==
	      "bpfoom: unknown command 'no\\x1b[2Jsuch' (see 'bpfoom --help')");

	const auto option = run_cli({"list", "--bogus\nbpfoom: forged"}, maps.options);
	CHECK(option.status == 2);
	CHECK_THAT(one_error_line(option), Catch::StartsWith("bpfoom: list: "));
}

TEST_CASE("cli output: an over-long cgroup path is bad input, echoed bounded", "[cli][output]")
{
	PinnedMaps maps;
	const std::string root = read_cgroup_mounts().cgroup2;

	/* Longer than PATH_MAX - 1 bytes: named by its first bytes and its length. */
	const auto path = run_cli({"set", std::string(5000, 'a'), "5"}, maps.options);
	CHECK(path.status == 3);
	CHECK(path.err.size() < 1024);
	CHECK(one_error_line(path) ==
	      "bpfoom: set: cgroup '" + std::string(256, 'a') +
		  "...(5000 bytes)': is longer than PATH_MAX-1 (4095) bytes");

	/* A component longer than NAME_MAX: ENAMETOOLONG from the kernel, so bad input too. */
	const std::string name(300, 'b');
	const auto component = run_cli({"get", root + "/" + name}, maps.options);
	CHECK(component.status == 3);
	CHECK(component.err.size() < 1024);
	CHECK_THAT(one_error_line(component),
		   Catch::EndsWith("...(" + std::to_string(root.size() + 301) +
				   " bytes)': has a component longer than NAME_MAX (255) bytes"));
}

TEST_CASE("cli output: --max-entries is a count from 1 to 4294967295", "[cli][output]")
{
	test::PrivateBpffs bpffs;
	CliOptions options;
	options.pin_dir = bpffs.path() + "/bpfoom";
	for (const std::string value : {"-1", "0", "4294967296", "12x", "+5", ""}) {
		const auto load = run_cli({"load", "--max-entries", value}, options);
		INFO(value << ": " << load.err);
		CHECK(load.status == 3);
		CHECK(one_error_line(load) == "bpfoom: load: --max-entries '" + value +
						  "' is not a whole number from 1 to 4294967295");
		CHECK_FALSE(PinDir(options.pin_dir).exists());
	}
}

TEST_CASE("cli output: a relative BPFOOM_PIN_DIR is refused by name", "[cli][output]")
{
	CliOptions options;
	options.pin_dir = "foo";
	for (const char *command : {"list", "load", "status"}) {
		const auto result = run_cli({command}, options);
		INFO(command);
		CHECK(result.status == 3);
		CHECK(one_error_line(result) ==
		      std::string("bpfoom: ") + command +
			  ": BPFOOM_PIN_DIR 'foo' is not an absolute path");
	}
	CHECK(access("foo", F_OK) != 0);
}

TEST_CASE("text: escape() passes printable UTF-8 and escapes the rest", "[text]")
{
	CHECK(escape("system.slice/nginx.service") == "system.slice/nginx.service");
	CHECK(escape("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7") ==
	      "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7");
	CHECK(escape("a\nb\tc\x1b[31m\x7f") == "a\\x0ab\\x09c\\x1b[31m\\x7f");
	CHECK(escape("csi\xc2\x9b"
		     "1m nbsp\xc2\xa0") == "csi\\xc2\\x9b1m nbsp\xc2\xa0");
	CHECK(escape("bad\xff\xfe") == "bad\\xff\\xfe");
	/* Overlong, surrogate, above U+10FFFF, truncated: not UTF-8. */
	CHECK(escape("\xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 \xe2\x82") ==
	      "\\xc0\\xaf \\xed\\xa0\\x80 \\xf4\\x90\\x80\\x80 \\xe2\\x82");
	/* systemd's own escapes stay as written, so a listed path can be pasted back. */
	CHECK(escape("system-systemd\\x2dfsck.slice") == "system-systemd\\x2dfsck.slice");
	CHECK(escape(std::string("nul\0", 4)) == "nul\\x00");
}

TEST_CASE("text: quote() bounds an input, one_line() a message", "[text]")
{
	CHECK(quote("a'b") == "'a'b'");
	CHECK(quote(std::string(256, 'x')) == "'" + std::string(256, 'x') + "'");
	CHECK(quote(std::string(257, 'x')) == "'" + std::string(256, 'x') + "...(257 bytes)'");
	/* Cut before a character, never inside one. */
	CHECK(quote(std::string(255, 'x') + "\xc3\xa9") ==
	      "'" + std::string(255, 'x') + "...(257 bytes)'");
	/* A message's quote()d parts are not escaped twice. */
	CHECK(one_line("cgroup " + quote("a\\b\n") + ": gone\n") ==
	      "cgroup 'a\\b\\x0a': gone\\x0a");
	CHECK(one_line(std::string(5000, 'm')) == std::string(4096, 'm') + "...(5000 bytes)");
	CHECK(display_width("caf\xc3\xa9") == 4);
}
