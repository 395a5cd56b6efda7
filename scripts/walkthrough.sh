#!/usr/bin/env bash
# The README's walkthrough, runnable in the test VM:
#   scripts/vm.sh -- scripts/walkthrough.sh
# Two workloads share a 100 MB memory cgroup; the smaller one, started last,
# matters less.
# Stops at the first command that fails or result that differs from the README.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH=$top/build/loader/cli:$top/build/selftests:$PATH
. "$top/scripts/steps.sh"

cg=/sys/fs/cgroup/shop
mkdir $cg $cg/batch $cg/database
echo +memory >$cg/cgroup.subtree_control
echo 100M >$cg/memory.max
trap 'echo 1 >$cg/cgroup.kill; sleep 0.5; rmdir $cg/batch $cg/database $cg' EXIT

## walkthrough start
step bpfoom probe
step bpfoom load
step bpfoom set shop/batch 10
step bpfoom set shop/database 100
step bpfoom list
step bpfoom-hog shop/database 80 database
oom_victim bpfoom-hog shop/batch 30 batch-job
step bpfoom events
step grep -x 'oom_kill 1' $cg/batch/memory.events
step grep -x 'oom_kill 0' $cg/database/memory.events
printf '%s\n' 'shop/batch 500' 'shop/database 100 omit' >/tmp/priorities.conf
step bpfoom sync /tmp/priorities.conf
step bpfoom status --json
step bpfoom unload
## walkthrough end
