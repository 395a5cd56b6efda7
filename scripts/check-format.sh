#!/usr/bin/env bash
# Checks that every C and C++ source is formatted by the repository's
# .clang-format (vmlinux.h, generated, excepted).
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"

mapfile -t sources < <(git ls-files '*.c' '*.h' '*.cpp' '*.hpp' | grep -v '^vmlinux/')
unformatted=()
for file in "${sources[@]}"; do
	clang-format --dry-run -Werror "$file" >/dev/null 2>&1 || unformatted+=("$file")
done
if ((${#unformatted[@]})); then
	echo "check-format: not clang-formatted (run clang-format -i):" >&2
	printf '  %s\n' "${unformatted[@]}" >&2
	exit 1
fi
