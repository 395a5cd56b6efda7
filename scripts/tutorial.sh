#!/usr/bin/env bash
# The README's policy tutorial, runnable in the test VM:
#   scripts/vm.sh -- scripts/tutorial.sh
# A 20-line policy, docs/examples/youngest_first.bpf.c: in an OOM the most
# recently started process dies first. It is checked, loaded in dry run
# (the kernel still chooses; the events say what the policy would have
# done), then enforced. Every OOM is triggered by the task that dies, so
# that no second kill can follow the first.
# Stops at the first command that fails or result that differs from the README.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
export PATH=$top/build/loader/cli:$top/build/selftests:$PATH
. "$top/scripts/steps.sh"

cg=/sys/fs/cgroup/lab
mkdir $cg $cg/a $cg/b $cg/c
echo +memory >$cg/cgroup.subtree_control
echo 100M >$cg/memory.max
trap 'echo 1 >$cg/cgroup.kill; sleep 0.5; rmdir $cg/a $cg/b $cg/c $cg; bpfoom unload >/dev/null' EXIT

## tutorial start
step bpfoom policy check docs/examples/youngest_first.bpf.c
step bpfoom load --policy docs/examples/youngest_first.bpf.c --dry-run
step bpfoom-hog lab/a 20 first
oom_victim bpfoom-hog lab/b 90 second
step bpfoom events
step bpfoom config --dry-run off
step bpfoom-hog lab/c 50 third
oom_victim bpfoom-hog lab/a 40 fourth
step bpfoom events
step grep -x 'oom_kill 0' $cg/c/memory.events
step bpfoom status
## tutorial end
