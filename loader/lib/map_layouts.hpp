// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// Private: what each pinned map must be, as bpfoom's own policy defines it.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "bpfoom/pin_dir.hpp"

namespace bpfoom
{

/* What a pinned map must match to be adopted or read: its type and key and value sizes. */
struct MapLayout {
	std::uint32_t type = 0;
	std::uint32_t key_size = 0;
	std::uint32_t value_size = 0;
};

/*
 * The layout of every map in pins::maps, taken from the shipped priority
 * policy (whose maps come from the SDK, bpfoom/policy.bpf.h), so there is
 * no second copy of them to keep in step. Every policy, shipped or not,
 * must match them. Opening the object costs a fraction of a millisecond: a
 * call that opens several maps reads it once.
 */
class MapLayouts
{
public:
	/* Opens the shipped priority policy to read them. */
	MapLayouts();

	/* Errc::internal naming `pin` if no map of the policy is pinned by that name. */
	const MapLayout &of(std::string_view pin) const;

private:
	std::array<MapLayout, pins::maps.size()> layouts_;
};

} // namespace bpfoom
