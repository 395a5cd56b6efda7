#!/usr/bin/env bash
# Regenerates vmlinux/vmlinux.h from the BTF of the patched kernel that
# scripts/build-kernel.sh builds (or of the vmlinux given as $1). The header is
# committed so that the BPF side builds without a kernel build; rerun this
# after changing kernel/*.patch or kernel/bpfoom.config.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")
vmlinux=${1:-$("$here/build-kernel.sh")/vmlinux}

bpftool btf dump file "$vmlinux" format c >"$top/vmlinux/vmlinux.h.tmp"
grep -q 'bpf_oom_evaluate_task\|struct oom_control {' "$top/vmlinux/vmlinux.h.tmp" ||
	{ echo "gen-vmlinux-h: $vmlinux has no oom_control in its BTF" >&2; exit 1; }
grep -q 'bool chosen_by_bpf;' "$top/vmlinux/vmlinux.h.tmp" ||
	{ echo "gen-vmlinux-h: $vmlinux is not a bpfoom-patched kernel" >&2; exit 1; }
mv "$top/vmlinux/vmlinux.h.tmp" "$top/vmlinux/vmlinux.h"
echo "gen-vmlinux-h: wrote vmlinux/vmlinux.h from $vmlinux" >&2
