// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

namespace bpfoom::selftests
{

// Where the running kernel mounts cgroup2 (from /proc/self/mountinfo).
std::filesystem::path cgroup2_mount();

// The counters of a memory.events file, by name ("oom", "oom_kill", ...).
using MemoryEvents = std::map<std::string, std::uint64_t>;
MemoryEvents parse_memory_events(std::string_view text);

// A cgroup v2 directory created for one test and removed, with every task
// still in it killed, when the object goes away.
class TestCgroup
{
public:
	TestCgroup(const std::filesystem::path &parent, const std::string &name);
	~TestCgroup();
	TestCgroup(const TestCgroup &) = delete;
	TestCgroup &operator=(const TestCgroup &) = delete;

	const std::filesystem::path &path() const { return path_; }
	// The cgroup v2 id: the inode number of the directory.
	std::uint64_t id() const;

	void write(const std::string &file, const std::string &value) const;
	std::string read(const std::string &file) const;
	MemoryEvents memory_events() const;
	std::uint64_t oom_kills() const;
	// Lets children use the memory controller (cgroup.subtree_control).
	void enable_memory_for_children() const;

private:
	std::filesystem::path path_;
};

} // namespace bpfoom::selftests
