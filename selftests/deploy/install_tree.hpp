// SPDX-License-Identifier: GPL-2.0
#pragma once

#include "command.hpp"
#include "temp_dir.hpp"
#include "unit_file.hpp"

#include <filesystem>

namespace bpfoom::selftests
{

// bpfoom installed by `cmake --install BUILD/loader --prefix DIR` into a new
// directory under /tmp (a tmpfs in the VM; not $TMPDIR, which may be the
// host's), removed with the object.
//
// loader/ (with loader/packaging/) holds all of bpfoom's install rules. The top-level
// `cmake --install BUILD` installs the same files but then writes
// install_manifest.txt into the build tree, which the VM cannot write.
class InstallTree
{
public:
	InstallTree();

	std::filesystem::path prefix() const { return dir_.path(); }
	std::filesystem::path operator/(const std::filesystem::path &relative) const
	{
		return prefix() / relative;
	}
	// What `cmake --install` printed.
	const CommandResult &install_log() const { return log_; }

private:
	TempDir dir_{"bpfoom-install", "/tmp"};
	CommandResult log_;
};

// The installed bpfoom.service, its commands run as systemd runs them
// (see run_exec), with the environment read afresh for each action, as
// systemd reads EnvironmentFile= whenever it spawns a command.
class InstalledService
{
public:
	explicit InstalledService(const InstallTree &tree);

	const std::filesystem::path &unit_path() const { return path_; }
	const UnitFile &unit() const { return unit_; }

	ExecOutcome start() const { return run("ExecStart"); }
	ExecOutcome reload() const { return run("ExecReload"); }
	ExecOutcome stop() const { return run("ExecStop"); }

private:
	ExecOutcome run(const std::string &key) const;

	std::filesystem::path path_;
	UnitFile unit_;
};

} // namespace bpfoom::selftests
