# Sourced by the README's runnable scripts (walkthrough.sh, tutorial.sh):
# how each shown command is run. Stops at the first command that fails.
#
#   step CMD...        prints "$ CMD" and runs it
#   oom_victim CMD...  the same for a hog the OOM must kill: it must exit 1

step() { printf '\n$ %s\n' "$*"; "$@"; }

oom_victim() {
	printf '\n$ %s\n' "$*"
	local status=0
	"$@" || status=$?
	((status == 1)) || { echo "${0##*/}: '$*' exited $status, not killed" >&2; return 1; }
}
