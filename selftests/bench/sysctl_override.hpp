// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <string>

namespace bpfoom::bench
{

// Writes a /proc/sys file for the lifetime of the object, then puts the old
// value back: the benchmarks quiet the OOM report without leaving the
// guest changed for whatever runs next.
class SysctlOverride
{
public:
	SysctlOverride(std::string path, const std::string &value);
	~SysctlOverride();
	SysctlOverride(const SysctlOverride &) = delete;
	SysctlOverride &operator=(const SysctlOverride &) = delete;

	// The value it had before.
	const std::string &old_value() const { return old_; }

private:
	std::string path_;
	std::string old_;
};

} // namespace bpfoom::bench
