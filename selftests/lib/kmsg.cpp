// SPDX-License-Identifier: GPL-2.0
#include "kmsg.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <system_error>

namespace bpfoom::selftests
{

namespace
{

std::string_view field(std::string_view line, std::string_view key)
{
	// Keys are matched at a field boundary: "pid=" must not match "tgid=".
	for (size_t at = line.find(key); at != std::string_view::npos;
	     at = line.find(key, at + 1)) {
		if (at != 0 && line[at - 1] != ',' && line[at - 1] != ':')
			continue;
		auto value = line.substr(at + key.size());
		return value.substr(0, value.find(','));
	}
	return {};
}

// What `parse` makes of each message it recognises, in the order logged.
template <typename T>
std::vector<T> parsed(const std::vector<std::string> &messages,
		      std::optional<T> (*parse)(std::string_view))
{
	std::vector<T> values;
	for (const auto &message : messages)
		if (auto value = parse(message))
			values.push_back(*value);
	return values;
}

} // namespace

std::optional<OomKillRecord> parse_oom_kill_line(std::string_view line)
{
	auto start = line.find("oom-kill:");
	if (start == std::string_view::npos)
		return std::nullopt;
	line = line.substr(start);
	while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
		line.remove_suffix(1);

	OomKillRecord record;
	record.oom_memcg = field(line, "oom_memcg=");
	record.task_memcg = field(line, "task_memcg=");
	record.task = field(line, "task=");
	auto pid = field(line, "pid=");
	if (std::from_chars(pid.data(), pid.data() + pid.size(), record.pid).ec != std::errc{})
		return std::nullopt;
	record.policy = field(line, "policy=") == "bpf";
	return record;
}

std::optional<int> parse_killed_process_line(std::string_view line)
{
	constexpr std::string_view marker = ": Killed process ";
	auto at = line.find(marker);
	if (at == std::string_view::npos)
		return std::nullopt;
	line.remove_prefix(at + marker.size());
	int pid = 0;
	auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), pid);
	if (ec != std::errc{} || end == line.data() + line.size() || *end != ' ')
		return std::nullopt;
	return pid;
}

KmsgReader::KmsgReader()
{
	fd_ = ::open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd_ < 0)
		throw std::system_error(errno, std::generic_category(), "open /dev/kmsg");
	::lseek(fd_, 0, SEEK_END);
}

KmsgReader::~KmsgReader()
{
	::close(fd_);
}

std::vector<std::string> KmsgReader::read_new()
{
	std::vector<std::string> messages;
	char record[8192];
	for (;;) {
		ssize_t n = ::read(fd_, record, sizeof(record));
		if (n < 0 && errno == EPIPE) // overwritten records: skip ahead
			continue;
		if (n <= 0)
			break;
		// "prio,seq,usec,flags;message\n"
		std::string_view text(record, n);
		auto semicolon = text.find(';');
		if (semicolon == std::string_view::npos)
			continue;
		text.remove_prefix(semicolon + 1);
		messages.emplace_back(text.substr(0, text.find('\n')));
	}
	return messages;
}

std::vector<OomKillRecord> oom_kills_in(const std::vector<std::string> &messages)
{
	return parsed(messages, parse_oom_kill_line);
}

std::vector<int> killed_pids_in(const std::vector<std::string> &messages)
{
	return parsed(messages, parse_killed_process_line);
}

} // namespace bpfoom::selftests
