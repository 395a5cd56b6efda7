// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#pragma once

#include "context.hpp"

namespace bpfoom::cli
{

/* Each returns the exit status; failures are thrown as bpfoom::Error. */
int cmd_probe(const Invocation &inv);
int cmd_load(const Invocation &inv);
int cmd_unload(const Invocation &inv);
int cmd_status(const Invocation &inv);
int cmd_config(const Invocation &inv);
int cmd_set(const Invocation &inv);
int cmd_unset(const Invocation &inv);
int cmd_get(const Invocation &inv);
int cmd_list(const Invocation &inv);
int cmd_gc(const Invocation &inv);
int cmd_sync(const Invocation &inv);
int cmd_events(const Invocation &inv);

} // namespace bpfoom::cli
