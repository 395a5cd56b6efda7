// SPDX-License-Identifier: GPL-2.0
#include "sysctl_override.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace bpfoom::bench
{

namespace
{

void write_value(const std::string &path, const std::string &value)
{
	std::ofstream out(path);
	out << value << '\n';
	out.close();
	if (!out)
		throw std::runtime_error("cannot write '" + value + "' to " + path);
}

} // namespace

SysctlOverride::SysctlOverride(std::string path, const std::string &value) : path_(std::move(path))
{
	std::ifstream in(path_);
	std::ostringstream text;
	text << in.rdbuf();
	if (!in)
		throw std::runtime_error("cannot read " + path_);
	old_ = text.str();
	while (!old_.empty() && old_.back() == '\n')
		old_.pop_back();
	write_value(path_, value);
}

SysctlOverride::~SysctlOverride()
{
	try {
		write_value(path_, old_);
	} catch (...) {
		// A destructor cannot report; the guest is thrown away anyway.
	}
}

} // namespace bpfoom::bench
