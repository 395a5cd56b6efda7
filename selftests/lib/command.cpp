// SPDX-License-Identifier: GPL-2.0
#include "command.hpp"

#include "child_setup.hpp"
#include "stopwatch.hpp"

#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <stdexcept>
#include <system_error>

extern char **environ;

namespace bpfoom::selftests
{

std::string CommandResult::describe() const
{
	const std::string how = signal ? std::string("killed by ") + ::sigabbrev_np(signal)
				       : "exit " + std::to_string(exit_status);
	return how + "\n--- stdout\n" + out + "--- stderr\n" + err;
}

namespace
{

// A pipe whose ends close with the object.
struct Pipe {
	int read = -1, write = -1;

	Pipe()
	{
		int fds[2];
		if (::pipe2(fds, O_CLOEXEC) != 0)
			throw std::system_error(errno, std::generic_category(), "pipe2");
		read = fds[0];
		write = fds[1];
	}
	~Pipe()
	{
		close_read();
		close_write();
	}
	Pipe(const Pipe &) = delete;
	Pipe &operator=(const Pipe &) = delete;
	void close_read() { close_fd(read); }
	void close_write() { close_fd(write); }

	static void close_fd(int &fd)
	{
		if (fd >= 0)
			::close(fd);
		fd = -1;
	}
};

// Why a child could not start, sent to the parent before it exits.
struct StartFailure {
	int step;
	int error;
};
const char *const kSteps[] = {"open stdin", "switch to nobody", "exec"};

// The environment the child gets, built before fork: setenv allocates.
std::vector<std::string> environment_for(const Command &command)
{
	std::vector<std::string> env;
	for (char **var = environ; *var; var++) {
		const std::string entry = *var;
		if (!command.env.count(entry.substr(0, entry.find('='))))
			env.push_back(entry);
	}
	for (const auto &[name, value] : command.env)
		env.push_back(name + "=" + value);
	return env;
}

std::vector<char *> pointers_to(std::vector<std::string> &strings)
{
	std::vector<char *> pointers;
	for (auto &s : strings)
		pointers.push_back(s.data());
	pointers.push_back(nullptr);
	return pointers;
}

[[noreturn]] void fail_start(int report_fd, int step)
{
	const StartFailure failure{step, errno};
	(void)!::write(report_fd, &failure, sizeof(failure));
	::_exit(127);
}

// In the child: async-signal-safe calls only.
[[noreturn]] void exec_child(const Command &command, char *const argv[], char *const envp[],
			     Pipe &in, Pipe &out, Pipe &err, int report_fd)
{
	reset_signals_in_child();
	set_oom_score_adj_in_child("0");
	if (command.stdin_closed) {
		::close(STDIN_FILENO);
	} else if (!command.stdin_path.empty()) {
		const int fd = ::open(command.stdin_path.c_str(), command.stdin_flags);
		if (fd < 0 || ::dup2(fd, STDIN_FILENO) != STDIN_FILENO)
			fail_start(report_fd, 0);
	} else {
		::dup2(in.read, STDIN_FILENO);
	}
	if (command.discard_stdout) {
		const int null = ::open("/dev/null", O_WRONLY);
		::dup2(null, STDOUT_FILENO);
	} else {
		::dup2(out.write, STDOUT_FILENO);
	}
	::dup2(err.write, STDERR_FILENO);
	if (command.as_nobody) {
		const uid_t nobody = 65534;
		if (::setgroups(0, nullptr) != 0 || ::setresgid(nobody, nobody, nobody) != 0 ||
		    ::setresuid(nobody, nobody, nobody) != 0)
			fail_start(report_fd, 1);
	}
	::execve(argv[0], argv, envp);
	fail_start(report_fd, 2);
}

// A write to a pipe whose reader is gone fails with EPIPE instead of
// killing the test process with SIGPIPE.
ssize_t write_without_sigpipe(int fd, const char *data, size_t size)
{
	sigset_t pipe_signal, old;
	sigemptyset(&pipe_signal);
	sigaddset(&pipe_signal, SIGPIPE);
	::pthread_sigmask(SIG_BLOCK, &pipe_signal, &old);
	const ssize_t n = ::write(fd, data, size);
	if (n < 0 && errno == EPIPE) {
		const timespec now{};
		::sigtimedwait(&pipe_signal, nullptr, &now);
		errno = EPIPE;
	}
	::pthread_sigmask(SIG_SETMASK, &old, nullptr);
	return n;
}

// Feeds `input` and collects stdout and stderr at once, so that neither
// side can block the other whatever the sizes.
void exchange(const std::string &input, Pipe &in, Pipe &out, Pipe &err, CommandResult &result)
{
	::fcntl(in.write, F_SETFL, O_NONBLOCK);
	size_t written = 0;
	if (input.empty())
		in.close_write();
	for (;;) {
		pollfd fds[3] = {
		    {in.write, POLLOUT, 0}, {out.read, POLLIN, 0}, {err.read, POLLIN, 0}};
		if (fds[0].fd < 0 && fds[1].fd < 0 && fds[2].fd < 0)
			return;
		if (::poll(fds, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			throw std::system_error(errno, std::generic_category(), "poll");
		}
		if (fds[0].revents) {
			const ssize_t n = write_without_sigpipe(in.write, input.data() + written,
								input.size() - written);
			if (n > 0)
				written += n;
			if ((n < 0 && errno != EAGAIN) || written == input.size())
				in.close_write();
		}
		std::string *sinks[] = {&result.out, &result.err};
		int *fds_of[] = {&out.read, &err.read};
		for (int i = 0; i < 2; i++) {
			if (!fds[i + 1].revents)
				continue;
			char buf[4096];
			const ssize_t n = ::read(*fds_of[i], buf, sizeof(buf));
			if (n > 0)
				sinks[i]->append(buf, n);
			else if (n == 0 || errno != EINTR)
				Pipe::close_fd(*fds_of[i]);
		}
	}
}

} // namespace

CommandResult run_command(const Command &command)
{
	if (command.argv.empty())
		throw std::invalid_argument("run_command: no argv");
	std::vector<std::string> args = command.argv, env = environment_for(command);
	const std::vector<char *> argv = pointers_to(args), envp = pointers_to(env);
	Pipe in, out, err, report;

	CommandResult result;
	const Stopwatch stopwatch;
	const pid_t pid = ::fork();
	if (pid < 0)
		throw std::system_error(errno, std::generic_category(), "fork");
	if (pid == 0)
		exec_child(command, argv.data(), envp.data(), in, out, err, report.write);
	in.close_read();
	out.close_write();
	err.close_write();
	report.close_write();
	if (command.discard_stdout)
		out.close_read();
	exchange(command.input, in, out, err, result);

	int status = 0;
	while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
	}
	result.elapsed = stopwatch.elapsed();
	result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	result.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;

	StartFailure failure{};
	if (::read(report.read, &failure, sizeof(failure)) == sizeof(failure))
		throw std::runtime_error("cannot start " + command.argv[0] + ": " +
					 kSteps[failure.step] + ": " +
					 std::strerror(failure.error));
	return result;
}

CommandResult run_command(const std::vector<std::string> &argv, const std::string &input)
{
	return run_command(Command{.argv = argv, .input = input});
}

std::string read_all(int fd)
{
	std::string text;
	char buf[4096];
	ssize_t n;
	while ((n = ::read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			text.append(buf, n);
	return text;
}

std::vector<std::string> lines_of(const std::string &text)
{
	std::vector<std::string> lines;
	std::istringstream in(text);
	for (std::string line; std::getline(in, line);)
		lines.push_back(line);
	return lines;
}

} // namespace bpfoom::selftests
