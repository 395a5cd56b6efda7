// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "skeleton.hpp"

#include <cerrno>
#include <string>

#include "bpfoom/error.hpp"
#include "bpfoom/pin_dir.hpp"

namespace bpfoom
{

SkeletonPtr open_skeleton()
{
	SkeletonPtr skel(bpfoom_policy__open());
	if (!skel)
		throw system_error("cannot open the embedded bpfoom BPF object", errno);
	return skel;
}

bpf_map *map_for_pin(const bpfoom_policy &skel, std::string_view pin)
{
	if (pin == pins::priorities)
		return skel.maps.priorities;
	if (pin == pins::settings)
		return skel.maps.settings;
	if (pin == pins::counters)
		return skel.maps.counters;
	if (pin == pins::events)
		return skel.maps.events;
	throw Error(Errc::internal,
		    "no map of the bpfoom BPF object is pinned as '" + std::string(pin) + "'");
}

bpf_program *program_for_link(const bpfoom_policy &skel, std::string_view link)
{
	if (link == pins::link_eval)
		return skel.progs.bpfoom_eval;
	if (link == pins::link_oom)
		return skel.progs.bpfoom_oom;
	if (link == pins::link_victim)
		return skel.progs.bpfoom_victim;
	throw Error(Errc::internal,
		    "no program of the bpfoom BPF object is linked as '" + std::string(link) + "'");
}

LinkPtr attach_program(bpf_program *prog)
{
	LinkPtr link(bpf_program__attach(prog));
	if (!link)
		throw system_error(
		    std::string("cannot attach BPF program ") + bpf_program__name(prog), errno);
	return link;
}

} // namespace bpfoom
