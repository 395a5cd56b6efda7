// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "bpfoom/abi.h"
#include "bpfoom/policy_image.hpp"
#include "bpfoom/unique_fd.hpp"

struct ring_buffer;

namespace bpfoom
{

/* A task as an event reports it (struct bpfoom_task_ref, decoded). */
struct EventTask {
	std::uint32_t pid = 0;
	std::uint32_t tgid = 0;
	std::string comm;
	std::uint64_t cgroup_id = 0;
	std::int32_t priority = 0;	     // effective priority
	bool omit = false;		     // its effective entry has the omit flag
	std::optional<std::int64_t> badness; // absent if the policy never saw the task
};

/* One OOM victim (struct bpfoom_event, decoded). */
struct OomEvent {
	std::uint64_t boot_ns = 0;		    // CLOCK_BOOTTIME of the kill
	std::chrono::system_clock::time_point time; // the same instant on the wall clock
	bool memcg_oom = false;			    // else a global OOM
	std::uint64_t oom_memcg_id = 0;		    // 0 for a global OOM
	bool decided_by_policy = false;		    // else the kernel's badness decided
	bool dry_run = false;
	bool hooked = false;	   // the policy was consulted in this OOM
	bool group_member = false; // killed by memory.oom.group, not chosen
	std::uint32_t candidates = 0, selected = 0, skipped = 0;
	/* The policy attached when the OOM happened; none in observe-only mode. */
	std::optional<PolicyIdentity> policy;
	EventTask victim;
	std::optional<EventTask> policy_choice;
	std::optional<EventTask> kernel_choice;
};

/*
 * Decodes a raw record. `boot_to_wall` is the wall-clock time of boot
 * (now(system) - now(boottime)), so that events get absolute times.
 */
OomEvent decode_event(const bpfoom_event &raw, std::chrono::system_clock::time_point boot_to_wall);

/* The wall-clock time at which CLOCK_BOOTTIME was zero. */
std::chrono::system_clock::time_point boot_time();

/*
 * Reads bpfoom events from a ring buffer map (the pinned `events` map, or
 * an ObserveSession's). Note that a BPF ring buffer has one consumer
 * position: two readers of the same map share (and split) the stream.
 */
class EventReader
{
public:
	using Handler = std::function<void(const OomEvent &)>;

	EventReader(int events_map_fd, Handler handler);
	~EventReader();
	EventReader(const EventReader &) = delete;
	EventReader &operator=(const EventReader &) = delete;

	/* Hands every buffered event to the handler; returns how many. */
	std::size_t drain();

	/* Streams events until `stop_fd` becomes readable (e.g. a signalfd). */
	void follow(int stop_fd);

private:
	static int on_sample(void *ctx, void *data, std::size_t size);

	Handler handler_;
	std::chrono::system_clock::time_point boot_time_;
	std::size_t delivered_ = 0;
	ring_buffer *ring_ = nullptr;
};

/*
 * Observe-only mode: loads and attaches only the programs that work on any
 * kernel (bpfoom_oom, bpfoom_victim), with private, unpinned maps, for as
 * long as the session lives. The OOM killer's own choices are reported;
 * nothing is ranked.
 */
class ObserveSession
{
public:
	ObserveSession();
	~ObserveSession();
	ObserveSession(const ObserveSession &) = delete;
	ObserveSession &operator=(const ObserveSession &) = delete;

	int events_map_fd() const;

private:
	struct State;
	std::unique_ptr<State> state_;
};

} // namespace bpfoom
