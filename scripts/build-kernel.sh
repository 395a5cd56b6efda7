#!/usr/bin/env bash
# Builds the bpfoom kernel: Debian's linux-source-6.12 with kernel/*.patch
# applied, configured from tinyconfig plus the flavour's config fragments.
#
#   scripts/build-kernel.sh [--flavour test|bench] [--config-only | --print-source]
#
# Flavours (both have the hook, BPF, BTF, memcg and the VM's 9p root):
#   test   (default) tinyconfig + kernel/bpfoom.config, with lockdep and the
#          other checkers; the kernel the test suites and vm.sh use
#   bench  the same, then kernel/bench.config: no lock checkers, built and
#          scheduled like a distribution kernel; scripts/bench.sh times
#          victim selection on it
#
# The result is cached outside the checkout, keyed by the source package
# version, the patches, the config fragments and the flavour, so a second run
# with nothing changed only hashes a few files. Prints the kernel's directory
# on stdout; progress goes to stderr.
#
# --config-only configures the flavour's build tree and checks that every
# option of its fragments survived, without building (seconds, not minutes);
# prints nothing on stdout. It stops at once if the flavour's kernel is cached.
#
# --print-source prints the directory of the unpacked source tree (unpacking
# it if needed) and builds nothing. Which patches it holds at that moment is
# not promised; scripts/kselftest.sh reads only files the series leaves alone.
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
case $flavour in
test) ;;
bench) fragments+=("$top/kernel/bench.config") ;;
*) log "unknown flavour '$flavour' (test or bench)"; usage ;;
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
key=$({
	echo "recipe $build_recipe"
	echo "source $source_pkg $source_version"
	sha256sum "${fragments[0]}" | cut -d' ' -f1
	for p in "${patches[@]}"; do sha256sum "$p" | cut -d' ' -f1; done
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

if ((print_source)); then
	[[ -f $applied ]] || unpack
	echo "$src"
	exit 0
fi

# The same patches as last time (another flavour, a fragment change): the
# source stays as it is, its timestamps too.
if [[ -f $applied ]] && cat "${patches[@]}" /dev/null | cmp -s - "$applied"; then
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

log "building bzImage and vmlinux with $jobs jobs (a clean build takes ~6 min on 2 cores)"
make -s -C "$src" O="$obj" -j"$jobs" bzImage >&2

staging=$out.tmp.$$
rm -rf "$staging"
mkdir -p "$staging"
cp "$obj/arch/x86/boot/bzImage" "$obj/vmlinux" "$obj/.config" "$staging/"
mv "$staging/.config" "$staging/config"
cat >"$staging/BUILD-INFO" <<INFO
source: $source_pkg $source_version
patches: ${patches[*]##*/}
flavour: $flavour
fragment: ${fragments[*]##*/}
key: $key
INFO
rm -rf "$out"
mv "$staging" "$out"
log "built: $out"
echo "$out"
