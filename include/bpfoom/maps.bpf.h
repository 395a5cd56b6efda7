/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The maps every bpfoom policy shares with userspace (layouts in
 * bpfoom/abi.h), defined once for BPF, and the one way each is read. The
 * loader pins them under BPFOOM_PIN_DIR and hands them to the next policy
 * it loads, so their names and layouts are part of the ABI:
 *
 *   priorities  BPF_MAP_TYPE_ARRAY_OF_MAPS, 1 slot: the current table
 *               (HASH, key __u64 cgroup id, value struct bpfoom_priority)
 *   settings    BPF_MAP_TYPE_ARRAY, 1 entry: struct bpfoom_settings
 *   counters    BPF_MAP_TYPE_ARRAY, 1 entry: struct bpfoom_counters
 *   events      BPF_MAP_TYPE_RINGBUF, 256 KiB: struct bpfoom_event records
 *
 * A policy gets them from bpfoom/policy.bpf.h; a program that only reads
 * the priorities (selftests/progs/cgroup_priority_walk.bpf.c) includes this
 * header alone. Includes what it needs.
 */
#ifndef BPFOOM_MAPS_BPF_H
#define BPFOOM_MAPS_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpfoom/abi.h"

/*
 * The priorities are read through one level of indirection: the slot of
 * `priorities` holds the current table, and a sync swaps in a whole new
 * one. Each evaluation looks the slot up once and makes all its lookups in
 * that table, so it sees one set, never half of a sync. The table the
 * program got stays alive until the program returns (an inner map is freed
 * only after an RCU grace period). userspace creates the tables;
 * max_entries here is only the template's.
 *
 * Sizes rather than BTF types: clang describes a struct reached only through
 * the outer map's pointer as a forward declaration, which libbpf cannot size.
 * The tables userspace creates carry no BTF either, and must match this.
 */
struct bpfoom_priority_table {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BPFOOM_PRIORITIES_DEFAULT_ENTRIES);
	__uint(key_size, sizeof(__u64));
	__uint(value_size, sizeof(struct bpfoom_priority));
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct bpfoom_priority_table);
} priorities SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bpfoom_settings);
} settings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bpfoom_counters);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

/* What the programs run with if the settings map is missing: all zero. */
static const struct bpfoom_settings bpfoom__default_settings;

/* The current priorities table; NULL (no entries) only before the loader's first fill. */
static __always_inline void *bpfoom_current_priorities(void)
{
	__u32 slot = BPFOOM_PRIORITIES_SLOT;

	return bpf_map_lookup_elem(&priorities, &slot);
}

/* The runtime settings; never NULL. */
static __always_inline const struct bpfoom_settings *bpfoom_current_settings(void)
{
	__u32 zero = 0;
	const struct bpfoom_settings *s = bpf_map_lookup_elem(&settings, &zero);

	return s ? s : &bpfoom__default_settings;
}

/* The counters entry; NULL only if the map is missing. */
static __always_inline struct bpfoom_counters *bpfoom_counters_entry(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&counters, &zero);
}

/*
 * The one way a counter is bumped: each program looks the counters entry up
 * once, on entry, and passes it here (NULL only if the map is missing).
 */
#define bpfoom_count(counters, field)                                \
	do {                                                         \
		if (counters)                                        \
			__sync_fetch_and_add(&(counters)->field, 1); \
	} while (0)

#endif /* BPFOOM_MAPS_BPF_H */
