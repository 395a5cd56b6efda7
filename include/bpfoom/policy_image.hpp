// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "bpfoom/abi.h"

namespace bpfoom
{

class PolicyCompiler;

/*
 * A policy as an ELF BPF object, before anything is loaded: a shipped one,
 * a .bpf.o file, or a .bpf.c file compiled. Built on the SDK
 * (bpfoom/policy.bpf.h), it holds the three programs the pin directory's
 * links name and the shared maps (see policy.hpp).
 */
struct PolicyImage {
	/* "priority", or the file's name without .bpf.c / .bpf.o; at most BPFOOM_POLICY_NAME_LEN -
	 * 1 bytes. */
	std::string name;
	/* "shipped", or the path of the file it was read or compiled from. */
	std::string origin;
	std::string object; // the ELF bytes

	/* SHA-256 of `object`, 64 hex digits: the policy's identity, with its name. */
	std::string sha256() const;
};

/*
 * Which policy it is: its name and the first 16 hex digits of its object's
 * SHA-256 (PolicyImage::sha256()), as the loader writes them into the
 * policy's read-only data and as its programs put them in every event.
 */
struct PolicyIdentity {
	std::string name;
	std::string hash;
	bool operator==(const PolicyIdentity &) const = default;
};

/* A policy compiled into bpfoom. */
struct ShippedPolicy {
	std::string_view name;
	std::string_view summary; // one line, for --help and `policy list`
};

/* Every shipped policy, the default (priority) first. */
std::span<const ShippedPolicy> shipped_policies();

/* A shipped policy by name; Errc::bad_input naming the shipped ones if there is none. */
PolicyImage shipped_policy(std::string_view name);

/*
 * What `bpfoom load --policy SPEC` loads: a file if SPEC ends in .c (compiled
 * by `compiler`) or .o (read as it is), else the shipped policy of that name.
 */
PolicyImage resolve_policy(std::string_view spec, const PolicyCompiler &compiler);

} // namespace bpfoom
