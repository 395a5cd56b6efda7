// SPDX-License-Identifier: GPL-2.0
#pragma once

#include "non_copyable.hpp"

#include "temp_dir.hpp"

#include <filesystem>
#include <string>

namespace bpfoom::selftests
{

// Makes /etc writable for the lifetime of the object, so that a test can put
// /etc/bpfoom/priorities.conf where the installed unit looks for it, although
// the VM's root (the host's, over 9p) is read-only.
//
// The real /etc stays visible through a bind mount; a tmpfs on /etc holds a
// symlink to each of its entries (symlinks are copied as they are), and a
// directory is turned into real ones on the way to a file written. All of it
// happens in a private mount namespace of this process (and the commands it
// starts), so nothing outlives the test run or reaches another namespace.
class WritableEtc : NonCopyable
{
public:
	WritableEtc();
	~WritableEtc();

	// Writes /etc/RELATIVE, creating its directories, hiding the real one.
	void write(const std::filesystem::path &relative, const std::string &content);
	// Removes /etc/RELATIVE if present.
	void remove(const std::filesystem::path &relative);

private:
	void unmount() const;
	// Makes /etc/RELATIVE a real directory (of symlinks into the real one).
	void make_directory(const std::filesystem::path &relative);

	TempDir scratch_{"bpfoom-etc", "/run"}; // holds the bind mount of the real /etc
	std::filesystem::path real_;
};

} // namespace bpfoom::selftests
