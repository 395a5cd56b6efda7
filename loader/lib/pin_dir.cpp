// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "bpfoom/pin_dir.hpp"

#include <algorithm>
#include <bpf/bpf.h>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <fcntl.h>
#include <filesystem>
#include <linux/magic.h>
#include <pwd.h>
#include <sstream>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <thread>
#include <unistd.h>

#include "bpfoom/error.hpp"

namespace bpfoom
{
namespace
{

using pins::staged_name;

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

/* "uid 65534 (nobody)", or "uid 1234" for a uid without a name. */
std::string describe_owner(uid_t uid)
{
	std::string owner = "uid " + std::to_string(uid);
	struct passwd entry, *found = nullptr;
	char buffer[1024];
	if (::getpwuid_r(uid, &entry, buffer, sizeof(buffer), &found) == 0 && found)
		owner += " (" + std::string(found->pw_name) + ")";
	return owner;
}

/* A failed lstat()/statfs(): not being root is the usual reason, and says so. */
Error look_error(const std::string &path, int err)
{
	if (err == EACCES || err == EPERM)
		return Error(Errc::permission,
			     "permission denied looking at " + path + " (bpfoom needs root)");
	return system_error("cannot look at " + path, err);
}

std::string octal_mode(mode_t mode)
{
	char text[8];
	std::snprintf(text, sizeof(text), "%04o", static_cast<unsigned>(mode & 07777));
	return text;
}

/* Root's alone: owned by uid 0, and no group or other access. */
bool private_to_root(const struct stat &st)
{
	return st.st_uid == 0 && (st.st_mode & 077) == 0;
}

[[noreturn]] void refuse_foreign(const std::string &path, const struct stat &st,
				 const std::string &removal)
{
	throw Error(Errc::unsupported,
		    path + " is owned by " + describe_owner(st.st_uid) + " with mode " +
			octal_mode(st.st_mode) +
			", but bpfoom's pins must be root's alone (owner root, no group or "
			"other access), or another user could detach the policy or change "
			"its maps; " +
			removal + " or set BPFOOM_PIN_DIR to another directory");
}

/*
 * The checks on the pin directory itself, given its lstat() (or fstat() of an
 * fd opened with O_NOFOLLOW): a directory, on bpffs, root's alone.
 */
void require_private_dir(const std::string &path, const struct stat &st)
{
	const std::string removal = "remove it (rm -r " + path + ")";
	if (S_ISLNK(st.st_mode))
		throw Error(Errc::unsupported,
			    path +
				" is a symbolic link, which bpfoom does not follow for its "
				"pin directory; " +
				removal + " or set BPFOOM_PIN_DIR to another directory");
	if (!S_ISDIR(st.st_mode))
		throw Error(Errc::unsupported, path + " exists and is not a directory; " + removal +
						   " or set BPFOOM_PIN_DIR to another directory");
	int err;
	if (!on_bpffs(path, err)) {
		if (err != 0)
			throw look_error(path, err);
		throw Error(Errc::unsupported,
			    path + " is not a bpffs directory, and BPF objects can only be "
				   "pinned on a bpffs (mount -t bpf bpf DIR); set BPFOOM_PIN_DIR "
				   "to a directory under a bpffs mount such as /sys/fs/bpf");
	}
	if (!private_to_root(st))
		refuse_foreign(path, st, removal);
}

/* The check on one entry of the pin directory (a pin or the commit marker), if present. */
void require_private_entry(const std::string &path)
{
	struct stat st;
	if (::lstat(path.c_str(), &st) != 0) {
		if (errno == ENOENT)
			return;
		throw look_error(path, errno);
	}
	if (!private_to_root(st))
		refuse_foreign(path, st,
			       "remove it (rm -r " + path + "; 'bpfoom unload' removes every pin)");
}

/* At most this much of /proc/locks is read: it is another program's output. */
constexpr std::size_t proc_locks_limit = 1 << 20;

std::string read_bounded(const char *path, std::size_t limit)
{
	std::string text;
	UniqueFd fd(::open(path, O_RDONLY | O_CLOEXEC));
	if (!fd)
		return text;
	char buffer[8192];
	while (text.size() < limit) {
		const ssize_t n =
		    ::read(fd.get(), buffer, std::min(sizeof(buffer), limit - text.size()));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		text.append(buffer, static_cast<std::size_t>(n));
	}
	return text;
}

/* "pid 123 (flock)", or why it cannot be named. */
std::string describe_holder(pid_t pid)
{
	if (pid <= 0)
		return "a process outside this pid namespace";
	std::string comm = read_bounded(("/proc/" + std::to_string(pid) + "/comm").c_str(), 64);
	if (!comm.empty() && comm.back() == '\n')
		comm.pop_back();
	if (comm.empty())
		return "pid " + std::to_string(pid) +
		       " (exited; a child that inherited the lock may hold it)";
	return "pid " + std::to_string(pid) + " (" + comm + ")";
}

/* "10 s", "1.5 s" */
std::string describe_seconds(std::chrono::milliseconds duration)
{
	const auto ms = duration.count();
	std::string text = std::to_string(ms / 1000);
	if (ms % 1000) {
		char fraction[8];
		std::snprintf(fraction, sizeof(fraction), ".%03lld",
			      static_cast<long long>(ms % 1000));
		std::string digits = fraction;
		while (digits.back() == '0')
			digits.pop_back();
		text += digits;
	}
	return text + " s";
}

/* "a", "a and b", "a, b and c" */
std::string join(const std::vector<std::string> &names)
{
	std::string text;
	for (std::size_t i = 0; i < names.size(); i++) {
		if (i > 0)
			text += i + 1 == names.size() ? " and " : ", ";
		text += names[i];
	}
	return text;
}

std::string describe(const PinDir &pins, const Interruption &found)
{
	std::vector<std::string> parts;
	if (!found.staged.empty()) {
		std::string part =
		    "the staged link" + std::string(found.staged.size() > 1 ? "s " : " ") +
		    join(found.staged) + (found.staged.size() > 1 ? " are" : " is") + " attached";
		part += found.committed ? ", committed but not yet moved into place"
					: " but not committed";
		const bool doubled = std::any_of(
		    found.staged.begin(), found.staged.end(), [&](const std::string &staged) {
			    return pins.contains(
				staged.substr(0, staged.size() - pins::staged_suffix.size()));
		    });
		if (doubled)
			part += ", beside the pinned links: two programs decide each OOM and a "
				"victim can yield two events";
		parts.push_back(part);
	} else if (found.committed) {
		parts.push_back("the commit marker " + (pins / pins::commit_marker) +
				" is left over");
	}
	if (!found.partial_links.empty())
		parts.push_back("only " + join(found.partial_links) + " of the links " +
				std::string(pins::link_eval) + ", " + std::string(pins::link_oom) +
				" and " + std::string(pins::link_victim) + " " +
				(found.partial_links.size() > 1 ? "are" : "is") + " pinned");
	std::string findings;
	for (const auto &part : parts)
		findings += (findings.empty() ? "" : "; ") + part;
	if (found.in_progress)
		return "the lock on " + pins.path() +
		       " is held, so a load or unload is under way: " + findings +
		       "; this is expected until it finishes";
	return "a 'bpfoom load' or 'bpfoom unload' was interrupted and left " + pins.path() +
	       " half changed: " + findings +
	       "; run 'bpfoom load' to finish loading (it replaces what is there) or 'bpfoom "
	       "unload' to remove the policy";
}

} // namespace

std::vector<pid_t> flock_holders(std::string_view proc_locks, dev_t dev, ino_t ino)
{
	std::vector<pid_t> holders;
	std::istringstream lines{std::string(proc_locks)};
	std::string line;
	while (std::getline(lines, line)) {
		/* "1: FLOCK  ADVISORY  WRITE 1234 00:2f:5678 0 EOF"; waiters have "->" after the
		 * id. */
		std::istringstream fields(line);
		std::string id, type, mode, access, pid_text, inode;
		if (!(fields >> id >> type) || type != "FLOCK")
			continue;
		if (!(fields >> mode >> access >> pid_text >> inode))
			continue;
		pid_t pid = 0;
		const char *end = pid_text.data() + pid_text.size();
		if (auto [ptr, ec] = std::from_chars(pid_text.data(), end, pid);
		    ec != std::errc() || ptr != end)
			continue;
		/* MAJOR:MINOR in hex, then the inode number in decimal. */
		unsigned major_number = 0, minor_number = 0;
		unsigned long long inode_number = 0;
		const char *p = inode.data(), *stop = inode.data() + inode.size();
		auto [p1, e1] = std::from_chars(p, stop, major_number, 16);
		if (e1 != std::errc() || p1 == stop || *p1 != ':')
			continue;
		auto [p2, e2] = std::from_chars(p1 + 1, stop, minor_number, 16);
		if (e2 != std::errc() || p2 == stop || *p2 != ':')
			continue;
		auto [p3, e3] = std::from_chars(p2 + 1, stop, inode_number);
		if (e3 != std::errc() || p3 != stop)
			continue;
		if (major_number != major(dev) || minor_number != minor(dev) || inode_number != ino)
			continue;
		if (std::find(holders.begin(), holders.end(), pid) == holders.end())
			holders.push_back(pid);
	}
	return holders;
}

bool PinDir::exists() const
{
	struct stat st;
	if (::lstat(path_.c_str(), &st) != 0) {
		if (errno == ENOENT)
			return false;
		throw look_error(path_, errno);
	}
	require_private_dir(path_, st);
	return true;
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
	const bool present = exists(); // on bpffs, if present
	if (present)
		return;
	const std::string where = std::filesystem::path(path_).parent_path().string();
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
	/* Whoever made it, it must now be root's alone; one that is not is refused, not fixed.
	 */
	if (!exists())
		throw Error(Errc::internal, path_ + " vanished right after it was created");
}

UniqueFd PinDir::lock() const
{
	exists(); // refuses a foreign directory with a sentence before opening it
	UniqueFd fd(::open(path_.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
	if (!fd)
		throw system_error("cannot open " + path_, errno);
	/* Checked again on what was opened, in case it changed since the lstat(). */
	struct stat st;
	if (::fstat(fd.get(), &st) != 0)
		throw system_error("cannot look at " + path_, errno);
	require_private_dir(path_, st);

	/* Polled, not blocking: a holder that never lets go is named instead of waited on. */
	const auto deadline = std::chrono::steady_clock::now() + lock_timeout_;
	for (;;) {
		if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0)
			return fd;
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK)
			throw system_error("cannot lock " + path_, errno);
		const auto now = std::chrono::steady_clock::now();
		if (now >= deadline)
			break;
		std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
		    deadline - now, std::chrono::milliseconds(20)));
	}
	std::vector<std::string> holders;
	for (pid_t pid :
	     flock_holders(read_bounded("/proc/locks", proc_locks_limit), st.st_dev, st.st_ino))
		holders.push_back(describe_holder(pid));
	throw Error(Errc::busy,
		    "gave up after " + describe_seconds(lock_timeout_) +
			" waiting for the lock on " + path_ + ", held by " +
			(holders.empty() ? std::string("a process /proc/locks does not name")
					 : join(holders)) +
			"; let it finish or stop it (BPFOOM_LOCK_TIMEOUT=SECONDS waits longer)");
}

UniqueFd PinDir::open(std::string_view name) const
{
	exists(); // the directory first: a pin in a foreign directory proves nothing
	return open_pin(*this / name);
}

UniqueFd open_pin(const std::string &pin_path)
{
	require_private_entry(pin_path);
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
			pin(link_fds[i], staged_name(pins::links[i]));
		if (::mkdir((*this / pins::commit_marker).c_str(), 0700) != 0)
			throw system_error("cannot create " + (*this / pins::commit_marker), errno);
	} catch (const Error &) {
		recover(); // not committed: drops the staged pins, the old links stay
		throw;
	}
	/* From here on recover() rolls forward, so a failure below is finished by the next command.
	 */
	for (auto name : pins::links)
		if (::rename((*this / staged_name(name)).c_str(), (*this / name).c_str()) != 0)
			throw system_error("cannot rename " + (*this / staged_name(name)), errno);
	if (::rmdir((*this / pins::commit_marker).c_str()) != 0)
		throw system_error("cannot remove " + (*this / pins::commit_marker), errno);
}

bool PinDir::recover() const
{
	if (!exists())
		return false;
	bool found = false;
	/* Nothing another user planted is renamed into place. */
	require_private_entry(*this / pins::commit_marker);
	const bool committed = contains(pins::commit_marker);
	for (auto name : pins::links) {
		if (!contains(staged_name(name)))
			continue;
		found = true;
		if (committed) {
			require_private_entry(*this / staged_name(name));
			if (::rename((*this / staged_name(name)).c_str(), (*this / name).c_str()) !=
			    0)
				throw system_error("cannot rename " + (*this / staged_name(name)),
						   errno);
		} else {
			unpin(staged_name(name));
		}
	}
	if (committed) {
		found = true;
		if (::rmdir((*this / pins::commit_marker).c_str()) != 0 && errno != ENOENT)
			throw system_error("cannot remove " + (*this / pins::commit_marker), errno);
	}
	/*
	 * Some links but not all: an unload killed between its unpins (it
	 * removes link_eval first). Finish it, so no event program outlives
	 * its policy; a load that follows attaches a complete set.
	 */
	std::size_t pinned = 0;
	for (auto name : pins::links)
		pinned += contains(name);
	if (pinned > 0 && pinned < pins::links.size()) {
		found = true;
		for (auto name : pins::links)
			unpin(name);
	}
	return found;
}

std::optional<Interruption> PinDir::interruption() const
{
	if (!exists())
		return std::nullopt;
	UniqueFd dir(::open(path_.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
	if (!dir)
		throw system_error("cannot open " + path_, errno);
	Interruption found;
	/*
	 * A shared lock, held while looking: no writer runs meanwhile, so what
	 * is found is what a killed one left. If a writer holds the lock, what
	 * is found may be its work in progress.
	 */
	if (::flock(dir.get(), LOCK_SH | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK)
			throw system_error("cannot lock " + path_, errno);
		found.in_progress = true;
	}
	std::vector<std::string> pinned;
	for (auto name : pins::links) {
		if (contains(staged_name(name)))
			found.staged.push_back(staged_name(name));
		if (contains(name))
			pinned.emplace_back(name);
	}
	found.committed = contains(pins::commit_marker);
	if (!pinned.empty() && pinned.size() < pins::links.size())
		found.partial_links = pinned;
	if (found.staged.empty() && !found.committed && found.partial_links.empty())
		return std::nullopt;
	found.description = describe(*this, found);
	return found;
}

} // namespace bpfoom
