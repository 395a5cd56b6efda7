// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#pragma once

#include <array>
#include <string>
#include <string_view>

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
} // namespace pins

/*
 * bpf_obj_get() on a pin path: Errc::not_loaded if it is missing,
 * Errc::permission on EACCES/EPERM.
 */
UniqueFd open_pin(const std::string &pin_path);

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
 */
class PinDir
{
public:
	explicit PinDir(std::string path) : path_(std::move(path)) {}

	const std::string &path() const { return path_; }
	std::string operator/(std::string_view name) const
	{
		return path_ + "/" + std::string(name);
	}

	/* Whether the directory exists (Errc::permission if it cannot be looked at). */
	bool exists() const;
	/* Whether a pin (or the marker) of that name exists. */
	bool contains(std::string_view name) const;

	/*
	 * Creates the directory 0700 if needed. Throws Errc::unsupported if its
	 * parent is not a mounted bpffs.
	 */
	void create() const;
	/* Throws Errc::unsupported unless the directory (or, if absent, its parent) is on bpffs. */
	void require_bpffs() const;

	/*
	 * Takes an exclusive flock(2) on the directory, so two state-changing
	 * commands never interleave. Released when the returned fd closes.
	 */
	UniqueFd lock() const;

	/* bpf_obj_get(): Errc::not_loaded if missing, Errc::permission on EACCES/EPERM. */
	UniqueFd open(std::string_view name) const;
	/* bpf_obj_pin() at NAME; fails if it exists. */
	void pin(int bpf_fd, std::string_view name) const;
	/* unlink(); returns false if there was nothing. */
	bool unpin(std::string_view name) const;

	/* Steps 1-4 above for the given link fds (in pins::links order). */
	void replace_links(const std::array<int, pins::links.size()> &link_fds) const;

	/*
	 * Finishes or undoes an interrupted replace_links(). Every command that
	 * changes state calls it first; harmless when nothing was interrupted.
	 * Returns true if it found something to clean up.
	 */
	bool recover() const;

private:
	std::string path_;
};

} // namespace bpfoom
