#!/usr/bin/env bash
# Builds the BPF selftests that the kernel series adds under
# tools/testing/selftests/bpf (prog_tests/X.c with progs/X.c) and runs them
# in the VM on the series' kernel.
#
#   scripts/kselftest.sh [--build-only] [TEST...]
#
# The tests are taken from kernel/*.patch itself, applied to an empty
# directory (they are new files), so what runs is exactly what the series
# posts. The helpers they include (test_progs.h, cgroup_helpers.c, tools/
# include) come from the kernel source tree scripts/build-kernel.sh unpacked,
# which the series does not touch. vmlinux.h is dumped from the built
# kernel's BTF, as the selftests' Makefile does. selftests/kernel_tree/
# test_progs_runner.c stands in for test_progs.c (see its header comment).
#
#   BPFOOM_BUILD_DIR  build directory (default: build); output in its kselftest/
#
# Exit status: the runner's in the VM (0 only if every test and subtest
# passed), 1 if the build failed, vm.sh's own codes (124-126) otherwise.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")
build=${BPFOOM_BUILD_DIR:-$top/build}/kselftest

log() { echo "kselftest: $*" >&2; }
die() { log "$*"; exit 1; }

build_only=0
tests=()
while (($#)); do
	case $1 in
	--build-only) build_only=1; shift ;;
	-h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//' >&2; exit 2 ;;
	-*) log "unknown option '$1'"; exit 2 ;;
	*) tests+=("$1"); shift ;;
	esac
done

kernel=$("$here/build-kernel.sh")
tree=$("$here/build-kernel.sh" --print-source)
selftests=$tree/tools/testing/selftests/bpf
[[ -f $selftests/test_progs.h && -f $selftests/cgroup_helpers.c ]] ||
	die "$tree has no tools/testing/selftests/bpf helpers"

rm -rf "$build"
mkdir -p "$build/series"
shopt -s nullglob
patches=("$top"/kernel/[0-9][0-9][0-9][0-9]-*.patch)
shopt -u nullglob
# The series' selftests are new files, which apply anywhere; the rest of
# their patch (MAINTAINERS, the selftests' config) is left out. The ceiling keeps git apply from
# taking the checkout around the build directory for its repository, where
# it would skip every path outside the current directory.
for p in "${patches[@]}"; do
	grep -q '^+++ b/tools/testing/selftests/bpf/' "$p" || continue
	(cd "$build/series" && GIT_CEILING_DIRECTORIES=$build \
		git apply --include='tools/testing/selftests/bpf/prog_tests/*' \
			--include='tools/testing/selftests/bpf/progs/*' "$p") ||
		die "cannot take the selftests out of ${p#"$top"/}: they must be new files"
done
series=$build/series/tools/testing/selftests/bpf
names=()
sources=()
for t in "$series"/prog_tests/*.c; do
	name=$(basename "$t" .c)
	grep -q "^void test_$name(void)" "$t" ||
		die "${t#"$build"/series/} has no 'void test_$name(void)'"
	[[ -f $series/progs/$name.c ]] || die "no progs/$name.c for prog_tests/$name.c"
	names+=("$name")
	sources+=("$t")
done
((${#names[@]})) || die "the series in kernel/ adds no tools/testing/selftests/bpf/prog_tests"

clang=$(command -v clang-19 || command -v clang) || die "clang-19 is not installed (scripts/deps.sh)"
bpftool btf dump file "$kernel/vmlinux" format c >"$build/vmlinux.h"
: >"$build/tests.h"
for name in "${names[@]}"; do
	"$clang" -g -O2 --target=bpf -D__TARGET_ARCH_x86 -I"$build" -I"$selftests" \
		-c "$series/progs/$name.c" -o "$build/$name.bpf.o"
	bpftool gen skeleton "$build/$name.bpf.o" name "$name" >"$build/$name.skel.h"
	echo "RUNNER_TEST($name)" >>"$build/tests.h"
done
# tools/include after the system's own headers' directories would not do:
# the selftests are written against it, as their Makefile builds them.
cc -g -O2 -Wall -I"$build" -I"$selftests" -I"$tree/tools/include" \
	-o "$build/test_progs" "$top/selftests/kernel_tree/test_progs_runner.c" \
	"${sources[@]}" "$selftests/cgroup_helpers.c" \
	$(pkg-config --libs libbpf) || die "the runner did not build"
log "built $build/test_progs: ${names[*]}"
((build_only)) && exit 0

exec "$here/vm.sh" --timeout 600 -- "$build/test_progs" "${tests[@]}"
