// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// The crash-safety of link replacement, on a private bpffs. Maps stand in for
// links: pinning, renaming and unlinking treat every BPF object alike, and a
// map is what an unprivileged-hook host can create.
#include <bpf/bpf.h>
#include <catch2/catch.hpp>
#include <sys/stat.h>

#include "bpfoom/error.hpp"
#include "bpfoom/policy.hpp"
#include "bpfoom/policy_change.hpp"
#include "helpers.hpp"

using namespace bpfoom;

namespace
{

std::uint32_t object_id(int fd)
{
	bpf_map_info info{};
	std::uint32_t len = sizeof(info);
	REQUIRE(bpf_obj_get_info_by_fd(fd, &info, &len) == 0);
	return info.id;
}

/* The id of what is pinned at NAME, or 0 if nothing is. */
std::uint32_t pinned_id(const PinDir &pins, std::string_view name)
{
	if (!pins.contains(name))
		return 0;
	return object_id(pins.open(name).get());
}

std::string staged(std::string_view name)
{
	return std::string(name) + std::string(pins::staged_suffix);
}

struct Generation {
	std::vector<UniqueFd> objects;
	std::array<int, pins::links.size()> fds{};
	std::array<std::uint32_t, pins::links.size()> ids{};

	Generation()
	{
		for (std::size_t i = 0; i < pins::links.size(); i++) {
			objects.push_back(test::create_priority_map(1));
			fds[i] = objects.back().get();
			ids[i] = object_id(fds[i]);
		}
	}
};

/* Which generation each link pin holds: 'o'ld, 'n'ew, or '-' none. */
std::string state(const PinDir &pins, const Generation &old_gen, const Generation &new_gen)
{
	std::string s;
	for (std::size_t i = 0; i < pins::links.size(); i++) {
		const auto id = pinned_id(pins, pins::links[i]);
		s += id == old_gen.ids[i] ? 'o' : id == new_gen.ids[i] ? 'n' : '-';
	}
	return s;
}

bool leftovers(const PinDir &pins)
{
	bool any = pins.contains(pins::commit_marker);
	for (auto name : pins::links)
		any |= pins.contains(staged(name));
	return any;
}

} // namespace

TEST_CASE("pin dir: created 0700 on bpffs, refused elsewhere", "[pins]")
{
	test::PrivateBpffs bpffs;
	PinDir pins(bpffs.path() + "/bpfoom");
	CHECK_FALSE(pins.exists());
	pins.create();
	struct stat st;
	REQUIRE(stat(pins.path().c_str(), &st) == 0);
	CHECK((st.st_mode & 07777) == 0700);
	pins.create(); // idempotent

	PinDir elsewhere("/tmp/bpfoom-not-on-bpffs/bpfoom");
	try {
		elsewhere.create();
		FAIL("a pin dir outside bpffs was created");
	} catch (const Error &e) {
		CHECK(e.kind() == Errc::unsupported);
		CHECK_THAT(e.what(), Catch::StartsWith("no bpffs is mounted at /tmp"));
	}
}

TEST_CASE("pin dir: replace_links swaps every link and leaves nothing staged", "[pins]")
{
	test::PrivateBpffs bpffs;
	PinDir pins(bpffs.path() + "/bpfoom");
	pins.create();
	Generation old_gen, new_gen;
	pins.replace_links(old_gen.fds);
	CHECK(state(pins, old_gen, new_gen) == "ooo");
	pins.replace_links(new_gen.fds);
	CHECK(state(pins, old_gen, new_gen) == "nnn");
	CHECK_FALSE(leftovers(pins));
	CHECK_FALSE(pins.interruption());
}

TEST_CASE("pin dir: a replacement killed at any step recovers to the old or the new state",
	  "[pins]")
{
	/* The maps a writer opens: PolicyChange, the writer here, recovers before it writes. */
	test::PinnedMaps maps;
	const PinDir &pins = maps.policy.pins();
	Generation old_gen, new_gen;

	/*
	 * Replays the protocol up to `steps` operations, as a loader SIGKILLed
	 * after them leaves the directory: 3 staged pins, the marker, 3
	 * renames, the marker's removal.
	 */
	auto interrupted_after = [&](int steps) {
		if (pins.exists()) {
			for (auto name : pins::links) {
				pins.unpin(name);
				pins.unpin(staged(name));
			}
			rmdir((pins / pins::commit_marker).c_str());
		}
		pins.create();
		pins.replace_links(old_gen.fds);
		int step = 0;
		for (std::size_t i = 0; i < pins::links.size() && step < steps; i++, step++)
			pins.pin(new_gen.fds[i], staged(pins::links[i]));
		if (step++ < steps)
			REQUIRE(mkdir((pins / pins::commit_marker).c_str(), 0700) == 0);
		for (auto name : pins::links)
			if (step++ < steps)
				REQUIRE(rename((pins / staged(name)).c_str(),
					       (pins / name).c_str()) == 0);
		if (step++ < steps)
			REQUIRE(rmdir((pins / pins::commit_marker).c_str()) == 0);
	};

	const char *expected[] = {"ooo", "ooo", "ooo", "ooo", // staged only: rolled back
				  "nnn", "nnn", "nnn", "nnn", // committed: rolled forward
				  "nnn"};
	for (int steps = 0; steps <= 8; steps++) {
		INFO("killed after " << steps << " steps");
		interrupted_after(steps);
		CHECK(pins.interruption().has_value() == (steps > 0 && steps < 8));
		PolicyChange change(maps.policy);
		CHECK(state(pins, old_gen, new_gen) == expected[steps]);
		CHECK_FALSE(leftovers(pins));
	}
}

TEST_CASE("policy: status and unload with nothing pinned; unload removes partial state", "[pins]")
{
	test::PrivateBpffs bpffs;
	Policy policy(bpffs.path() + "/bpfoom");
	CHECK_FALSE(policy.status().loaded);
	CHECK_FALSE(policy.unload());
	CHECK_FALSE(policy.unload());
	try {
		policy.priorities();
		FAIL("opened the priorities of an unloaded policy");
	} catch (const Error &e) {
		CHECK(e.kind() == Errc::not_loaded);
	}

	/* Maps pinned, links staged but not committed: what a loader killed early leaves. */
	policy.pins().create();
	UniqueFd map = test::create_priority_map(4);
	policy.pins().pin(map.get(), pins::priorities);
	policy.pins().pin(map.get(), staged(pins::link_eval));
	const PolicyStatus status = policy.status();
	CHECK(status.loaded); // the staged policy link is attached: status says so
	CHECK(status.interrupted);
	CHECK(status.entries == 0u);
	CHECK(policy.unload());
	CHECK_FALSE(policy.pins().exists());
}
