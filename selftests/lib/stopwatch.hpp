// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <chrono>

namespace bpfoom::selftests
{

// Wall time since construction, on the monotonic clock: what the runner
// reports for a process and what the benchmarks time in-process.
class Stopwatch
{
public:
	std::chrono::nanoseconds elapsed() const { return Clock::now() - start_; }
	double elapsed_ns() const { return static_cast<double>(elapsed().count()); }

private:
	using Clock = std::chrono::steady_clock;
	Clock::time_point start_ = Clock::now();
};

} // namespace bpfoom::selftests
