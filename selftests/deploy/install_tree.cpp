// SPDX-License-Identifier: GPL-2.0
#include "install_tree.hpp"

#include <stdlib.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

namespace bpfoom::selftests
{

InstallTree::InstallTree()
{
	char dir[] = "/tmp/bpfoom-install.XXXXXX";
	if (!::mkdtemp(dir))
		throw std::system_error(errno, std::generic_category(), "mkdtemp");
	prefix_ = dir;
	log_ = run_command({BPFOOM_CMAKE, "--install", std::string(BPFOOM_BUILD_DIR) + "/loader",
			    "--prefix", prefix_.string()});
	if (log_.exit_status != 0) {
		std::filesystem::remove_all(prefix_);
		throw std::runtime_error("cmake --install failed: " + log_.describe());
	}
}

InstallTree::~InstallTree()
{
	std::error_code ignored;
	std::filesystem::remove_all(prefix_, ignored);
}

InstalledService::InstalledService(const InstallTree &tree)
    : path_(tree / "lib/systemd/system/bpfoom.service"), unit_(UnitFile::read(path_))
{
}

ExecOutcome InstalledService::run(const std::string &key) const
{
	const Environment env = unit_.environment();
	return run_exec(unit_.commands(key, env), env);
}

} // namespace bpfoom::selftests
