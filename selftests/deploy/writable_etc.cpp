// SPDX-License-Identifier: GPL-2.0
#include "writable_etc.hpp"

#include "private_mount_namespace.hpp"

#include <sys/mount.h>

#include <cerrno>
#include <fstream>
#include <stdexcept>
#include <system_error>

namespace fs = std::filesystem;

namespace bpfoom::selftests
{

namespace
{

const fs::path kEtc = "/etc";

[[noreturn]] void fail(const std::string &what)
{
	throw std::system_error(errno, std::generic_category(), what);
}

// Fills `dir` with a symlink to each entry of `real` (symlinks copied as they are).
void mirror(const fs::path &real, const fs::path &dir)
{
	for (const auto &entry : fs::directory_iterator(real)) {
		const fs::path link = dir / entry.path().filename();
		if (entry.is_symlink())
			fs::create_symlink(fs::read_symlink(entry.path()), link);
		else
			fs::create_symlink(entry.path(), link);
	}
}

} // namespace

WritableEtc::WritableEtc()
{
	enter_private_mount_namespace();
	real_ = scratch_ / "real";
	fs::create_directory(real_);
	if (::mount(kEtc.c_str(), real_.c_str(), nullptr, MS_BIND, nullptr) != 0)
		fail("bind-mounting /etc");
	try {
		if (::mount("tmpfs", kEtc.c_str(), "tmpfs", 0, "mode=0755") != 0)
			fail("mounting a tmpfs on /etc");
		mirror(real_, kEtc);
	} catch (...) {
		unmount();
		throw;
	}
}

WritableEtc::~WritableEtc()
{
	unmount();
}

void WritableEtc::unmount() const
{
	::umount2(kEtc.c_str(), MNT_DETACH);
	// Before the scratch directory goes: its removal must not reach into the real /etc.
	::umount2(real_.c_str(), MNT_DETACH);
}

void WritableEtc::make_directory(const fs::path &relative)
{
	fs::path so_far;
	for (const auto &part : relative) {
		so_far /= part;
		const fs::path dir = kEtc / so_far;
		if (fs::is_symlink(dir)) {
			// One of ours into the real /etc: replace it by a mirror.
			fs::remove(dir);
			fs::create_directory(dir);
			if (fs::is_directory(real_ / so_far))
				mirror(real_ / so_far, dir);
		} else if (!fs::exists(dir)) {
			fs::create_directory(dir);
		}
	}
}

void WritableEtc::write(const fs::path &relative, const std::string &content)
{
	make_directory(relative.parent_path());
	const fs::path file = kEtc / relative;
	fs::remove(file);
	std::ofstream out(file);
	out << content;
	if (!out.flush())
		throw std::runtime_error("cannot write " + file.string());
}

void WritableEtc::remove(const fs::path &relative)
{
	make_directory(relative.parent_path());
	fs::remove(kEtc / relative);
}

} // namespace bpfoom::selftests
