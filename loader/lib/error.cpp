// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "bpfoom/error.hpp"

#include <cerrno>
#include <cstring>

namespace bpfoom
{

Error system_error(const std::string &what, int err)
{
	const Errc kind = (err == EPERM || err == EACCES) ? Errc::permission : Errc::internal;
	return Error(kind, what + ": " + std::strerror(err));
}

} // namespace bpfoom
