#!/usr/bin/env bash
# Installs every Debian package bpfoom needs to build, test and run its VM.
# Idempotent: packages already present are not touched, so a warm machine
# finishes in well under a second without calling apt at all.
set -euo pipefail

packages=(
	# userspace build
	build-essential cmake pkg-config clang-format
	libbpf-dev libelf-dev zlib1g-dev libboost-program-options-dev catch2
	nlohmann-json3-dev
	# BPF side: Debian's default clang (14) is too old for the kernel's BTF
	clang-19 llvm-19 bpftool
	# patched kernel build
	linux-source-6.12 bc flex bison libssl-dev cpio dwarves xz-utils kmod
	# VM runner
	qemu-system-x86
	# scripts
	jq util-linux
	# deploy tests: systemd-analyze verify of the installed unit
	systemd
)

missing=()
for pkg in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
	[[ $status == ii* ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
	exit 0
fi

if ((EUID != 0)); then
	echo "deps.sh: missing packages (${missing[*]}); run as root to install them" >&2
	exit 1
fi

echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
