#!/usr/bin/env bash
# Builds the bpfoom kernel: Debian's linux-source-6.12 with kernel/*.patch
# applied, configured from tinyconfig plus the flavour's config fragments.
#
#   scripts/build-kernel.sh [--flavour test|bench|stock] [--config-only | --print-source]
#
# Flavours (all have BPF, BTF, memcg and the VM's 9p root; test and bench
# have the hook):
#   test   (default) tinyconfig + kernel/bpfoom.config, with lockdep and the
#          other checkers; the kernel the test suites and vm.sh use
#   bench  the same, then kernel/bench.config: no lock checkers, built and
#          scheduled like a distribution kernel; scripts/bench.sh times
#          victim selection on it
#   stock  the test flavour without the series: the same source and
#          fragment, no hook. bpfoom's promises for a kernel without the
#          patch (probe and load refuse in one sentence, events observes)
#          are tested on it. It starts from a copy of the test flavour's
#          objects, with the series reversed for the build, so that only
#          what the series touches is compiled again (under a minute on 2
#          idle cores, not 6); the test flavour is built first if it is not.
#
# The result is cached outside the checkout, keyed by the source package
# version, the patches (not for stock, which has none), the config fragments
# and the flavour, so a second run with nothing changed only hashes a few
# files. Prints the kernel's directory on stdout; progress goes to stderr.
#
# --config-only configures the flavour's build tree and checks that every
# option of its fragments survived, without building (seconds, not minutes);
# prints nothing on stdout. It stops at once if the flavour's kernel is cached.
#
# --print-source prints the directory of the unpacked source tree (unpacking
# it if needed) and builds nothing. Which patches it holds at that moment is
# not promised (a stock build reverses the series while it compiles);
# scripts/kselftest.sh reads only files the series leaves alone.
#
# The series is kernel/*.patch in name order, without the cover letter
# (kernel/0000-cover-letter.patch), which has no diff.
#
#   BPFOOM_CACHE_DIR  cache root (default: ${XDG_CACHE_HOME:-~/.cache}/bpfoom)
#   BPFOOM_JOBS       parallel make jobs (default: all cores)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")
cache=${BPFOOM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/bpfoom}
jobs=${BPFOOM_JOBS:-$(nproc)}
source_pkg=linux-source-6.12
source_tarball=/usr/src/$source_pkg.tar.xz

# Bump when this script changes how the kernel is built.
build_recipe=1

log() { echo "build-kernel: $*" >&2; }
die() { log "$*"; exit 1; }
usage() {
	sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//' >&2
	exit 2
}

flavour="test"
config_only=0
print_source=0
while (($#)); do
	case $1 in
	--flavour) flavour=${2:?--flavour needs a name}; shift 2 ;;
	--config-only) config_only=1; shift ;;
	--print-source) print_source=1; shift ;;
	-h | --help) usage ;;
	*) log "unknown option '$1'"; usage ;;
	esac
done
# Each flavour after test merges one more fragment over kernel/bpfoom.config.
fragments=("$top/kernel/bpfoom.config")
# stock is test without the series, so that the two differ in nothing else.
case $flavour in
test | stock) ;;
bench) fragments+=("$top/kernel/bench.config") ;;
*) log "unknown flavour '$flavour' (test, bench or stock)"; usage ;;
esac

if ! dpkg-query -W -f='${db:Status-Abbrev}' "$source_pkg" 2>/dev/null | grep -q '^ii'; then
	"$here/deps.sh" >&2
fi
[[ -f $source_tarball ]] || die "$source_tarball is missing even though $source_pkg is installed"
source_version=$(dpkg-query -W -f='${Version}' "$source_pkg")

shopt -s nullglob
patches=()
for p in "$top"/kernel/*.patch; do
	[[ ${p##*/} == 0000-cover-letter.patch ]] || patches+=("$p")
done
shopt -u nullglob

# The test flavour's key is the one from before there were flavours, so that
# its cached kernel stays valid; other flavours add their name and fragments.
# The stock kernel is the source as packaged: a change to the series leaves
# it as it is, so its key leaves the patches out.
key=$({
	echo "recipe $build_recipe"
	echo "source $source_pkg $source_version"
	sha256sum "${fragments[0]}" | cut -d' ' -f1
	if [[ $flavour != stock ]]; then
		for p in "${patches[@]}"; do sha256sum "$p" | cut -d' ' -f1; done
	fi
	if [[ $flavour != test ]]; then
		echo "flavour $flavour"
		for f in "${fragments[@]:1}"; do sha256sum "$f" | cut -d' ' -f1; done
	fi
} | sha256sum | cut -c1-16)
if [[ $flavour == test ]]; then
	out=$cache/kernel-$key
else
	out=$cache/kernel-$flavour-$key
fi

if ((!print_source)) && [[ -f $out/bzImage && -f $out/vmlinux ]]; then
	log "cached: $out"
	((config_only)) || echo "$out"
	exit 0
fi

# One work tree per source version. The patches applied last time are reversed
# before the new ones go on, so only the files they touch are rebuilt. The
# source is shared; each flavour builds in its own object directory, so that
# switching flavours rebuilds nothing but what the patches touch.
tree=$cache/tree-$source_version
src=$tree/src
if [[ $flavour == test ]]; then
	obj=$tree/obj
else
	obj=$tree/obj-$flavour
fi
applied=$tree/applied.patch
# What a stock build saved of the patched tree, while the series is reversed.
saved=$tree/stock-saved

# The stock flavour starts from the test flavour's objects. Building those
# takes the lock, so it happens before this run takes it.
if [[ $flavour == stock ]] && ((!config_only)); then
	"$here/build-kernel.sh" --flavour test >/dev/null ||
		die "the test flavour, which the stock flavour starts from, did not build"
fi

mkdir -p "$cache"
exec 9>"$cache/.build.lock"
flock 9

unpack() {
	log "unpacking $source_tarball"
	rm -rf "$tree"
	mkdir -p "$src"
	tar -xf "$source_tarball" -C "$src" --strip-components=1
	: >"$applied"
}

# Reverses PATCHES, a concatenation of git format-patch files such as
# applied.patch, in the source tree: the last patch first, since two patches
# of a series may change the same lines (a single patch -R over the whole
# file fails there).
unapply() {
	local pieces status=0 i
	local -a files
	pieces=$(mktemp -d "$tree/unapply.XXXXXX")
	awk -v dir="$pieces" '/^From [0-9a-f]+ Mon Sep 17 00:00:00 2001$/ { n++ }
		{ print > (dir "/" sprintf("%04d", n)) }' "$1"
	files=("$pieces"/*)
	for ((i = ${#files[@]} - 1; i >= 0; i--)); do
		patch -d "$src" -p1 -R -s -f <"${files[i]}" >/dev/null || { status=1; break; }
	done
	rm -rf "$pieces"
	return "$status"
}

# Puts back the series' files as they were before a stock build reversed
# them: contents and timestamps (to the nanosecond, so that the other
# flavours' object directories, which make compares by timestamp, see no
# change), and applied.patch.
restore_series() {
	local f
	while IFS= read -r f; do
		rm -f "$src/$f" "$src/$f.orig" "$src/$f.rej"
	done <"$saved/files.list"
	cp -a "$saved/files/." "$src/"
	cp "$saved/applied.patch" "$applied"
	rm -rf "$saved"
}

# Reverses the series the tree holds (applied.patch), for a stock build.
# applied.patch is empty meanwhile, as the tree is: a run killed before
# restore_series leaves a tree that the next run restores (from $saved)
# or patches again.
reverse_series() {
	[[ -s $applied ]] || return 0
	rm -rf "$saved" "$saved.tmp"
	mkdir -p "$saved.tmp/files"
	cp "$applied" "$saved.tmp/applied.patch"
	sed -n 's|^diff --git a/\([^ ]*\) b/.*|\1|p' "$applied" | sort -u >"$saved.tmp/files.list"
	[[ -s $saved.tmp/files.list ]] || die "$applied names no files (not a git diff?)"
	(cd "$src" && xargs -d '\n' cp -a --parents -t "$saved.tmp/files" <"$saved.tmp/files.list")
	mv "$saved.tmp" "$saved"
	trap 'restore_series; log "put the series back into the source tree"' EXIT
	trap 'exit 130' INT TERM HUP
	: >"$applied"
	unapply "$saved/applied.patch" || die "could not reverse the series for the stock flavour"
	log "reversed the series for the stock flavour"
}

# A stock build killed before it put the series back: put it back first.
if [[ -d $saved ]]; then
	log "an interrupted stock build left the series reversed; putting it back"
	restore_series
fi

if ((print_source)); then
	[[ -f $applied ]] || unpack
	echo "$src"
	exit 0
fi

# The same patches as last time (another flavour, a fragment change): the
# source stays as it is, its timestamps too. The stock flavour reverses
# whatever the tree holds, below, and applies nothing.
if [[ $flavour == stock ]]; then
	[[ -f $applied ]] || unpack
elif [[ -f $applied ]] && cat "${patches[@]}" /dev/null | cmp -s - "$applied"; then
	log "patches already applied"
else
	if [[ ! -f $applied ]]; then
		unpack
	elif [[ -s $applied ]] && ! unapply "$applied"; then
		log "could not reverse the previously applied patches; starting from a fresh tree"
		unpack
	fi
	: >"$applied"

	for p in "${patches[@]}"; do
		if ! patch -d "$src" -p1 -N -s -f --dry-run <"$p" >/dev/null 2>&1; then
			patch -d "$src" -p1 -N -f --dry-run <"$p" >&2 || true
			die "patch does not apply to $source_pkg $source_version: ${p#"$top"/}"
		fi
		patch -d "$src" -p1 -N -s -f <"$p" >/dev/null
		cat "$p" >>"$applied"
		log "applied ${p#"$top"/}"
	done
	find "$src" -name '*.orig' -delete
fi

# A clean build is ~6 minutes on 2 cores; the series touches a handful of
# files. So the stock flavour compiles in a copy of the test flavour's
# objects, with the series reversed: make rebuilds what the reversal touched
# (mm/oom_kill.c, mm/internal.h's and include/linux/oom.h's users), then
# links. Kbuild's .cmd files name the source by its absolute path, which is
# why the source tree is shared rather than copied. A copy, not hard links:
# the compiler rewrites its outputs in place.
if [[ $flavour == stock ]] && ((!config_only)); then
	rm -rf "$obj"
	if [[ -f $tree/obj/vmlinux ]]; then
		log "copying the test flavour's objects ($tree/obj)"
		cp -a "$tree/obj" "$obj"
	else
		log "no test flavour objects to start from: a clean build"
	fi
	reverse_series
fi
mkdir -p "$obj"

log "configuring (tinyconfig$(printf ' + %s' "${fragments[@]#"$top"/}"))"
make -s -C "$src" O="$obj" tinyconfig >/dev/null
"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "${fragments[@]}" >/dev/null
make -s -C "$src" O="$obj" olddefconfig >/dev/null

# merge_config only warns when an option does not survive olddefconfig; a
# silently dropped option would surface much later as a confusing test failure.
# Each option's last setting across the fragments is the one that must hold:
# "CONFIG_X=v" exactly, "# CONFIG_X is not set" as no CONFIG_X= line at all.
wanted=$(awk '
	/^CONFIG_[A-Z0-9_]+=/ { name = substr($0, 1, index($0, "=") - 1) }
	/^# CONFIG_[A-Z0-9_]+ is not set$/ { name = $2 }
	name != "" { if (!(name in setting)) order[++n] = name; setting[name] = $0; name = "" }
	END { for (i = 1; i <= n; i++) print setting[order[i]] }
' "${fragments[@]}")
missing=$(while read -r line; do
	if [[ $line == "# "* ]]; then
		name=${line#"# "}
		! grep -q "^${name%% *}=" "$obj/.config" || echo "$line"
	else
		grep -qxF "$line" "$obj/.config" || echo "$line"
	fi
done <<<"$wanted")
[[ -z $missing ]] || die "config options did not survive olddefconfig: $missing"
if ((config_only)); then
	log "configured the $flavour flavour: $obj/.config"
	exit 0
fi

if [[ $flavour == stock && -f $obj/vmlinux ]]; then
	log "building bzImage and vmlinux with $jobs jobs (what the series touched, then the link)"
else
	log "building bzImage and vmlinux with $jobs jobs (a clean build takes ~6 min on 2 cores)"
fi
started=$SECONDS
make -s -C "$src" O="$obj" -j"$jobs" bzImage >&2
log "compiled and linked in $(((SECONDS - started) / 60))m$(printf %02d $(((SECONDS - started) % 60)))s"
if [[ $flavour == stock ]]; then
	restore_series
	trap - EXIT INT TERM HUP
	log "put the series back into the source tree"
fi

staging=$out.tmp.$$
rm -rf "$staging"
mkdir -p "$staging"
cp "$obj/arch/x86/boot/bzImage" "$obj/vmlinux" "$obj/.config" "$staging/"
mv "$staging/.config" "$staging/config"
if [[ $flavour == stock ]]; then
	built_patches="none (the series reversed)"
else
	built_patches=${patches[*]##*/}
fi
cat >"$staging/BUILD-INFO" <<INFO
source: $source_pkg $source_version
patches: $built_patches
flavour: $flavour
fragment: ${fragments[*]##*/}
key: $key
INFO
rm -rf "$out"
mv "$staging" "$out"
# The next stock build copies the test flavour's objects afresh: these
# (a gigabyte) would never be built in again.
[[ $flavour != stock ]] || rm -rf "$obj"
log "built: $out"
echo "$out"
