// SPDX-License-Identifier: GPL-2.0
/*
 * The demo's guest side (scripts/demo-oom.sh), so that the README's first
 * command keeps doing what it says: the same OOM twice, the stock kernel
 * killing the biggest workload, bpfoom the least important one.
 */
#include "command.hpp"

#include <catch2/catch.hpp>

using namespace bpfoom::selftests;

TEST_CASE("demo: the stock kernel and bpfoom kill different workloads, side by side", "[demo]")
{
	auto demo = run_command({std::string(BPFOOM_SOURCE_DIR) + "/scripts/demo-oom.sh"});
	INFO(demo.describe());
	CHECK(demo.exit_status == 0);
	CHECK(demo.out.find(
		  "WORKLOAD    SIZE PRIORITY | STOCK KERNEL             | BPFOOM POLICY\n") !=
	      std::string::npos);
	CHECK(demo.out.find("batch      30 MB       10 | survived (oom_kill 0)    | KILLED #1 "
			    "(oom_kill 1)\n") != std::string::npos);
	CHECK(demo.out.find("database   70 MB      100 | KILLED #1 (oom_kill 1)   | survived "
			    "(oom_kill 0)\n") != std::string::npos);
	CHECK(demo.out.find(",policy=bpf") != std::string::npos);
}
