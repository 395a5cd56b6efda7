// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// The --json schemas are written once, in the CLI: `bpfoom COMMAND --help`
// prints each, and the README's copies ("JSON output", each block after a
// `<!-- json-schema NAME -->` line) must be the same text. Also: every key
// the documents hold is named by their schema.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "bpfoom/policy.hpp"
#include "command.hpp"
#include "helpers.hpp"

using namespace bpfoom;
using selftests::lines_of;
using test::CliOptions;
using test::run_cli;

namespace
{

/* README.md of this source tree. */
std::string readme()
{
	const auto path = std::filesystem::path(__FILE__).parent_path() / "../../README.md";
	std::ifstream in(path);
	REQUIRE(in);
	std::ostringstream text;
	text << in.rdbuf();
	return text.str();
}

/* The README's schema blocks by name: the fenced block after `<!-- json-schema NAME -->`. */
std::map<std::string, std::string> readme_schemas(const std::string &text)
{
	const std::string marker = "<!-- json-schema ";
	std::map<std::string, std::string> schemas;
	const auto lines = lines_of(text);
	for (std::size_t i = 0; i < lines.size(); i++) {
		if (lines[i].rfind(marker, 0) != 0)
			continue;
		const std::string name =
		    lines[i].substr(marker.size(), lines[i].size() - marker.size() - 4);
		INFO("README block " << name);
		REQUIRE(i + 1 < lines.size());
		REQUIRE(lines[i + 1] == "```");
		std::string block;
		std::size_t j = i + 2;
		for (; j < lines.size() && lines[j] != "```"; j++)
			block += lines[j] + "\n";
		REQUIRE(j < lines.size());
		CHECK(schemas.emplace(name, block).second);
	}
	return schemas;
}

/*
 * The schema a --help text shows: after a line "With --json ...:" and a
 * blank line, the lines indented by four spaces. Empty if there is none.
 */
std::string help_schema(const std::string &help)
{
	const auto lines = lines_of(help);
	for (std::size_t i = 0; i + 1 < lines.size(); i++) {
		if (lines[i].rfind("With --json", 0) != 0 || lines[i].back() != ':')
			continue;
		std::string block;
		for (std::size_t j = i + 2; j < lines.size() && lines[j].rfind("    ", 0) == 0; j++)
			block += lines[j].substr(4) + "\n";
		return block;
	}
	return "";
}

/* The command names 'bpfoom --help' lists under "Commands:". */
std::vector<std::string> commands(const std::string &usage)
{
	std::vector<std::string> names;
	bool listing = false;
	for (const auto &line : lines_of(usage)) {
		if (line == "Commands:")
			listing = true;
		else if (listing && line.empty())
			break;
		else if (listing) // "  policy check  compile a policy ...": names end at two spaces
			names.push_back(line.substr(2, line.find("  ", 2) - 2));
	}
	return names;
}

/* A command's words, then `option`: {"policy", "check", "--help"}. */
std::vector<std::string> words_of(const std::string &command, const std::string &option)
{
	std::vector<std::string> words;
	std::istringstream in(command);
	for (std::string word; in >> word;)
		words.push_back(word);
	words.push_back(option);
	return words;
}

std::string help_of(const std::vector<std::string> &args)
{
	const test::CliResult result = run_cli(args, {});
	INFO("bpfoom " << Catch::Detail::stringify(args) << ": " << result.err);
	REQUIRE(result.status == 0);
	return result.out;
}

/* Every object key in `value`, at any depth. */
void collect_keys(const nlohmann::json &value, std::set<std::string> &keys)
{
	if (value.is_object())
		for (const auto &[key, member] : value.items()) {
			keys.insert(key);
			collect_keys(member, keys);
		}
	else if (value.is_array())
		for (const auto &member : value)
			collect_keys(member, keys);
}

} // namespace

TEST_CASE("cli json schemas: the README's copy of each is the one --help prints", "[cli][json]")
{
	const std::map<std::string, std::string> in_readme = readme_schemas(readme());
	const std::string usage = help_of({"--help"});
	std::map<std::string, std::string> in_help{{"error", help_schema(usage)}};
	const auto names = commands(usage);
	REQUIRE(names.size() >= 12);
	for (const auto &name : names)
		if (std::string schema = help_schema(help_of(words_of(name, "--help")));
		    !schema.empty())
			in_help.emplace(name, schema);

	for (const auto &[name, schema] : in_help) {
		INFO("schema of " << name << " (bpfoom " << name << " --help, README.md)");
		REQUIRE(in_readme.count(name));
		CHECK(in_readme.at(name) == schema);
	}
	for (const auto &[name, schema] : in_readme) {
		INFO("README.md has a schema for " << name);
		CHECK(in_help.count(name));
	}
	/* The commands that print JSON documents; the others print null. */
	CHECK(in_help.size() == 10);
}

TEST_CASE("cli json schemas: every key a document holds is in its schema", "[cli][json]")
{
	test::PinnedMaps maps;
	test::TempCgroup kept, gone;
	PolicyChange(maps.policy).set(kept.id(), {5, 0});
	PolicyChange(maps.policy).set(gone.id(), {6, 0});
	const std::map<std::string, std::string> schemas = readme_schemas(readme());
	const std::string file = test::write_temp_file(kept.path() + " 7\n");
	const std::vector<std::vector<std::string>> runs = {
	    {"status", "--json"},
	    {"probe", "--json"}, // fails without the hook, but prints its report
	    {"list", "--json"},
	    {"get", kept.path(), "--json"},
	    {"sync", file, "--dry-run", "--json"},
	    {"gc", "--json"},
	    {"policy", "list", "--json"},
	    {"--json", "nonsense"},
	};
	gone.remove(); // for gc's "removed"
	for (const auto &args : runs) {
		const test::CliResult result = run_cli(args, maps.options);
		const std::string name = args[0] == "--json"   ? "error"
					 : args[0] == "policy" ? args[0] + " " + args[1]
							       : args[0];
		INFO("bpfoom " << Catch::Detail::stringify(args) << "\nstdout: " << result.out
			       << "\nstderr: " << result.err);
		const std::string &output = name == "error" ? result.err : result.out;
		REQUIRE(nlohmann::json::accept(output));
		std::set<std::string> keys;
		collect_keys(nlohmann::json::parse(output), keys);
		REQUIRE(schemas.count(name));
		for (const auto &key : keys) {
			INFO("key " << key);
			CHECK_THAT(schemas.at(name), Catch::Contains("\"" + key + "\""));
		}
	}
}
