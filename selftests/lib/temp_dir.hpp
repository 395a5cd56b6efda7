// SPDX-License-Identifier: GPL-2.0
#pragma once

#include "non_copyable.hpp"

#include <string>

namespace bpfoom::selftests
{

// A scratch directory, removed with its contents when the object goes.
class TempDir : NonCopyable
{
public:
	// Under $TMPDIR (or /tmp), or under `parent` if one is given.
	explicit TempDir(const std::string &prefix = "bpfoom-test", const std::string &parent = {});
	~TempDir();

	const std::string &path() const { return path_; }
	std::string operator/(const std::string &name) const { return path_ + "/" + name; }

	// Writes `text` to the file `name` here and returns its path.
	std::string write(const std::string &name, const std::string &text) const;

private:
	std::string path_;
};

} // namespace bpfoom::selftests
