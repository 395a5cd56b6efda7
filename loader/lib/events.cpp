// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "bpfoom/events.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <poll.h>
#include <time.h>
#include <unistd.h>
#include <vector>

#include "bpfoom/error.hpp"
#include "bpfoom/settings.hpp"
#include "policy_object.hpp"

namespace bpfoom
{
namespace
{

EventTask decode_task(const bpfoom_task_ref &raw)
{
	EventTask task;
	task.pid = raw.pid;
	task.tgid = raw.tgid;
	task.comm.assign(raw.comm, strnlen(raw.comm, sizeof(raw.comm)));
	task.cgroup_id = raw.cgroup_id;
	task.priority = raw.priority;
	task.omit = raw.flags & BPFOOM_TASK_F_OMIT;
	if (raw.badness != BPFOOM_BADNESS_UNKNOWN)
		task.badness = raw.badness;
	return task;
}

std::optional<EventTask> decode_choice(const bpfoom_task_ref &raw)
{
	if (!(raw.flags & BPFOOM_TASK_F_VALID))
		return std::nullopt;
	return decode_task(raw);
}

} // namespace

std::chrono::system_clock::time_point boot_time()
{
	timespec real{}, boot{};
	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	const auto ns = [](const timespec &ts) {
		return std::chrono::nanoseconds(ts.tv_sec * 1000000000LL + ts.tv_nsec);
	};
	return std::chrono::system_clock::time_point(
	    std::chrono::duration_cast<std::chrono::system_clock::duration>(ns(real) - ns(boot)));
}

OomEvent decode_event(const bpfoom_event &raw, std::chrono::system_clock::time_point boot_to_wall)
{
	OomEvent event;
	event.boot_ns = raw.boot_ns;
	event.time = boot_to_wall + std::chrono::duration_cast<std::chrono::system_clock::duration>(
					std::chrono::nanoseconds(raw.boot_ns));
	event.memcg_oom = raw.flags & BPFOOM_EVENT_F_MEMCG_OOM;
	event.oom_memcg_id = raw.oom_memcg_id;
	event.decided_by_policy = raw.flags & BPFOOM_EVENT_F_POLICY;
	event.dry_run = raw.flags & BPFOOM_EVENT_F_DRY_RUN;
	event.hooked = raw.flags & BPFOOM_EVENT_F_HOOKED;
	event.group_member = raw.flags & BPFOOM_EVENT_F_GROUP_MEMBER;
	event.candidates = raw.candidates;
	event.selected = raw.selected;
	event.skipped = raw.skipped;
	if (raw.flags & BPFOOM_EVENT_F_HOOKED) {
		char hash[17];
		std::snprintf(hash, sizeof(hash), "%016llx",
			      static_cast<unsigned long long>(raw.policy_hash));
		event.policy =
		    PolicyIdentity{std::string(raw.policy_name,
					       ::strnlen(raw.policy_name, sizeof(raw.policy_name))),
				   hash};
	}
	event.victim = decode_task(raw.victim);
	event.policy_choice = decode_choice(raw.policy_choice);
	event.kernel_choice = decode_choice(raw.kernel_choice);
	return event;
}

EventReader::EventReader(int events_map_fd, Handler handler)
    : handler_(std::move(handler)), boot_time_(boot_time())
{
	ring_ = ring_buffer__new(events_map_fd, &EventReader::on_sample, this, nullptr);
	if (!ring_)
		throw system_error("cannot read the events ring buffer", errno);
}

EventReader::~EventReader()
{
	ring_buffer__free(ring_);
}

int EventReader::on_sample(void *ctx, void *data, std::size_t size)
{
	auto *self = static_cast<EventReader *>(ctx);
	/* A shorter record comes from another ABI version: skip it rather than read past it. */
	if (size < sizeof(bpfoom_event))
		return 0;
	bpfoom_event raw;
	std::memcpy(&raw, data, sizeof(raw));
	self->handler_(decode_event(raw, self->boot_time_));
	self->delivered_++;
	return 0;
}

std::size_t EventReader::drain()
{
	const std::size_t before = delivered_;
	if (ring_buffer__consume(ring_) < 0)
		throw system_error("cannot read the events ring buffer", errno);
	return delivered_ - before;
}

void EventReader::follow(int stop_fd)
{
	pollfd fds[2] = {{ring_buffer__epoll_fd(ring_), POLLIN, 0}, {stop_fd, POLLIN, 0}};
	for (;;) {
		drain();
		if (::poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			throw system_error("cannot wait for events", errno);
		}
		if (fds[1].revents) {
			drain(); // what arrived together with the stop request
			return;
		}
	}
}

struct ObserveSession::State {
	PolicyObject object{shipped_policy("priority"), nullptr};
	std::vector<LinkPtr> links;
};

ObserveSession::ObserveSession() : state_(std::make_unique<State>())
{
	PolicyObject &object = state_->object;
	/* The policy needs the hook; everything else attaches to stock kernels. */
	bpf_program__set_autoload(object.program(pins::link_eval), false);
	object.load();
	/* Default settings, as a fresh load would write them. */
	SettingsMap(UniqueFd(::dup(bpf_map__fd(object.map(pins::settings))))).write(Settings{});
	state_->links.push_back(attach_program(object.program(pins::link_oom)));
	state_->links.push_back(attach_program(object.program(pins::link_victim)));
}

ObserveSession::~ObserveSession() = default;

int ObserveSession::events_map_fd() const
{
	return bpf_map__fd(state_->object.map(pins::events));
}

} // namespace bpfoom
