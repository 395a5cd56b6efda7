#!/usr/bin/env bash
# Tests of scripts/vm.sh's own contract, one case per call:
#   selftests/vm_runner_test.sh status|output|timeout|splat|tmp-checkout|report KERNEL
# Exits 0 when vm.sh behaved as documented.
set -uo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
vm=$top/scripts/vm.sh
case_name=${1:?case}
kernel=${2:?bzImage}

fail() { echo "vm_runner_test $case_name: $*" >&2; exit 1; }

case $case_name in
status)
	# CMD's exit status becomes vm.sh's.
	"$vm" --kernel "$kernel" --timeout 120 -- sh -c 'exit 7' 2>/dev/null
	rc=$?
	((rc == 7)) || fail "expected exit 7, got $rc"
	;;
output)
	# CMD's output streams out unchanged, and it runs as root in the checkout.
	out=$("$vm" --kernel "$kernel" --timeout 120 -- sh -c 'id -u; pwd; printf "a\tb\n"' 2>/dev/null) ||
		fail "command failed"
	expected=$(printf '0\n%s\na\tb' "$top")
	[[ $out == "$expected" ]] || fail "output was '$out', expected '$expected'"
	;;
timeout)
	# The timeout kills QEMU and says so.
	err=$("$vm" --kernel "$kernel" --timeout 8 -- sleep 600 2>&1 >/dev/null)
	rc=$?
	((rc == 124)) || fail "expected exit 124, got $rc"
	grep -q 'timeout after 8s, killing QEMU' <<<"$err" || fail "no timeout message in: $err"
	pid=$(sed -n 's/.*killing QEMU (pid \([0-9]*\)).*/\1/p' <<<"$err")
	[[ -n $pid ]] || fail "the timeout message names no pid: $err"
	! kill -0 "$pid" 2>/dev/null || fail "QEMU (pid $pid) still running after the timeout"
	;;
splat)
	# A kernel splat fails the run even though CMD succeeded: sysrq-c
	# crashes the guest (Oops + panic).
	err=$("$vm" --kernel "$kernel" --timeout 120 -- sh -c 'echo c >/proc/sysrq-trigger; exit 0' 2>&1 >/dev/null)
	rc=$?
	((rc == 125)) || fail "expected exit 125, got $rc ($err)"
	grep -q 'kernel splat' <<<"$err" || fail "no splat message in: $err"
	;;
tmp-checkout)
	# A checkout under /tmp stays visible although the guest mounts tmpfs there.
	copy=$(mktemp -d /tmp/bpfoom-checkout.XXXXXX)
	mkdir -p "$copy/scripts"
	cp "$top/scripts/vm.sh" "$top/scripts/vm-init.sh" "$copy/scripts/"
	echo marker >"$copy/marker"
	out=$("$copy/scripts/vm.sh" --kernel "$kernel" --timeout 120 -- cat marker 2>/dev/null)
	rc=$?
	rm -rf "$copy"
	((rc == 0)) && [[ $out == marker ]] || fail "exit $rc, output '$out'"
	;;
report)
	# What CMD writes to $BPFOOM_TEST_REPORT comes back in the --report
	# file, whatever CMD's status; a host value of the variable does not
	# reach the guest; CMD has oom_score_adj 0 and the shell that waits to
	# send the report -1000 (a test's global OOM must not kill it); without
	# a report the file is empty.
	dir=$(mktemp -d)
	out=$(BPFOOM_TEST_REPORT=/nonexistent/host-path "$vm" --kernel "$kernel" --timeout 120 \
		--report "$dir/report" -- sh -c 'echo "$BPFOOM_TEST_REPORT"; cat /proc/self/oom_score_adj /proc/$PPID/oom_score_adj; printf "<a>\n\tb</a>\n" >"$BPFOOM_TEST_REPORT"; exit 3' 2>/dev/null)
	rc=$?
	report=$(cat "$dir/report" 2>/dev/null)
	"$vm" --kernel "$kernel" --timeout 120 --report "$dir/none" -- true 2>/dev/null
	rc_none=$?
	none_size=$(stat -c %s "$dir/none" 2>/dev/null || echo missing)
	rm -rf "$dir"
	((rc == 3)) || fail "expected exit 3, got $rc"
	[[ $out == "$(printf '/run/bpfoom-test-report\n0\n-1000')" ]] ||
		fail "CMD saw BPFOOM_TEST_REPORT, its oom_score_adj and its parent's as '$out'"
	[[ $report == "$(printf '<a>\n\tb</a>')" ]] || fail "report was '$report'"
	((rc_none == 0)) && [[ $none_size == 0 ]] || fail "no report: exit $rc_none, file size $none_size"
	;;
*)
	fail "unknown case"
	;;
esac
