// SPDX-License-Identifier: GPL-2.0
#pragma once

#include "non_copyable.hpp"

#include <memory>
#include <vector>

struct selection_timing;
struct bpf_link;

namespace bpfoom::bench
{

// The selection_timing BPF programs (progs/selection_timing.bpf.c), loaded
// and attached for the lifetime of the object: the kernel's own timing of
// each memcg OOM victim selection.
class SelectionTimer : selftests::NonCopyable
{
public:
	SelectionTimer();
	~SelectionTimer();

	struct Scan {
		double ns;
		bool aborted; // ended on an in-flight victim, without a choice
	};

	struct LinkDestroy {
		void operator()(bpf_link *link) const;
	};
	using Link = std::unique_ptr<bpf_link, LinkDestroy>;

	// Attaches the floor program (an fmod_ret program that returns
	// DEFAULT) to the OOM hook, until the link goes.
	Link attach_floor() const;

	// Forgets the scans timed so far.
	void reset();
	// The scans timed since the last reset, in order.
	std::vector<Scan> scans() const;

private:
	struct Destroy {
		void operator()(selection_timing *skel) const;
	};
	std::unique_ptr<selection_timing, Destroy> skel_;
};

} // namespace bpfoom::bench
