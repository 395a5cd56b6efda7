// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "skeleton.hpp"

#include <cerrno>
#include <string>
#include <utility>

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

namespace
{

/* The object's part named `name` in `parts`; unknown names are a bug, never a default. */
template <typename Part, std::size_t N>
Part *find_part(const std::pair<std::string_view, Part *> (&parts)[N], std::string_view name,
		std::string_view kind)
{
	for (const auto &[part_name, part] : parts)
		if (part_name == name)
			return part;
	throw Error(Errc::internal, "the bpfoom BPF object has no " + std::string(kind) + " for '" +
					std::string(name) + "'");
}

} // namespace

bpf_map *map_for_pin(const bpfoom_policy &skel, std::string_view pin)
{
	const std::pair<std::string_view, bpf_map *> maps[] = {
	    {pins::priorities, skel.maps.priorities},
	    {pins::settings, skel.maps.settings},
	    {pins::counters, skel.maps.counters},
	    {pins::events, skel.maps.events}};
	return find_part(maps, pin, "map");
}

bpf_program *program_for_link(const bpfoom_policy &skel, std::string_view link)
{
	const std::pair<std::string_view, bpf_program *> programs[] = {
	    {pins::link_eval, skel.progs.bpfoom_eval},
	    {pins::link_oom, skel.progs.bpfoom_oom},
	    {pins::link_victim, skel.progs.bpfoom_victim}};
	return find_part(programs, link, "program");
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
