#!/usr/bin/env bash
# bpfoom in one command, on a fresh Debian 12 machine, as root: installs
# what is missing (scripts/deps.sh), builds the loader and tools (cmake, into
# build/) and the patched kernel (scripts/build-kernel.sh: about 6 minutes
# the first time, cached afterwards), boots it under QEMU and runs
# scripts/demo-oom.sh there: the same OOM twice, the stock kernel's choice
# and the bpfoom policy's, side by side.
#
#   scripts/demo.sh
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")
build=$top/build

step() { printf '\n== %s\n' "$*"; }

if ((EUID != 0)); then
	echo "demo: run as root: it installs packages, and the kernel cache and VM run as root" >&2
	exit 1
fi

step "dependencies (scripts/deps.sh)"
"$here/deps.sh"

step "building the loader and tools (cmake, into build/)"
log=$(mktemp)
if ! { cmake -S "$top" -B "$build" && cmake --build "$build" -j"$(nproc)"; } >"$log" 2>&1; then
	tail -n 40 "$log" >&2
	echo "demo: the build failed; full log: $log" >&2
	exit 1
fi
rm -f "$log"
echo "built $build/loader/cli/bpfoom and $build/selftests/bpfoom-hog"

step "the patched kernel (scripts/build-kernel.sh; ~6 min the first time)"
kernel=$("$here/build-kernel.sh")

step "booting it under QEMU (scripts/vm.sh) to run scripts/demo-oom.sh"
"$here/vm.sh" --kernel "$kernel/bzImage" --timeout 300 -- "$here/demo-oom.sh"
