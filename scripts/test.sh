#!/usr/bin/env bash
# The one command that tests bpfoom: installs what is missing, builds into
# build/, runs the host tests, then boots the patched kernel (built once and
# cached) and runs the VM tests in it, and last the same kernel without the
# series (the stock flavour). Ends with the line "N passed, M failed",
# counting test cases, read from each Catch2 suite's XML report; every suite
# must be there: a suite that is missing, cannot run, crashes, leaves no
# complete report, runs no test case, times out or leaves a kernel splat
# counts as one failure.
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

reports=$(mktemp -d "${TMPDIR:-/tmp}/bpfoom-test-reports.XXXXXX")
trap 'rm -rf "$reports"' EXIT

# Reads a Catch2 XML report (selftests/lib/catch_main.cpp writes one to
# $BPFOOM_TEST_REPORT): prints "PASSED FAILED" from the run's final
# OverallResultsCases, then the name of each failed test case. Prints
# nothing if the report is missing or incomplete (the suite crashed, hung
# or never started).
read_report() {
	local report=$1 line name= totals=
	local -a failed_names=()
	[[ -s $report ]] || return 0
	while IFS= read -r line; do
		if [[ $line =~ \<TestCase\ name=\"([^\"]*)\" ]]; then
			name=${BASH_REMATCH[1]}
		elif [[ $line =~ \<OverallResult\ success=\"false\" ]]; then
			failed_names+=("$name")
		elif [[ $line =~ \<OverallResultsCases\ successes=\"([0-9]+)\"\ failures=\"([0-9]+)\" ]]; then
			totals="${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
		fi
	done < <(tr -d '\r' <"$report")
	# Only the run's own totals end the report: a group's come before </Catch>.
	grep -q '^</Catch>' <(tr -d '\r' <"$report") || return 0
	[[ -n $totals ]] || return 0
	echo "$totals"
	local unescaped
	for name in "${failed_names[@]}"; do
		unescaped=${name//&quot;/\"}
		unescaped=${unescaped//&apos;/\'}
		unescaped=${unescaped//&lt;/<}
		unescaped=${unescaped//&gt;/>}
		echo "${unescaped//&amp;/\&}"
	done
}

# Runs one Catch2 suite (the command given, a test binary or vm.sh running
# one) that writes its XML report to REPORT, and adds its test-case counts to
# the totals. The console output stays in the log; the counts come from the
# report. A suite with no complete report, or none of whose test cases ran,
# is a failure, as is one that exits non-zero with every test case passed.
run_suite() {
	local name=$1 report=$2
	shift 2
	stage "$name"
	rm -f "$report"
	"$@" 2>&1
	local status=$?

	local summary p f
	summary=$(read_report "$report")
	if [[ -z $summary ]]; then
		note_failure "$name: no complete test report (exit status $status)"
		return
	fi
	read -r p f <<<"$(head -n 1 <<<"$summary")"
	passed=$((passed + p))
	failed=$((failed + f))
	while IFS= read -r test_case; do
		failures+=("$name: $test_case")
	done < <(tail -n +2 <<<"$summary")
	if ((p + f == 0)); then
		note_failure "$name: no test case ran"
	elif ((status != 0 && f == 0)); then
		case $status in
		124) note_failure "$name: timed out" ;;
		125) note_failure "$name: kernel splat in the guest log" ;;
		126) note_failure "$name: the guest died" ;;
		*) note_failure "$name: exited with status $status" ;;
		esac
	fi
}

# A Catch2 suite run on this host.
host_suite() {
	local name=$1 report
	report=$reports/$(tr -c 'a-z0-9' '-' <<<"$name").xml
	shift
	run_suite "$name" "$report" env BPFOOM_TEST_REPORT="$report" "$@" "${catch_args[@]}"
}

# A Catch2 suite run in the VM: vm_suite [--kernel DIR] NAME TIMEOUT BINARY,
# on the patched test kernel unless DIR names another build-kernel.sh result.
vm_suite() {
	local on=$kernel
	if [[ $1 == --kernel ]]; then
		on=$2
		shift 2
	fi
	local name=$1 timeout=$2 binary=$3 report
	report=$reports/$(tr -c 'a-z0-9' '-' <<<"$name").xml
	run_suite "$name" "$report" "$here/vm.sh" --kernel "$on/bzImage" --timeout "$timeout" \
		--report "$report" -- "$binary" "${catch_args[@]}"
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
run_check "host: README walkthrough and tutorial match their scripts" "$here/check-readme.sh"
run_check "host: sources are clang-formatted" "$here/check-format.sh"
host_suite "host: harness" "$build/selftests/bpfoom_harness_tests"
host_suite "host: unit" "$build/selftests/unit/bpfoom_unit_tests"
((host_only)) && finish

stage kernel
if ! kernel=$("$here/build-kernel.sh"); then
	note_failure "kernel build failed"
	finish
fi
run_check "kernel: the series passes checkpatch.pl --strict" "$here/check-series.sh"
for runner_case in status output timeout splat tmp-checkout report; do
	run_check "vm: runner $runner_case" "$top/selftests/vm_runner_test.sh" "$runner_case" "$kernel/bzImage"
done
vm_suite "vm: kernel hook contract" 600 "$build/selftests/bpfoom_vm_tests"
run_check "vm: the series' in-tree BPF selftests" "$here/kselftest.sh"
vm_suite "vm: policy scenarios and CLI" 900 "$build/selftests/bpfoom_scenario_tests"
run_check "vm: README walkthrough" \
	"$here/vm.sh" --kernel "$kernel/bzImage" --timeout 300 -- "$here/walkthrough.sh"
run_check "vm: README policy tutorial" \
	"$here/vm.sh" --kernel "$kernel/bzImage" --timeout 300 -- "$here/tutorial.sh"
# The deploy suite's fixtures (a staging install, the node agent example
# built against it) are not part of the ordinary build.
stage "deploy fixtures"
if cmake --build "$build" --target bpfoom_deploy_fixtures -j"$(nproc)"; then
	vm_suite "vm: install, service and orchestration" 600 "$build/selftests/deploy/bpfoom_deploy_tests"
else
	note_failure "vm: install, service and orchestration: its fixtures did not build"
fi
# What bpfoom promises on a kernel without the hook: probe and load refuse in
# one sentence, events observes. The stock flavour is the test kernel's
# objects built again with the series reversed: under a minute, not a clean
# build's 5.
stage "kernel: without the hook"
if stock_kernel=$("$here/build-kernel.sh" --flavour stock); then
	vm_suite --kernel "$stock_kernel" "vm: without the hook" 300 \
		"$build/selftests/bpfoom_stock_tests"
else
	note_failure "vm: without the hook: the stock kernel did not build"
fi
# Each benchmark once with small N, so that none of them rots.
run_check "benchmarks (quick mode)" "$here/bench.sh" --quick

finish
