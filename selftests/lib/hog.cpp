// SPDX-License-Identifier: GPL-2.0
#include "hog.hpp"

#include "child_setup.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace bpfoom::selftests
{

namespace
{

constexpr int kReadyFd = 3;

bool touch_anonymous_memory(std::size_t bytes)
{
	auto *memory = static_cast<char *>(
	    ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	if (memory == MAP_FAILED)
		return false;
	const long page = ::sysconf(_SC_PAGESIZE);
	for (std::size_t offset = 0; offset < bytes; offset += page)
		memory[offset] = 1;
	return true;
}

// Fills pipes of 1 MiB (the default pipe-max-size) until `bytes` are held in
// their buffers, whose pages are charged to the writer's cgroup. The pipes
// stay open, so the memory stays charged until the hog dies.
bool fill_pipe_buffers(std::size_t bytes)
{
	constexpr int kPipeBytes = 1 << 20;
	char chunk[64 << 10];
	std::memset(chunk, 'p', sizeof(chunk));
	std::size_t held = 0;
	while (held < bytes) {
		int fds[2];
		if (::pipe2(fds, O_NONBLOCK) != 0 ||
		    ::fcntl(fds[1], F_SETPIPE_SZ, kPipeBytes) < kPipeBytes)
			return false;
		for (int filled = 0; filled < kPipeBytes && held < bytes;) {
			const ssize_t n = ::write(fds[1], chunk, sizeof(chunk));
			if (n <= 0)
				return false;
			filled += n;
			held += n;
		}
	}
	return true;
}

// Runs in the child: only async-signal-safe calls, no allocation after fork.
[[noreturn]] void run_hog(const Hog::Options &options, const std::string &procs,
			  const std::string &adj)
{
	// The harness's own signal handlers (a test framework's crash reporter)
	// must not run in the hog: SIGTERM has to end it with that signal.
	reset_signals_in_child();
	if (options.die_with_parent)
		::prctl(PR_SET_PDEATHSIG, SIGKILL);
	else
		::setsid();
	::prctl(PR_SET_NAME, options.name.c_str());
	// Keep only our own end of the ready pipe, so that the parent sees
	// EOF on it exactly when this process dies.
	::syscall(SYS_close_range, kReadyFd + 1, ~0U, 0);

	if (!set_oom_score_adj_in_child(adj.c_str()) || !write_in_child(procs.c_str(), "0"))
		::_exit(100);

	if (options.global_oom && ::mlockall(MCL_CURRENT) != 0)
		::_exit(103);

	constexpr std::size_t step = 16 << 20;
	std::size_t remaining = options.megabytes << 20;
	if (options.kernel_memory) {
		if (!fill_pipe_buffers(remaining))
			::_exit(104);
		remaining = 0;
	}
	while (remaining || options.until_killed) {
		const std::size_t bytes = options.until_killed ? step : std::min(step, remaining);
		if (!touch_anonymous_memory(bytes))
			::_exit(101);
		if (!options.until_killed)
			remaining -= bytes;
	}
	char ready = 'R';
	if (::write(kReadyFd, &ready, 1) != 1)
		::_exit(102);
	for (;;)
		::pause();
}

} // namespace

bool HogExit::oom_killed() const
{
	return signalled && signal == SIGKILL;
}

std::string HogExit::describe() const
{
	if (signalled)
		return std::string("killed by ") + ::sigabbrev_np(signal);
	return "exited with status " + std::to_string(status);
}

Hog::Hog(const Options &options) : name_(options.name)
{
	const std::string procs = options.cgroup + "/cgroup.procs";
	const std::string adj = std::to_string(options.oom_score_adj);
	int pipe_fds[2];
	if (::pipe2(pipe_fds, O_CLOEXEC) != 0)
		throw std::system_error(errno, std::generic_category(), "pipe2");

	pid_ = ::fork();
	if (pid_ < 0)
		throw std::system_error(errno, std::generic_category(), "fork");
	if (pid_ == 0) {
		::dup2(pipe_fds[1], kReadyFd);
		run_hog(options, procs, adj);
	}
	::close(pipe_fds[1]);
	ready_fd_ = pipe_fds[0];
}

Hog::~Hog()
{
	finish();
	if (ready_fd_ >= 0)
		::close(ready_fd_);
}

bool Hog::wait_until_ready(std::chrono::seconds patience)
{
	pollfd ready{.fd = ready_fd_, .events = POLLIN, .revents = 0};
	int polled;
	do
		polled = ::poll(&ready, 1, static_cast<int>(patience.count() * 1000));
	while (polled < 0 && errno == EINTR);
	if (polled == 0)
		throw std::runtime_error(
		    "hog " + name_ + " neither finished allocating nor died within " +
		    std::to_string(patience.count()) + " s: the OOM killer made no progress");

	char byte;
	ssize_t n;
	do
		n = ::read(ready_fd_, &byte, 1);
	while (n < 0 && errno == EINTR);
	return n == 1;
}

HogExit Hog::finish()
{
	if (reaped_)
		return exit_;
	::kill(pid_, SIGTERM);
	int status = 0;
	while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
	}
	reaped_ = true;
	exit_.signalled = WIFSIGNALED(status);
	exit_.signal = exit_.signalled ? WTERMSIG(status) : 0;
	exit_.status = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
	return exit_;
}

} // namespace bpfoom::selftests
