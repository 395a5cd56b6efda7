// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <catch2/catch.hpp>
#include <sys/stat.h>

#include "bpfoom/error.hpp"
#include "helpers.hpp"

using namespace bpfoom;

namespace
{

std::string resolve_error(const CgroupResolver &cgroups, const std::string &arg)
{
	try {
		cgroups.resolve(arg);
	} catch (const Error &e) {
		CHECK(e.kind() == Errc::bad_input);
		return e.what();
	}
	FAIL("resolving '" << arg << "' succeeded");
	return {};
}

} // namespace

TEST_CASE("mountinfo: the cgroup2 mount and the v1 hierarchies of a hybrid layout", "[cgroup]")
{
	const std::string path = test::write_temp_file(
	    "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
	    "31 23 0:28 / /sys/fs/cgroup ro shared:9 - tmpfs tmpfs ro,mode=755\n"
	    "35 31 0:32 / /sys/fs/cgroup/memory rw shared:13 - cgroup cgroup rw,memory\n"
	    "36 31 0:33 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
	    "41 31 0:38 / /sys/fs/cgroup/uni\\040fied rw shared:19 - cgroup2 cgroup2 rw\n"
	    "42 31 0:39 / /mnt/second rw - cgroup2 cgroup2 rw\n");
	const CgroupMounts mounts = read_cgroup_mounts(path);
	CHECK(mounts.cgroup2 == "/sys/fs/cgroup/uni fied"); // octal escape decoded, first wins
	REQUIRE(mounts.v1.size() == 2);
	CHECK(mounts.v1[0].mount_point == "/sys/fs/cgroup/memory");
	CHECK(mounts.v1[0].controllers == "memory");
	CHECK(mounts.v1[1].controllers == "cpu,cpuacct");
	unlink(path.c_str());

	const std::string none = test::write_temp_file("22 1 8:1 / / rw - ext4 /dev/sda1 rw\n");
	CHECK(read_cgroup_mounts(none).cgroup2.empty());
	try {
		CgroupResolver resolver(read_cgroup_mounts(none));
		FAIL("a resolver without cgroup2 was built");
	} catch (const Error &e) {
		CHECK(e.kind() == Errc::unsupported);
	}
	unlink(none.c_str());
}

TEST_CASE("cgroup paths resolve to the directory's inode, relative or absolute", "[cgroup]")
{
	test::TestCgroup parent;
	test::TestCgroup child(parent.path());
	const CgroupResolver cgroups(test::host_cgroup_mounts());
	const std::string relative = parent.path().substr(cgroups.root().size() + 1);

	struct stat st;
	REQUIRE(stat(child.path().c_str(), &st) == 0);
	const Cgroup by_abs = cgroups.resolve(child.path());
	CHECK(by_abs.id == st.st_ino);
	CHECK(by_abs.path == child.path());

	const std::string child_rel =
	    relative + "/" + child.path().substr(parent.path().size() + 1);
	CHECK(cgroups.resolve(child_rel).id == st.st_ino);
	CHECK(cgroups.resolve("./" + child_rel + "/").id == st.st_ino);
	CHECK(cgroups.resolve(child_rel + "/..").id == parent.id());
	CHECK(cgroups.resolve(cgroups.root()).id == cgroups.resolve(".").id);
}

TEST_CASE("cgroup paths that are not cgroup2 directories are refused with a reason", "[cgroup]")
{
	test::TestCgroup cgroup;
	test::V1Hierarchy v1;
	const CgroupResolver cgroups(v1.mounts());
	const std::string root = cgroups.root();

	CHECK(resolve_error(cgroups, "bpfoom-no-such-cgroup") ==
	      "cgroup 'bpfoom-no-such-cgroup': no such cgroup under " + root);
	CHECK(resolve_error(cgroups, "/tmp") ==
	      "cgroup '/tmp': is outside the cgroup2 mount " + root);
	CHECK(resolve_error(cgroups, "../..") ==
	      "cgroup '../..': is outside the cgroup2 mount " + root);
	CHECK(resolve_error(cgroups, "") == "cgroup '': empty cgroup name");
	CHECK(resolve_error(cgroups, cgroup.path() + "/cgroup.procs") ==
	      "cgroup '" + cgroup.path() + "/cgroup.procs': is not a cgroup directory");

	const std::string v1_error = resolve_error(cgroups, v1.path());
	CHECK_THAT(v1_error, Catch::StartsWith("cgroup '" + v1.path() +
					       "': is in the cgroup v1 hierarchy at " + v1.path()));
	CHECK_THAT(v1_error, Catch::EndsWith("bpfoom needs a cgroup2 path under " + root));
	CHECK_THAT(resolve_error(cgroups, v1.path() + "/some/child"),
		   Catch::Contains("cgroup v1 hierarchy"));
}

TEST_CASE("cgroup ids map back to paths until the cgroup is removed", "[cgroup]")
{
	test::TestCgroup cgroup;
	const CgroupResolver cgroups(test::host_cgroup_mounts());
	const std::uint64_t id = cgroup.id();
	CHECK(cgroups.path_of(id) == cgroup.path());
	CHECK(cgroups.exists(id));
	struct stat st;
	REQUIRE(stat(cgroups.root().c_str(), &st) == 0);
	CHECK(cgroups.path_of(st.st_ino) == cgroups.root());

	cgroup.remove();
	CHECK_FALSE(cgroups.path_of(id));
	CHECK_FALSE(cgroups.exists(id));
	CHECK_FALSE(cgroups.exists(0x7fffffffffffull));
}
