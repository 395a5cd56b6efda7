// SPDX-License-Identifier: GPL-2.0
#include "install_tree.hpp"

#include <stdexcept>

namespace bpfoom::selftests
{

InstallTree::InstallTree()
{
	log_ = run_command({BPFOOM_CMAKE, "--install", std::string(BPFOOM_BUILD_DIR) + "/loader",
			    "--prefix", dir_.path()});
	if (log_.exit_status != 0)
		throw std::runtime_error("cmake --install failed: " + log_.describe());
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
