// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <filesystem>
#include <string>

namespace bpfoom::bench
{

// A scratch directory under $TMPDIR (or /tmp), removed with its contents.
class TempDir
{
public:
	TempDir();
	~TempDir();
	TempDir(const TempDir &) = delete;
	TempDir &operator=(const TempDir &) = delete;

	std::filesystem::path operator/(const std::string &name) const { return path_ / name; }

	// Writes `text` to the file `name` here and returns its path.
	std::string write(const std::string &name, const std::string &text) const;

private:
	std::filesystem::path path_;
};

} // namespace bpfoom::bench
