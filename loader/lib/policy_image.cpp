// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "bpfoom/policy_image.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "bpfoom/error.hpp"
#include "bpfoom/policy_compiler.hpp"
#include "bpfoom/text.hpp"
#include "bpfoom_largest_cgroup.skel.h"
#include "bpfoom_over_request.skel.h"
#include "bpfoom_policy.skel.h"
#include "sha256.hpp"

namespace fs = std::filesystem;

namespace bpfoom
{
namespace
{

/* The shipped policies, the default first; each embedded by its skeleton. */
constexpr ShippedPolicy shipped[] = {
    {"priority", "per-cgroup priorities, inherit or tournament mode, omit"},
    {"largest-cgroup", "priorities, then the largest memcg (or memory.oom.group unit) dies first"},
    {"over-request", "the cgroup most over its memory request (sync request=SIZE) dies first"},
};
/* The skeletons' accessors for the objects they embed, in the same order. */
constexpr const void *(*shipped_objects[])(std::size_t *size) = {
    bpfoom_policy__elf_bytes,
    bpfoom_largest_cgroup__elf_bytes,
    bpfoom_over_request__elf_bytes,
};
static_assert(std::size(shipped) == std::size(shipped_objects));

bool ends_with(std::string_view text, std::string_view suffix)
{
	return text.size() >= suffix.size() &&
	       text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/* The policy's name from its file: youngest.bpf.c -> "youngest". */
std::string name_from_file(const fs::path &path)
{
	std::string name = path.filename().string();
	for (std::string_view suffix : {".bpf.c", ".bpf.o", ".c", ".o"})
		if (ends_with(name, suffix)) {
			name.resize(name.size() - suffix.size());
			break;
		}
	if (name.size() >= BPFOOM_POLICY_NAME_LEN)
		name.resize(BPFOOM_POLICY_NAME_LEN - 1);
	return name;
}

std::string read_object(const fs::path &path)
{
	std::ifstream in(path, std::ios::binary);
	if (!in)
		throw Error(Errc::bad_input, "cannot read policy object " + quote(path.string()) +
						 ": " + std::strerror(errno));
	std::ostringstream bytes;
	bytes << in.rdbuf();
	return bytes.str();
}

} // namespace

std::string PolicyImage::sha256() const
{
	return sha256_hex(object);
}

std::span<const ShippedPolicy> shipped_policies()
{
	return shipped;
}

PolicyImage shipped_policy(std::string_view name)
{
	for (std::size_t i = 0; i < std::size(shipped); i++)
		if (shipped[i].name == name) {
			std::size_t size = 0;
			const void *bytes = shipped_objects[i](&size);
			return {std::string(name), "shipped",
				std::string(static_cast<const char *>(bytes), size)};
		}
	std::string names;
	for (const auto &policy : shipped)
		names += (names.empty() ? "" : ", ") + std::string(policy.name);
	throw Error(Errc::bad_input, "no shipped policy is called " + quote(name) + " (shipped: " +
					 names + "; a policy file must end in .bpf.c or .bpf.o)");
}

PolicyImage resolve_policy(std::string_view spec, const PolicyCompiler &compiler)
{
	const fs::path path(spec);
	if (ends_with(spec, ".c"))
		return {name_from_file(path), path.string(), compiler.compile(path)};
	if (ends_with(spec, ".o"))
		return {name_from_file(path), path.string(), read_object(path)};
	return shipped_policy(spec);
}

} // namespace bpfoom
