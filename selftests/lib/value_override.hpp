// SPDX-License-Identifier: GPL-2.0
#pragma once

#include "non_copyable.hpp"

#include <string>

namespace bpfoom::selftests
{

// Writes a /proc or /sys file for the lifetime of the object, then puts the
// old value back, whatever the test did in between (a failed REQUIRE
// throws through here): a sysctl quieted for a benchmark, this process's
// oom_score_adj for a test that stages a global OOM.
class ValueOverride : NonCopyable
{
public:
	ValueOverride(std::string path, const std::string &value);
	~ValueOverride();

	// The value it had before.
	const std::string &old_value() const { return old_; }

private:
	std::string path_;
	std::string old_;
};

// This process's oom_score_adj, -1000 by default (out of the OOM killer's
// reach, as a test that stages a global OOM must be) until the object goes:
// a failing assertion can no longer leave the test process unkillable.
// Children the harness starts reset their own to 0 (child_setup.hpp).
class OomScoreAdjGuard : public ValueOverride
{
public:
	explicit OomScoreAdjGuard(int adj = -1000)
	    : ValueOverride("/proc/self/oom_score_adj", std::to_string(adj))
	{
	}
};

} // namespace bpfoom::selftests
