// SPDX-License-Identifier: GPL-2.0
/*
 * bpfoom-hog CGROUP MEGABYTES [NAME]
 *
 * Starts a process in CGROUP (a cgroup2 path, absolute or relative to the
 * mount) that touches MEGABYTES of memory and then sleeps until killed, and
 * returns once it is resident ("ready", exit 0) or dead on the way, as an
 * OOM victim for instance ("killed by KILL", exit 1). The walkthrough and the
 * demo use it to stage OOMs from a shell.
 */
#include "hog.hpp"
#include "test_cgroup.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

using namespace bpfoom::selftests;

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 4) {
		std::fprintf(stderr, "usage: bpfoom-hog CGROUP MEGABYTES [NAME]\n");
		return 2;
	}
	std::filesystem::path cgroup = argv[1];
	if (cgroup.is_relative())
		cgroup = cgroup2_mount() / cgroup;
	char *end = nullptr;
	const unsigned long megabytes = std::strtoul(argv[2], &end, 10);
	if (!*argv[2] || *end) {
		std::fprintf(stderr, "bpfoom-hog: '%s' is not a number of megabytes\n", argv[2]);
		return 2;
	}

	try {
		Hog hog({.cgroup = cgroup,
			 .megabytes = megabytes,
			 .name = argc == 4 ? argv[3] : "bpfoom-hog",
			 .die_with_parent = false});
		if (hog.wait_until_ready()) {
			std::printf("%s: pid %d holds %lu MB in %s\n", hog.name().c_str(),
				    hog.pid(), megabytes, cgroup.c_str());
			hog.detach();
			return 0;
		}
		std::printf("%s: pid %d %s before it held %lu MB\n", hog.name().c_str(), hog.pid(),
			    hog.finish().describe().c_str(), megabytes);
		return 1;
	} catch (const std::exception &e) {
		std::fprintf(stderr, "bpfoom-hog: %s\n", e.what());
		return 1;
	}
}
