// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#pragma once

#include <filesystem>
#include <string>

namespace bpfoom
{

/*
 * Compiles a policy written in C against the SDK (bpfoom/policy.bpf.h) into
 * a BPF object: clang, BPF target, CO-RE, -O2 -g, with the SDK's headers
 * (embedded in this library, see sdk_files.cmake) first on the include path.
 *
 * Results are cached by content in `cache_dir`/objects: the key covers the
 * preprocessed source (so the policy's own #includes count), the SDK, the
 * flags and the compiler binary. The cache directory must be root's alone,
 * as the pin directory must: whoever can write it chooses what gets loaded.
 */
class PolicyCompiler
{
public:
	/*
	 * The clang decided at build time, unless BPFOOM_CLANG names another;
	 * the cache in BPFOOM_POLICY_CACHE, else /var/cache/bpfoom.
	 */
	static PolicyCompiler from_environment();

	PolicyCompiler(std::filesystem::path clang, std::filesystem::path cache_dir)
	    : clang_(std::move(clang)), cache_dir_(std::move(cache_dir))
	{
	}

	const std::filesystem::path &clang() const { return clang_; }
	const std::filesystem::path &cache_dir() const { return cache_dir_; }

	/*
	 * The object compiled from `source`, from the cache if it holds it.
	 * Errc::unsupported (one sentence naming what is missing) if there is
	 * no usable clang; Errc::policy_compile with clang's last diagnostics
	 * if the source does not compile; Errc::bad_input if it cannot be read.
	 */
	std::string compile(const std::filesystem::path &source) const;

	/*
	 * Compiles `source` into `output` (replaced atomically), without the
	 * cache: for building policies in a CI job, with no root and no
	 * /var/cache. The same errors as compile().
	 */
	void build(const std::filesystem::path &source, const std::filesystem::path &output) const;

private:
	std::filesystem::path clang_;
	std::filesystem::path cache_dir_;
};

} // namespace bpfoom
