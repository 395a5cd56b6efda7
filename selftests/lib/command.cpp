// SPDX-License-Identifier: GPL-2.0
#include "command.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace bpfoom::selftests
{

std::string CommandResult::describe() const
{
	return "exit " + std::to_string(exit_status) + "\n--- stdout\n" + out + "--- stderr\n" +
	       err;
}

namespace
{

void make_pipe(int fds[2])
{
	if (::pipe2(fds, O_CLOEXEC) != 0)
		throw std::system_error(errno, std::generic_category(), "pipe2");
}

} // namespace

CommandResult run_command(const std::vector<std::string> &argv, const std::string &input)
{
	std::vector<char *> args;
	for (const auto &arg : argv)
		args.push_back(const_cast<char *>(arg.c_str()));
	args.push_back(nullptr);

	int in[2], out[2], err[2];
	make_pipe(in);
	make_pipe(out);
	make_pipe(err);

	pid_t pid = ::fork();
	if (pid < 0)
		throw std::system_error(errno, std::generic_category(), "fork");
	if (pid == 0) {
		for (int sig = 1; sig < NSIG; sig++)
			::signal(sig, SIG_DFL);
		int adj = ::open("/proc/self/oom_score_adj", O_WRONLY);
		if (adj >= 0) {
			(void)!::write(adj, "0", 1);
			::close(adj);
		}
		::dup2(in[0], 0);
		::dup2(out[1], 1);
		::dup2(err[1], 2);
		::execv(args[0], args.data());
		::_exit(127);
	}
	::close(in[0]);
	::close(out[1]);
	::close(err[1]);

	// Feed stdin first: every input the tests pass is far below a pipe's size.
	size_t written = 0;
	while (written < input.size()) {
		ssize_t n = ::write(in[1], input.data() + written, input.size() - written);
		if (n <= 0)
			break;
		written += n;
	}
	::close(in[1]);

	CommandResult result;
	pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
	std::string *sinks[2] = {&result.out, &result.err};
	int open_fds = 2;
	while (open_fds > 0) {
		if (::poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (fds[i].fd < 0 || !fds[i].revents)
				continue;
			char buf[4096];
			ssize_t n = ::read(fds[i].fd, buf, sizeof(buf));
			if (n > 0) {
				sinks[i]->append(buf, n);
			} else {
				::close(fds[i].fd);
				fds[i].fd = -1;
				open_fds--;
			}
		}
	}

	int status = 0;
	while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
	}
	result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	return result;
}

} // namespace bpfoom::selftests
