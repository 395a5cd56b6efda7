// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "bpfoom/priority.hpp"
#include "bpfoom/sync_plan.hpp"
#include "bpfoom/unique_fd.hpp"

namespace bpfoom
{

/*
 * Client of the priorities map: a one-slot BPF_MAP_TYPE_ARRAY_OF_MAPS whose
 * slot holds the current table (BPF_MAP_TYPE_HASH, key __u64 cgroup id,
 * value struct bpfoom_priority; see abi.h).
 *
 * Single-entry writes go to the current table in place, one bpf(2) call
 * each. A plan of more than one change never touches the current table: a
 * new table is filled with the whole desired set and then swapped into the
 * slot by one update. The BPF policy, which looks the slot up once per
 * candidate, and a writer killed at any point both see either the old set
 * or the new one, never a mix.
 *
 * Reading is public; writing is not. Writers must be serialised (the pin
 * directory's lock), or a table swapped out by one would swallow another's
 * single writes, and the only writers are PolicyChange, which takes that
 * lock, and Policy::load(), which holds it while it fills a new map or
 * resizes a pinned one. So a program linking the library cannot write the
 * pinned map beside a running `bpfoom` command.
 */
class PriorityMap
{
public:
	/* Takes the slot map's fd; Errc::unsupported if its type/key/value do not match the ABI. */
	explicit PriorityMap(UniqueFd slot_map_fd);

	/* Opens a pinned map: Errc::not_loaded if the pin is missing, Errc::permission if EACCES.
	 */
	static PriorityMap open_pinned(const std::string &pin_path);

	/*
	 * A new, unpinned map holding an empty table of `capacity` entries.
	 * Harmless to offer: what it returns has no public writer, and pinning
	 * it where bpfoom looks makes it a map only PolicyChange writes.
	 */
	static PriorityMap create(std::uint32_t capacity);

	/* The slot map (what is pinned). */
	int fd() const { return fd_.get(); }
	/* The current table's capacity. */
	std::uint32_t max_entries() const;

	std::optional<Priority> get(std::uint64_t cgroup_id) const;

	/* An entry found by first_entry(): which of the ids it belongs to, and its value. */
	struct FoundEntry {
		std::size_t index;
		Priority value;
	};
	/*
	 * The first of `cgroup_ids` that has an entry, all looked up in the
	 * same table: the one snapshot a walk over a cgroup's ancestors needs
	 * (the BPF policy too looks the slot up once per candidate).
	 */
	std::optional<FoundEntry> first_entry(std::span<const std::uint64_t> cgroup_ids) const;

	/* A snapshot of the whole map. */
	PriorityTable list() const;
	std::size_t count() const;

	/* Throws Errc::bad_input if `desired` cannot fit into this map. */
	void check_capacity(const PriorityTable &desired, const std::string &source) const;

	/*
	 * What making the map hold `desired` would change, planned against its
	 * current contents; Errc::bad_input naming `source` if `desired` does
	 * not fit. Changes nothing (`sync --dry-run`; PolicyChange::sync()).
	 */
	SyncPlan plan_sync(const PriorityTable &desired, const std::string &source) const;

private:
	/* The writers, and the only callers of the writing members below (see the class comment).
	 */
	friend class PolicyChange;
	friend class Policy;

	void set(std::uint64_t cgroup_id, const Priority &value);
	/* Returns false if there was no entry. */
	bool unset(std::uint64_t cgroup_id);

	/*
	 * Makes the map hold `plan.after`, the plan having been computed
	 * against the current contents. A plan of one change is one in-place
	 * write; anything larger fills a new table and swaps it in, so the
	 * change is atomic for the kernel's reader and for a crash. If the
	 * kernel refuses (ENOMEM, capacity), nothing has changed.
	 */
	void apply(const SyncPlan &plan);

	/* Moves the entries into a new table of `capacity` (Errc::bad_input if they do not fit).
	 */
	void resize(std::uint32_t capacity);

	/* Puts an empty table of `capacity` entries into an empty slot (a map just created). */
	void ensure_table(std::uint32_t capacity);

	/* The current table; Errc::internal if the slot is empty. */
	UniqueFd table() const;
	/* Points the slot at `table`, in one update. */
	void install(const UniqueFd &table);
	/* A new table holding exactly `entries`. */
	static UniqueFd filled_table(const PriorityTable &entries, std::uint32_t capacity);

	UniqueFd fd_;
};

} // namespace bpfoom
