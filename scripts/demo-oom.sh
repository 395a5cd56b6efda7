#!/usr/bin/env bash
# The demo's guest side (scripts/demo.sh boots the VM and runs it; it also
# runs on any machine with the patched kernel, as root, after a build):
# stages the same memory cgroup OOM twice, first with the stock kernel
# choosing the victim, then under the bpfoom policy, and prints side by side
# who died and why, from the kernel's own evidence: memory.events oom_kill,
# the kernel's "Killed process" (SIGKILL) and "oom-kill:" records, bpfoom's
# events.
#
# Exits 0 if the stock kernel killed the biggest workload first and the
# policy the least important one, 1 otherwise.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH=$top/build/loader/cli:$top/build/selftests:$PATH

cg=/sys/fs/cgroup/demo
limit_mb=120
# name size(MB) priority; the last one grows last and overshoots the limit.
workloads=(
	"batch 30 10"
	"cache 40 50"
	"database 70 100"
)
declare -A size priority fate oom_kills
names=()
for w in "${workloads[@]}"; do
	read -r name mb prio <<<"$w"
	names+=("$name")
	size[$name]=$mb
	priority[$name]=$prio
done

teardown() {
	[[ -d $cg ]] || return 0
	echo 1 >"$cg/cgroup.kill"
	for _ in $(seq 100); do
		grep -qx 'populated 0' "$cg/cgroup.events" && break
		sleep 0.1
	done
	for name in "${names[@]}"; do rmdir "$cg/$name" 2>/dev/null || true; done
	rmdir "$cg"
}
trap 'teardown; bpfoom unload >/dev/null 2>&1 || true' EXIT

show() {
	printf '  $ %s\n' "$*"
	"$@" >/dev/null
}

# round LABEL: one OOM; fills fate[LABEL.NAME], oom_kills[LABEL.NAME],
# first[LABEL] and the evidence files under $work.
work=$(mktemp -d)
declare -A first
round() {
	local label=$1 name pid
	mkdir "$cg"
	echo +memory >"$cg/cgroup.subtree_control"
	echo "${limit_mb}M" >"$cg/memory.max"
	for name in "${names[@]}"; do mkdir "$cg/$name"; done
	if [[ $label == bpfoom ]]; then
		show bpfoom load
		for name in "${names[@]}"; do show bpfoom set "demo/$name" "${priority[$name]}"; done
		bpfoom events >/dev/null # start the event stream from here
	fi
	echo "bpfoom-demo: $label round" >/dev/kmsg

	declare -A pids=()
	for name in "${names[@]}"; do
		printf '  $ bpfoom-hog demo/%s %s %s\n' "$name" "${size[$name]}" "$name"
		# To a file: the hog stays behind holding its stdout, and a pipe would never end.
		bpfoom-hog "demo/$name" "${size[$name]}" "$name" >"$work/$name.hog" || true
		pids[$name]=$(sed -n 's/^[^:]*: pid \([0-9]*\) .*/\1/p' "$work/$name.hog")
	done

	# The trigger's starter waited for it: its exit signal, if it died.
	grep -h 'killed by' "$work"/*.hog >"$work/$label.exits" || true
	rm -f "$work"/*.hog
	dmesg | sed -n "/bpfoom-demo: $label round/,\$p" >"$work/$label.kmsg"
	grep -o 'oom-kill:.*' "$work/$label.kmsg" >"$work/$label.oomkill" || true
	local order=() n=0
	# (No process substitution: the VM has no /dev/fd.)
	sed -n 's/.*Killed process \([0-9]*\) .*/\1/p' "$work/$label.kmsg" >"$work/$label.order"
	mapfile -t order <"$work/$label.order"
	for name in "${names[@]}"; do
		oom_kills[$label.$name]=$(sed -n 's/^oom_kill //p' "$cg/$name/memory.events")
		fate[$label.$name]=survived
	done
	for pid in "${order[@]}"; do
		n=$((n + 1))
		for name in "${names[@]}"; do
			[[ ${pids[$name]} == "$pid" ]] || continue
			fate[$label.$name]="KILLED #$n"
			((n == 1)) && first[$label]=$name
		done
	done
	if [[ $label == bpfoom ]]; then
		bpfoom events >"$work/$label.events"
		bpfoom unload >/dev/null
	fi
	teardown
}

echo "One memory cgroup, demo/ (memory.max ${limit_mb} MB), three workloads:"
for name in "${names[@]}"; do
	printf '  %-9s %3s MB   bpfoom priority %s\n' "$name" "${size[$name]}" "${priority[$name]}"
done
echo "The last one grows past the limit: a memcg OOM. The same OOM, twice."
echo
echo "1. Stock kernel: no policy, the kernel's badness (size) decides."
round stock
echo
echo "2. bpfoom: lower priority dies first."
round bpfoom
echo

row() { printf '%-9s %6s %8s | %-24s | %s\n' "$@"; }
row WORKLOAD SIZE PRIORITY "STOCK KERNEL" "BPFOOM POLICY"
for name in "${names[@]}"; do
	row "$name" "${size[$name]} MB" "${priority[$name]}" \
		"${fate[stock.$name]} (oom_kill ${oom_kills[stock.$name]})" \
		"${fate[bpfoom.$name]} (oom_kill ${oom_kills[bpfoom.$name]})"
done
echo
echo "Why, in the kernel's words (KILLED #n: the n-th 'Killed process' record, a SIGKILL;"
echo "oom_kill: memory.events of the workload's cgroup):"
echo "  stock kernel:"
sed 's/^/    /' "$work/stock.oomkill"
sed 's/^/    exit: /' "$work/stock.exits"
echo "    no 'policy=bpf': the kernel's own badness, the biggest task, decided"
echo "  bpfoom policy:"
sed 's/^/    /' "$work/bpfoom.oomkill"
sed 's/^/    exit: /' "$work/bpfoom.exits"
echo "    'policy=bpf': the policy chose another victim than the kernel would have. bpfoom events:"
sed 's/^/    /' "$work/bpfoom.events"
rm -rf "$work"

echo
if [[ ${first[stock]:-} == database && ${first[bpfoom]:-} == batch ]]; then
	echo "The stock kernel killed the database, the biggest; bpfoom killed the batch job, the least important."
else
	echo "Unexpected: the stock kernel killed '${first[stock]:-nobody}' first, bpfoom '${first[bpfoom]:-nobody}'." >&2
	exit 1
fi
