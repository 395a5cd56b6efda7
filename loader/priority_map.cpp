// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "bpfoom/priority_map.hpp"

#include <bpf/bpf.h>
#include <cerrno>
#include <linux/bpf.h>

#include "bpfoom/error.hpp"
#include "bpfoom/pin_dir.hpp"

namespace bpfoom
{
namespace
{

/* Not in the UAPI headers: the kernel's "operation not supported" for unimplemented batch ops. */
constexpr int enotsupp = 524;

bool batch_unsupported(int err)
{
	return err == EINVAL || err == enotsupp || err == EOPNOTSUPP;
}

/* Batch chunk for lookups; doubled when a hash bucket holds more (ENOSPC). */
constexpr std::uint32_t lookup_chunk = 4096;

} // namespace

PriorityMap::PriorityMap(UniqueFd map_fd) : fd_(std::move(map_fd))
{
	bpf_map_info info{};
	std::uint32_t len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd_.get(), &info, &len) != 0)
		throw system_error("cannot inspect the priorities map", errno);
	if (info.type != BPF_MAP_TYPE_HASH || info.key_size != sizeof(std::uint64_t) ||
	    info.value_size != sizeof(struct bpfoom_priority))
		throw Error(Errc::internal,
			    "the priorities map is not a hash of __u64 to struct bpfoom_priority");
	max_entries_ = info.max_entries;
}

PriorityMap PriorityMap::open_pinned(const std::string &pin_path)
{
	return PriorityMap(open_pin(pin_path));
}

std::optional<Priority> PriorityMap::get(std::uint64_t cgroup_id) const
{
	bpfoom_priority value{};
	if (bpf_map_lookup_elem(fd_.get(), &cgroup_id, &value) != 0) {
		if (errno == ENOENT)
			return std::nullopt;
		throw system_error("cannot look up cgroup id " + std::to_string(cgroup_id), errno);
	}
	return Priority{value.priority, value.flags};
}

void PriorityMap::set(std::uint64_t cgroup_id, const Priority &value)
{
	bpfoom_priority raw{value.priority, value.flags};
	if (bpf_map_update_elem(fd_.get(), &cgroup_id, &raw, BPF_ANY) != 0) {
		if (errno == E2BIG)
			throw Error(Errc::internal,
				    "the priorities map is full (" + std::to_string(max_entries_) +
					" entries); reload with a larger --max-entries");
		throw system_error("cannot update cgroup id " + std::to_string(cgroup_id), errno);
	}
}

bool PriorityMap::unset(std::uint64_t cgroup_id)
{
	if (bpf_map_delete_elem(fd_.get(), &cgroup_id) != 0) {
		if (errno == ENOENT)
			return false;
		throw system_error("cannot delete cgroup id " + std::to_string(cgroup_id), errno);
	}
	return true;
}

PriorityTable PriorityMap::list() const
{
	PriorityTable table;
	std::uint32_t chunk = lookup_chunk;
	std::vector<std::uint64_t> keys(chunk);
	std::vector<bpfoom_priority> values(chunk);
	/* The batch token of a hash map is a bucket index; a __u64 holds it on any kernel. */
	std::uint64_t token = 0;
	bool first = true;
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	for (;;) {
		std::uint32_t count = chunk;
		int ret = bpf_map_lookup_batch(fd_.get(), first ? nullptr : &token, &token,
					       keys.data(), values.data(), &count, &opts);
		int err = ret ? errno : 0;
		if (err == ENOSPC && count == 0) {
			/* One bucket holds more than `chunk` entries: retry wider. */
			chunk *= 2;
			keys.resize(chunk);
			values.resize(chunk);
			continue;
		}
		if (err && err != ENOENT) {
			if (first && batch_unsupported(err))
				break; // old kernel: walk below
			throw system_error("cannot list the priorities map", err);
		}
		for (std::uint32_t i = 0; i < count; i++)
			table[keys[i]] = Priority{values[i].priority, values[i].flags};
		if (err == ENOENT)
			return table;
		first = false;
	}

	/* Without batch lookups: one get_next_key and one lookup per entry. */
	std::uint64_t key, next;
	const std::uint64_t *prev = nullptr;
	while (bpf_map_get_next_key(fd_.get(), prev, &next) == 0) {
		bpfoom_priority value;
		if (bpf_map_lookup_elem(fd_.get(), &next, &value) == 0)
			table[next] = Priority{value.priority, value.flags};
		key = next;
		prev = &key;
	}
	if (errno != ENOENT)
		throw system_error("cannot list the priorities map", errno);
	return table;
}

std::size_t PriorityMap::count() const
{
	return list().size();
}

void PriorityMap::check_capacity(const PriorityTable &desired, const std::string &source) const
{
	if (desired.size() > max_entries_)
		throw Error(Errc::bad_input,
			    source + ": " + std::to_string(desired.size()) +
				" entries exceed the priorities map's capacity of " +
				std::to_string(max_entries_) +
				" (see 'bpfoom load --max-entries')");
}

void PriorityMap::update_batch(const PriorityTable &entries)
{
	if (entries.empty())
		return;
	std::vector<std::uint64_t> keys;
	std::vector<bpfoom_priority> values;
	keys.reserve(entries.size());
	values.reserve(entries.size());
	for (const auto &[id, value] : entries) {
		keys.push_back(id);
		values.push_back({value.priority, value.flags});
	}
	LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_ANY);
	std::uint32_t count = keys.size();
	if (bpf_map_update_batch(fd_.get(), keys.data(), values.data(), &count, &opts) == 0)
		return;
	int err = errno;
	if (count != 0 || !batch_unsupported(err)) {
		if (err == E2BIG)
			throw Error(Errc::internal, "the priorities map is full (" +
							std::to_string(max_entries_) + " entries)");
		throw system_error("cannot update the priorities map", err);
	}
	for (const auto &[id, value] : entries)
		set(id, value); // old kernel without batch ops
}

void PriorityMap::delete_keys(const std::vector<std::uint64_t> &keys, bool ignore_missing)
{
	if (keys.empty())
		return;
	if (!ignore_missing) {
		LIBBPF_OPTS(bpf_map_batch_opts, opts);
		std::uint32_t count = keys.size();
		if (bpf_map_delete_batch(fd_.get(), keys.data(), &count, &opts) == 0)
			return;
		int err = errno;
		if (count != 0 || !batch_unsupported(err))
			throw system_error("cannot delete from the priorities map", err);
	}
	/* The batch stops at the first missing key; one by one tolerates it. */
	for (auto id : keys)
		if (!unset(id) && !ignore_missing)
			throw system_error("cannot delete cgroup id " + std::to_string(id), ENOENT);
}

void PriorityMap::apply(const SyncPlan &plan)
{
	std::vector<std::uint64_t> removed;
	PriorityTable written;
	for (const auto &change : plan.removed)
		removed.push_back(change.cgroup_id);
	for (const auto &change : plan.added)
		written[change.cgroup_id] = *change.after;
	for (const auto &change : plan.changed)
		written[change.cgroup_id] = *change.after;

	try {
		delete_keys(removed, false); // first, to make room for the additions
		update_batch(written);
	} catch (const Error &failure) {
		/* Put back what the plan touched: the entries it removed or changed, and drop its
		 * additions. */
		PriorityTable restore;
		std::vector<std::uint64_t> added;
		for (const auto &change : plan.removed)
			restore[change.cgroup_id] = *change.before;
		for (const auto &change : plan.changed)
			restore[change.cgroup_id] = *change.before;
		for (const auto &change : plan.added)
			added.push_back(change.cgroup_id);
		try {
			delete_keys(added, true);
			update_batch(restore);
		} catch (const Error &rollback) {
			throw Error(Errc::internal,
				    std::string(failure.what()) +
					"; restoring the previous contents failed too (" +
					rollback.what() + "): the map is partly updated");
		}
		throw Error(failure.kind(),
			    std::string(failure.what()) + "; the previous contents were restored");
	}
}

} // namespace bpfoom
