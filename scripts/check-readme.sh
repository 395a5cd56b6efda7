#!/usr/bin/env bash
# Checks that what the README shows is what the VM tests run: the
# walkthrough is scripts/walkthrough.sh's, the policy tutorial
# scripts/tutorial.sh's, and the tutorial's policy the file it loads.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
status=0

# The commands between "## NAME start" and "## NAME end" of a script, as
# the README writes them ($cg spelled out).
script_commands() {
	local name=$1 script=$2 cg=$3
	sed -n "/^## $name start/,/^## $name end/p" "$script" |
		sed -e "/^## $name/d" -e 's/^step //' -e 's/^oom_victim //' -e "s|\\\$cg|$cg|g"
}

# The README's block between "<!-- NAME start -->" and "<!-- NAME end -->",
# with comments, fences and blank lines dropped.
readme_commands() {
	sed -n "/^<!-- $1 start -->/,/^<!-- $1 end -->/p" "$top/README.md" |
		sed -e 's/ *# .*$//' |
		sed -e "/^<!-- $1/d" -e '/^```/d' | grep -v '^#' | grep -v '^$'
}

compare() {
	local what=$1 readme=$2 truth=$3
	if [[ $readme != "$truth" ]]; then
		echo "check-readme: the README's $what differs:" >&2
		diff <(echo "$readme") <(echo "$truth") >&2 || true
		status=1
	fi
}

compare "walkthrough (scripts/walkthrough.sh)" "$(readme_commands walkthrough)" \
	"$(script_commands walkthrough "$top/scripts/walkthrough.sh" /sys/fs/cgroup/shop)"
compare "tutorial (scripts/tutorial.sh)" "$(readme_commands tutorial)" \
	"$(script_commands tutorial "$top/scripts/tutorial.sh" /sys/fs/cgroup/lab)"
compare "tutorial policy (docs/examples/youngest_first.bpf.c)" \
	"$(sed -n '/^<!-- tutorial-policy start -->/,/^<!-- tutorial-policy end -->/p' "$top/README.md" |
		sed -e '/^<!-- tutorial-policy/d' -e '/^```/d')" \
	"$(cat "$top/docs/examples/youngest_first.bpf.c")"
exit $status
