// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "bpfoom/pin_dir.hpp"

#include <bpf/bpf.h>
#include <cerrno>
#include <fcntl.h>
#include <filesystem>
#include <linux/magic.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "bpfoom/error.hpp"

namespace bpfoom
{
namespace
{

std::string staged(std::string_view name)
{
	return std::string(name) + std::string(pins::staged_suffix);
}

bool on_bpffs(const std::string &path, int &err)
{
	struct statfs sfs;
	if (::statfs(path.c_str(), &sfs) != 0) {
		err = errno;
		return false;
	}
	err = 0;
	return sfs.f_type == BPF_FS_MAGIC;
}

} // namespace

bool PinDir::exists() const
{
	struct stat st;
	if (::stat(path_.c_str(), &st) == 0)
		return true;
	if (errno == ENOENT)
		return false;
	throw system_error("cannot look at " + path_, errno);
}

bool PinDir::contains(std::string_view name) const
{
	struct stat st;
	if (::lstat((*this / name).c_str(), &st) == 0)
		return true;
	if (errno == ENOENT)
		return false;
	throw system_error("cannot look at " + (*this / name), errno);
}

void PinDir::require_bpffs() const
{
	const bool present = exists();
	const std::string where =
	    present ? path_ : std::filesystem::path(path_).parent_path().string();
	int err;
	if (on_bpffs(where, err))
		return;
	if (err == EACCES || err == EPERM)
		throw system_error("cannot look at " + where, err);
	throw Error(Errc::unsupported,
		    "no bpffs is mounted at " + where + " (mount -t bpf bpf " + where + ")");
}

void PinDir::create() const
{
	require_bpffs();
	/* 0700: the pins are root's; nothing here is for other users to open. */
	if (::mkdir(path_.c_str(), 0700) != 0 && errno != EEXIST)
		throw system_error("cannot create " + path_, errno);
	struct stat st;
	if (::stat(path_.c_str(), &st) != 0)
		throw system_error("cannot look at " + path_, errno);
	if (!S_ISDIR(st.st_mode))
		throw Error(Errc::internal, path_ + " exists and is not a directory");
	if ((st.st_mode & 07777) != 0700 && ::chmod(path_.c_str(), 0700) != 0)
		throw system_error("cannot make " + path_ + " private (chmod 0700)", errno);
}

UniqueFd PinDir::lock() const
{
	UniqueFd fd(::open(path_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	if (!fd)
		throw system_error("cannot open " + path_, errno);
	if (::flock(fd.get(), LOCK_EX) != 0)
		throw system_error("cannot lock " + path_, errno);
	return fd;
}

UniqueFd PinDir::open(std::string_view name) const
{
	return open_pin(*this / name);
}

UniqueFd open_pin(const std::string &pin_path)
{
	UniqueFd fd(bpf_obj_get(pin_path.c_str()));
	if (fd)
		return fd;
	if (errno == ENOENT)
		throw Error(Errc::not_loaded,
			    "bpfoom is not loaded (no " + pin_path + "); run 'bpfoom load'");
	if (errno == EACCES || errno == EPERM)
		throw Error(Errc::permission,
			    "permission denied opening " + pin_path + " (bpfoom needs root)");
	throw system_error("cannot open " + pin_path, errno);
}

void PinDir::pin(int bpf_fd, std::string_view name) const
{
	if (bpf_obj_pin(bpf_fd, (*this / name).c_str()) != 0)
		throw system_error("cannot pin " + (*this / name), errno);
}

bool PinDir::unpin(std::string_view name) const
{
	if (::unlink((*this / name).c_str()) == 0)
		return true;
	if (errno == ENOENT)
		return false;
	throw system_error("cannot unpin " + (*this / name), errno);
}

void PinDir::replace_links(const std::array<int, pins::links.size()> &link_fds) const
{
	try {
		for (std::size_t i = 0; i < pins::links.size(); i++)
			pin(link_fds[i], staged(pins::links[i]));
		if (::mkdir((*this / pins::commit_marker).c_str(), 0700) != 0)
			throw system_error("cannot create " + (*this / pins::commit_marker), errno);
	} catch (const Error &) {
		recover(); // not committed: drops the staged pins, the old links stay
		throw;
	}
	/* From here on recover() rolls forward, so a failure below is finished by the next command.
	 */
	for (auto name : pins::links)
		if (::rename((*this / staged(name)).c_str(), (*this / name).c_str()) != 0)
			throw system_error("cannot rename " + (*this / staged(name)), errno);
	if (::rmdir((*this / pins::commit_marker).c_str()) != 0)
		throw system_error("cannot remove " + (*this / pins::commit_marker), errno);
}

bool PinDir::recover() const
{
	if (!exists())
		return false;
	bool found = false;
	const bool committed = contains(pins::commit_marker);
	for (auto name : pins::links) {
		if (!contains(staged(name)))
			continue;
		found = true;
		if (committed) {
			if (::rename((*this / staged(name)).c_str(), (*this / name).c_str()) != 0)
				throw system_error("cannot rename " + (*this / staged(name)),
						   errno);
		} else {
			unpin(staged(name));
		}
	}
	if (committed) {
		found = true;
		if (::rmdir((*this / pins::commit_marker).c_str()) != 0 && errno != ENOENT)
			throw system_error("cannot remove " + (*this / pins::commit_marker), errno);
	}
	return found;
}

} // namespace bpfoom
