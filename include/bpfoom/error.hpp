// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#pragma once

#include <stdexcept>
#include <string>

namespace bpfoom
{

/*
 * What went wrong, coarse enough for a caller to act on. The values are the
 * `bpfoom` CLI's exit codes, which are part of its interface: never renumber.
 */
enum class Errc : int {
	internal =
	    1,	   // unexpected failure (a bug, or the kernel refused for a reason we do not model)
	usage = 2, // bad flags or arity (raised by the CLI only)
	bad_input = 3,	     // a cgroup, priority or sync file the operator gave is wrong
	unsupported = 4,     // this kernel (or the pinned state) cannot run bpfoom
	permission = 5,	     // not root / EPERM / EACCES
	not_loaded = 6,	     // the policy is not pinned in the pin directory
	busy = 7,	     // another process held the pin directory's lock past the lock timeout
	policy_compile = 8,  // a policy's C source did not compile (clang's diagnostics follow)
	policy_rejected = 9, // the kernel's verifier refused a policy (its log's last lines follow)
};

/* The exit status the CLI uses for a category. */
constexpr int exit_code(Errc kind)
{
	return static_cast<int>(kind);
}

/*
 * The one exception type of the library. what() is a complete sentence
 * naming the failing input (a cgroup, a file:line, a pin path), without any
 * program or command prefix: the CLI adds "bpfoom: CMD: ".
 */
class Error : public std::runtime_error
{
public:
	Error(Errc kind, const std::string &message) : std::runtime_error(message), kind_(kind) {}
	/*
	 * With another program's report on the failure, lines as it wrote them
	 * (clang's diagnostics, the verifier log's tail): shown before the
	 * one-line message, never folded into it.
	 */
	Error(Errc kind, const std::string &message, std::string detail)
	    : std::runtime_error(message), kind_(kind), detail_(std::move(detail))
	{
	}

	Errc kind() const { return kind_; }
	const std::string &detail() const { return detail_; }

private:
	Errc kind_;
	std::string detail_;
};

/*
 * An Error for a failed system call or libbpf call that returned `err`
 * (a positive errno). EPERM and EACCES become Errc::permission, everything
 * else Errc::internal. The message is "`what`: strerror(err)".
 */
Error system_error(const std::string &what, int err);

} // namespace bpfoom
