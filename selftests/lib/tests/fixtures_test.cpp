// SPDX-License-Identifier: GPL-2.0
// Host tests of the harness's RAII fixtures: each must leave the host as it
// found it, however the test that used it ended.
#include "temp_dir.hpp"
#include "test_cgroup.hpp"
#include "value_override.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

using namespace bpfoom::selftests;
namespace fs = std::filesystem;

namespace
{

std::string oom_score_adj()
{
	std::string value;
	std::ifstream("/proc/self/oom_score_adj") >> value;
	return value;
}

} // namespace

TEST_CASE("the oom_score_adj guard restores the old value even when the test fails inside it",
	  "[harness][fixture]")
{
	// Raised, not lowered: lowering needs CAP_SYS_RESOURCE, which a
	// container's root may lack (the VM's has it, and its tests use -1000).
	const std::string before = oom_score_adj();
	REQUIRE(before != "500");
	try {
		const OomScoreAdjGuard changed(500);
		CHECK(oom_score_adj() == "500");
		CHECK(changed.old_value() == before);
		throw std::runtime_error("what a failed REQUIRE throws");
	} catch (const std::runtime_error &) {
	}
	CHECK(oom_score_adj() == before);
	{
		const OomScoreAdjGuard changed(300);
		CHECK(oom_score_adj() == "300");
	}
	CHECK(oom_score_adj() == before);
}

TEST_CASE("test cgroups get fresh names, nest, and go when removed or destroyed",
	  "[harness][fixture][cgroup]")
{
	std::string parent_path, child_path;
	{
		TestCgroup parent, sibling;
		TestCgroup child(parent.path());
		parent_path = parent.path();
		child_path = child.path();
		CHECK(parent.path() != sibling.path());
		CHECK(fs::path(parent.path()).parent_path() == cgroup2_mount());
		CHECK(fs::path(child.path()).parent_path() == parent.path());
		CHECK(fs::exists(child.path() + "/cgroup.procs"));
		CHECK_THROWS_WITH(TestCgroup(cgroup2_mount(), fs::path(parent.path()).filename()),
				  Catch::Contains("File exists"));

		// The kernel refuses to remove a cgroup with children, and says so.
		CHECK_THROWS_WITH(parent.remove(), Catch::Contains("Device or resource busy"));
		sibling.remove();
		CHECK_FALSE(fs::exists(sibling.path()));
	}
	CHECK_FALSE(fs::exists(child_path));
	CHECK_FALSE(fs::exists(parent_path));
}

TEST_CASE("a scratch directory holds files written to it and goes with its contents",
	  "[harness][fixture]")
{
	std::string path;
	{
		const TempDir dir("bpfoom-harness");
		path = dir.path();
		const std::string file = dir.write("a", "text");
		CHECK(file == dir / "a");
		std::string read;
		std::ifstream(file) >> read;
		CHECK(read == "text");
		fs::create_directories(dir / "nested/deeper");
	}
	CHECK_FALSE(fs::exists(path));
}
