// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <bpf/bpf.h>
#include <catch2/catch.hpp>
#include <chrono>

#include "bpfoom/error.hpp"
#include "bpfoom/policy_change.hpp"
#include "bpfoom/priority_map.hpp"
#include "helpers.hpp"

using namespace bpfoom;

namespace
{

/* The table in the slot now, as the BPF policy would find it. */
UniqueFd current_table(const PriorityMap &map)
{
	const std::uint32_t slot = BPFOOM_PRIORITIES_SLOT;
	std::uint32_t id = 0;
	REQUIRE(bpf_map_lookup_elem(map.fd(), &slot, &id) == 0);
	UniqueFd table(bpf_map_get_fd_by_id(id));
	REQUIRE(table);
	return table;
}

PriorityTable contents_of(const UniqueFd &table)
{
	PriorityTable contents;
	std::uint64_t key, next;
	const std::uint64_t *prev = nullptr;
	while (bpf_map_get_next_key(table.get(), prev, &next) == 0) {
		bpfoom_priority value;
		REQUIRE(bpf_map_lookup_elem(table.get(), &next, &value) == 0);
		contents[next] = {value.priority, value.flags};
		key = next;
		prev = &key;
	}
	return contents;
}

} // namespace

TEST_CASE("priority map: set, get, unset, list against a real hash map", "[map]")
{
	test::PinnedMaps maps(64);
	const PriorityMap map = maps.policy.priorities();
	CHECK(map.max_entries() == 64);
	CHECK(map.list().empty());
	CHECK_FALSE(map.get(42));

	{
		PolicyChange change(maps.policy);
		CHECK_FALSE(change.set(42, {-3, BPFOOM_PRIORITY_F_OMIT}));
		CHECK_FALSE(change.set(7, {100, 0}));
	}
	CHECK(map.get(42) == Priority{-3, BPFOOM_PRIORITY_F_OMIT});
	CHECK(map.list() == PriorityTable{{7, {100, 0}}, {42, {-3, BPFOOM_PRIORITY_F_OMIT}}});
	CHECK(map.count() == 2);

	{
		PolicyChange change(maps.policy);
		CHECK(change.set(7, {101, 0}) == Priority{100, 0});
		CHECK(map.get(7) == Priority{101, 0});
		CHECK(change.unset(7) == Priority{101, 0});
		CHECK_FALSE(change.unset(7));
	}
	CHECK(map.list() == PriorityTable{{42, {-3, BPFOOM_PRIORITY_F_OMIT}}});

	/* The raw value, in the slot's table, is what the BPF side reads. */
	std::uint64_t key = 42;
	bpfoom_priority raw{};
	REQUIRE(bpf_map_lookup_elem(current_table(map).get(), &key, &raw) == 0);
	CHECK(raw.priority == -3);
	CHECK(raw.flags == BPFOOM_PRIORITY_F_OMIT);
}

TEST_CASE("priority map: first_entry finds the first of several ids in one table", "[map]")
{
	test::PinnedMaps maps;
	PolicyChange(maps.policy).sync({{2, {20, 0}}, {3, {30, BPFOOM_PRIORITY_F_OMIT}}}, "test");
	const PriorityMap map = maps.policy.priorities();
	const std::vector<std::uint64_t> ids{1, 3, 2};
	const auto found = map.first_entry(ids);
	REQUIRE(found);
	CHECK(found->index == 1);
	CHECK(found->value == Priority{30, BPFOOM_PRIORITY_F_OMIT});
	CHECK(map.first_entry(std::vector<std::uint64_t>{2})->index == 0);
	CHECK_FALSE(map.first_entry(std::vector<std::uint64_t>{1, 4}));
	CHECK_FALSE(map.first_entry({}));
}

TEST_CASE("priority map: a map of another layout is refused", "[map]")
{
	UniqueFd array(bpf_map_create(BPF_MAP_TYPE_ARRAY, "wrong", 4, 8, 4, nullptr));
	REQUIRE(array);
	CHECK_THROWS_AS(PriorityMap(std::move(array)), Error);
	UniqueFd wide(bpf_map_create(BPF_MAP_TYPE_HASH, "wrong", 8, 16, 4, nullptr));
	REQUIRE(wide);
	CHECK_THROWS_AS(PriorityMap(std::move(wide)), Error);
	/* ABI version 1's layout, a plain hash: an incompatible bpfoom, exit 4. */
	UniqueFd v1(bpf_map_create(BPF_MAP_TYPE_HASH, "priorities", 8, 8, 4, nullptr));
	REQUIRE(v1);
	try {
		PriorityMap map(std::move(v1));
		FAIL("a version 1 priorities map was taken");
	} catch (const Error &e) {
		CHECK(e.kind() == Errc::unsupported);
		CHECK_THAT(e.what(), Catch::Contains("run 'bpfoom unload' first"));
	}
}

TEST_CASE("priority map: a sync of many entries is applied in batches, and listed", "[map]")
{
	constexpr std::uint32_t n = 100000;
	test::PinnedMaps maps(n);
	const PriorityMap map = maps.policy.priorities();
	PriorityTable first, second;
	for (std::uint64_t id = 1; id <= n; id++)
		first[id] = {static_cast<std::int32_t>(id % 1000) - 500, 0};
	PolicyChange(maps.policy).sync(first, "first");
	CHECK(map.list() == first);

	/* Half removed, a quarter changed, the rest unchanged, and new ids added. */
	for (std::uint64_t id = n / 2 + 1; id <= n; id++)
		second[id] = id % 4 ? first[id] : Priority{1, BPFOOM_PRIORITY_F_OMIT};
	for (std::uint64_t id = n + 1; id <= n + n / 4; id++)
		second[id] = {2, 0};
	const auto start = std::chrono::steady_clock::now();
	const SyncPlan plan = PolicyChange(maps.policy).sync(second, "second");
	const auto elapsed = std::chrono::steady_clock::now() - start;
	CHECK(plan.removed.size() == n / 2);
	CHECK(plan.added.size() == n / 4);
	CHECK(map.list() == second);
	/* A figure for the log, not an assertion (timing depends on the machine). */
	WARN("lock + list + diff + apply of "
	     << plan.removed.size() + plan.added.size() + plan.changed.size() << " changes over "
	     << n << " entries: "
	     << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms");
}

TEST_CASE("priority map: a sync that does not fit changes nothing", "[map]")
{
	test::PinnedMaps maps(8);
	const PriorityMap map = maps.policy.priorities();
	const PriorityTable before{{1, {1, 0}}, {2, {2, 0}}, {3, {3, 0}}, {4, {4, 0}}};
	PolicyChange(maps.policy).sync(before, "before");
	REQUIRE(map.list() == before);
	const UniqueFd table_before = current_table(map);

	/* 2 removed, 1 changed, 7 added: 9 entries do not fit in 8. */
	PriorityTable desired{{3, {33, 0}}, {4, {4, 0}}};
	for (std::uint64_t id = 100; id < 107; id++)
		desired[id] = {5, 0};
	CHECK_THROWS_AS(map.check_capacity(desired, "prios.conf"), Error);
	CHECK_THROWS_AS(map.plan_sync(desired, "prios.conf"), Error);
	try {
		PolicyChange(maps.policy).sync(desired, "prios.conf");
		FAIL("applying an oversized plan succeeded");
	} catch (const Error &e) {
		CHECK(e.kind() == Errc::bad_input);
		CHECK_THAT(e.what(),
			   Catch::StartsWith("prios.conf: ") &&
			       Catch::Contains("exceed the priorities map's capacity of 8"));
	}
	CHECK(map.list() == before);
	CHECK(contents_of(current_table(map)) == contents_of(table_before));
}

TEST_CASE("priority map: a sync swaps in a whole new table; the old one is never written", "[map]")
{
	test::PinnedMaps maps(16);
	const PriorityMap map = maps.policy.priorities();
	const PriorityTable old_set{{1, {1, 0}}, {2, {2, 0}}};
	PolicyChange(maps.policy).sync(old_set, "old");
	const UniqueFd old_table = current_table(map);
	REQUIRE(contents_of(old_table) == old_set);

	/* {a:1, b:2} -> {b:3, c:4}: a reader of either table sees one whole set. */
	const PriorityTable new_set{{2, {3, 0}}, {3, {4, 0}}};
	PolicyChange(maps.policy).sync(new_set, "new");
	CHECK(contents_of(current_table(map)) == new_set);
	CHECK(contents_of(old_table) == old_set);
	CHECK(map.list() == new_set);
	CHECK(map.max_entries() == 16);

	/* One change is one write, in place. */
	const UniqueFd before_single = current_table(map);
	PriorityTable one_more = new_set;
	one_more[4] = {5, BPFOOM_PRIORITY_F_OMIT};
	PolicyChange(maps.policy).sync(one_more, "one more");
	CHECK(contents_of(before_single) == one_more);
}

TEST_CASE("priority map: check_capacity names the source and the capacity", "[map]")
{
	const PriorityMap map(test::create_priority_map(2));
	const PriorityTable three{{1, {}}, {2, {}}, {3, {}}};
	try {
		map.check_capacity(three, "prios.conf");
		FAIL("three entries fit in two");
	} catch (const Error &e) {
		CHECK(e.kind() == Errc::bad_input);
		CHECK(std::string(e.what()) ==
		      "prios.conf: 3 entries exceed the priorities map's capacity of 2 (see "
		      "'bpfoom load --max-entries')");
	}
	map.check_capacity({{1, {}}, {2, {}}}, "prios.conf");
}

TEST_CASE("priority map: gc drops exactly the entries of removed cgroups", "[map][cgroup]")
{
	test::TempCgroup kept, gone;
	const CgroupResolver cgroups(test::host_cgroup_mounts());
	test::PinnedMaps maps;
	const std::uint64_t gone_id = gone.id();
	PolicyChange(maps.policy).sync({{kept.id(), {1, 0}}, {gone_id, {2, 0}}}, "test");
	gone.remove();

	const SyncPlan plan = PolicyChange(maps.policy).gc(cgroups);
	REQUIRE(plan.removed.size() == 1);
	CHECK(plan.removed[0].cgroup_id == gone_id);
	CHECK(maps.contents() == PriorityTable{{kept.id(), {1, 0}}});
}
