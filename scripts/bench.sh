#!/usr/bin/env bash
# Runs every benchmark and prints one table (Markdown) of the figures, each
# beside its baseline: priority updates on the host (library, `bpfoom sync`,
# one bpftool per entry), then victim-selection cost and control-path
# latency in the VM (QEMU TCG). Benchmarks print figures; nothing here
# asserts on time.
#
#   scripts/bench.sh [--quick]
#
# The VM figures come from the bench kernel (build-kernel.sh --flavour bench:
# no lockdep, built like a distribution kernel), as an operator's kernel
# would give them. Victim selection is then counted in guest instructions on
# the same kernel (vm.sh --icount: deterministic, where TCG wall time swings
# with host load) and timed again on the test kernel (lockdep and the other
# checkers), for comparison. The "where" column names the kernel.
#
# --quick runs each benchmark once with small sizes and few OOMs (about a
# minute with the VM boot), so that none of them rots; scripts/test.sh does
# that. It boots the test kernel only: the bench kernel would be a second
# kernel build (about 6 minutes on 2 cores) on a cold cache, too much for a
# smoke run. Instead it checks that the bench flavour still configures
# (build-kernel.sh --flavour bench --config-only, seconds); building and
# booting it is left to the full run. The instruction count runs on the test
# kernel then, with the small sizes.
#
# Progress goes to stderr, the table to stdout. Exits non-zero if any
# benchmark fails to run. Needs root; builds the benchmarks into build/ and
# the kernels (once, cached) if needed.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")
build=$top/build
bench=$build/selftests/bench

usage() {
	sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | sed -e '/^set -uo/d' -e 's/^# \{0,1\}//' >&2
	exit 2
}

# Inside the VM (started below): the guest benchmarks, in one boot; with
# --selection-only, victim selection alone. The other arguments are the
# selection benchmark's. Exit 75: the guest booted without a TSC clock (see
# below); nothing ran.
if [[ ${1:-} == --in-vm ]]; then
	shift
	control=1
	[[ ${1:-} == --selection-only ]] && { control=0; shift; }
	quick=()
	[[ " $* " == *" --quick "* ]] && quick=(--quick)
	"$bench/bpfoom_bench_selection" "$@"
	status=$?
	((status == 75)) && exit 75
	if ((control)); then
		"$bench/bpfoom_bench_control" "${quick[@]}" || status=1
	fi
	exit $status
fi

mode=()
case ${1:-} in
--quick) mode=(--quick) ;;
"") ;;
*) usage ;;
esac
(($# <= 1)) || usage
((EUID == 0)) || { echo "bench.sh: must run as root (cgroups, BPF, the VM)" >&2; exit 1; }

echo "bench.sh: building the benchmarks" >&2
if [[ ! -f $build/CMakeCache.txt ]]; then
	cmake -S "$top" -B "$build" >/dev/null || exit 1
fi
cmake --build "$build" -j"$(nproc)" --target bpfoom_bench_updates bpfoom_bench_selection \
	bpfoom_bench_control >/dev/null || { echo "bench.sh: build failed" >&2; exit 1; }
test_kernel=$("$here/build-kernel.sh") || { echo "bench.sh: test kernel build failed" >&2; exit 1; }
if ((${#mode[@]})); then
	"$here/build-kernel.sh" --flavour bench --config-only ||
		{ echo "bench.sh: the bench kernel flavour does not configure" >&2; exit 1; }
else
	bench_kernel=$("$here/build-kernel.sh" --flavour bench) ||
		{ echo "bench.sh: bench kernel build failed" >&2; exit 1; }
fi

rows=$(mktemp)
trap 'rm -f "$rows"' EXIT
failed=0

# Keeps the "row" lines of a benchmark's output for the table, passes the
# rest (progress, the VM's messages) to stderr as it comes. With a kernel
# label, a row's "VM (...)" becomes "VM (LABEL, ...)".
collect() {
	local label=${1:-} line
	while IFS= read -r line; do
		line=${line%$'\r'}
		if [[ $line == row$'\t'* ]]; then
			line=${line#row$'\t'}
			[[ -n $label ]] && line=${line/#"VM ("/"VM ($label, "}
			printf '%s\n' "$line" >>"$rows"
		else
			printf '%s\n' "$line" >&2
		fi
	done
}

echo "bench.sh: host: priority updates" >&2
"$bench/bpfoom_bench_updates" "${mode[@]}" | collect
((PIPESTATUS[0] == 0)) || { echo "bench.sh: the priority update benchmark failed" >&2; failed=1; }

# Boots KERNEL_DIR's kernel and runs the guest benchmarks (bench.sh --in-vm
# IN_VM_ARGS...), rows labelled LABEL; with --instructions among the
# arguments, under vm.sh --icount. 4,000 sleepers need more than the default
# 512M (threads-max scales with memory). Under TCG the guest calibrates its
# TSC against the emulated PIT, which fails now and then on a busy host and
# leaves it a 4 ms jiffies clock: the full run boots again (up to 4 times)
# until it has a TSC, then makes do. The quick run takes whatever clock it
# gets, and an instruction count needs none.
vm_benchmarks() {
	local kernel=$1 label=$2 attempt status clock vm_opts=()
	shift 2
	[[ " $* " == *" --instructions "* ]] && vm_opts=(--icount)
	for attempt in 1 2 3 4 5; do
		clock=(--require-tsc)
		((${#mode[@]} || ${#vm_opts[@]} || attempt == 5)) && clock=()
		"$here/vm.sh" --kernel "$kernel/bzImage" --memory 1G --timeout 900 "${vm_opts[@]}" -- \
			"$here/bench.sh" --in-vm "$@" "${mode[@]}" "${clock[@]}" 2>&1 | collect "$label"
		status=${PIPESTATUS[0]}
		((status == 75)) || break
		echo "bench.sh: the guest has no TSC clock, booting again" >&2
	done
	((status == 0)) || { echo "bench.sh: a VM benchmark failed ($label)" >&2; failed=1; }
}

if ((${#mode[@]})); then
	echo "bench.sh: VM, test kernel: victim selection, control path" >&2
	vm_benchmarks "$test_kernel" "test kernel"
	echo "bench.sh: VM, test kernel: victim selection in instructions" >&2
	vm_benchmarks "$test_kernel" "test kernel" --selection-only --instructions
	kernels="the patched test kernel"
else
	echo "bench.sh: VM, bench kernel: victim selection, control path" >&2
	vm_benchmarks "$bench_kernel" "bench kernel"
	echo "bench.sh: VM, bench kernel: victim selection in instructions" >&2
	vm_benchmarks "$bench_kernel" "bench kernel" --selection-only --instructions
	echo "bench.sh: VM, test kernel: victim selection" >&2
	vm_benchmarks "$test_kernel" "test kernel with lockdep" --selection-only
	kernels="the patched kernel, bench flavour (no lockdep, -O2, SMP, PREEMPT_DYNAMIC;"
	kernels+=" kernel/bench.config) and test flavour (lockdep; kernel/bpfoom.config)"
fi

[[ -s $rows ]] || { echo "bench.sh: no benchmark printed a figure" >&2; exit 1; }
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo "bpfoom benchmarks: scripts/bench.sh${mode[*]:+ ${mode[*]}} ($(date -u +%Y-%m-%d)," \
	"host $(nproc) CPUs ${cpu:-unknown CPU}, Linux $(uname -r); VM: QEMU TCG, 1 vCPU, 1G," \
	"$kernels)"
echo
echo "| where | benchmark | N | bpfoom | baseline | ratio | target |"
echo "|---|---|--:|--:|--:|--:|---|"
awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7 }' "$rows"
exit $failed
