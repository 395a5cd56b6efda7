// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "bpfoom/priority.hpp"
#include "bpfoom/sync_plan.hpp"
#include "bpfoom/unique_fd.hpp"

namespace bpfoom
{

/*
 * Client of the priorities map (BPF_MAP_TYPE_HASH, key __u64 cgroup id,
 * value struct bpfoom_priority). Every write is a single bpf(2) syscall or a
 * batch; the BPF policy reads the map concurrently and always sees whole
 * entries.
 */
class PriorityMap
{
public:
	/* Takes a map fd; throws Errc::internal if its type/key/value do not match the ABI. */
	explicit PriorityMap(UniqueFd map_fd);

	/* Opens a pinned map: Errc::not_loaded if the pin is missing, Errc::permission if EACCES.
	 */
	static PriorityMap open_pinned(const std::string &pin_path);

	int fd() const { return fd_.get(); }
	std::uint32_t max_entries() const { return max_entries_; }

	std::optional<Priority> get(std::uint64_t cgroup_id) const;
	void set(std::uint64_t cgroup_id, const Priority &value);
	/* Returns false if there was no entry. */
	bool unset(std::uint64_t cgroup_id);

	/* A snapshot of the whole map. */
	PriorityTable list() const;
	std::size_t count() const;

	/*
	 * Applies a plan computed against `plan.before` (the current contents):
	 * removals first (to make room), then adds and changes, each as
	 * batches. If the kernel refuses part-way (map full, ENOMEM), restores
	 * `plan.before` and throws: the map is left as it was, save for
	 * concurrent writers. The BPF side may observe intermediate states while
	 * the batches run; each entry is always whole.
	 */
	void apply(const SyncPlan &plan);

	/* Throws Errc::bad_input if `desired` cannot fit into this map. */
	void check_capacity(const PriorityTable &desired, const std::string &source) const;

private:
	void update_batch(const PriorityTable &entries);
	void delete_keys(const std::vector<std::uint64_t> &keys, bool ignore_missing);

	UniqueFd fd_;
	std::uint32_t max_entries_ = 0;
};

} // namespace bpfoom
