// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "subprocess.hpp"

#include <cerrno>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bpfoom/error.hpp"
#include "bpfoom/unique_fd.hpp"

extern char **environ;

namespace bpfoom
{
namespace
{

/* posix_spawn's file actions, released on every path. */
class FileActions
{
public:
	FileActions() { ::posix_spawn_file_actions_init(&actions_); }
	~FileActions() { ::posix_spawn_file_actions_destroy(&actions_); }
	FileActions(const FileActions &) = delete;
	FileActions &operator=(const FileActions &) = delete;
	posix_spawn_file_actions_t *get() { return &actions_; }

private:
	posix_spawn_file_actions_t actions_;
};

} // namespace

SubprocessResult run_subprocess(const std::vector<std::string> &argv, std::size_t output_limit)
{
	int pipe_fds[2];
	if (::pipe2(pipe_fds, O_CLOEXEC) != 0)
		throw system_error("cannot create a pipe for " + argv.at(0), errno);
	UniqueFd read_end(pipe_fds[0]), write_end(pipe_fds[1]);

	FileActions actions;
	::posix_spawn_file_actions_addopen(actions.get(), STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	::posix_spawn_file_actions_adddup2(actions.get(), write_end.get(), STDOUT_FILENO);
	::posix_spawn_file_actions_adddup2(actions.get(), write_end.get(), STDERR_FILENO);

	std::vector<char *> args;
	for (const auto &arg : argv)
		args.push_back(const_cast<char *>(arg.c_str()));
	args.push_back(nullptr);

	pid_t pid;
	if (int err = ::posix_spawn(&pid, argv.at(0).c_str(), actions.get(), nullptr, args.data(),
				    environ))
		throw system_error("cannot run " + argv.at(0), err);
	write_end.reset();

	SubprocessResult result;
	char buf[16384];
	for (;;) {
		ssize_t n = ::read(read_end.get(), buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		result.output.append(buf, static_cast<std::size_t>(n));
		if (result.output.size() > output_limit) {
			result.output.erase(0, result.output.size() - output_limit);
			result.truncated = true;
		}
	}

	int status;
	while (::waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			throw system_error("cannot wait for " + argv.at(0), errno);
	if (WIFEXITED(status))
		result.exit_status = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		result.signal = WTERMSIG(status);
	return result;
}

} // namespace bpfoom
