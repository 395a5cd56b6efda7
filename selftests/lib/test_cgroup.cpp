// SPDX-License-Identifier: GPL-2.0
#include "test_cgroup.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>

namespace fs = std::filesystem;

namespace bpfoom::selftests
{

fs::path cgroup2_mount()
{
	std::ifstream mountinfo("/proc/self/mountinfo");
	std::string line;
	while (std::getline(mountinfo, line)) {
		// "... mountpoint options [optional fields] - fstype source ..."
		std::istringstream fields(line);
		std::string id, parent, devno, root, mountpoint, token;
		fields >> id >> parent >> devno >> root >> mountpoint;
		while (fields >> token && token != "-") {
		}
		std::string fstype;
		fields >> fstype;
		if (fstype == "cgroup2")
			return mountpoint;
	}
	throw std::runtime_error("no cgroup2 mount in /proc/self/mountinfo");
}

MemoryEvents parse_memory_events(std::string_view text)
{
	MemoryEvents events;
	std::istringstream lines{std::string(text)};
	std::string name;
	std::uint64_t value;
	while (lines >> name >> value)
		events[name] = value;
	return events;
}

TestCgroup::TestCgroup(const std::string &parent)
{
	const std::string base = parent.empty() ? cgroup2_mount().string() : parent;
	for (int attempt = 0;; attempt++) {
		path_ = base + "/bpfoom-test-" + std::to_string(::getpid()) + "-" +
			std::to_string(attempt);
		if (::mkdir(path_.c_str(), 0755) == 0)
			return;
		if (errno != EEXIST)
			throw std::system_error(errno, std::generic_category(), "mkdir " + path_);
	}
}

TestCgroup::TestCgroup(const std::string &parent, const std::string &name)
    : path_(parent + "/" + name)
{
	if (::mkdir(path_.c_str(), 0755) != 0) {
		const int error = errno;
		throw std::system_error(
		    error, std::generic_category(),
		    "mkdir " + path_ +
			(error == EEXIST ? " (left behind by an earlier run?)" : ""));
	}
}

TestCgroup::~TestCgroup()
{
	if (removed_)
		return;
	// cgroup.kill (5.14+) kills every task in the subtree; rmdir succeeds
	// only once they are gone, so retry briefly while they exit.
	std::ofstream(path_ + "/cgroup.kill") << "1";
	for (int attempt = 0; attempt < 500; attempt++) {
		if (::rmdir(path_.c_str()) == 0 || errno == ENOENT)
			return;
		std::this_thread::sleep_for(std::chrono::milliseconds(10));
	}
}

void TestCgroup::remove()
{
	if (::rmdir(path_.c_str()) != 0)
		throw std::system_error(errno, std::generic_category(), "rmdir " + path_);
	removed_ = true;
}

std::uint64_t TestCgroup::id() const
{
	struct stat st {
	};
	if (::stat(path_.c_str(), &st) != 0)
		throw std::system_error(errno, std::generic_category(), "stat " + path_);
	return st.st_ino;
}

void TestCgroup::write(const std::string &file, const std::string &value) const
{
	std::ofstream out(path_ + "/" + file);
	out << value;
	out.flush();
	if (!out)
		throw std::runtime_error("cannot write '" + value + "' to " + path_ + "/" + file);
}

std::string TestCgroup::read(const std::string &file) const
{
	std::ifstream in(path_ + "/" + file);
	if (!in)
		throw std::runtime_error("cannot read " + path_ + "/" + file);
	std::ostringstream text;
	text << in.rdbuf();
	return text.str();
}

MemoryEvents TestCgroup::memory_events() const
{
	return parse_memory_events(read("memory.events"));
}

std::uint64_t TestCgroup::oom_kills() const
{
	auto events = memory_events();
	auto it = events.find("oom_kill");
	if (it == events.end())
		throw std::runtime_error(path_ + "/memory.events has no oom_kill");
	return it->second;
}

void TestCgroup::enable_memory_for_children() const
{
	write("cgroup.subtree_control", "+memory");
}

} // namespace bpfoom::selftests
