// SPDX-License-Identifier: GPL-2.0
#include "temp_dir.hpp"

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>

namespace bpfoom::selftests
{

TempDir::TempDir(const std::string &prefix, const std::string &parent)
{
	const char *tmp = std::getenv("TMPDIR");
	const std::string base = !parent.empty() ? parent : tmp && *tmp ? tmp : "/tmp";
	std::string templ = base + "/" + prefix + ".XXXXXX";
	if (!::mkdtemp(templ.data()))
		throw std::system_error(errno, std::generic_category(), "mkdtemp " + templ);
	path_ = templ;
}

TempDir::~TempDir()
{
	std::error_code ignored;
	std::filesystem::remove_all(path_, ignored);
}

std::string TempDir::write(const std::string &name, const std::string &text) const
{
	const std::string path = *this / name;
	std::ofstream out(path);
	out << text;
	out.close();
	if (!out)
		throw std::runtime_error("cannot write " + path);
	return path;
}

} // namespace bpfoom::selftests
