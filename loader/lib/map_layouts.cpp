// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "map_layouts.hpp"

#include <algorithm>
#include <string>

#include "bpfoom/error.hpp"
#include "policy_object.hpp"

namespace bpfoom
{

MapLayouts::MapLayouts()
{
	const PolicyObject reference(shipped_policy("priority"), nullptr);
	for (std::size_t i = 0; i < pins::maps.size(); i++) {
		const bpf_map *map = reference.map(pins::maps[i]);
		layouts_[i] = {static_cast<std::uint32_t>(bpf_map__type(map)),
			       bpf_map__key_size(map), bpf_map__value_size(map)};
	}
}

const MapLayout &MapLayouts::of(std::string_view pin) const
{
	const auto it = std::find(pins::maps.begin(), pins::maps.end(), pin);
	if (it == pins::maps.end())
		throw Error(Errc::internal, "no map of the bpfoom BPF object is pinned as '" +
						std::string(pin) + "'");
	return layouts_[it - pins::maps.begin()];
}

} // namespace bpfoom
