// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "bpfoom/priority_map.hpp"

#include <bpf/bpf.h>
#include <cerrno>
#include <linux/bpf.h>
#include <vector>

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

constexpr std::uint32_t slot = BPFOOM_PRIORITIES_SLOT;

bpf_map_info map_info(int fd, const char *what)
{
	bpf_map_info info{};
	std::uint32_t len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0)
		throw system_error(std::string("cannot inspect ") + what, errno);
	return info;
}

Error incompatible(const std::string &what)
{
	return Error(Errc::unsupported,
		     "the priorities map " + what +
			 ": it was made by an incompatible bpfoom (not ABI version " +
			 std::to_string(BPFOOM_ABI_VERSION) +
			 "); run 'bpfoom unload' first, which drops the priorities");
}

Error map_full(std::uint32_t capacity)
{
	return Error(Errc::internal, "the priorities map is full (" + std::to_string(capacity) +
					 " entries); reload with a larger --max-entries");
}

/* A new, empty table: the layout the policy's template (struct priority_table) declares. */
UniqueFd empty_table(std::uint32_t capacity)
{
	if (capacity == 0)
		throw Error(Errc::bad_input, "a priorities map needs room for at least one entry");
	UniqueFd table(bpf_map_create(BPF_MAP_TYPE_HASH, "bpfoom_prio", sizeof(std::uint64_t),
				      sizeof(bpfoom_priority), capacity, nullptr));
	if (!table) {
		if (errno == ENOMEM || errno == E2BIG)
			throw Error(Errc::bad_input,
				    "cannot make a priorities table of " +
					std::to_string(capacity) +
					" entries: the kernel is out of memory for it");
		throw system_error("cannot create a priorities table", errno);
	}
	return table;
}

/* The one place a Priority meets the map's value layout (abi.h). */
bpfoom_priority to_raw(const Priority &value)
{
	return {value.priority, value.flags, value.request};
}

Priority from_raw(const bpfoom_priority &raw)
{
	return {raw.priority, raw.flags, raw.request};
}

void set_entry(int table, std::uint64_t cgroup_id, const Priority &value)
{
	const bpfoom_priority raw = to_raw(value);
	if (bpf_map_update_elem(table, &cgroup_id, &raw, BPF_ANY) == 0)
		return;
	if (errno == E2BIG)
		throw map_full(map_info(table, "the priorities table").max_entries);
	throw system_error("cannot update cgroup id " + std::to_string(cgroup_id), errno);
}

/* Writes `entries` into a table nobody reads yet, as one batch where the kernel has them. */
void write_all(int table, const PriorityTable &entries)
{
	if (entries.empty())
		return;
	std::vector<std::uint64_t> keys;
	std::vector<bpfoom_priority> values;
	keys.reserve(entries.size());
	values.reserve(entries.size());
	for (const auto &[id, value] : entries) {
		keys.push_back(id);
		values.push_back(to_raw(value));
	}
	LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_ANY);
	std::uint32_t count = keys.size();
	if (bpf_map_update_batch(table, keys.data(), values.data(), &count, &opts) == 0)
		return;
	int err = errno;
	if (count != 0 || !batch_unsupported(err)) {
		if (err == E2BIG)
			throw map_full(map_info(table, "the priorities table").max_entries);
		throw system_error("cannot fill a priorities table", err);
	}
	for (const auto &[id, value] : entries)
		set_entry(table, id, value); // old kernel without batch ops
}

} // namespace

PriorityMap::PriorityMap(UniqueFd slot_map_fd) : fd_(std::move(slot_map_fd))
{
	const bpf_map_info info = map_info(fd_.get(), "the priorities map");
	if (info.type != BPF_MAP_TYPE_ARRAY_OF_MAPS || info.key_size != sizeof(std::uint32_t) ||
	    info.value_size != sizeof(std::uint32_t) || info.max_entries != 1)
		throw incompatible("is not an array of maps with one slot");
}

PriorityMap PriorityMap::open_pinned(const std::string &pin_path)
{
	return PriorityMap(open_pin(pin_path));
}

PriorityMap PriorityMap::create(std::uint32_t capacity)
{
	UniqueFd table = empty_table(capacity);
	LIBBPF_OPTS(bpf_map_create_opts, opts, .inner_map_fd = static_cast<__u32>(table.get()));
	UniqueFd slot_map(bpf_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, "priorities",
					 sizeof(std::uint32_t), sizeof(std::uint32_t), 1, &opts));
	if (!slot_map)
		throw system_error("cannot create the priorities map", errno);
	PriorityMap map(std::move(slot_map));
	map.install(table);
	return map;
}

UniqueFd PriorityMap::table() const
{
	std::uint32_t table_id = 0;
	if (bpf_map_lookup_elem(fd_.get(), &slot, &table_id) != 0) {
		if (errno == ENOENT)
			throw Error(Errc::internal,
				    "the priorities map holds no table; run 'bpfoom "
				    "load', which puts an empty one in place");
		throw system_error("cannot read the priorities map's slot", errno);
	}
	UniqueFd table(bpf_map_get_fd_by_id(table_id));
	if (!table) {
		/* A concurrent writer swapped it out and it was freed: see the class comment. */
		throw system_error("cannot open priorities table id " + std::to_string(table_id),
				   errno);
	}
	const bpf_map_info info = map_info(table.get(), "the priorities table");
	if (info.type != BPF_MAP_TYPE_HASH || info.key_size != sizeof(std::uint64_t) ||
	    info.value_size != sizeof(bpfoom_priority))
		throw incompatible("holds a table that is not a hash of __u64 to struct "
				   "bpfoom_priority");
	return table;
}

void PriorityMap::install(const UniqueFd &table)
{
	const std::uint32_t table_fd = table.get();
	if (bpf_map_update_elem(fd_.get(), &slot, &table_fd, BPF_ANY) != 0)
		throw system_error("cannot swap in the new priorities table", errno);
}

UniqueFd PriorityMap::filled_table(const PriorityTable &entries, std::uint32_t capacity)
{
	UniqueFd table = empty_table(capacity);
	write_all(table.get(), entries);
	return table;
}

std::uint32_t PriorityMap::max_entries() const
{
	return map_info(table().get(), "the priorities table").max_entries;
}

std::optional<Priority> PriorityMap::get(std::uint64_t cgroup_id) const
{
	if (auto found = first_entry({&cgroup_id, 1}))
		return found->value;
	return std::nullopt;
}

std::optional<PriorityMap::FoundEntry>
PriorityMap::first_entry(std::span<const std::uint64_t> cgroup_ids) const
{
	const UniqueFd table_fd = table();
	for (std::size_t i = 0; i < cgroup_ids.size(); i++) {
		std::uint64_t key = cgroup_ids[i];
		bpfoom_priority value{};
		if (bpf_map_lookup_elem(table_fd.get(), &key, &value) == 0)
			return FoundEntry{i, from_raw(value)};
		if (errno != ENOENT)
			throw system_error("cannot look up cgroup id " + std::to_string(key),
					   errno);
	}
	return std::nullopt;
}

void PriorityMap::set(std::uint64_t cgroup_id, const Priority &value)
{
	set_entry(table().get(), cgroup_id, value);
}

bool PriorityMap::unset(std::uint64_t cgroup_id)
{
	if (bpf_map_delete_elem(table().get(), &cgroup_id) != 0) {
		if (errno == ENOENT)
			return false;
		throw system_error("cannot delete cgroup id " + std::to_string(cgroup_id), errno);
	}
	return true;
}

PriorityTable PriorityMap::list() const
{
	const UniqueFd table_fd = table();
	const int fd = table_fd.get();
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
		int ret = bpf_map_lookup_batch(fd, first ? nullptr : &token, &token, keys.data(),
					       values.data(), &count, &opts);
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
			table[keys[i]] = from_raw(values[i]);
		if (err == ENOENT)
			return table;
		first = false;
	}

	/* Without batch lookups: one get_next_key and one lookup per entry. */
	std::uint64_t key, next;
	const std::uint64_t *prev = nullptr;
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		bpfoom_priority value;
		if (bpf_map_lookup_elem(fd, &next, &value) == 0)
			table[next] = from_raw(value);
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
	const std::uint32_t capacity = max_entries();
	if (desired.size() > capacity)
		throw Error(Errc::bad_input,
			    source + ": " + std::to_string(desired.size()) +
				" entries exceed the priorities map's capacity of " +
				std::to_string(capacity) + " (see 'bpfoom load --max-entries')");
}

SyncPlan PriorityMap::plan_sync(const PriorityTable &desired, const std::string &source) const
{
	check_capacity(desired, source);
	return bpfoom::plan_sync(list(), desired);
}

void PriorityMap::apply(const SyncPlan &plan)
{
	const std::size_t changes = plan.added.size() + plan.changed.size() + plan.removed.size();
	if (changes == 0)
		return;
	if (changes == 1) {
		/* One write is atomic by itself, and cheaper than a new table. */
		if (!plan.removed.empty())
			unset(plan.removed.front().cgroup_id);
		else if (!plan.added.empty())
			set(plan.added.front().cgroup_id, *plan.added.front().after);
		else
			set(plan.changed.front().cgroup_id, *plan.changed.front().after);
		return;
	}
	const std::uint32_t capacity = max_entries();
	if (plan.after.size() > capacity)
		throw Error(Errc::bad_input,
			    std::to_string(plan.after.size()) +
				" entries exceed the priorities map's capacity of " +
				std::to_string(capacity));
	/* Nothing reads the new table until install(): a failure before it changes nothing. */
	install(filled_table(plan.after, capacity));
}

void PriorityMap::resize(std::uint32_t capacity)
{
	const PriorityTable entries = list();
	if (entries.size() > capacity)
		throw Error(Errc::bad_input, "--max-entries " + std::to_string(capacity) +
						 ": the priorities map holds " +
						 std::to_string(entries.size()) + " entries");
	install(filled_table(entries, capacity));
}

void PriorityMap::ensure_table(std::uint32_t capacity)
{
	std::uint32_t table_id = 0;
	if (bpf_map_lookup_elem(fd_.get(), &slot, &table_id) == 0)
		return;
	if (errno != ENOENT)
		throw system_error("cannot read the priorities map's slot", errno);
	install(empty_table(capacity));
}

} // namespace bpfoom
