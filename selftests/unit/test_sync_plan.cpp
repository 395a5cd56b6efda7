// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <catch2/catch.hpp>

#include "bpfoom/sync_plan.hpp"

using namespace bpfoom;

TEST_CASE("plan_sync sorts every cgroup into added, changed, removed or unchanged", "[plan]")
{
	const PriorityTable current{{1, {10, 0}}, {2, {20, 0}}, {3, {30, 0}}, {4, {40, 0}}};
	const PriorityTable desired{
	    {2, {20, 0}}, {3, {31, 0}}, {4, {40, BPFOOM_PRIORITY_F_OMIT}}, {5, {-5, 0}}};
	const SyncPlan plan = plan_sync(current, desired);

	REQUIRE(plan.added.size() == 1);
	CHECK(plan.added[0].cgroup_id == 5);
	CHECK_FALSE(plan.added[0].before);
	CHECK(*plan.added[0].after == Priority{-5, 0});

	REQUIRE(plan.changed.size() == 2); // a priority change and a flag change
	CHECK(plan.changed[0].cgroup_id == 3);
	CHECK(*plan.changed[0].before == Priority{30, 0});
	CHECK(*plan.changed[0].after == Priority{31, 0});
	CHECK(plan.changed[1].cgroup_id == 4);

	REQUIRE(plan.removed.size() == 1);
	CHECK(plan.removed[0].cgroup_id == 1);
	CHECK(*plan.removed[0].before == Priority{10, 0});
	CHECK_FALSE(plan.removed[0].after);

	CHECK(plan.unchanged == 1);
	CHECK(plan.before == current);
	CHECK(plan.after == desired);
	CHECK_FALSE(plan.empty());
}

TEST_CASE("plan_sync of equal tables is empty; of an empty file removes everything", "[plan]")
{
	const PriorityTable current{{7, {1, 0}}, {8, {2, 0}}};
	CHECK(plan_sync(current, current).empty());
	CHECK(plan_sync(current, current).unchanged == 2);
	const SyncPlan wipe = plan_sync(current, {});
	CHECK(wipe.removed.size() == 2);
	CHECK(wipe.added.empty());
	const SyncPlan fill = plan_sync({}, current);
	CHECK(fill.added.size() == 2);
	CHECK(fill.removed.empty());
}
