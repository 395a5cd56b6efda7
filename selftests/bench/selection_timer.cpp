// SPDX-License-Identifier: GPL-2.0
#include "selection_timer.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "selection_timing.skel.h"

namespace bpfoom::bench
{

void SelectionTimer::Destroy::operator()(selection_timing *skel) const
{
	selection_timing__destroy(skel);
}

void SelectionTimer::LinkDestroy::operator()(bpf_link *link) const
{
	bpf_link__destroy(link);
}

SelectionTimer::SelectionTimer() : skel_(selection_timing__open())
{
	if (!skel_)
		throw std::runtime_error(
		    std::string("cannot open the selection timing programs: ") +
		    std::strerror(errno));
	bpf_program__set_autoattach(skel_->progs.selection_floor, false);
	if (selection_timing__load(skel_.get()) != 0)
		throw std::runtime_error(
		    std::string("cannot load the selection timing programs: ") +
		    std::strerror(errno));
	if (selection_timing__attach(skel_.get()) != 0)
		throw std::runtime_error(std::string("cannot attach to mem_cgroup_scan_tasks: ") +
					 std::strerror(errno));
}

SelectionTimer::~SelectionTimer() = default;

SelectionTimer::Link SelectionTimer::attach_floor() const
{
	Link link(bpf_program__attach(skel_->progs.selection_floor));
	if (!link)
		throw std::runtime_error(std::string("cannot attach the floor program: ") +
					 std::strerror(errno));
	return link;
}

void SelectionTimer::reset()
{
	// No OOM runs while this is called: the benchmark starts each one itself.
	skel_->bss->scans = 0;
}

std::vector<SelectionTimer::Scan> SelectionTimer::scans() const
{
	const auto *bss = skel_->bss;
	const std::size_t capacity = sizeof(bss->scan_ns) / sizeof(bss->scan_ns[0]);
	std::vector<Scan> scans;
	for (std::size_t i = 0; i < bss->scans && i < capacity; i++)
		scans.push_back({static_cast<double>(bss->scan_ns[i]), bss->scan_aborted[i] != 0});
	return scans;
}

} // namespace bpfoom::bench
