// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// Human output: columns aligned to their widest cell.
#pragma once

#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

#include "bpfoom/text.hpp"

namespace bpfoom::cli
{

/*
 * Cells are shown escape()d: a cell may hold a cgroup path or a comm, which
 * whoever names the cgroup or the task controls, and must not reach the
 * terminal as control bytes.
 */
class Table
{
public:
	explicit Table(std::vector<std::string> header) { add(std::move(header)); }

	void add(std::vector<std::string> row)
	{
		for (auto &cell : row)
			cell = escape(cell);
		rows_.push_back(std::move(row));
	}
	bool empty() const { return rows_.size() == 1; }

	void print(std::ostream &out) const
	{
		std::vector<std::size_t> widths;
		for (const auto &row : rows_)
			for (std::size_t i = 0; i < row.size(); i++) {
				widths.resize(std::max(widths.size(), i + 1));
				widths[i] = std::max(widths[i], display_width(row[i]));
			}
		for (const auto &row : rows_) {
			std::string line;
			for (std::size_t i = 0; i < row.size(); i++) {
				line += row[i];
				if (i + 1 < row.size())
					line +=
					    std::string(widths[i] - display_width(row[i]) + 2, ' ');
			}
			out << line << '\n';
		}
	}

private:
	std::vector<std::vector<std::string>> rows_;
};

} // namespace bpfoom::cli
