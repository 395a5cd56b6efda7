// SPDX-License-Identifier: GPL-2.0
// How long turning one cgroup path into its id takes: the library's way,
// and the cheaper way the library could take (see the README's performance
// section). `bpfoom sync` pays this once per entry.
#pragma once

#include <cstddef>

#include "cgroup_farm.hpp"

namespace bpfoom::bench
{

// CgroupResolver::resolve() on the first n cgroups of the farm, ns per path.
double library_resolve_ns(const CgroupFarm &farm, std::size_t n);

// openat2(root, path, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV)
// + fstat (the id) + fstatfs (cgroup2, not v1) on the same paths, ns per path:
// one path walk, confined to the cgroup2 mount by the kernel, where
// resolve() walks the path about nine times (stat, realpath's readlink per
// component, statfs) and compares it against every v1 mount in userspace.
double openat2_resolve_ns(const CgroupFarm &farm, std::size_t n);

// What a resolver of a whole sync file could do: open each distinct parent
// directory once (openat2 as above, fstatfs), then one fstatat(parent, name)
// per entry. ns per path.
double batched_resolve_ns(const CgroupFarm &farm, std::size_t n);

} // namespace bpfoom::bench
