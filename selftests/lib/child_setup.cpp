// SPDX-License-Identifier: GPL-2.0
#include "child_setup.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstring>

namespace bpfoom::selftests
{

void reset_signals_in_child()
{
	for (int sig = 1; sig < NSIG; sig++)
		::signal(sig, SIG_DFL);
	sigset_t none;
	sigemptyset(&none);
	::sigprocmask(SIG_SETMASK, &none, nullptr);
}

bool write_in_child(const char *path, const char *value)
{
	const int fd = ::open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	const size_t size = std::strlen(value);
	const bool ok = ::write(fd, value, size) == static_cast<ssize_t>(size);
	::close(fd);
	return ok;
}

} // namespace bpfoom::selftests
