// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// Where a command's report goes: its text, or under --json its document.
#pragma once

#include <concepts>
#include <iostream>

#include "json.hpp"
#include "render.hpp"

namespace bpfoom::cli
{

template <typename Report>
concept HasJsonDocument = requires(const Report &report)
{
	{
		to_json(report)
		} -> std::convertible_to<Json>;
};

class Output
{
public:
	explicit Output(bool json = false) : json_(json) {}
	bool json() const { return json_; }

	/*
	 * A report without a JSON document prints null under --json, as
	 * bpftool does, so that stdout always parses.
	 */
	template <typename Report> void print(const Report &report) const
	{
		if (!json_)
			print_text(report, std::cout);
		else if constexpr (HasJsonDocument<Report>)
			print_json(to_json(report));
		else
			print_json(nullptr);
	}

private:
	bool json_;
};

} // namespace bpfoom::cli
