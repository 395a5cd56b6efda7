// SPDX-License-Identifier: GPL-2.0
/* Malformed: the bookkeeping programs, the maps, the identity, but no verdict program. */
#include "raw_policy.h"
