#!/usr/bin/env bash
# Runs every benchmark and prints one table (Markdown) of the figures, each
# beside its baseline: priority updates on the host (library, `bpfoom sync`,
# one bpftool per entry), then victim-selection cost and control-path
# latency in the test VM (QEMU TCG). Benchmarks print figures; nothing here
# asserts on time.
#
#   scripts/bench.sh [--quick]
#
# --quick runs each benchmark once with small sizes and few OOMs (about a
# minute with the VM boot), so that none of them rots; scripts/test.sh does
# that. Progress goes to stderr, the table to stdout. Exits non-zero if any
# benchmark fails to run. Needs root; builds the benchmarks into build/ and
# the test kernel (once, cached) if needed.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")
build=$top/build
bench=$build/selftests/bench

usage() {
	sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | sed -e '/^set -uo/d' -e 's/^# \{0,1\}//' >&2
	exit 2
}

# Inside the VM (started below): both guest benchmarks, in one boot.
# Exit 75: the guest booted without a TSC clock (see below); nothing ran.
if [[ ${1:-} == --in-vm ]]; then
	shift
	quick=()
	[[ " $* " == *" --quick "* ]] && quick=(--quick)
	"$bench/bpfoom_bench_selection" "$@"
	status=$?
	((status == 75)) && exit 75
	"$bench/bpfoom_bench_control" "${quick[@]}" || status=1
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
kernel=$("$here/build-kernel.sh") || { echo "bench.sh: kernel build failed" >&2; exit 1; }

rows=$(mktemp)
trap 'rm -f "$rows"' EXIT
failed=0

# Keeps the "row" lines of a benchmark's output for the table, passes the
# rest (progress, the VM's messages) to stderr as it comes.
collect() {
	local line
	while IFS= read -r line; do
		line=${line%$'\r'}
		if [[ $line == row$'\t'* ]]; then
			printf '%s\n' "${line#row$'\t'}" >>"$rows"
		else
			printf '%s\n' "$line" >&2
		fi
	done
}

echo "bench.sh: host: priority updates" >&2
"$bench/bpfoom_bench_updates" "${mode[@]}" | collect
((PIPESTATUS[0] == 0)) || { echo "bench.sh: the priority update benchmark failed" >&2; failed=1; }

# 4,000 sleepers need more than the default 512M (threads-max scales with
# memory). Under TCG the guest calibrates its TSC against the emulated PIT,
# which fails now and then on a busy host and leaves it a 4 ms jiffies
# clock: the full run boots again (up to 4 times) until it has a TSC, then
# makes do. The quick run takes whatever clock it gets.
echo "bench.sh: VM: victim selection, control path" >&2
for attempt in 1 2 3 4 5; do
	clock=(--require-tsc)
	((${#mode[@]} || attempt == 5)) && clock=()
	"$here/vm.sh" --kernel "$kernel/bzImage" --memory 1G --timeout 900 -- \
		"$here/bench.sh" --in-vm "${mode[@]}" "${clock[@]}" 2>&1 | collect
	status=${PIPESTATUS[0]}
	((status == 75)) || break
	echo "bench.sh: the guest has no TSC clock, booting again" >&2
done
((status == 0)) || { echo "bench.sh: a VM benchmark failed" >&2; failed=1; }

[[ -s $rows ]] || { echo "bench.sh: no benchmark printed a figure" >&2; exit 1; }
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo "bpfoom benchmarks: scripts/bench.sh${mode[*]:+ ${mode[*]}} ($(date -u +%Y-%m-%d)," \
	"host $(nproc) CPUs ${cpu:-unknown CPU}, Linux $(uname -r); VM: QEMU TCG, 1 vCPU, 1G," \
	"the patched test kernel)"
echo
echo "| where | benchmark | N | bpfoom | baseline | ratio | target |"
echo "|---|---|--:|--:|--:|--:|---|"
awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7 }' "$rows"
exit $failed
