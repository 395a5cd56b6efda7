// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#pragma once

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

#include "bpfoom/unique_fd.hpp"

namespace bpfoom
{

/* Names of the pins in the pin directory. */
namespace pins
{
inline constexpr std::string_view priorities = "priorities";
inline constexpr std::string_view settings = "settings";
inline constexpr std::string_view counters = "counters";
inline constexpr std::string_view events = "events";
inline constexpr std::string_view link_eval = "link_eval";
inline constexpr std::string_view link_oom = "link_oom";
inline constexpr std::string_view link_victim = "link_victim";

inline constexpr std::array<std::string_view, 4> maps = {priorities, settings, counters, events};
/*
 * Replacement order. The policy link goes first: the old policy is detached
 * while its own per-OOM reset (the old link_oom) is still attached.
 */
inline constexpr std::array<std::string_view, 3> links = {link_eval, link_oom, link_victim};

/*
 * A replacement link is pinned as NAME + suffix before it is renamed over
 * NAME. (bpffs refuses names with a dot: they are reserved for the kernel.)
 */
inline constexpr std::string_view staged_suffix = "_new";
/* A directory whose existence means "the staged links are complete: roll forward". */
inline constexpr std::string_view commit_marker = "replace_committed";

/* The staged name of a link: link_eval -> link_eval_new. */
inline std::string staged_name(std::string_view link)
{
	return std::string(link) + std::string(staged_suffix);
}
} // namespace pins

/*
 * bpf_obj_get() on a pin path: Errc::not_loaded if it is missing,
 * Errc::permission on EACCES/EPERM, Errc::unsupported if the pin is not
 * root's alone (another owner, or group or other access: see PinDir).
 */
UniqueFd open_pin(const std::string &pin_path);

/*
 * The pids holding a flock(2) lock on inode `ino` of device `dev`, from the
 * text of /proc/locks (blocked waiters are not holders). Lines that do not
 * parse are skipped: the text is another program's output.
 */
std::vector<pid_t> flock_holders(std::string_view proc_locks, dev_t dev, ino_t ino);

/*
 * What a load or unload that did not finish left in the pin directory:
 * staged links attached beside (or instead of) the pinned ones, the commit
 * marker, or some but not all of the policy's links. Every writer repairs
 * it first (PinDir::recover(), called by Policy and PolicyChange).
 */
struct Interruption {
	/* The directory's lock is held: a writer is at work now, not killed. */
	bool in_progress = false;
	std::vector<std::string> staged;	// staged link pins present (pins::staged_name)
	bool committed = false;			// the commit marker is present
	std::vector<std::string> partial_links; // the link pins present, if 1 or 2 of 3
	/* One sentence naming what was found and what to run. */
	std::string description;
};

/*
 * The bpffs directory holding bpfoom's pins (BPFOOM_PIN_DIR by default).
 * Knows the replacement protocol for links:
 *
 *   1. pin every new link at NAME_new            (old state still in force)
 *   2. mkdir replace_committed                   (the commit point)
 *   3. rename(NAME_new, NAME) for every link     (atomic per link)
 *   4. rmdir replace_committed
 *
 * A loader killed at any step leaves the old state (before 2) or a state
 * that recover() completes into the new one (from 2 on).
 *
 * Anyone who can write the directory or a pin in it can detach the policy
 * or swap its maps, and bpffs is mounted 1777. So the directory and every
 * pin bpfoom opens must be root's alone: owned by uid 0, no group or other
 * access, not a symbolic link, on a bpffs. Every access checks this (lstat,
 * no link followed) and refuses with Errc::unsupported: nothing here is
 * chowned or chmodded into shape, since its owner could undo that at once.
 */
class PinDir
{
public:
	/* How long lock() waits for another holder of the lock by default. */
	static constexpr std::chrono::milliseconds default_lock_timeout{10000};

	explicit PinDir(std::string path,
			std::chrono::milliseconds lock_timeout = default_lock_timeout)
	    : path_(std::move(path)), lock_timeout_(lock_timeout)
	{
	}

	const std::string &path() const { return path_; }
	std::string operator/(std::string_view name) const
	{
		return path_ + "/" + std::string(name);
	}

	/*
	 * Whether the directory exists (Errc::permission if it cannot be looked
	 * at). Errc::unsupported if it exists but is not root's alone or not on
	 * bpffs, with a sentence naming its owner and mode and the way out.
	 */
	bool exists() const;
	/* Whether a pin (or the marker) of that name exists. */
	bool contains(std::string_view name) const;

	/*
	 * Creates the directory 0700 if needed. Throws Errc::unsupported if its
	 * parent is not a mounted bpffs, or if it exists and is not root's alone.
	 */
	void create() const;
	/* Throws Errc::unsupported unless the directory (or, if absent, its parent) is on bpffs. */
	void require_bpffs() const;

	/* bpf_obj_get(): Errc::not_loaded if missing, Errc::permission on EACCES/EPERM. */
	UniqueFd open(std::string_view name) const;
	/* bpf_obj_pin() at NAME; fails if it exists. */
	void pin(int bpf_fd, std::string_view name) const;
	/* unlink(); returns false if there was nothing. */
	bool unpin(std::string_view name) const;

	/* Steps 1-4 above for the given link fds (in pins::links order). */
	void replace_links(const std::array<int, pins::links.size()> &link_fds) const;

	/*
	 * What recover() would repair, found without changing anything (read
	 * commands report it), or nothing. Looks under a shared lock if it can:
	 * if a writer holds the lock, the result says a writer is at work.
	 */
	std::optional<Interruption> interruption() const;

private:
	/*
	 * The lock and the recovery belong to the writers alone: Policy's load
	 * and unload, and PolicyChange. Anyone else who must exclude them (a
	 * test standing in for another process, say) takes flock(2) on the
	 * directory, as another process would.
	 */
	friend class Policy;
	friend class PolicyChange;

	/*
	 * Takes an exclusive flock(2) on the directory, so two state-changing
	 * commands never interleave. Released when the returned fd closes. Waits
	 * at most the lock timeout for another holder, then throws Errc::busy
	 * naming the holder's pid and command (from /proc/locks).
	 */
	UniqueFd lock() const;

	/*
	 * Finishes or undoes an interrupted replace_links(), and finishes an
	 * interrupted unload (some but not all links pinned: the rest are
	 * unpinned). Every writer calls it first, holding the lock; harmless
	 * when nothing was interrupted. Returns true if it found something to
	 * clean up.
	 */
	bool recover() const;

	std::string path_;
	std::chrono::milliseconds lock_timeout_;
};

} // namespace bpfoom
