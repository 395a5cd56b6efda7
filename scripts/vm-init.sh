#!/bin/bash
# PID 1 of the bpfoom test guest, started by scripts/vm.sh. Builds a minimal
# writable system on top of the host's read-only root, runs the job, reports
# its exit status on ttyS2 and reboots (QEMU runs with -no-reboot, so it exits).
#
# Kernel command line parameters arrive as environment variables:
#   bpfoom_job    the job script written by vm.sh
#   bpfoom_share  the checkout, kept visible even when it lives under /tmp

finish() {
	echo "$1" >/dev/ttyS2
	sync
	echo b >/proc/sysrq-trigger
	sleep 10
}

set -u
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
mount -t tmpfs -o mode=0755 tmpfs /run

# The job and the checkout may live under /tmp or /var/tmp, which are about
# to be covered by tmpfs: copy the job and bind the checkout back.
cp "$bpfoom_job" /run/job.sh
for dir in /tmp /var/tmp; do
	mkdir -p "/run/host$dir"
	mount --bind "$dir" "/run/host$dir"
	mount -t tmpfs -o mode=1777 tmpfs "$dir"
	case $bpfoom_share/ in
	"$dir"/*)
		mkdir -p "$bpfoom_share"
		mount --bind "/run/host$bpfoom_share" "$bpfoom_share"
		;;
	esac
done

# Where bpfoom caches the policies it compiles, writable as on any machine.
mount -t tmpfs -o mode=0755 tmpfs /var/cache

mount -t cgroup2 cgroup2 /sys/fs/cgroup
echo +memory >/sys/fs/cgroup/cgroup.subtree_control
mount -t bpf -o mode=0700 bpf /sys/fs/bpf
mount -t tracefs tracefs /sys/kernel/tracing
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
hostname bpfoom-vm 2>/dev/null || true

# Raw output, so that the host sees exactly what the job printed.
stty -F /dev/ttyS1 raw -echo 2>/dev/null
stty -F /dev/ttyS2 raw -echo 2>/dev/null

bash /run/job.sh </dev/null >/dev/ttyS1 2>&1
finish $?
