// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "bpfoom/sync_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>
#include <unordered_map>

#include "bpfoom/cgroup_batch.hpp"
#include "bpfoom/error.hpp"
#include "bpfoom/text.hpp"
#include "bpfoom/unique_fd.hpp"

namespace bpfoom
{
namespace
{

Error bad_line(const std::string &source, unsigned line, const std::string &reason)
{
	return Error(Errc::bad_input, source + ":" + std::to_string(line) + ": " + reason);
}

std::string mebibytes(std::size_t bytes)
{
	return std::to_string(bytes >> 20) + " MiB";
}

/* "0x1b (escape)" for the bytes a sync file may not hold. */
std::string describe_control(unsigned char c)
{
	char hex[8];
	std::snprintf(hex, sizeof(hex), "0x%02x", c);
	switch (c) {
	case '\0':
		return std::string(hex) + " (NUL)";
	case '\r':
		return std::string(hex) + " (carriage return: DOS line endings?)";
	case 0x1b:
		return std::string(hex) + " (escape)";
	default:
		return hex;
	}
}

bool is_control(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

/* Splits a line (comment already removed) at spaces and tabs. */
std::vector<std::string_view> fields_of(std::string_view text)
{
	std::vector<std::string_view> fields;
	std::size_t pos = 0;
	while ((pos = text.find_first_not_of(" \t", pos)) != std::string_view::npos) {
		const std::size_t end = text.find_first_of(" \t", pos);
		fields.push_back(text.substr(pos, end - pos));
		pos = end;
	}
	return fields;
}

} // namespace

std::string read_sync_input(int fd, const std::string &source)
{
	std::string text;
	std::size_t line_start = 0; // where the line being read starts in `text`
	unsigned line = 1;
	char chunk[64 * 1024];
	for (;;) {
		const ssize_t n = ::read(fd, chunk, sizeof(chunk));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			/* Never an early EOF: a broken pipe-line must not read as "no entries". */
			throw Error(Errc::bad_input,
				    source + ": cannot read: " + std::strerror(errno));
		}
		if (n == 0)
			return text;
		if (text.size() + n > sync_input_max_bytes)
			throw Error(Errc::bad_input, source + ": more than " +
							 mebibytes(sync_input_max_bytes) +
							 ", the most a sync input may hold");
		const std::size_t old_size = text.size();
		text.append(chunk, n);
		/* Each line is measured as its bytes arrive, so that an endless one fails at once.
		 */
		for (std::size_t scan = old_size;;) {
			const std::size_t newline = text.find('\n', scan);
			const std::size_t end =
			    newline == std::string::npos ? text.size() : newline;
			if (end - line_start > sync_line_max_bytes)
				throw bad_line(source, line,
					       "longer than " +
						   std::to_string(sync_line_max_bytes) +
						   " bytes, the most a sync file line may hold");
			if (newline == std::string::npos)
				break;
			line++;
			line_start = scan = newline + 1;
		}
	}
}

std::string read_sync_file(const std::string &path)
{
	UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
	if (!fd)
		throw Error(Errc::bad_input,
			    "cannot open " + quote(path) + ": " + std::strerror(errno));
	return read_sync_input(fd.get(), path);
}

std::vector<SyncEntry> parse_sync_file(std::string_view text, const std::string &source,
				       const SyncFileOptions &options)
{
	std::vector<SyncEntry> entries;
	unsigned line = 0;
	std::size_t pos = 0;
	while (pos < text.size()) {
		line++;
		std::size_t end = text.find('\n', pos);
		if (end == std::string_view::npos)
			end = text.size();
		std::string_view content = text.substr(pos, end - pos);
		pos = end + 1;

		/* Before the comment is cut: a NUL must not hide what follows it. */
		for (std::size_t col = 0; col < content.size(); col++)
			if (is_control(content[col]))
				throw bad_line(source, line,
					       "control character " +
						   describe_control(content[col]) + " at column " +
						   std::to_string(col + 1) +
						   " (a sync file is text)");
		if (auto hash = content.find('#'); hash != std::string_view::npos)
			content = content.substr(0, hash);

		/* The reasons name fields by position, never by content. */
		const auto fields = fields_of(content);
		if (fields.empty())
			continue; // blank or comment-only
		if (fields.size() == 1)
			throw bad_line(source, line,
				       "expected '" + std::string(sync_line_syntax) +
					   "', found one field");
		if (fields.size() > 4)
			throw bad_line(source, line,
				       "expected '" + std::string(sync_line_syntax) + "', found " +
					   std::to_string(fields.size()) + " fields");
		const auto value = parse_priority(fields[1]);
		if (!value)
			throw bad_line(
			    source, line,
			    "the priority (field 2) is not a signed 32-bit decimal integer");
		SyncEntry entry{std::string(fields[0]), Priority{*value, 0}, line};
		bool omit = false, request = false;
		for (std::size_t i = 2; i < fields.size(); i++) {
			const std::string field = "field " + std::to_string(i + 1);
			constexpr std::string_view request_prefix = "request=";
			if (fields[i] == "omit" && !omit) {
				omit = true;
				entry.value.flags |= BPFOOM_PRIORITY_F_OMIT;
			} else if (fields[i].starts_with(request_prefix) && !request) {
				request = true;
				const auto size =
				    parse_size(fields[i].substr(request_prefix.size()));
				if (!size)
					throw bad_line(source, line,
						       field +
							   ": the request is not a size in bytes "
							   "(digits, optionally K, M, G, T or Ki, "
							   "Mi, Gi, Ti)");
				entry.value.request = *size;
			} else {
				throw bad_line(
				    source, line,
				    field + " is not 'omit' or 'request=SIZE', or repeats one");
			}
		}
		entries.push_back(std::move(entry));
	}
	if (entries.empty() && !options.allow_empty)
		throw Error(Errc::bad_input,
			    source + ": no entries (empty, or only comments and blank lines); "
				     "as a whole desired set it would remove every priority, so "
				     "it is refused unless asked for (bpfoom sync --allow-empty)");
	return entries;
}

SyncTarget resolve_sync_entries(const std::vector<SyncEntry> &entries,
				const CgroupResolver &cgroups, const std::string &source)
{
	SyncTarget target;
	/* One batch: each parent directory is opened once, not walked per entry. */
	CgroupBatchResolver batch(cgroups);
	std::unordered_map<std::uint64_t, const SyncEntry *> first_seen;
	for (const auto &entry : entries) {
		const Cgroup cgroup = [&] {
			try {
				return batch.resolve(entry.cgroup);
			} catch (const Error &e) {
				throw Error(e.kind(), source + ":" + std::to_string(entry.line) +
							  ": " + e.what());
			}
		}();
		/* Compare ids, not spellings: "a", "/mnt/a" and "a/../a" are one cgroup. */
		auto [it, inserted] = first_seen.emplace(cgroup.id, &entry);
		if (!inserted)
			throw bad_line(source, entry.line,
				       "cgroup " + quote(entry.cgroup) +
					   " is already listed on line " +
					   std::to_string(it->second->line) +
					   (it->second->cgroup == entry.cgroup
						? std::string()
						: " as " + quote(it->second->cgroup)));
		target.desired[cgroup.id] = entry.value;
		target.paths[cgroup.id] = cgroup.path;
	}
	return target;
}

} // namespace bpfoom
