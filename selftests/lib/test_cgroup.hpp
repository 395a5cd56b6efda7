// SPDX-License-Identifier: GPL-2.0
#pragma once

#include "non_copyable.hpp"

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

// A cgroup v2 directory created for one test (or benchmark) and removed,
// with every task still in it killed, when the object goes away. The one
// cgroup fixture of the selftests: scenes, farms and host tests build on it.
class TestCgroup : NonCopyable
{
public:
	// A fresh name of its own ("bpfoom-test-PID-N") under `parent`, by
	// default the cgroup2 root.
	explicit TestCgroup(const std::string &parent = {});
	// Exactly `name` under `parent`; throws if it exists already.
	TestCgroup(const std::string &parent, const std::string &name);
	~TestCgroup();

	// Absolute, as the CLI takes it.
	const std::string &path() const { return path_; }
	// The cgroup v2 id: the inode number of the directory.
	std::uint64_t id() const;
	// rmdir now, throwing if the kernel refuses (tasks, children); the
	// destructor then does nothing. For tests of what a removed cgroup leaves.
	void remove();

	void write(const std::string &file, const std::string &value) const;
	std::string read(const std::string &file) const;
	MemoryEvents memory_events() const;
	std::uint64_t oom_kills() const;
	// Lets children use the memory controller (cgroup.subtree_control).
	void enable_memory_for_children() const;

private:
	std::string path_;
	bool removed_ = false;
};

} // namespace bpfoom::selftests
