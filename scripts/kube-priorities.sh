#!/usr/bin/env bash
# Maps the Kubernetes pods of one node to bpfoom priorities: reads a PodList
# (`kubectl get pods -A --field-selector spec.nodeName=NODE -o json`, or the
# kubelet's /pods) and prints a sync file for the kubelet's systemd cgroup
# layout, to feed `bpfoom sync -`:
#
#   kubectl get pods -A --field-selector spec.nodeName="$(hostname)" -o json |
#     scripts/kube-priorities.sh | cat /etc/bpfoom/node.conf - | bpfoom sync -
#
#   scripts/kube-priorities.sh [--cgroup-root DIR] [--all] [PODLIST.json|-]
#
# A pod's priority is its QoS class's band plus a quarter of its priority
# (the value of its PriorityClass, .spec.priority):
#
#   BestEffort  -2^30 + floor(priority / 4)    kubepods-besteffort.slice: -2^30
#   Burstable       0 + floor(priority / 4)    kubepods-burstable.slice:      0
#   Guaranteed  +2^30 + floor(priority / 4)    kubepods.slice:            +2^30
#
# so every BestEffort pod ranks below every Burstable pod, which ranks below
# every Guaranteed pod, and within a class a lower PriorityClass dies first.
# The same numbers work in both modes (docs/kubernetes/README.md shows how).
# Only cgroups that exist under DIR (default /sys/fs/cgroup) are printed,
# since `bpfoom sync` refuses unknown cgroups; the others become comments.
# --all prints every pod's entry without looking.
set -euo pipefail

usage() {
	sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//' >&2
	exit 2
}

root=/sys/fs/cgroup
check_cgroups=1
input=-
while (($#)); do
	case $1 in
	--cgroup-root) root=${2:?--cgroup-root needs a directory}; shift 2 ;;
	--all) check_cgroups=0; shift ;;
	-h | --help) usage ;;
	-?*) echo "kube-priorities: unknown option '$1'" >&2; usage ;;
	*) input=$1; shift ;;
	esac
done

# Emits "CGROUP<TAB>PRIORITY<TAB>COMMENT" lines: the tiers, then each pod
# (sorted by cgroup, so the output is stable).
read -r -d '' mapping <<'JQ' || true
def band:
  {"BestEffort": -1073741824, "Burstable": 0, "Guaranteed": 1073741824}[.]
  // error("unknown QoS class \(.)");
def priority_class:
  (.spec.priority // 0) as $p
  | if ($p | type) == "number" and $p == ($p | floor)
       and $p >= -2147483648 and $p <= 2147483647 then $p
    else error("pod \(.metadata.namespace)/\(.metadata.name): .spec.priority \($p) is not a 32-bit integer") end;
# The kubelet's systemd cgroup driver: dashes in the uid become underscores.
def pod_cgroup:
  (.metadata.uid | gsub("-"; "_")) as $uid
  | if .status.qosClass == "Guaranteed" then "kubepods.slice/kubepods-pod\($uid).slice"
    else (.status.qosClass | ascii_downcase) as $qos
      | "kubepods.slice/kubepods-\($qos).slice/kubepods-\($qos)-pod\($uid).slice" end;

(["kubepods.slice", 1073741824, "Guaranteed tier, and its pods not listed yet"],
 ["kubepods.slice/kubepods-burstable.slice", 0, "Burstable tier"],
 ["kubepods.slice/kubepods-besteffort.slice", -1073741824, "BestEffort tier"]),
([.items[]
  | select(.status.qosClass != null)
  | priority_class as $p
  | [pod_cgroup, (.status.qosClass | band) + ($p / 4 | floor),
     "\(.metadata.namespace)/\(.metadata.name) \(.status.qosClass) priority \($p)"]]
 | sort_by(.[0]) | .[])
| @tsv
JQ

entries=$(jq -r "$mapping" "$input")

echo "# bpfoom priorities of this node's Kubernetes pods (scripts/kube-priorities.sh)"
while IFS=$'\t' read -r cgroup priority comment; do
	if ((check_cgroups)) && [[ ! -d $root/$cgroup ]]; then
		echo "# no cgroup yet: $cgroup ($comment)"
		continue
	fi
	printf '%s %s  # %s\n' "$cgroup" "$priority" "$comment"
done <<<"$entries"
