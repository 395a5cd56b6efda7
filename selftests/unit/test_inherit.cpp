// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// Inherit mode's effective priority as the library computes it (what
// `bpfoom get` shows): the nearest entry of the cgroup or an ancestor, else
// the default, with the BPF policy's depth limit, on real cgroup trees.
#include <catch2/catch.hpp>
#include <memory>
#include <sys/stat.h>
#include <vector>

#include "bpfoom/abi.h"
#include "bpfoom/error.hpp"
#include "bpfoom/inherit.hpp"
#include "bpfoom/policy_change.hpp"
#include "helpers.hpp"

using namespace bpfoom;
using From = EffectivePriority::From;

namespace
{

/* A chain of nested cgroups: [0] under `parent` (the root by default), [i] under [i - 1]. */
class CgroupChain
{
public:
	explicit CgroupChain(std::size_t length, const std::string &parent = "")
	{
		for (std::size_t i = 0; i < length; i++)
			links_.push_back(std::make_unique<test::TempCgroup>(
			    i == 0 ? parent : links_.back()->path()));
	}
	~CgroupChain()
	{
		while (!links_.empty())
			links_.pop_back(); // the deepest first: a cgroup with children stays
	}
	const test::TempCgroup &operator[](std::size_t i) const { return *links_.at(i); }

private:
	std::vector<std::unique_ptr<test::TempCgroup>> links_;
};

/* Resolves and rates `cgroup` with the map's entries and a default of -7. */
struct Rater {
	test::PinnedMaps maps;
	const CgroupResolver cgroups{test::host_cgroup_mounts()};

	EffectivePriority operator()(const test::TempCgroup &cgroup) const
	{
		return effective_priority(maps.policy.priorities(), cgroups,
					  cgroups.resolve(cgroup.path()), -7);
	}
	void set(std::uint64_t id, Priority value) { PolicyChange(maps.policy).set(id, value); }
	void unset(std::uint64_t id) { PolicyChange(maps.policy).unset(id); }
};

std::uint64_t inode_of(const std::string &path)
{
	struct stat st;
	REQUIRE(stat(path.c_str(), &st) == 0);
	return st.st_ino;
}

} // namespace

TEST_CASE("inherit: own entry, the nearest ancestor's, else the default", "[inherit][cgroup]")
{
	Rater rate;
	const CgroupChain chain(3); // levels 1, 2, 3 below the root

	auto effective = rate(chain[2]);
	CHECK(effective.from == From::fallback);
	CHECK(effective.from_name() == "default");
	CHECK_FALSE(effective.source);
	CHECK(effective.value == Priority{-7, 0});

	rate.set(chain[0].id(), {5, BPFOOM_PRIORITY_F_OMIT});
	effective = rate(chain[2]);
	CHECK(effective.from == From::ancestor);
	REQUIRE(effective.source);
	CHECK(effective.source->id == chain[0].id());
	CHECK(effective.source->path == chain[0].path());
	CHECK(effective.value == Priority{5, BPFOOM_PRIORITY_F_OMIT});

	/* The nearest ancestor wins over one further up. */
	rate.set(chain[1].id(), {6, 0});
	effective = rate(chain[2]);
	CHECK(effective.from == From::ancestor);
	CHECK(effective.source->path == chain[1].path());
	CHECK(effective.value == Priority{6, 0});

	/* And the cgroup's own entry over any ancestor's. */
	rate.set(chain[2].id(), {-1, 0});
	effective = rate(chain[2]);
	CHECK(effective.from == From::own);
	CHECK(effective.from_name() == "own");
	CHECK(effective.source->id == chain[2].id());
	CHECK(effective.source->path == chain[2].path());
	CHECK(effective.value == Priority{-1, 0});

	/* Ancestors only: a child's entry is nothing to its parent. */
	effective = rate(chain[0]);
	CHECK(effective.from == From::own);
	CHECK(effective.value == Priority{5, BPFOOM_PRIORITY_F_OMIT});
	rate.unset(chain[0].id());
	CHECK(rate(chain[0]).from == From::fallback);
}

TEST_CASE("inherit: the root's entry is inherited by every cgroup without a nearer one",
	  "[inherit][cgroup]")
{
	Rater rate;
	const CgroupChain chain(2);
	const std::uint64_t root = inode_of(rate.cgroups.root());
	rate.set(root, {42, 0});
	const auto effective = rate(chain[1]);
	CHECK(effective.from == From::ancestor);
	REQUIRE(effective.source);
	CHECK(effective.source->id == root);
	CHECK(effective.source->path == rate.cgroups.root());
	CHECK(effective.value == Priority{42, 0});

	const auto of_root = effective_priority(rate.maps.policy.priorities(), rate.cgroups,
						rate.cgroups.resolve(rate.cgroups.root()), -7);
	CHECK(of_root.from == From::own);
	CHECK(rate.cgroups.ancestors(rate.cgroups.resolve(rate.cgroups.root())) ==
	      std::vector<std::uint64_t>{root});
}

TEST_CASE("inherit: below the depth limit a cgroup is ranked as its ancestor at the limit",
	  "[inherit][cgroup]")
{
	constexpr std::size_t limit = BPFOOM_MAX_CGROUP_DEPTH;
	Rater rate;
	/* chain[i] is at level i + 1: the deepest two are below the limit. */
	const CgroupChain chain(limit + 2);
	const auto &at_limit = chain[limit - 1], &below = chain[limit], &deepest = chain[limit + 1];
	REQUIRE(rate.cgroups.ancestors(rate.cgroups.resolve(deepest.path())).size() == limit + 3);

	/* Entries below the limit, the cgroup's own included, are not consulted. */
	rate.set(deepest.id(), {1, 0});
	rate.set(below.id(), {2, 0});
	CHECK(rate(deepest).from == From::fallback);
	CHECK(rate(deepest).value == Priority{-7, 0});
	CHECK(rate(below).from == From::fallback);
	CHECK(rate(at_limit).from == From::fallback);

	/* The ancestor at the limit decides for everything below it. */
	rate.set(at_limit.id(), {3, BPFOOM_PRIORITY_F_OMIT});
	for (const auto *cgroup : {&below, &deepest}) {
		const auto effective = rate(*cgroup);
		CHECK(effective.from == From::ancestor);
		REQUIRE(effective.source);
		CHECK(effective.source->id == at_limit.id());
		CHECK(effective.source->path == at_limit.path());
		CHECK(effective.value == Priority{3, BPFOOM_PRIORITY_F_OMIT});
	}
	CHECK(rate(at_limit).from == From::own);

	/* And without it, the walk goes on up from the limit. */
	rate.unset(at_limit.id());
	rate.set(chain[2].id(), {4, 0});
	const auto effective = rate(deepest);
	CHECK(effective.from == From::ancestor);
	CHECK(effective.source->path == chain[2].path());
	CHECK(effective.value == Priority{4, 0});
}

TEST_CASE("inherit: a cgroup outside the resolver's mount, gone, or replaced is refused",
	  "[inherit][cgroup]")
{
	test::PinnedMaps maps;
	const PriorityMap map = maps.policy.priorities();
	const test::TempCgroup inside, outside;
	const test::TempCgroup child(inside.path());
	/* A resolver whose root is a subtree, as in a cgroup namespace: levels count from it. */
	CgroupMounts subtree = test::host_cgroup_mounts();
	subtree.cgroup2 = inside.path();
	const CgroupResolver cgroups(subtree);
	const Cgroup of_child{child.path(), child.id()};
	CHECK(cgroups.ancestors(of_child) == std::vector<std::uint64_t>{inside.id(), child.id()});
	PolicyChange(maps.policy).set(inside.id(), {9, 0});
	CHECK(effective_priority(map, cgroups, of_child, 0).source->path == inside.path());

	auto refusal = [&](const Cgroup &cgroup) {
		try {
			effective_priority(map, cgroups, cgroup, 0);
		} catch (const Error &e) {
			CHECK(e.kind() == Errc::bad_input);
			CHECK_THAT(e.what(), Catch::StartsWith("cgroup '" + cgroup.path + "': "));
			return std::string(e.what());
		}
		FAIL("rated " << cgroup.path);
		return std::string();
	};
	CHECK_THAT(refusal({outside.path(), outside.id()}),
		   Catch::EndsWith("is outside the cgroup2 mount " + inside.path()));
	const std::string root = test::host_cgroup_mounts().cgroup2;
	CHECK_THAT(refusal({root, inode_of(root)}),
		   Catch::EndsWith("is outside the cgroup2 mount " + inside.path()));
	CHECK_THAT(refusal({"/tmp", inode_of("/tmp")}), Catch::Contains("is outside"));

	CHECK_THAT(refusal({child.path(), child.id() + 1}),
		   Catch::Contains("is cgroup id " + std::to_string(child.id()) + " now, not " +
				   std::to_string(child.id() + 1)));
	const std::string gone = child.path() + "/no-such-child";
	CHECK_THAT(refusal({gone, 1}), Catch::Contains("no such cgroup"));
}
