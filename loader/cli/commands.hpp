// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// Every command's spec, defined beside its handler; main.cpp lists them.
#pragma once

#include <span>

#include "command.hpp"

namespace bpfoom::cli
{

extern const CommandSpec probe_command, load_command, unload_command, status_command,
    config_command; // cmd_policy.cpp
extern const CommandSpec set_command, unset_command, get_command, list_command,
    gc_command;				 // cmd_priorities.cpp
extern const CommandSpec sync_command;	 // cmd_sync.cpp
extern const CommandSpec events_command; // cmd_events.cpp
extern const CommandSpec policy_list_command, policy_check_command,
    policy_build_command; // cmd_policy_files.cpp

/* bpfoom --help: the commands in `commands`' order, options, environment, exit codes. */
void print_usage(std::ostream &out, std::span<const CommandSpec *const> commands);

} // namespace bpfoom::cli
