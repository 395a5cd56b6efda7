#!/usr/bin/env bash
# The one command that tests bpfoom: installs what is missing, builds into
# build/, runs the host tests, then boots the patched kernel (built once and
# cached) and runs the VM tests in it. Ends with the line "N passed, M failed",
# counting test cases; a suite that cannot run, crashes, times out or leaves a
# kernel splat counts as one failure.
#
#   scripts/test.sh [--host-only]
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")
build=$top/build
host_only=0
[[ ${1:-} == --host-only ]] && host_only=1

passed=0
failed=0
failures=()

# Stage headers carry the time since the start, so a slow suite shows.
stage() {
	printf '=== %s [%dm%02ds]\n' "$1" $((SECONDS / 60)) $((SECONDS % 60))
}

note_failure() {
	failed=$((failed + 1))
	failures+=("$1")
}

# Runs one Catch2 binary (directly or through the VM) and adds its test-case
# counts to the totals.
run_suite() {
	local name=$1
	shift
	local log
	log=$(mktemp)
	stage "$name"
	"$@" 2>&1 | tee "$log"
	local status=${PIPESTATUS[0]}

	local summary p=0 f=0
	summary=$(grep -aE '^(All tests passed|test cases:)' "$log" | tail -n 1)
	if [[ $summary =~ ^All\ tests\ passed.*\ in\ ([0-9]+)\ test\ case ]]; then
		p=${BASH_REMATCH[1]}
	elif [[ $summary =~ test\ cases:\ +[0-9]+\ \|\ +([0-9]+)\ passed\ \|\ +([0-9]+)\ failed ]]; then
		p=${BASH_REMATCH[1]}
		f=${BASH_REMATCH[2]}
	elif [[ $summary =~ test\ cases:\ +([0-9]+)\ \|\ +([0-9]+)\ failed ]]; then
		f=${BASH_REMATCH[2]}
	fi
	rm -f "$log"
	passed=$((passed + p))
	failed=$((failed + f))
	((f == 0)) || failures+=("$name: $f test case(s)")

	if ((status != 0 && f == 0)); then
		case $status in
		124) note_failure "$name: timed out" ;;
		125) note_failure "$name: kernel splat in the guest log" ;;
		126) note_failure "$name: the guest died" ;;
		*) note_failure "$name: exited with status $status" ;;
		esac
	fi
}

# Runs one command that is a single test: it passes if it exits 0.
run_check() {
	local name=$1
	shift
	stage "$name"
	if "$@"; then
		passed=$((passed + 1))
	else
		note_failure "$name: exited with status $?"
	fi
}

finish() {
	if ((${#failures[@]})); then
		echo "Failures:"
		printf '  %s\n' "${failures[@]}"
	fi
	stage "done"
	echo "$passed passed, $failed failed"
	((failed == 0))
	exit
}

if ((EUID != 0)); then
	note_failure "tests: must run as root (cgroups, BPF, /dev/kmsg, the VM's kernel build cache)"
	finish
fi

stage dependencies
"$here/deps.sh" || { note_failure "deps.sh failed"; finish; }

stage build
if ! cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null ||
	! cmake --build "$build" -j"$(nproc)"; then
	note_failure "build failed"
	finish
fi

catch_args=(--use-colour no)
run_check "host: README walkthrough matches scripts/walkthrough.sh" "$here/check-readme.sh"
run_check "host: sources are clang-formatted" "$here/check-format.sh"
run_suite "host: harness" "$build/selftests/bpfoom_harness_tests" "${catch_args[@]}"
if [[ -x $build/selftests/unit/bpfoom_unit_tests ]]; then
	run_suite "host: unit" "$build/selftests/unit/bpfoom_unit_tests" "${catch_args[@]}"
fi
((host_only)) && finish

stage kernel
if ! kernel=$("$here/build-kernel.sh"); then
	note_failure "kernel build failed"
	finish
fi
for runner_case in status output timeout splat tmp-checkout; do
	run_check "vm: runner $runner_case" "$top/selftests/vm_runner_test.sh" "$runner_case" "$kernel/bzImage"
done
run_suite "vm: kernel hook contract" \
	"$here/vm.sh" --kernel "$kernel/bzImage" --timeout 600 -- \
	"$build/selftests/bpfoom_vm_tests" "${catch_args[@]}"
run_suite "vm: policy scenarios and CLI" \
	"$here/vm.sh" --kernel "$kernel/bzImage" --timeout 900 -- \
	"$build/selftests/bpfoom_scenario_tests" "${catch_args[@]}"
run_check "vm: README walkthrough" \
	"$here/vm.sh" --kernel "$kernel/bzImage" --timeout 300 -- "$here/walkthrough.sh"
if [[ -e $top/selftests/deploy/CMakeLists.txt ]]; then
	run_suite "vm: install, service and orchestration" \
		"$here/vm.sh" --kernel "$kernel/bzImage" --timeout 600 -- \
		"$build/selftests/deploy/bpfoom_deploy_tests" "${catch_args[@]}"
fi
if [[ -e $here/bench.sh ]]; then
	# Each benchmark once with small N, so that none of them rots.
	run_check "benchmarks (quick mode)" "$here/bench.sh" --quick
fi

finish
