// SPDX-License-Identifier: GPL-2.0
#include "bench_common.hpp"

#include "bpfoom/unique_fd.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <iostream>
#include <stdexcept>
#include <system_error>

extern char **environ;

namespace bpfoom::bench
{

std::uint64_t now_ns()
{
	timespec ts{};
	::clock_gettime(CLOCK_MONOTONIC, &ts);
	return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ULL + ts.tv_nsec;
}

double median(std::vector<double> values)
{
	if (values.empty())
		throw std::invalid_argument("median of no values");
	std::sort(values.begin(), values.end());
	const std::size_t mid = values.size() / 2;
	return values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

namespace
{

std::string read_all(int fd)
{
	std::string text;
	char buf[4096];
	::lseek(fd, 0, SEEK_SET);
	for (ssize_t n; (n = ::read(fd, buf, sizeof(buf))) > 0;)
		text.append(buf, n);
	return text;
}

} // namespace

std::uint64_t time_process(const std::vector<std::string> &argv)
{
	// stderr goes to a memory file, read only if the process fails: a
	// pipe would need a reader running while we time it.
	const UniqueFd err(::memfd_create("bench-stderr", MFD_CLOEXEC));
	if (!err)
		throw std::system_error(errno, std::generic_category(), "memfd_create");

	posix_spawn_file_actions_t actions;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&actions, err.get(), 2);
	std::vector<char *> args;
	for (const auto &arg : argv)
		args.push_back(const_cast<char *>(arg.c_str()));
	args.push_back(nullptr);

	const std::uint64_t start = now_ns();
	pid_t pid;
	int spawned = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
	posix_spawn_file_actions_destroy(&actions);
	if (spawned != 0)
		throw std::system_error(spawned, std::generic_category(), "spawn " + argv[0]);
	int status = 0;
	while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
	}
	const std::uint64_t elapsed = now_ns() - start;

	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		std::string command;
		for (const auto &arg : argv)
			command += (command.empty() ? "" : " ") + arg;
		throw std::runtime_error("'" + command + "' failed (" +
					 (WIFEXITED(status)
					      ? "exit " + std::to_string(WEXITSTATUS(status))
					      : "signal " + std::to_string(WTERMSIG(status))) +
					 "): " + read_all(err.get()));
	}
	return elapsed;
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
