// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "skeleton.hpp"

#include <cerrno>
#include <string>

#include "bpfoom/error.hpp"

namespace bpfoom
{

SkeletonPtr open_skeleton()
{
	SkeletonPtr skel(bpfoom_policy__open());
	if (!skel)
		throw system_error("cannot open the embedded bpfoom BPF object", errno);
	return skel;
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
