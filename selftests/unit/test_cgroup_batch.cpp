// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// CgroupBatchResolver against CgroupResolver::resolve(), its reference: on
// real cgroup2 directories, every spelling must give the same cgroup or the
// same error, and the spellings the fast path is for must take it.
#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <sstream>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "bpfoom/cgroup_batch.hpp"
#include "bpfoom/error.hpp"
#include "bpfoom/sync_file.hpp"
#include "helpers.hpp"

using namespace bpfoom;

namespace
{

/* `path` spelled relative to `dir`, with ".." where needed. */
std::string fs_relative(const std::string &path, const std::string &dir)
{
	return std::filesystem::path(path).lexically_relative(dir).string();
}

/* What resolving gave: the cgroup, or the error's kind and text. */
struct Outcome {
	bool ok;
	std::string path; // or the error message
	std::uint64_t id;
	Errc kind;
};

template <typename Resolve> Outcome outcome_of(Resolve resolve)
{
	try {
		const Cgroup c = resolve();
		return {true, c.path, c.id, Errc{}};
	} catch (const Error &e) {
		return {false, e.what(), 0, e.kind()};
	}
}

/* Resolves `arg` both ways; fails unless both agree. Returns whether it resolved. */
bool same_as_reference(CgroupBatchResolver &batch, const CgroupResolver &cgroups,
		       const std::string &arg)
{
	const Outcome want = outcome_of([&] { return cgroups.resolve(arg); });
	const Outcome got = outcome_of([&] { return batch.resolve(arg); });
	INFO("cgroup argument '" << arg << "'");
	CHECK(got.ok == want.ok);
	CHECK(got.path == want.path);
	CHECK(got.id == want.id);
	CHECK(got.kind == want.kind);
	return want.ok;
}

/* A mount for the length of a test, detached at the end. */
class TestMount
{
public:
	TestMount(const std::string &source, const std::string &target, const char *fstype,
		  unsigned long flags)
	    : target_(target)
	{
		if (::mount(source.c_str(), target.c_str(), fstype, flags, nullptr) != 0)
			FAIL("mount " << source << " on " << target << ": "
				      << std::strerror(errno));
	}
	~TestMount() { ::umount2(target_.c_str(), MNT_DETACH); }
	TestMount(const TestMount &) = delete;
	TestMount &operator=(const TestMount &) = delete;

private:
	std::string target_;
};

} // namespace

TEST_CASE("batch resolution: cgroups found as resolve() finds them, mostly on the fast path",
	  "[cgroup][cgroup_batch]")
{
	test::TestCgroup parent;
	test::TestCgroup child(parent.path());
	test::TestCgroup grandchild(child.path());
	const CgroupResolver cgroups(test::host_cgroup_mounts());
	const std::string root = cgroups.root();
	const std::string p = parent.path().substr(root.size() + 1);
	const std::string c = p + "/" + child.path().substr(parent.path().size() + 1);
	const std::string g = c + "/" + grandchild.path().substr(child.path().size() + 1);
	const std::string root_last = root.substr(root.rfind('/') + 1);

	CgroupBatchResolver batch(cgroups);
	/* The spellings a sync file is made of: each on the fast path. */
	for (const std::string &arg : std::vector<std::string>{
		 p, c, g, root + "/" + p, root + "/" + c, root + "/" + g, g + "/",
		 root + "/" + g + "/", "./" + c, c + "/./", p + "//" + c.substr(p.size() + 1),
		 g + "/..", c + "/../" + c, "../" + root_last + "/" + c}) {
		const std::size_t before = batch.fast_resolutions();
		CHECK(same_as_reference(batch, cgroups, arg));
		INFO("cgroup argument '" << arg << "'");
		CHECK(batch.fast_resolutions() == before + 1);
	}
	CHECK(batch.resolve(g).id == grandchild.id());
	CHECK(batch.resolve(root + "/" + c).path == child.path());

	/* The root itself: left to resolve(), same answer. */
	for (const std::string &arg :
	     std::vector<std::string>{std::string("."), root, root + "/", p + "/.."})
		CHECK(same_as_reference(batch, cgroups, arg));
}

TEST_CASE("batch resolution: refusals are resolve()'s, word for word", "[cgroup][cgroup_batch]")
{
	test::TestCgroup cgroup;
	test::V1Hierarchy v1;
	const CgroupResolver cgroups(v1.mounts());
	const std::string root = cgroups.root();
	const std::string name = cgroup.path().substr(root.size() + 1);
	/* A v1 hierarchy beside the cgroup2 mount, as seen from inside it. */
	const std::string v1_rel = fs_relative(v1.path(), root);

	CgroupBatchResolver batch(cgroups);
	for (const std::string &arg : std::vector<std::string>{std::string(""),
							       std::string("bpfoom-no-such-cgroup"),
							       name + "/no-such-child",
							       "bpfoom-no-such-cgroup/child",
							       root + "/bpfoom-no-such-cgroup",
							       std::string("/tmp"),
							       std::string("../.."),
							       std::string(".."),
							       "../../../" + name,
							       name + "/../../..",
							       name + "/cgroup.procs",
							       name + "/cgroup.procs/",
							       cgroup.path() + "/cgroup.procs",
							       name + "/cgroup.procs/x",
							       v1.path(),
							       v1.path() + "/some/child",
							       v1_rel,
							       v1_rel + "/x",
							       root + "x/" + name,
							       root.substr(0, root.size() - 1)}) {
		CHECK_FALSE(same_as_reference(batch, cgroups, arg));
	}
	CHECK(batch.fast_resolutions() == 0);
}

TEST_CASE("batch resolution: symlinks and mounts inside the hierarchy go to resolve()",
	  "[cgroup][cgroup_batch]")
{
	test::TestCgroup a, b, holder;
	test::TestCgroup under_a(a.path());
	const CgroupResolver cgroups(test::host_cgroup_mounts());
	const std::string root = cgroups.root();
	auto rel = [&](const std::string &path) { return path.substr(root.size() + 1); };

	/* cgroupfs has no symlinks: a tmpfs mounted on a cgroup brings some in. */
	TestMount tmpfs("tmpfs", holder.path(), "tmpfs", 0);
	REQUIRE(::symlink("/tmp", (holder.path() + "/out").c_str()) == 0);
	REQUIRE(::symlink(a.path().c_str(), (holder.path() + "/in").c_str()) == 0);
	REQUIRE(::symlink("../..", (holder.path() + "/up").c_str()) == 0);
	REQUIRE(::mkdir((holder.path() + "/dir").c_str(), 0755) == 0);
	/* A cgroup2 directory bind-mounted on another: same st_dev, another mount. */
	TestMount bind(a.path(), b.path(), nullptr, MS_BIND);

	CgroupBatchResolver batch(cgroups);
	for (const std::string &arg : std::vector<std::string>{
		 rel(holder.path()), rel(holder.path()) + "/out", rel(holder.path()) + "/out/",
		 holder.path() + "/up", rel(holder.path()) + "/dir", rel(holder.path()) + "/up/x"})
		CHECK_FALSE(same_as_reference(batch, cgroups, arg));
	/* Through the symlink into cgroup2, and through the bind mount: resolve() accepts. */
	for (const std::string &arg : std::vector<std::string>{
		 rel(holder.path()) + "/in",
		 rel(holder.path()) + "/in/" + rel(under_a.path()).substr(rel(a.path()).size() + 1),
		 rel(b.path()) + "/" + rel(under_a.path()).substr(rel(a.path()).size() + 1)})
		CHECK(same_as_reference(batch, cgroups, arg));
	CHECK(batch.fast_resolutions() == 0);
	/* The bind mount's own name is one component on the root's st_dev: fast, and the same. */
	CHECK(same_as_reference(batch, cgroups, rel(b.path())));
	CHECK(batch.resolve(rel(b.path())).id == a.id());
}

TEST_CASE("batch resolution: more parents than the cache holds", "[cgroup][cgroup_batch]")
{
	const CgroupResolver cgroups(test::host_cgroup_mounts());
	const std::string root = cgroups.root();
	const std::size_t n = CgroupBatchResolver::max_cached_parents + 6;
	std::vector<std::unique_ptr<test::TestCgroup>> parents, children;
	for (std::size_t i = 0; i < n; i++) {
		parents.push_back(std::make_unique<test::TestCgroup>());
		children.push_back(std::make_unique<test::TestCgroup>(parents.back()->path()));
	}
	CgroupBatchResolver batch(cgroups);
	for (int round = 0; round < 2; round++)
		for (std::size_t i = 0; i < n; i++) {
			const Cgroup c = batch.resolve(children[i]->path().substr(root.size() + 1));
			CHECK(c.id == children[i]->id());
			CHECK(c.path == children[i]->path());
		}
	CHECK(batch.fast_resolutions() == 2 * n);
	/* Children removed in front of the cached parents are not found any more. */
	children.front()->remove();
	CHECK(same_as_reference(batch, cgroups, children.front()->path()) == false);
}

TEST_CASE("sync file: duplicates found by id across spellings on the fast path",
	  "[sync_file][cgroup_batch]")
{
	test::TestCgroup a;
	test::TestCgroup child(a.path());
	const CgroupResolver cgroups(test::host_cgroup_mounts());
	const std::string a_name = a.path().substr(cgroups.root().size() + 1);
	const std::string c_name = child.path().substr(cgroups.root().size() + 1);
	auto resolve_error = [&](const std::string &text) -> std::string {
		try {
			resolve_sync_entries(parse_sync_file(text, "p.conf"), cgroups, "p.conf");
		} catch (const Error &e) {
			return e.what();
		}
		FAIL("resolving succeeded: " << text);
		return {};
	};
	CHECK(resolve_error(c_name + " 1\n" + child.path() + "/ 2\n") ==
	      "p.conf:2: cgroup '" + child.path() + "/' is already listed on line 1 as '" + c_name +
		  "'");
	CHECK(resolve_error(a_name + " 1\n" + c_name + "/.. 2\n") ==
	      "p.conf:2: cgroup '" + c_name + "/..' is already listed on line 1 as '" + a_name +
		  "'");
	CHECK(resolve_error(c_name + " 1\n" + c_name + "/cgroup.procs 2\n") ==
	      "p.conf:2: cgroup '" + c_name + "/cgroup.procs': is not a cgroup directory");
}
