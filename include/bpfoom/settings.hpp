// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bpfoom/abi.h"
#include "bpfoom/unique_fd.hpp"

namespace bpfoom
{

/* The runtime settings of the policy (the settings map's single entry). */
struct Settings {
	bpfoom_mode mode = BPFOOM_MODE_INHERIT;
	std::int32_t default_priority = 0;
	bool dry_run = false;
	std::uint32_t abi_version = BPFOOM_ABI_VERSION;

	bool operator==(const Settings &) const = default;
};

/* A partial change of the settings, as `load` and `config` take it. */
struct SettingsUpdate {
	std::optional<bpfoom_mode> mode;
	std::optional<std::int32_t> default_priority;
	std::optional<bool> dry_run;

	Settings applied_to(Settings settings) const;
	bool empty() const { return !mode && !default_priority && !dry_run; }
};

/* "inherit" / "tournament". */
std::string_view mode_name(bpfoom_mode mode);
/* Throws Errc::bad_input naming the value if it is neither. */
bpfoom_mode parse_mode(std::string_view name);

/*
 * Client of the settings map (BPF_MAP_TYPE_ARRAY, one struct bpfoom_settings).
 * Reading is public; writing the pinned map is PolicyChange's (under the pin
 * directory's lock) and Policy::load()'s (holding it), as for PriorityMap.
 */
class SettingsMap
{
public:
	explicit SettingsMap(UniqueFd map_fd);
	static SettingsMap open_pinned(const std::string &pin_path);

	int fd() const { return fd_.get(); }
	Settings read() const;

private:
	friend class PolicyChange;
	friend class Policy;
	/* Writes the defaults into its own object's map, which is never pinned. */
	friend class ObserveSession;

	/* Writes `settings` with abi_version forced to this loader's. */
	void write(Settings settings);

	UniqueFd fd_;
};

/* Reads the counters map's single entry from a map fd. */
bpfoom_counters read_counters(int counters_map_fd);

} // namespace bpfoom
