// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// Private: the policy SDK's headers, embedded at build time (sdk_files.cmake).
#pragma once

#include <span>
#include <string_view>

namespace bpfoom
{

struct SdkFile {
	std::string_view path; // relative to the include directory: "bpfoom/policy.bpf.h"
	std::string_view text;
};

/* Every header a policy may include from the SDK, in a fixed order. */
std::span<const SdkFile> sdk_files();

} // namespace bpfoom
