#!/usr/bin/env bash
# Runs the kernel's own checkpatch.pl --strict, from the source tree
# scripts/build-kernel.sh unpacked, over every patch of the series in
# kernel/ (the cover letter, which has no diff, aside). Exit 0 only if it
# reports nothing: no error, no warning, no check.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")

tree=$("$here/build-kernel.sh" --print-source)
shopt -s nullglob
patches=()
for p in "$top"/kernel/*.patch; do
	[[ ${p##*/} == 0000-cover-letter.patch ]] || patches+=("$p")
done
((${#patches[@]})) || { echo "check-series: no patches in kernel/" >&2; exit 1; }

# In the tree, so that checkpatch reads its spelling list and MAINTAINERS
# from the kernel the series is for. --terse prints nothing for a clean
# patch, and its exit status is non-zero for anything it reports.
cd "$tree"
if ! perl scripts/checkpatch.pl --strict --terse --show-types "${patches[@]}" >&2; then
	echo "check-series: checkpatch.pl --strict found problems in the series" >&2
	exit 1
fi
echo "check-series: ${#patches[@]} patches, checkpatch.pl --strict reports nothing"
