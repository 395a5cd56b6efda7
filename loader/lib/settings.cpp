// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "bpfoom/settings.hpp"

#include <bpf/bpf.h>
#include <cerrno>

#include "bpfoom/error.hpp"
#include "bpfoom/pin_dir.hpp"

namespace bpfoom
{

Settings SettingsUpdate::applied_to(Settings settings) const
{
	if (mode)
		settings.mode = *mode;
	if (default_priority)
		settings.default_priority = *default_priority;
	if (dry_run)
		settings.dry_run = *dry_run;
	return settings;
}

std::string_view mode_name(bpfoom_mode mode)
{
	switch (mode) {
	case BPFOOM_MODE_INHERIT:
		return "inherit";
	case BPFOOM_MODE_TOURNAMENT:
		return "tournament";
	}
	return "unknown";
}

bpfoom_mode parse_mode(std::string_view name)
{
	if (name == "inherit")
		return BPFOOM_MODE_INHERIT;
	if (name == "tournament")
		return BPFOOM_MODE_TOURNAMENT;
	throw Error(Errc::bad_input,
		    "mode '" + std::string(name) + "' is not one of 'inherit', 'tournament'");
}

SettingsMap::SettingsMap(UniqueFd map_fd) : fd_(std::move(map_fd))
{
	bpf_map_info info{};
	std::uint32_t len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd_.get(), &info, &len) != 0)
		throw system_error("cannot inspect the settings map", errno);
	if (info.type != BPF_MAP_TYPE_ARRAY || info.value_size != sizeof(bpfoom_settings))
		throw Error(Errc::unsupported,
			    "the settings map does not have this loader's layout (ABI version " +
				std::to_string(BPFOOM_ABI_VERSION) + ")");
}

SettingsMap SettingsMap::open_pinned(const std::string &pin_path)
{
	return SettingsMap(open_pin(pin_path));
}

Settings SettingsMap::read() const
{
	std::uint32_t key = 0;
	bpfoom_settings raw{};
	if (bpf_map_lookup_elem(fd_.get(), &key, &raw) != 0)
		throw system_error("cannot read the settings map", errno);
	return Settings{static_cast<bpfoom_mode>(raw.mode), raw.default_priority, raw.dry_run != 0,
			raw.abi_version};
}

void SettingsMap::write(Settings settings)
{
	std::uint32_t key = 0;
	bpfoom_settings raw{static_cast<__u32>(settings.mode), settings.default_priority,
			    settings.dry_run ? 1u : 0u, BPFOOM_ABI_VERSION};
	if (bpf_map_update_elem(fd_.get(), &key, &raw, BPF_ANY) != 0)
		throw system_error("cannot write the settings map", errno);
}

bpfoom_counters read_counters(int counters_map_fd)
{
	std::uint32_t key = 0;
	bpfoom_counters counters{};
	if (bpf_map_lookup_elem(counters_map_fd, &key, &counters) != 0)
		throw system_error("cannot read the counters map", errno);
	return counters;
}

} // namespace bpfoom
