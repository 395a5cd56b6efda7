// SPDX-License-Identifier: GPL-2.0
#include "temp_dir.hpp"

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <system_error>

namespace bpfoom::bench
{

TempDir::TempDir()
{
	const char *tmp = std::getenv("TMPDIR");
	std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/bpfoom-bench.XXXXXX";
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
	const auto path = path_ / name;
	std::ofstream out(path);
	out << text;
	out.close();
	if (!out)
		throw std::runtime_error("cannot write " + path.string());
	return path.string();
}

} // namespace bpfoom::bench
