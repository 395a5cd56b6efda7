#!/usr/bin/env bash
# Boots the bpfoom test kernel under QEMU (TCG) and runs one command in it.
#
#   scripts/vm.sh [--kernel BZIMAGE] [--memory M] [--timeout S] [--append ARGS] [--icount]
#                 [--report FILE] -- CMD [ARGS...]
#
# The guest's root is the host's, shared read-only over 9p, with tmpfs on
# /tmp, /run, /var/tmp and /var/cache. CMD runs as root in the checkout's top directory,
# with stdin from /dev/null; its output is streamed here and its exit status
# becomes ours. The guest's kernel log is kept in a file named on stderr.
# --append adds kernel command line parameters (e.g. tsc_early_khz=... for a
# guest that fails to calibrate its clock on a busy host).
# --icount makes the guest's time a count of its instructions (QEMU -icount
# shift=0: 1 ns per instruction executed; idle time skipped), so that a
# timing in the guest is deterministic and immune to host load. Slower.
# --report brings a test report back from the guest, whose view of the host
# is read-only: CMD finds a guest path in $BPFOOM_TEST_REPORT (which the
# selftests' Catch2 main writes its XML report to), and what it wrote there
# reaches FILE over a serial port of its own once CMD has ended. FILE is
# empty if CMD wrote nothing.
#
# Exit status: CMD's, or
#   124  the timeout passed and QEMU was killed
#   125  the guest's kernel log shows a splat (BUG, WARNING, Oops, lockdep, panic)
#   126  the guest died without reporting CMD's status
#   2    usage error
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")

usage() {
	sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//' >&2
	exit 2
}

kernel=
append=
icount=()
report=
memory=512M
timeout=600
while (($#)); do
	case $1 in
	--kernel) kernel=${2:?--kernel needs a file}; shift 2 ;;
	--memory) memory=${2:?--memory needs a size}; shift 2 ;;
	--timeout) timeout=${2:?--timeout needs seconds}; shift 2 ;;
	--append) append=${2?--append needs kernel parameters}; shift 2 ;;
	--icount) icount=(-icount "shift=0,sleep=off"); shift ;;
	--report) report=${2:?--report needs a file}; shift 2 ;;
	--) shift; break ;;
	-h | --help) usage ;;
	*) echo "vm.sh: unknown option '$1'" >&2; usage ;;
	esac
done
(($#)) || { echo "vm.sh: no command given" >&2; usage; }
[[ $timeout =~ ^[0-9]+$ ]] || { echo "vm.sh: --timeout '$timeout' is not a number of seconds" >&2; exit 2; }

if [[ -z $kernel ]]; then
	kernel=$("$here/build-kernel.sh")/bzImage
fi
[[ -f $kernel ]] || { echo "vm.sh: kernel '$kernel' does not exist" >&2; exit 2; }

run=$(mktemp -d "${TMPDIR:-/tmp}/bpfoom-vm.XXXXXX")
klog=$run/kernel.log
status=$run/status
report_out=${report:-$run/report}
qemu_pid=

cleanup() {
	if [[ -n $qemu_pid ]] && kill -0 "$qemu_pid" 2>/dev/null; then
		kill -KILL "$qemu_pid" 2>/dev/null || true
	fi
	# Keep the kernel log; everything else in the run directory is scratch.
	rm -f "$run/job.sh" "$status" "$run/report"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The job file is how CMD, its directory and the BPFOOM_* environment reach
# the guest: the guest reads it over 9p before it hides the host's /tmp.
{
	echo "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	echo "export HOME=/tmp TERM=dumb LANG=C.UTF-8"
	while IFS= read -r name; do
		printf 'export %s=%q\n' "$name" "${!name}"
	done < <(compgen -e | grep '^BPFOOM_' | grep -vx BPFOOM_TEST_REPORT || true)
	# A host path means nothing in the guest: the report has its own way out.
	[[ -z $report ]] || echo "export BPFOOM_TEST_REPORT=/run/bpfoom-test-report"
	printf 'cd %q\n' "$top"
	if [[ -z $report ]]; then
		printf 'exec'
		printf ' %q' "$@"
		printf '\n'
	else
		# The shell stays to send the report, out of the OOM killer's reach
		# (a global OOM in a test must not pick it); CMD gets 0, as if exec'd.
		printf 'echo -1000 >/proc/self/oom_score_adj\n'
		printf '(echo 0 >/proc/self/oom_score_adj; exec'
		printf ' %q' "$@"
		printf ')\nstatus=$?\n'
		printf 'stty -F /dev/ttyS3 raw -echo 2>/dev/null\n'
		printf '[[ ! -e /run/bpfoom-test-report ]] || cat /run/bpfoom-test-report >/dev/ttyS3\n'
		printf 'exit $status\n'
	fi
} >"$run/job.sh"

# Serial ports: ttyS0 kernel console -> log file, ttyS1 CMD's output -> our
# stdout, ttyS2 CMD's exit status -> status file, ttyS3 the test report
# (the job copies /run/bpfoom-test-report there after CMD) -> the --report file.
qemu-system-x86_64 \
	-accel tcg -cpu max -smp 1 -m "$memory" "${icount[@]}" \
	-nodefaults -display none -no-reboot -nic none \
	-kernel "$kernel" \
	-append "console=ttyS0 root=/dev/root rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=262144,cache=loose ro init=$here/vm-init.sh panic=-1 bpfoom_job=$run/job.sh bpfoom_share=$top${append:+ $append}" \
	-virtfs local,id=root9p,path=/,mount_tag=/dev/root,security_model=none,readonly=on,multidevs=remap \
	-chardev file,id=klog,path="$klog" -serial chardev:klog \
	-chardev stdio,id=out,signal=off -serial chardev:out \
	-chardev file,id=status,path="$status" -serial chardev:status \
	-chardev file,id=report,path="$report_out" -serial chardev:report \
	</dev/null &
qemu_pid=$!
echo "vm.sh: guest kernel log: $klog" >&2

timed_out=0
deadline=$((SECONDS + timeout))
while kill -0 "$qemu_pid" 2>/dev/null; do
	if ((SECONDS >= deadline)); then
		echo "vm.sh: timeout after ${timeout}s, killing QEMU (pid $qemu_pid)" >&2
		kill -KILL "$qemu_pid" 2>/dev/null || true
		timed_out=1
		break
	fi
	sleep 0.2
done
wait "$qemu_pid" 2>/dev/null || true
qemu_pid=

splat_re='BUG:|WARNING:|Oops|Kernel panic|general protection fault|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|INFO: task .* blocked|soft lockup|hard LOCKUP|rcu_sched self-detected|rcu: INFO|UBSAN:|KASAN:|kernel BUG'
if grep -aEq "$splat_re" "$klog"; then
	echo "vm.sh: kernel splat in the guest log ($klog):" >&2
	grep -aE -m 20 "$splat_re" "$klog" | sed 's/^/vm.sh:   /' >&2
	exit 125
fi
((timed_out == 0)) || exit 124

rc=$(tr -dc '0-9' <"$status" 2>/dev/null || true)
if [[ -z $rc ]]; then
	echo "vm.sh: the guest stopped without reporting the command's exit status (see $klog)" >&2
	exit 126
fi
exit "$rc"
