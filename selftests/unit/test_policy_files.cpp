// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// Policies as files, on a host without the hook: compiling a policy's C
// source against the embedded SDK (and its cache), and refusing objects
// that are not shaped as policies before any kernel call. The verifier's
// say, loading and attaching are VM tests (prog_tests/custom_policies.cpp).
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include "bpfoom/error.hpp"
#include "bpfoom/policy.hpp"
#include "bpfoom/policy_compiler.hpp"
#include "bpfoom/policy_image.hpp"
#include "helpers.hpp"

using namespace bpfoom;
namespace fs = std::filesystem;

namespace
{

/* A policy source of the test tree: selftests/policies/NAME. */
fs::path test_policy(const std::string &name)
{
	return fs::path(__FILE__).parent_path().parent_path() / "policies" / name;
}

std::size_t files_in(const fs::path &dir)
{
	std::size_t count = 0;
	for (const auto &entry : fs::directory_iterator(dir))
		count += entry.is_regular_file();
	return count;
}

/* What check_policy() refuses `image` with, on a host without the hook: its shape comes first. */
Error refusal(const PolicyImage &image)
{
	try {
		check_policy(image);
	} catch (const Error &e) {
		return e;
	}
	FAIL("check_policy accepted " << image.origin);
	return Error(Errc::internal, "");
}

struct Cache {
	selftests::TempDir dir{"bpfoom-policy-cache"};
	PolicyCompiler compiler{PolicyCompiler::from_environment().clang(), dir / "cache"};
};

} // namespace

TEST_CASE("policy files: a policy's C source compiles against the embedded SDK, once per content",
	  "[policy][compile]")
{
	Cache cache;
	const fs::path source = test_policy("skip_all.bpf.c");
	const std::string first = cache.compiler.compile(source);
	CHECK(first.substr(0, 4) == "\x7f"
				    "ELF");
	const fs::path objects = cache.compiler.cache_dir() / "objects";
	CHECK(files_in(objects) == 1);

	/* The same content is served from the cache (marked here to tell it from a new compile). */
	const fs::path entry = fs::directory_iterator(objects)->path();
	std::ofstream(entry, std::ios::binary | std::ios::app) << "cached";
	CHECK(cache.compiler.compile(source) == first + "cached");
	CHECK(files_in(objects) == 1);
	/* Another content is another entry. */
	selftests::TempDir copy;
	fs::copy_file(test_policy("raw_policy.h"), copy / "raw_policy.h");
	std::ifstream in(source);
	std::ostringstream text;
	text << in.rdbuf() << "\n/* another content */\nstatic int unused_marker;\n";
	cache.compiler.compile(copy.write("skip_all.bpf.c", text.str()));
	CHECK(files_in(objects) == 2);

	/* The cache is root's alone; the SDK written out beside it is too. */
	struct stat st;
	REQUIRE(::stat(cache.compiler.cache_dir().c_str(), &st) == 0);
	CHECK((st.st_mode & 0777) == 0700);
}

TEST_CASE("policy files: a source that does not compile is refused with clang's diagnostics",
	  "[policy][compile]")
{
	Cache cache;
	const fs::path source = test_policy("syntax_error.bpf.c");
	try {
		cache.compiler.compile(source);
		FAIL("compiled");
	} catch (const Error &e) {
		CHECK(e.kind() == Errc::policy_compile);
		CHECK_THAT(e.what(), Catch::Contains(source.string()));
		/* The diagnostics name the policy's own file and line, not the preprocessed text.
		 */
		CHECK_THAT(e.detail(), Catch::Contains("syntax_error.bpf.c:"));
		CHECK_THAT(e.detail(), Catch::Contains("error:"));
	}
	CHECK(files_in(cache.compiler.cache_dir() / "objects") == 0);
}

TEST_CASE("policy files: without clang, compiling says what is missing; objects still load",
	  "[policy][compile]")
{
	selftests::TempDir dir;
	const PolicyCompiler compiler("/nonexistent/clang-bpf", dir / "cache");
	try {
		compiler.compile(test_policy("skip_all.bpf.c"));
		FAIL("compiled without clang");
	} catch (const Error &e) {
		CHECK(e.kind() == Errc::unsupported);
		CHECK_THAT(e.what(), Catch::Contains("/nonexistent/clang-bpf"));
		CHECK_THAT(e.what(), Catch::Contains("BPFOOM_CLANG"));
	}
	/* A shipped policy needs no compiler. */
	CHECK(resolve_policy("priority", compiler).origin == "shipped");
}

TEST_CASE("policy files: a cache directory others can write is refused", "[policy][compile]")
{
	selftests::TempDir dir;
	const fs::path cache = dir / "cache";
	fs::create_directory(cache);
	fs::permissions(cache, fs::perms::all);
	const PolicyCompiler compiler(PolicyCompiler::from_environment().clang(), cache);
	try {
		compiler.compile(test_policy("skip_all.bpf.c"));
		FAIL("used a world-writable cache");
	} catch (const Error &e) {
		CHECK(e.kind() == Errc::unsupported);
		CHECK_THAT(e.what(), Catch::Contains(cache.string()));
	}
}

TEST_CASE("policy files: build writes the object, with no cache", "[policy][compile]")
{
	selftests::TempDir dir;
	const PolicyCompiler compiler(PolicyCompiler::from_environment().clang(), dir / "no-cache");
	const std::string output = dir / "out.bpf.o";
	compiler.build(test_policy("skip_all.bpf.c"), output);
	std::ifstream in(output, std::ios::binary);
	std::ostringstream bytes;
	bytes << in.rdbuf();
	CHECK(bytes.str().substr(0, 4) == "\x7f"
					  "ELF");
	CHECK(!fs::exists(dir / "no-cache"));
}

TEST_CASE("policy files: a NAME is a shipped policy, FILE.bpf.c or FILE.bpf.o a file", "[policy]")
{
	Cache cache;
	const PolicyImage shipped = resolve_policy("priority", cache.compiler);
	CHECK(shipped.name == "priority");
	CHECK(shipped.sha256().size() == 64);
	CHECK(shipped.sha256() == resolve_policy("priority", cache.compiler).sha256());

	const PolicyImage compiled =
	    resolve_policy(test_policy("skip_all.bpf.c").string(), cache.compiler);
	CHECK(compiled.name == "skip_all");
	CHECK(compiled.origin == test_policy("skip_all.bpf.c").string());

	try {
		resolve_policy("largest", cache.compiler);
		FAIL("resolved an unknown name");
	} catch (const Error &e) {
		CHECK(e.kind() == Errc::bad_input);
		CHECK_THAT(e.what(), Catch::Contains("'largest'") && Catch::Contains("priority"));
	}
	try {
		resolve_policy("/nonexistent/policy.bpf.o", cache.compiler);
		FAIL("read a missing object");
	} catch (const Error &e) {
		CHECK(e.kind() == Errc::bad_input);
		CHECK_THAT(e.what(), Catch::Contains("/nonexistent/policy.bpf.o"));
	}
}

TEST_CASE("policy files: objects not shaped as policies are refused before any kernel call",
	  "[policy][shape]")
{
	Cache cache;
	struct Case {
		const char *source;
		const char *reason;
	};
	const Case cases[] = {
	    {"no_eval.bpf.c", "has no fmod_ret/bpf_oom_evaluate_task program"},
	    {"two_evals.bpf.c", "has 2 fmod_ret/bpf_oom_evaluate_task programs"},
	    {"foreign_maps.bpf.c", "map 'priorities'"},
	    {"stray_program.bpf.c", "which bpfoom does not attach"},
	};
	for (const auto &c : cases) {
		SECTION(c.source)
		{
			const PolicyImage image =
			    resolve_policy(test_policy(c.source).string(), cache.compiler);
			const Error e = refusal(image);
			CHECK(e.kind() == Errc::bad_input);
			CHECK_THAT(e.what(), Catch::Contains(image.origin));
			CHECK_THAT(e.what(), Catch::Contains(c.reason));
		}
	}
	SECTION("not ELF")
	{
		const Error e = refusal({"junk", "junk.bpf.o", "not an ELF object"});
		CHECK(e.kind() == Errc::bad_input);
		CHECK_THAT(e.what(), Catch::Contains("junk.bpf.o"));
	}
}

TEST_CASE("policy files: the CLI refuses a bad policy with its own exit code and changes nothing",
	  "[policy][cli]")
{
	test::PinnedMaps maps;
	selftests::TempDir cache;
	test::CliOptions options = maps.options;
	options.env["BPFOOM_POLICY_CACHE"] = cache / "cache";
	const std::string syntax_error = test_policy("syntax_error.bpf.c").string();

	SECTION("a source that does not compile: exit 8, clang's diagnostics, then the error line")
	{
		const auto result = test::run_cli(
		    {"policy", "build", syntax_error, "-o", cache / "out.o"}, options);
		CHECK(result.status == 8);
		const auto lines = result.err_lines();
		REQUIRE(lines.size() > 1);
		CHECK_THAT(result.err,
			   Catch::Contains("syntax_error.bpf.c:") && Catch::Contains("error:"));
		CHECK_THAT(lines.back(), Catch::StartsWith("bpfoom: policy build: policy '" +
							   syntax_error + "' does not compile"));
		CHECK(!fs::exists(cache / "out.o"));
	}
	SECTION("the same under --json: one object, the diagnostics as its detail")
	{
		const auto result = test::run_cli(
		    {"--json", "policy", "build", syntax_error, "-o", cache / "out.o"}, options);
		CHECK(result.status == 8);
		REQUIRE(result.err_lines().size() == 1);
		const auto error = nlohmann::json::parse(result.err)["error"];
		CHECK(error["kind"] == "policy_compile");
		CHECK(error["exit_code"] == 8);
		CHECK_THAT(error["detail"].get<std::string>(), Catch::Contains("error:"));
	}
	SECTION("an object that is not a policy: exit 3, one line, nothing loaded")
	{
		for (const char *args : {"policy check", "load --policy"}) {
			INFO(args);
			std::vector<std::string> argv;
			std::istringstream words(args);
			for (std::string word; words >> word;)
				argv.push_back(word);
			argv.push_back(test_policy("two_evals.bpf.c").string());
			const auto result = test::run_cli(argv, options);
			CHECK(result.status == 3);
			CHECK(result.err_lines().size() == 1);
			CHECK_THAT(result.err,
				   Catch::Contains("has 2 fmod_ret/bpf_oom_evaluate_task"));
			CHECK(!maps.policy.loaded());
		}
	}
	SECTION("a group without its subcommand is a usage error naming them")
	{
		const auto result = test::run_cli({"policy"}, options);
		CHECK(result.status == 2);
		CHECK_THAT(result.err, Catch::Contains("list, check, build"));
	}
}
