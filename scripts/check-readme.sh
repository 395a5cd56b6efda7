#!/usr/bin/env bash
# Checks that the walkthrough the README shows is the one
# scripts/walkthrough.sh runs (and the VM tests prove).
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

script=$(sed -n '/^## walkthrough start/,/^## walkthrough end/p' "$top/scripts/walkthrough.sh" |
	sed -e '/^## walkthrough/d' -e 's/^step //' -e 's/^oom_victim //' -e 's/\$cg/\/sys\/fs\/cgroup\/shop/g')
readme=$(sed -n '/^<!-- walkthrough start -->/,/^<!-- walkthrough end -->/p' "$top/README.md" |
	sed -e 's/ *# .*$//' |
	sed -e '/^<!-- walkthrough/d' -e '/^```/d' | grep -v '^#' | grep -v '^$')

if [[ $script != "$readme" ]]; then
	echo "check-readme: the README's walkthrough differs from scripts/walkthrough.sh:" >&2
	diff <(echo "$readme") <(echo "$script") >&2 || true
	exit 1
fi
