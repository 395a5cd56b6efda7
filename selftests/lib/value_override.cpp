// SPDX-License-Identifier: GPL-2.0
#include "value_override.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace bpfoom::selftests
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

ValueOverride::ValueOverride(std::string path, const std::string &value) : path_(std::move(path))
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

ValueOverride::~ValueOverride()
{
	try {
		write_value(path_, old_);
	} catch (...) {
		// A destructor cannot report; what it restores is the test's own state.
	}
}

} // namespace bpfoom::selftests
