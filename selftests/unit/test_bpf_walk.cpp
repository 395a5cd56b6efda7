// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Inherit mode's rule is written twice: in BPF (bpfoom_describe_cgroup() in
 * include/bpfoom/cgroup_priority.bpf.h, what the policy ranks by) and in the
 * library (effective_priority(), what `bpfoom get` shows). These tests run
 * the BPF one over real cgroup trees with a cgroup iterator
 * (selftests/progs/cgroup_priority_walk.bpf.c) and hold the library's to it,
 * cgroup by cgroup, on the same maps.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <map>
#include <memory>
#include <sstream>

#include "bpfoom/inherit.hpp"
#include "cgroup_priority_walk.skel.h"
#include "helpers.hpp"

using namespace bpfoom;

namespace
{

/* What the BPF walk says of one cgroup. */
struct BpfVerdict {
	std::int32_t priority;
	bool omit;
};

struct SkeletonDeleter {
	void operator()(cgroup_priority_walk *skel) const { cgroup_priority_walk__destroy(skel); }
};
struct LinkDeleter {
	void operator()(bpf_link *link) const { bpf_link__destroy(link); }
};

/*
 * bpfoom_describe_cgroup() of `root` and every cgroup below it, by cgroup id, as the
 * iterator prints it, over the policy's own pinned maps.
 */
std::map<std::uint64_t, BpfVerdict> bpf_walk(const Policy &policy, const std::string &root)
{
	std::unique_ptr<cgroup_priority_walk, SkeletonDeleter> skel(cgroup_priority_walk__open());
	REQUIRE(skel);
	const PriorityMap priorities = policy.priorities();
	const SettingsMap settings = policy.settings();
	REQUIRE(bpf_map__reuse_fd(skel->maps.priorities, priorities.fd()) == 0);
	REQUIRE(bpf_map__reuse_fd(skel->maps.settings, settings.fd()) == 0);
	REQUIRE(cgroup_priority_walk__load(skel.get()) == 0);

	const UniqueFd root_fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	REQUIRE(root_fd);
	union bpf_iter_link_info info = {};
	info.cgroup.cgroup_fd = static_cast<__u32>(root_fd.get());
	info.cgroup.order = BPF_CGROUP_ITER_DESCENDANTS_PRE;
	LIBBPF_OPTS(bpf_iter_attach_opts, opts, .link_info = &info, .link_info_len = sizeof(info));
	std::unique_ptr<bpf_link, LinkDeleter> link(
	    bpf_program__attach_iter(skel->progs.cgroup_priority_walk, &opts));
	REQUIRE(link);
	const UniqueFd iter(bpf_iter_create(bpf_link__fd(link.get())));
	REQUIRE(iter);

	std::map<std::uint64_t, BpfVerdict> verdicts;
	std::istringstream lines(test::read_all(iter.get()));
	std::uint64_t id;
	std::int32_t priority;
	int omit;
	while (lines >> id >> priority >> omit)
		verdicts[id] = {priority, omit != 0};
	return verdicts;
}

/* Every cgroup under `root` (itself included): the library's answer equals the BPF walk's. */
void check_same_walk(const Policy &policy, const std::string &root, std::size_t cgroups_in_tree)
{
	const auto verdicts = bpf_walk(policy, root);
	REQUIRE(verdicts.size() == cgroups_in_tree);
	const CgroupResolver cgroups = CgroupResolver::from_this_process();
	const PriorityMap map = policy.priorities();
	const std::int32_t default_priority = policy.settings().read().default_priority;
	for (const auto &[id, bpf] : verdicts) {
		const auto path = cgroups.path_of(id);
		REQUIRE(path);
		const EffectivePriority library =
		    effective_priority(map, cgroups, cgroups.resolve(*path), default_priority);
		INFO(*path << " (from " << library.from_name() << ")");
		CHECK(library.value.priority == bpf.priority);
		CHECK(library.value.omit() == bpf.omit);
	}
}

} // namespace

TEST_CASE("inherit: the library's effective priority is the BPF walk's, on the same tree",
	  "[inherit][bpf]")
{
	test::PinnedMaps maps(256);
	{
		SettingsUpdate update;
		update.default_priority = -77;
		PolicyChange(maps.policy).configure(update);
	}

	/*
	 * top (level 1 below the cgroup2 root)
	 * |- listed 5, with an unlisted child and an omitted, listed grandchild
	 * |- unlisted, with a listed child
	 * `- a chain 20 levels deep, listed at levels 3, 16, 17 and 20
	 */
	test::TestCgroup top;
	test::TestCgroup listed(top.path()), listed_child(listed.path()),
	    listed_grandchild(listed_child.path());
	test::TestCgroup unlisted(top.path()), unlisted_child(unlisted.path());
	std::vector<std::unique_ptr<test::TestCgroup>> chain;
	for (int level = 2; level <= 20; level++)
		chain.push_back(std::make_unique<test::TestCgroup>(
		    chain.empty() ? top.path() : chain.back()->path()));
	const auto at_level = [&](int level) -> const test::TestCgroup & {
		return *chain[static_cast<std::size_t>(level - 2)];
	};
	const std::size_t in_tree = 6 + chain.size();
	{
		PolicyChange change(maps.policy);
		change.set(listed.id(), {5, 0});
		change.set(listed_grandchild.id(), {-3, BPFOOM_PRIORITY_F_OMIT});
		change.set(unlisted_child.id(), {40, 0});
		change.set(at_level(3).id(), {300, 0});
		change.set(at_level(16).id(), {1600, BPFOOM_PRIORITY_F_OMIT});
		/* Below the depth limit: the policy never sees these. */
		change.set(at_level(17).id(), {1700, 0});
		change.set(at_level(20).id(), {2000, 0});
	}

	SECTION("entries in the tree only")
	{
		check_same_walk(maps.policy, top.path(), in_tree);
	}
	SECTION("with an entry on the cgroup2 root, and the tree's top listed")
	{
		const CgroupResolver cgroups = CgroupResolver::from_this_process();
		PolicyChange change(maps.policy);
		change.set(cgroups.resolve(cgroups.root()).id, {-1000, 0});
		change.set(top.id(), {1, BPFOOM_PRIORITY_F_OMIT});
		change.unset(at_level(16).id());
		check_same_walk(maps.policy, top.path(), in_tree);
	}
}
