#!/usr/bin/env bash
# Builds the bpfoom test kernel: Debian's linux-source-6.12 with kernel/*.patch
# applied, configured from tinyconfig plus kernel/bpfoom.config.
#
# The result is cached outside the checkout, keyed by the source package
# version, the patches and the config fragment, so a second run with nothing
# changed only hashes a few files. Prints the kernel's directory on stdout;
# progress goes to stderr.
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

if ! dpkg-query -W -f='${db:Status-Abbrev}' "$source_pkg" 2>/dev/null | grep -q '^ii'; then
	"$here/deps.sh" >&2
fi
[[ -f $source_tarball ]] || die "$source_tarball is missing even though $source_pkg is installed"
source_version=$(dpkg-query -W -f='${Version}' "$source_pkg")

shopt -s nullglob
patches=("$top"/kernel/*.patch)
shopt -u nullglob
fragment=$top/kernel/bpfoom.config

key=$({
	echo "recipe $build_recipe"
	echo "source $source_pkg $source_version"
	sha256sum "$fragment" | cut -d' ' -f1
	for p in "${patches[@]}"; do sha256sum "$p" | cut -d' ' -f1; done
} | sha256sum | cut -c1-16)
out=$cache/kernel-$key

if [[ -f $out/bzImage && -f $out/vmlinux ]]; then
	log "cached: $out"
	echo "$out"
	exit 0
fi

# One work tree per source version. The patches applied last time are reversed
# before the new ones go on, so only the files they touch are rebuilt.
tree=$cache/tree-$source_version
src=$tree/src
obj=$tree/obj
applied=$tree/applied.patch
mkdir -p "$cache"
exec 9>"$cache/.build.lock"
flock 9

unpack() {
	log "unpacking $source_tarball"
	rm -rf "$tree"
	mkdir -p "$src" "$obj"
	tar -xf "$source_tarball" -C "$src" --strip-components=1
	: >"$applied"
}

if [[ ! -f $applied ]]; then
	unpack
elif [[ -s $applied ]] && ! patch -d "$src" -p1 -R -s -f <"$applied" >/dev/null; then
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

log "configuring (tinyconfig + ${fragment#"$top"/})"
make -s -C "$src" O="$obj" tinyconfig >/dev/null
"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$fragment" >/dev/null
make -s -C "$src" O="$obj" olddefconfig >/dev/null

# merge_config only warns when an option does not survive olddefconfig; a
# silently dropped option would surface much later as a confusing test failure.
missing=$(grep -E '^CONFIG_[A-Z0-9_]+=' "$fragment" | while read -r line; do
	grep -qxF "$line" "$obj/.config" || echo "$line"
done)
[[ -z $missing ]] || die "config options did not survive olddefconfig: $missing"

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
fragment: ${fragment##*/}
key: $key
INFO
rm -rf "$out"
mv "$staging" "$out"
log "built: $out"
echo "$out"
