// SPDX-License-Identifier: GPL-2.0
#include "bench_common.hpp"

#include "command.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <stdexcept>

namespace bpfoom::bench
{

double median(std::vector<double> values)
{
	if (values.empty())
		throw std::invalid_argument("median of no values");
	std::sort(values.begin(), values.end());
	const std::size_t mid = values.size() / 2;
	return values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

double time_process(const std::vector<std::string> &argv)
{
	const auto result = selftests::run_command({.argv = argv, .discard_stdout = true});
	if (result.exit_status != 0) {
		std::string command;
		for (const auto &arg : argv)
			command += (command.empty() ? "" : " ") + arg;
		throw std::runtime_error("'" + command + "' failed: " + result.describe());
	}
	return static_cast<double>(result.elapsed.count());
}

void print_row(const Row &row)
{
	// Tabs separate the cells: no cell contains one.
	std::cout << "row\t" << row.where << '\t' << row.benchmark << '\t' << row.n << '\t'
		  << row.figure << '\t' << row.baseline << '\t' << row.ratio << '\t' << row.target
		  << std::endl;
}

std::string format_count(std::uint64_t n)
{
	std::string digits = std::to_string(n);
	for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3)
		digits.insert(i, ",");
	return digits;
}

std::string format_ns(double ns)
{
	static const struct {
		double scale;
		const char *unit;
	} units[] = {{1e9, "s"}, {1e6, "ms"}, {1e3, "µs"}, {1, "ns"}};
	for (const auto &u : units) {
		if (ns >= u.scale || u.scale == 1) {
			const double value = ns / u.scale;
			char text[32];
			std::snprintf(text, sizeof(text), value >= 100 ? "%.0f %s" : "%.3g %s",
				      value, u.unit);
			return text;
		}
	}
	return {};
}

std::string format_ratio(double ratio)
{
	char text[32];
	std::snprintf(text, sizeof(text), ratio >= 100 ? "%.0f×" : "%.2f×", ratio);
	return text;
}

std::string judge(const std::string &goal, bool met)
{
	return goal + ": " + (met ? "met" : "missed");
}

int benchmark_main(int argc, char **argv, const char *name,
		   const std::function<void(bool quick)> &run)
{
	bool quick = false;
	for (int i = 1; i < argc; i++) {
		if (std::strcmp(argv[i], "--quick") == 0) {
			quick = true;
		} else {
			std::cerr << "usage: " << argv[0] << " [--quick]\n";
			return 2;
		}
	}
	try {
		run(quick);
	} catch (const std::exception &e) {
		std::cerr << name << ": " << e.what() << '\n';
		return 1;
	}
	return 0;
}

} // namespace bpfoom::bench
