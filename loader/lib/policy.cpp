// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "bpfoom/policy.hpp"

#include <algorithm>
#include <bpf/bpf.h>
#include <cerrno>
#include <cstring>
#include <linux/bpf.h>
#include <unistd.h>

#include "bpfoom/error.hpp"
#include "bpfoom/probe.hpp"
#include "map_layouts.hpp"
#include "policy_object.hpp"

namespace bpfoom
{
namespace
{

bpf_map_info map_info(int fd)
{
	bpf_map_info info{};
	std::uint32_t len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0)
		throw system_error("cannot inspect a pinned map", errno);
	return info;
}

/* Refuses a pinned map of another shape, to read or for the new object to adopt. */
void check_reusable(const PinDir &pins, std::string_view name, const MapLayout &layout,
		    int pinned_fd)
{
	const bpf_map_info info = map_info(pinned_fd);
	if (info.type != layout.type || info.key_size != layout.key_size ||
	    info.value_size != layout.value_size)
		throw Error(Errc::unsupported,
			    pins / name +
				" was pinned by an incompatible bpfoom (not ABI version " +
				std::to_string(BPFOOM_ABI_VERSION) +
				"); run 'bpfoom unload' first, which drops the priorities");
}

PinnedLink describe_link(const PinDir &pins, std::string_view name, int link_fd)
{
	PinnedLink link;
	link.pin_name = name;
	bpf_link_info info{};
	std::uint32_t len = sizeof(info);
	if (bpf_obj_get_info_by_fd(link_fd, &info, &len) != 0)
		throw system_error("cannot inspect " + pins / name, errno);
	link.link_id = info.id;
	link.prog_id = info.prog_id;
	UniqueFd prog(bpf_prog_get_fd_by_id(info.prog_id));
	if (prog) {
		bpf_prog_info prog_info{};
		len = sizeof(prog_info);
		if (bpf_obj_get_info_by_fd(prog.get(), &prog_info, &len) == 0)
			link.prog_name = prog_info.name;
	}
	return link;
}

/* Every link pin name, staged ones after: an interrupted load leaves them deciding too. */
std::vector<std::string> link_pin_names()
{
	std::vector<std::string> names(pins::links.begin(), pins::links.end());
	for (auto name : pins::links)
		names.push_back(pins::staged_name(name));
	return names;
}

/* The ids of the links pinned now; a pin renamed or removed while it is read is left out. */
std::vector<std::uint32_t> pinned_link_ids(const PinDir &pins)
{
	std::vector<std::uint32_t> ids;
	if (!pins.exists())
		return ids;
	for (const auto &name : link_pin_names()) {
		if (!pins.contains(name))
			continue;
		try {
			UniqueFd fd = pins.open(name);
			bpf_link_info info{};
			std::uint32_t len = sizeof(info);
			if (bpf_obj_get_info_by_fd(fd.get(), &info, &len) != 0)
				throw system_error("cannot inspect " + pins / name, errno);
			ids.push_back(info.id);
		} catch (const Error &e) {
			if (e.kind() != Errc::not_loaded)
				throw;
		}
	}
	return ids;
}

} // namespace

bool Policy::loaded() const
{
	return pins_.exists() && (pins_.contains(pins::link_eval) ||
				  pins_.contains(pins::staged_name(pins::link_eval)));
}

UniqueFd Policy::open_map(std::string_view name, const MapLayouts &layouts) const
{
	UniqueFd pinned = pins_.open(name);
	check_reusable(pins_, name, layouts.of(name), pinned.get());
	return pinned;
}

PriorityMap Policy::priorities() const
{
	return priorities(MapLayouts());
}

PriorityMap Policy::priorities(const MapLayouts &layouts) const
{
	return PriorityMap(open_map(pins::priorities, layouts));
}

SettingsMap Policy::settings() const
{
	return settings(MapLayouts());
}

SettingsMap Policy::settings(const MapLayouts &layouts) const
{
	SettingsMap map(open_map(pins::settings, layouts));
	if (const auto abi = map.read().abi_version; abi != BPFOOM_ABI_VERSION)
		throw Error(Errc::unsupported,
			    pins_ / pins::settings + " holds bpfoom ABI version " +
				std::to_string(abi) + ", this bpfoom speaks version " +
				std::to_string(BPFOOM_ABI_VERSION) +
				"; run 'bpfoom unload' first, which drops the priorities");
	return map;
}

UniqueFd Policy::events_map() const
{
	return open_map(pins::events, MapLayouts());
}

LoadResult Policy::load(const LoadOptions &options) const
{
	/* Everything that can refuse without side effects comes first. */
	if (options.max_entries && *options.max_entries == 0)
		throw Error(Errc::bad_input, "--max-entries 0: the map needs at least one entry");
	const MapLayouts layouts;
	PolicyObject object(options.policy ? *options.policy : shipped_policy("priority"),
			    &layouts);
	pins_.require_bpffs();
	require_oom_hook();

	pins_.create();
	UniqueFd lock = pins_.lock();
	pins_.recover();

	LoadResult result;
	result.replaced = pins_.contains(pins::link_eval);

	/* Adopt the pinned maps: the priorities, settings, counters and readers survive a reload.
	 */
	std::vector<std::string_view> fresh_maps;
	std::optional<Settings> pinned_settings;
	for (auto name : pins::maps) {
		if (!pins_.contains(name)) {
			fresh_maps.push_back(name);
			continue;
		}
		UniqueFd pinned = open_map(name, layouts);
		if (name == pins::settings)
			pinned_settings = settings(layouts).read(); // checks the ABI version
		if (name == pins::priorities)
			result.entries_kept = priorities(layouts).count();
		if (bpf_map__reuse_fd(object.map(name), pinned.get()) != 0)
			throw system_error("cannot reuse " + pins_ / name, errno);
	}

	/* The verifier has its say before anything pinned changes. */
	object.load();
	result.policy = object.identity();

	/*
	 * A new priorities map gets its first, empty table before it is pinned;
	 * a pinned one is resized (its entries moved into a table of the new
	 * capacity, in one swap) only now that the programs have loaded.
	 */
	PriorityMap priorities{UniqueFd(::dup(bpf_map__fd(object.map(pins::priorities))))};
	priorities.ensure_table(options.max_entries.value_or(BPFOOM_PRIORITIES_DEFAULT_ENTRIES));
	if (options.max_entries && *options.max_entries != priorities.max_entries())
		priorities.resize(*options.max_entries);
	result.max_entries = priorities.max_entries();

	/* Settings before attaching, so the new policy's first OOM already sees them. */
	SettingsMap settings_map{UniqueFd(::dup(bpf_map__fd(object.map(pins::settings))))};
	result.settings = options.settings.applied_to(pinned_settings.value_or(Settings{}));
	settings_map.write(result.settings);

	/* All links are attached before any pin moves; the old ones stay until replaced. */
	std::vector<LinkPtr> links;
	std::array<int, pins::links.size()> link_fds{};
	for (std::size_t i = 0; i < pins::links.size(); i++) {
		links.push_back(attach_program(object.program(pins::links[i])));
		link_fds[i] = bpf_link__fd(links.back().get());
	}

	/* Maps before links: a pinned link must never use maps the next loader cannot find. */
	for (auto name : fresh_maps)
		pins_.pin(bpf_map__fd(object.map(name)), name);
	pins_.replace_links(link_fds);

	for (std::size_t i = 0; i < pins::links.size(); i++)
		result.links.push_back(describe_link(pins_, pins::links[i], link_fds[i]));
	return result;
}

PolicyIdentity check_policy(const PolicyImage &image)
{
	/* The object's shape is judged on any kernel; then the verifier has its say. */
	const MapLayouts layouts;
	PolicyObject object(image, &layouts);
	require_oom_hook();
	object.load();
	return object.identity();
}

bool Policy::unload() const
{
	if (!pins_.exists())
		return false;
	UniqueFd lock = pins_.lock();
	bool removed = pins_.recover();
	/* Links first (the policy link leads), so no program runs against half-removed maps. */
	for (auto name : pins::links)
		removed |= pins_.unpin(name);
	for (auto name : pins::maps)
		removed |= pins_.unpin(name);
	lock.reset();
	/* Leaves a directory that holds something else alone. */
	if (::rmdir(pins_.path().c_str()) != 0 && errno != ENOTEMPTY && errno != ENOENT)
		throw system_error("cannot remove " + pins_.path(), errno);
	return removed;
}

std::vector<PinnedLink> Policy::links() const
{
	std::vector<PinnedLink> links;
	if (!pins_.exists())
		return links;
	for (const auto &name : link_pin_names()) {
		if (!pins_.contains(name))
			continue;
		UniqueFd fd = pins_.open(name);
		links.push_back(describe_link(pins_, name, fd.get()));
	}
	return links;
}

std::optional<std::vector<HookProgram>> Policy::foreign_programs() const
{
	const std::optional<HookTarget> hook = find_oom_hook();
	if (!hook)
		return std::nullopt;
	/*
	 * Ours if pinned just before the links are listed or just after: a
	 * load replacing them meanwhile unpins old links that are still
	 * attached (pinned before) and pins new ones it attached first
	 * (pinned after).
	 */
	std::vector<HookProgram> programs = hook_programs(*hook, pinned_link_ids(pins_));
	const std::vector<std::uint32_t> pinned_after = pinned_link_ids(pins_);
	std::erase_if(programs, [&](const HookProgram &program) {
		return program.owned || std::find(pinned_after.begin(), pinned_after.end(),
						  program.link_id) != pinned_after.end();
	});
	return programs;
}

PolicyStatus Policy::status() const
{
	PolicyStatus status;
	if (!pins_.exists()) {
		status.foreign_programs = foreign_programs();
		return status;
	}
	if (auto interruption = pins_.interruption())
		status.interrupted = interruption->description;
	/* Staged links are attached too: an interrupted load leaves them deciding beside the
	 * old. */
	status.links = links();
	for (const auto &link : status.links) {
		if (link.pin_name == pins::link_eval ||
		    link.pin_name == pins::staged_name(pins::link_eval))
			status.loaded = true;
		if (link.pin_name == pins::link_eval)
			status.policy = loaded_policy_identity(link.prog_id);
	}
	const MapLayouts layouts;
	if (pins_.contains(pins::settings))
		status.settings = settings(layouts).read();
	if (pins_.contains(pins::priorities)) {
		PriorityMap map = priorities(layouts);
		status.entries = map.count();
		status.max_entries = map.max_entries();
	}
	if (pins_.contains(pins::counters))
		status.counters = read_counters(open_map(pins::counters, layouts).get());
	/* Last: the pins' own errors (ownership, permission) are the ones to report first. */
	status.foreign_programs = foreign_programs();
	return status;
}

} // namespace bpfoom
