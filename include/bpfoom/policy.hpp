// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bpfoom/abi.h"
#include "bpfoom/hook_links.hpp"
#include "bpfoom/pin_dir.hpp"
#include "bpfoom/policy_image.hpp"
#include "bpfoom/priority_map.hpp"
#include "bpfoom/settings.hpp"

namespace bpfoom
{

class MapLayouts;

struct LoadOptions {
	/* The policy to load; none: the shipped priority policy. */
	std::optional<PolicyImage> policy;
	/* Applied over the pinned settings on a reload, over the defaults otherwise. */
	SettingsUpdate settings;
	/*
	 * Capacity of the priorities table; a pinned map given another one is
	 * resized in one swap (Errc::bad_input if its entries do not fit).
	 */
	std::optional<std::uint32_t> max_entries;
};

/* A pinned link and the program behind it. */
struct PinnedLink {
	std::string pin_name;
	std::uint32_t link_id = 0;
	std::uint32_t prog_id = 0;
	std::string prog_name;
};

struct PolicyStatus {
	bool loaded = false; // a policy link is pinned (link_eval, or a staged link_eval_new)
	/* The policy link_eval's program belongs to, if it carries its identity. */
	std::optional<PolicyIdentity> policy;
	/* Every pinned link, staged ones (pins::staged_name) included. */
	std::vector<PinnedLink> links;
	/* What an interrupted load or unload left (Interruption::description), if anything. */
	std::optional<std::string> interrupted;
	std::optional<Settings> settings;
	std::optional<std::size_t> entries; // priorities map, if pinned
	std::optional<std::uint32_t> max_entries;
	std::optional<bpfoom_counters> counters;
	/*
	 * The programs attached to the hook as fmod_ret that bpfoom did not
	 * load: each can override the policy's verdicts (HookProgram). Nothing
	 * if the kernel has no hook (or no BTF): then there is nothing to see.
	 */
	std::optional<std::vector<HookProgram>> foreign_programs;
};

struct LoadResult {
	PolicyIdentity policy;
	bool replaced = false;	      // an older policy was running and has been replaced
	std::size_t entries_kept = 0; // priorities carried over from the pinned map
	std::uint32_t max_entries = 0;
	Settings settings;
	std::vector<PinnedLink> links;
};

/*
 * The policy as pinned in one bpffs directory: load (or atomically replace),
 * unload, inspect, and open its maps. No state of its own beyond the
 * directory's path; every call works from what is pinned.
 */
class Policy
{
public:
	explicit Policy(std::string pin_dir = BPFOOM_PIN_DIR,
			std::chrono::milliseconds lock_timeout = PinDir::default_lock_timeout)
	    : pins_(std::move(pin_dir), lock_timeout)
	{
	}

	const PinDir &pins() const { return pins_; }

	/*
	 * Loads the policy options.policy names (the shipped priority policy
	 * by default), reusing the pinned maps (so the priorities, settings,
	 * counters and event readers survive, whichever policy had them),
	 * attaches it and pins it. If a policy is already pinned, the new
	 * links replace the old ones (see PinDir); afterwards exactly one
	 * policy program is attached. Everything that can refuse the policy
	 * (the hook missing, the object's shape, the verifier) does so before
	 * anything pinned changes.
	 */
	LoadResult load(const LoadOptions &options) const;

	/* Detaches and unpins everything; returns false if nothing was pinned. */
	bool unload() const;

	PolicyStatus status() const;

	/* Every pinned link, staged ones (pins::staged_name) included. */
	std::vector<PinnedLink> links() const;

	/*
	 * The programs attached to the hook as fmod_ret whose links are not
	 * pinned here, in link id order; nothing if the kernel has no hook.
	 * A program another bpfoom pinned elsewhere (another BPFOOM_PIN_DIR) is
	 * foreign too: it competes all the same. While a load is under way, the
	 * links it has attached but not pinned yet look foreign; a link just
	 * unpinned stays attached, and listed, until the kernel frees it, an
	 * RCU grace period later.
	 */
	std::optional<std::vector<HookProgram>> foreign_programs() const;

	/* Pinned maps; Errc::not_loaded if absent. */
	PriorityMap priorities() const;
	SettingsMap settings() const;
	UniqueFd events_map() const;

	/* Whether a policy link is pinned (link_eval, or a staged link_eval_new). */
	bool loaded() const;

private:
	/* Opens the maps it writes with the layouts it reads once. */
	friend class PolicyChange;

	/*
	 * A pinned map, Errc::unsupported (naming the pin and 'bpfoom unload')
	 * unless its type, key and value sizes are those `layouts` give.
	 */
	UniqueFd open_map(std::string_view name, const MapLayouts &layouts) const;
	PriorityMap priorities(const MapLayouts &layouts) const;
	SettingsMap settings(const MapLayouts &layouts) const;

	PinDir pins_;
};

/*
 * What `bpfoom policy check` does: checks the image's shape and has the
 * kernel's verifier load it, attaching and pinning nothing. Throws as
 * Policy::load() would refuse it; returns the identity it would load with.
 */
PolicyIdentity check_policy(const PolicyImage &image);

} // namespace bpfoom
