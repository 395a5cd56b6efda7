// SPDX-License-Identifier: GPL-2.0
#include "syscall_stop.hpp"

#include "child_setup.hpp"

#include <fcntl.h>
#include <linux/bpf.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace bpfoom::selftests
{
namespace
{

[[noreturn]] void fail(const std::string &what)
{
	throw std::runtime_error(what + ": " + std::strerror(errno));
}

int status_of(int wait_status)
{
	return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1;
}

} // namespace

SyscallStop::SyscallStop(const std::vector<std::string> &argv, HoldWhen hold_when)
{
	pid_ = ::fork();
	if (pid_ < 0)
		fail("fork");
	if (pid_ == 0) {
		reset_signals_in_child();
		set_oom_score_adj_in_child("0");
		const int null = ::open("/dev/null", O_RDWR);
		::dup2(null, STDIN_FILENO);
		::dup2(null, STDOUT_FILENO);
		::dup2(null, STDERR_FILENO);
		::ptrace(PTRACE_TRACEME, 0, nullptr, nullptr);
		::raise(SIGSTOP); // lets the tracer set its options before exec
		std::vector<char *> args;
		for (const auto &arg : argv)
			args.push_back(const_cast<char *>(arg.c_str()));
		args.push_back(nullptr);
		::execv(args[0], args.data());
		::_exit(127);
	}
	int status;
	if (::waitpid(pid_, &status, 0) != pid_ || !WIFSTOPPED(status))
		fail("waiting for the traced child to stop");
	if (::ptrace(PTRACE_SETOPTIONS, pid_, nullptr,
		     PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL) != 0)
		fail("PTRACE_SETOPTIONS");

	int deliver = 0;
	for (;;) {
		if (::ptrace(PTRACE_SYSCALL, pid_, nullptr, deliver) != 0)
			fail("PTRACE_SYSCALL");
		deliver = 0;
		if (::waitpid(pid_, &status, 0) != pid_)
			fail("waitpid");
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			exit_status_ = status_of(status);
			pid_ = -1;
			return;
		}
		const int sig = WSTOPSIG(status);
		if (sig == (SIGTRAP | 0x80)) {
			__ptrace_syscall_info info{};
			if (::ptrace(PTRACE_GET_SYSCALL_INFO, pid_, sizeof(info), &info) <= 0)
				fail("PTRACE_GET_SYSCALL_INFO");
			if (info.op != PTRACE_SYSCALL_INFO_ENTRY)
				continue;
			entry_.nr = info.entry.nr;
			for (std::size_t i = 0; i < entry_.args.size(); i++)
				entry_.args[i] = info.entry.args[i];
			if (hold_when(entry_)) {
				held_ = true;
				return;
			}
		} else if (sig == SIGTRAP && (status >> 16) == PTRACE_EVENT_EXEC) {
			// exec done; nothing to deliver
		} else {
			deliver = sig; // a real signal: pass it on
		}
	}
}

SyscallStop::~SyscallStop()
{
	if (pid_ > 0)
		kill();
}

void SyscallStop::kill()
{
	::kill(pid_, SIGKILL);
	int status;
	::waitpid(pid_, &status, 0);
	exit_status_ = status_of(status);
	pid_ = -1;
	held_ = false;
}

int SyscallStop::resume()
{
	if (::ptrace(PTRACE_DETACH, pid_, nullptr, 0) != 0)
		fail("PTRACE_DETACH");
	int status;
	if (::waitpid(pid_, &status, 0) != pid_)
		fail("waitpid");
	exit_status_ = status_of(status);
	pid_ = -1;
	held_ = false;
	return exit_status_;
}

HoldWhen nth_bpf_call(unsigned n)
{
	return [n, calls = 0u](const SyscallEntry &entry) mutable {
		return entry.nr == SYS_bpf && ++calls == n;
	};
}

HoldWhen once(std::function<bool()> reached)
{
	return [reached = std::move(reached)](const SyscallEntry &) { return reached(); };
}

std::string bpf_cmd_name(std::uint64_t cmd)
{
	switch (cmd) {
	case BPF_MAP_CREATE:
		return "MAP_CREATE";
	case BPF_MAP_LOOKUP_ELEM:
		return "MAP_LOOKUP_ELEM";
	case BPF_MAP_UPDATE_ELEM:
		return "MAP_UPDATE_ELEM";
	case BPF_MAP_DELETE_ELEM:
		return "MAP_DELETE_ELEM";
	case BPF_MAP_GET_NEXT_KEY:
		return "MAP_GET_NEXT_KEY";
	case BPF_PROG_LOAD:
		return "PROG_LOAD";
	case BPF_OBJ_GET:
		return "OBJ_GET";
	case BPF_MAP_GET_FD_BY_ID:
		return "MAP_GET_FD_BY_ID";
	case BPF_OBJ_GET_INFO_BY_FD:
		return "OBJ_GET_INFO_BY_FD";
	case BPF_MAP_LOOKUP_BATCH:
		return "MAP_LOOKUP_BATCH";
	case BPF_MAP_UPDATE_BATCH:
		return "MAP_UPDATE_BATCH";
	case BPF_MAP_DELETE_BATCH:
		return "MAP_DELETE_BATCH";
	default:
		return "command " + std::to_string(cmd);
	}
}

} // namespace bpfoom::selftests
