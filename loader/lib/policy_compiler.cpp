// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "bpfoom/policy_compiler.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "bpfoom/error.hpp"
#include "bpfoom/text.hpp"
#include "sdk_files.hpp"
#include "sha256.hpp"
#include "subprocess.hpp"

namespace fs = std::filesystem;

namespace bpfoom
{
namespace
{

/* What every policy is compiled with, besides the SDK's include directory. */
const std::vector<std::string> compile_flags = {"-g",
						"-O2",
						"-target",
						"bpf",
						"-D__TARGET_ARCH_" BPFOOM_BPF_ARCH,
						"-Wall",
						"-Wno-unused-parameter",
						"-Wno-missing-field-initializers"};

/* How many of clang's last output lines an error shows. */
constexpr std::size_t diagnostic_lines = 40;

std::string read_file(const fs::path &path, Errc kind, const std::string &what)
{
	std::ifstream in(path, std::ios::binary);
	if (!in)
		throw Error(kind, "cannot read " + what + " " + quote(path.string()) + ": " +
				      std::strerror(errno));
	std::ostringstream bytes;
	bytes << in.rdbuf();
	return bytes.str();
}

/* Writes `bytes` to `path` through a temporary beside it and a rename. */
void write_file_atomically(const fs::path &path, std::string_view bytes)
{
	const fs::path tmp = path.string() + ".tmp-" + std::to_string(::getpid());
	{
		std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
		out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
		if (!out.flush())
			throw system_error("cannot write " + quote(tmp.string()), errno);
	}
	if (::rename(tmp.c_str(), path.c_str()) != 0) {
		int err = errno;
		::unlink(tmp.c_str());
		throw system_error("cannot write " + quote(path.string()), err);
	}
}

/* The last `count` lines of `text`. */
std::string last_lines(std::string_view text, std::size_t count)
{
	std::size_t start = text.size();
	if (start && text[start - 1] == '\n')
		start--;
	for (std::size_t seen = 0; start > 0; start--)
		if (text[start - 1] == '\n' && ++seen == count)
			break;
	return std::string(text.substr(start));
}

/* A directory that is removed with everything in it when this goes away. */
class ScratchDir
{
public:
	explicit ScratchDir(const fs::path &parent)
	{
		std::string templ = (parent / "build.XXXXXX").string();
		if (!::mkdtemp(templ.data()))
			throw system_error("cannot create a scratch directory in " +
					       quote(parent.string()),
					   errno);
		path_ = templ;
	}
	~ScratchDir()
	{
		std::error_code ignored;
		fs::remove_all(path_, ignored);
	}
	ScratchDir(const ScratchDir &) = delete;
	ScratchDir &operator=(const ScratchDir &) = delete;
	const fs::path &path() const { return path_; }

private:
	fs::path path_;
};

/* The digest of the embedded SDK: names the directory it is written out to. */
std::string sdk_digest()
{
	Sha256 digest;
	for (const SdkFile &file : sdk_files())
		digest.update(file.path).update(std::string_view("\0", 1)).update(file.text);
	return digest.hex();
}

/*
 * The cache directory, created 0700 if missing. Like the pin directory it
 * must be this user's alone: whoever can write it decides what gets loaded.
 */
void require_private_dir(const fs::path &dir)
{
	std::error_code ec;
	fs::create_directories(dir.parent_path(), ec);
	if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
		throw system_error("cannot create the policy cache " + quote(dir.string()), errno);
	struct stat st;
	if (::lstat(dir.c_str(), &st) != 0)
		throw system_error("cannot look at the policy cache " + quote(dir.string()), errno);
	if (!S_ISDIR(st.st_mode) || st.st_uid != ::geteuid() || (st.st_mode & 077)) {
		char mode[8];
		std::snprintf(mode, sizeof(mode), "%04o", unsigned(st.st_mode & 07777));
		throw Error(Errc::unsupported,
			    "the policy cache " + quote(dir.string()) + " (owner uid " +
				std::to_string(st.st_uid) + ", mode " + mode +
				") is not a directory that is this user's alone; remove it or "
				"point BPFOOM_POLICY_CACHE elsewhere");
	}
}

/* The SDK's headers written out under `parent` (once per SDK), as an include directory. */
fs::path write_sdk(const fs::path &parent)
{
	const fs::path dir = parent / ("sdk-" + sdk_digest().substr(0, 16));
	if (fs::is_directory(dir))
		return dir;
	ScratchDir staging(parent);
	for (const SdkFile &file : sdk_files()) {
		fs::create_directories((staging.path() / file.path).parent_path());
		write_file_atomically(staging.path() / file.path, file.text);
	}
	/* Another compile may have won the race: its copy is the same. */
	if (::rename(staging.path().c_str(), dir.c_str()) != 0 && errno != EEXIST &&
	    errno != ENOTEMPTY)
		throw system_error("cannot write the policy SDK to " + quote(dir.string()), errno);
	return dir;
}

/* Runs clang; a failure is the policy's, with clang's last diagnostics. */
void run_clang(const fs::path &clang, std::vector<std::string> args, const fs::path &source)
{
	args.insert(args.begin(), clang.string());
	const SubprocessResult result = run_subprocess(args);
	if (result.exit_status == 0)
		return;
	const std::string how =
	    result.signal ? "clang was killed by signal " + std::to_string(result.signal)
			  : "clang exited with status " + std::to_string(result.exit_status);
	throw Error(Errc::policy_compile,
		    "policy " + quote(source.string()) + " does not compile (" + how +
			"; its diagnostics are above)",
		    last_lines(result.output, diagnostic_lines));
}

/* The compiler's identity for the cache key: its resolved path, size and modification time. */
std::string compiler_identity(const fs::path &clang)
{
	struct stat st;
	std::error_code ec;
	const fs::path real = fs::canonical(clang, ec);
	if (ec || ::stat(real.c_str(), &st) != 0)
		return clang.string();
	return real.string() + ":" + std::to_string(st.st_size) + ":" +
	       std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
}

/* Refuses early, in one sentence, if there is no clang to run. */
void require_clang(const fs::path &clang, const fs::path &source)
{
	if (::access(clang.c_str(), X_OK) != 0)
		throw Error(Errc::unsupported,
			    "cannot compile " + quote(source.string()) + ": no clang at " +
				quote(clang.string()) +
				" (install clang, or set BPFOOM_CLANG to one that targets BPF); "
				"shipped policies and .bpf.o objects load without it");
}

/*
 * Preprocesses (keeping line markers, so that clang's diagnostics name the
 * policy's own file and lines) and compiles the preprocessed text: what a
 * cache key hashes is exactly what is compiled. With `objects`, the result
 * is looked up in and added to that cache, keyed by the compiler, the
 * flags and the preprocessed text (so the policy's own #includes count).
 */
std::string compile_in(const fs::path &clang, const fs::path &source, const fs::path &sdk,
		       const fs::path &scratch, const fs::path *objects)
{
	const fs::path preprocessed = scratch / "policy.i";
	std::vector<std::string> args = compile_flags;
	args.insert(args.end(),
		    {"-I" + sdk.string(), "-E", source.string(), "-o", preprocessed.string()});
	run_clang(clang, args, source);

	fs::path cached;
	if (objects) {
		const std::string text =
		    read_file(preprocessed, Errc::internal, "preprocessed policy");
		Sha256 key;
		key.update(compiler_identity(clang));
		for (const auto &flag : compile_flags)
			key.update(std::string_view("\0", 1)).update(flag);
		key.update(std::string_view("\0", 1)).update(text);
		cached = *objects / (key.hex() + ".bpf.o");
		if (fs::is_regular_file(cached))
			return read_file(cached, Errc::internal, "cached policy object");
	}

	const fs::path object = scratch / "policy.bpf.o";
	args = compile_flags;
	args.insert(args.end(), {"-c", preprocessed.string(), "-o", object.string()});
	run_clang(clang, args, source);
	std::string bytes = read_file(object, Errc::internal, "compiled policy object");
	if (objects)
		write_file_atomically(cached, bytes);
	return bytes;
}

} // namespace

PolicyCompiler PolicyCompiler::from_environment()
{
	const char *clang = std::getenv("BPFOOM_CLANG");
	const char *cache = std::getenv("BPFOOM_POLICY_CACHE");
	return PolicyCompiler(clang && *clang ? clang : BPFOOM_DEFAULT_CLANG,
			      cache && *cache ? cache : "/var/cache/bpfoom");
}

std::string PolicyCompiler::compile(const fs::path &source) const
{
	(void)read_file(source, Errc::bad_input, "policy source");
	require_clang(clang_, source);
	require_private_dir(cache_dir_);
	const fs::path objects = cache_dir_ / "objects";
	require_private_dir(objects);
	const fs::path sdk = write_sdk(cache_dir_);
	ScratchDir scratch(cache_dir_);
	return compile_in(clang_, source, sdk, scratch.path(), &objects);
}

/* No cache: whoever builds policies in their own CI needs no root and no /var/cache. */
void PolicyCompiler::build(const fs::path &source, const fs::path &output) const
{
	(void)read_file(source, Errc::bad_input, "policy source");
	require_clang(clang_, source);
	ScratchDir scratch(fs::temp_directory_path());
	const fs::path sdk = write_sdk(scratch.path());
	write_file_atomically(output, compile_in(clang_, source, sdk, scratch.path(), nullptr));
}

} // namespace bpfoom
