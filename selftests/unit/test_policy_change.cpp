// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// PolicyChange, the library's one write path: it says "not loaded" at once,
// waits a bounded time for the pin directory's lock, repairs an interrupted
// load before writing, and applies a sync whole or not at all. Another holder
// of the lock is stood in for by flock(2) on the directory, as another
// process would take it; maps stand in for links, as in test_pin_dir.cpp.
#include <array>
#include <bpf/bpf.h>
#include <catch2/catch.hpp>
#include <chrono>
#include <fcntl.h>
#include <functional>
#include <sys/file.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#include "bpfoom/error.hpp"
#include "bpfoom/policy_change.hpp"
#include "helpers.hpp"

using namespace bpfoom;
using namespace std::chrono_literals;

namespace
{

/* An exclusive flock(2) on `dir`, as another writer holds it, until released or destroyed. */
class HeldLock
{
public:
	explicit HeldLock(const std::string &dir)
	    : fd_(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC))
	{
		REQUIRE(fd_);
		REQUIRE(flock(fd_.get(), LOCK_EX | LOCK_NB) == 0);
	}
	void release() { fd_.reset(); }

private:
	UniqueFd fd_;
};

std::uint32_t object_id(int fd)
{
	bpf_map_info info{};
	std::uint32_t len = sizeof(info);
	REQUIRE(bpf_obj_get_info_by_fd(fd, &info, &len) == 0);
	return info.id;
}

/* The id of the table in the priorities map's slot: which table a sync left in place. */
std::uint32_t current_table_id(const Policy &policy)
{
	const std::uint32_t slot = BPFOOM_PRIORITIES_SLOT;
	std::uint32_t id = 0;
	REQUIRE(bpf_map_lookup_elem(policy.priorities().fd(), &slot, &id) == 0);
	return id;
}

Errc error_kind(const std::function<void()> &step)
{
	try {
		step();
	} catch (const Error &e) {
		return e.kind();
	}
	FAIL("no error");
	return Errc::internal;
}

} // namespace

TEST_CASE("policy change: a held lock is waited for, then reported as busy", "[change]")
{
	test::PinnedMaps maps;
	PolicyChange(maps.policy).set(1, {10, 0});
	const Policy patient(maps.policy.pins().path(), 300ms);
	HeldLock holder(maps.policy.pins().path());

	const auto started = std::chrono::steady_clock::now();
	try {
		PolicyChange change(patient);
		FAIL("took a lock another holder has");
	} catch (const Error &e) {
		CHECK(e.kind() == Errc::busy);
		CHECK_THAT(e.what(),
			   Catch::StartsWith("gave up after 0.3 s waiting for the lock on " +
					     maps.policy.pins().path()) &&
			       Catch::Contains("held by pid " + std::to_string(getpid())));
	}
	const auto waited = std::chrono::steady_clock::now() - started;
	CHECK(waited >= 300ms);
	CHECK(waited < 3s);
	CHECK(maps.contents() == PriorityTable{{1, {10, 0}}});

	/* A holder that lets go within the timeout is waited for, not reported. */
	std::thread releaser([&] {
		std::this_thread::sleep_for(200ms);
		holder.release();
	});
	const Policy long_wait(maps.policy.pins().path(), 5s);
	const auto before_wait = std::chrono::steady_clock::now();
	{
		PolicyChange change(long_wait);
		CHECK(std::chrono::steady_clock::now() - before_wait >= 150ms);
		change.set(1, {11, 0});
	}
	releaser.join();
	CHECK(maps.contents() == PriorityTable{{1, {11, 0}}});
}

TEST_CASE("policy change: the lock is held for the change's lifetime only", "[change]")
{
	test::PinnedMaps maps;
	const Policy impatient(maps.policy.pins().path(), 0ms);
	{
		PolicyChange first(maps.policy);
		CHECK(error_kind([&] { PolicyChange second(impatient); }) == Errc::busy);
	}
	PolicyChange after(impatient);
}

TEST_CASE("policy change: nothing pinned is not_loaded at once, without waiting", "[change]")
{
	test::PrivateBpffs bpffs;
	const std::string dir = bpffs.path() + "/bpfoom";
	const Policy policy(dir, 10s);
	CHECK(error_kind([&] { PolicyChange change(policy); }) == Errc::not_loaded);

	/* The directory exists and its lock is held, but no map is pinned. */
	REQUIRE(mkdir(dir.c_str(), 0700) == 0);
	HeldLock holder(dir);
	const auto started = std::chrono::steady_clock::now();
	try {
		PolicyChange change(policy);
		FAIL("a change of nothing pinned was made");
	} catch (const Error &e) {
		CHECK(e.kind() == Errc::not_loaded);
		CHECK_THAT(e.what(), Catch::Contains("bpfoom is not loaded"));
	}
	CHECK(std::chrono::steady_clock::now() - started < 1s);
}

TEST_CASE("policy change: an interrupted load is repaired before anything is written",
	  "[change][interrupted]")
{
	test::PinnedMaps maps;
	const PinDir &pins = maps.policy.pins();
	for (auto name : pins::links)
		maps.pin_stand_in(name);

	SECTION("staged but not committed: rolled back")
	{
		maps.pin_stand_in(pins::staged_name(pins::link_eval));
		const std::uint32_t old_eval = object_id(pins.open(pins::link_eval).get());
		REQUIRE(maps.policy.status().interrupted);

		PolicyChange change(maps.policy);
		/* Before the first write: the constructor has repaired it. */
		CHECK_FALSE(pins.contains(pins::staged_name(pins::link_eval)));
		CHECK(object_id(pins.open(pins::link_eval).get()) == old_eval);
		CHECK_FALSE(maps.policy.status().interrupted);
		change.set(1, {5, 0});
	}
	SECTION("committed: rolled forward")
	{
		std::array<std::uint32_t, pins::links.size()> staged_ids{};
		for (std::size_t i = 0; i < pins::links.size(); i++) {
			maps.pin_stand_in(pins::staged_name(pins::links[i]));
			staged_ids[i] =
			    object_id(pins.open(pins::staged_name(pins::links[i])).get());
		}
		REQUIRE(mkdir((pins / pins::commit_marker).c_str(), 0700) == 0);

		PolicyChange change(maps.policy);
		for (std::size_t i = 0; i < pins::links.size(); i++) {
			CHECK(object_id(pins.open(pins::links[i]).get()) == staged_ids[i]);
			CHECK_FALSE(pins.contains(pins::staged_name(pins::links[i])));
		}
		CHECK_FALSE(pins.contains(pins::commit_marker));
		SettingsUpdate update;
		update.default_priority = 3;
		change.configure(update);
	}
	CHECK_FALSE(maps.policy.status().interrupted);
}

TEST_CASE("policy change: a sync over capacity changes nothing; one that fits, everything",
	  "[change]")
{
	test::PinnedMaps maps(4);
	const PriorityTable before{{1, {1, 0}}, {2, {2, 0}}, {3, {3, 0}}};
	PolicyChange(maps.policy).sync(before, "before.conf");
	const std::uint32_t table = current_table_id(maps.policy);

	/* Two kept, one changed, three added: five entries in a map of four. */
	const PriorityTable too_many{
	    {1, {1, 0}}, {2, {20, 0}}, {4, {4, 0}}, {5, {5, 0}}, {6, {6, 0}}};
	try {
		PolicyChange(maps.policy).sync(too_many, "too-many.conf");
		FAIL("five entries were synced into four");
	} catch (const Error &e) {
		CHECK(e.kind() == Errc::bad_input);
		CHECK(std::string(e.what()) ==
		      "too-many.conf: 5 entries exceed the priorities map's capacity of 4 (see "
		      "'bpfoom load --max-entries')");
	}
	CHECK(maps.contents() == before);
	CHECK(current_table_id(maps.policy) == table);

	const PriorityTable fits{{2, {20, 0}}, {4, {4, 0}}, {5, {5, 0}}, {6, {6, 0}}};
	const SyncPlan plan = PolicyChange(maps.policy).sync(fits, "fits.conf");
	CHECK(plan.added.size() == 3);
	CHECK(plan.changed.size() == 1);
	CHECK(plan.removed.size() == 2);
	CHECK(maps.contents() == fits);
	CHECK(current_table_id(maps.policy) != table);
}

TEST_CASE("policy change: set, unset and configure report what was there before", "[change]")
{
	test::PinnedMaps maps;
	PolicyChange change(maps.policy);
	CHECK_FALSE(change.set(7, {1, 0}));
	CHECK(change.set(7, {2, BPFOOM_PRIORITY_F_OMIT}) == Priority{1, 0});
	CHECK(change.unset(7) == Priority{2, BPFOOM_PRIORITY_F_OMIT});
	CHECK_FALSE(change.unset(7));
	CHECK(change.priorities().list().empty());

	SettingsUpdate update;
	update.mode = BPFOOM_MODE_TOURNAMENT;
	update.default_priority = -4;
	const SettingsChange settings = change.configure(update);
	CHECK(settings.before == Settings{});
	CHECK(settings.after.mode == BPFOOM_MODE_TOURNAMENT);
	CHECK(settings.after.default_priority == -4);
	CHECK_FALSE(settings.after.dry_run);
	CHECK(maps.policy.settings().read() == settings.after);
}
