// SPDX-License-Identifier: GPL-2.0
/*
 * The Kubernetes mapping (scripts/kube-priorities.sh, docs/kubernetes/) on
 * the kubelet's systemd cgroup layout, proved by real OOMs in kubepods.slice:
 * BestEffort pods die before Burstable ones, Burstable before Guaranteed,
 * and within a class the lower PriorityClass first, in both policy modes.
 */
#include "scenario_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

using namespace bpfoom::selftests;

namespace
{

const std::string kGenerator = std::string(BPFOOM_SOURCE_DIR) + "/scripts/kube-priorities.sh";

struct Pod {
	std::string name; // also its one container's process name
	std::string qos;
	int priority_class; // .spec.priority
	std::string uid;
	int expected_priority; // what the mapping must give it
	std::size_t megabytes;

	// The kubelet's systemd driver layout, below kubepods.slice.
	std::string slice() const
	{
		std::string id = uid;
		std::replace(id.begin(), id.end(), '-', '_');
		if (qos == "Guaranteed")
			return "kubepods-pod" + id + ".slice";
		std::string tier = qos == "BestEffort" ? "besteffort" : "burstable";
		return "kubepods-" + tier + ".slice/kubepods-" + tier + "-pod" + id + ".slice";
	}
	std::string container() const { return slice() + "/cri-containerd-" + name + ".scope"; }
};

constexpr int kBand = 1 << 30;

// In the order they must die; each is smaller than all that outrank it, so
// the stock kernel (biggest first) would kill them the other way round.
const std::vector<Pod> kPods = {
    {"batch", "BestEffort", 0, "0b1e0000-0000-4000-8000-000000000001", -kBand, 12},
    {"batch-urgent", "BestEffort", 100000, "0b1e0000-0000-4000-8000-000000000002", -kBand + 25000,
     13},
    {"api-spot", "Burstable", -10, "0b1e0000-0000-4000-8000-000000000003", -3, 14},
    {"api", "Burstable", 100000, "0b1e0000-0000-4000-8000-000000000004", 25000, 15},
    {"db", "Guaranteed", 0, "0b1e0000-0000-4000-8000-000000000005", kBand, 16},
    {"dns", "Guaranteed", 2000000000, "0b1e0000-0000-4000-8000-000000000006", kBand + 500000000,
     0}, // sized per round: it triggers every OOM
};

// `kubectl get pods -o json` of these pods, as much as the generator reads.
std::string pod_list(const std::vector<Pod> &pods)
{
	nlohmann::json items = nlohmann::json::array();
	for (const auto &pod : pods)
		items.push_back(
		    {{"metadata", {{"namespace", "demo"}, {"name", pod.name}, {"uid", pod.uid}}},
		     {"spec", {{"priority", pod.priority_class}}},
		     {"status", {{"qosClass", pod.qos}, {"phase", "Running"}}}});
	return nlohmann::json{{"apiVersion", "v1"}, {"kind", "List"}, {"items", items}}.dump();
}

std::vector<std::string> layout(const std::vector<Pod> &pods)
{
	std::vector<std::string> cgroups{"kubepods-besteffort.slice", "kubepods-burstable.slice"};
	for (const auto &pod : pods) {
		cgroups.push_back(pod.slice());
		cgroups.push_back(pod.container());
	}
	return cgroups;
}

std::string read_file(const std::string &path)
{
	std::ifstream in(path);
	std::ostringstream text;
	text << in.rdbuf();
	return text.str();
}

} // namespace

TEST_CASE("kubernetes: the documented example is the generator's real output", "[kubernetes]")
{
	const std::string docs = std::string(BPFOOM_SOURCE_DIR) + "/docs/kubernetes/";
	auto generated = run_command({kGenerator, "--all", docs + "pods.example.json"});
	INFO(generated.describe());
	REQUIRE(generated.exit_status == 0);
	CHECK(generated.out == read_file(docs + "priorities.example.conf"));

	auto bad =
	    run_command({kGenerator, "--all"},
			R"({"items": [{"metadata": {"namespace": "a", "name": "b", "uid": "c"},
			            "spec": {"priority": 1.5}, "status": {"qosClass": "Burstable"}}]})");
	CHECK(bad.exit_status != 0);
}

TEST_CASE("kubernetes: BestEffort dies before Burstable before Guaranteed, and within a class "
	  "the lower PriorityClass first",
	  "[kubernetes][oom]")
{
	const std::string mode = GENERATE(as<std::string>{}, "inherit", "tournament");
	CAPTURE(mode);
	LoadedPolicy policy({"--mode", mode});
	const auto &cli = policy.cli();
	MemcgScene kubepods("kubepods.slice", 100, layout(kPods));

	// The node agent's pipeline: pods -> sync file -> bpfoom sync -.
	auto generated = run_command({kGenerator}, pod_list(kPods));
	INFO(generated.describe());
	REQUIRE(generated.exit_status == 0);
	cli.must({"sync", "-"}, generated.out);
	const auto entries = cli.entries();
	CHECK(entries.size() == 3 + kPods.size());
	for (const auto &pod : kPods) {
		INFO(pod.name);
		CHECK(entries.at(kubepods.child(pod.slice()).path()).first ==
		      pod.expected_priority);
	}

	// Every round OOMs kubepods.slice with the pods still alive; the one
	// that must die next is the smallest. The last pod always triggers.
	std::vector<Pod> alive = kPods;
	while (alive.size() > 1) {
		const Pod &expected = alive.front();
		std::vector<HogSpec> residents;
		ExpectedEvents events{.priority = {}, .decided_by = "policy"};
		std::size_t resident_mb = 0;
		for (const auto &pod : alive) {
			events.priority[pod.container()] = pod.expected_priority;
			if (&pod == &alive.back())
				continue;
			residents.push_back({.name = pod.name,
					     .cgroup = pod.container(),
					     .megabytes = pod.megabytes});
			resident_mb += pod.megabytes;
		}
		// 5 MB over memory.max: less than any one pod, so one kill ends it.
		const HogSpec trigger{.name = alive.back().name,
				      .cgroup = alive.back().container(),
				      .megabytes = 105 - resident_mb};

		auto oom = run_policy_oom(cli, kubepods, residents, trigger, events);
		INFO(alive.size() << " pods alive\n" << oom.outcome.describe());
		CHECK(oom.outcome.first_killed() == expected.name);
		CHECK(oom.outcome.oom_kills[expected.container()] >= 1);
		REQUIRE(!oom.outcome.kernel_kills.empty());
		CHECK(oom.outcome.kernel_kills.front().policy);
		CHECK(oom.outcome.kernel_kills.front().task == expected.name);
		alive.erase(alive.begin());
	}
}

TEST_CASE("kubernetes: a container's own entry competes with every pod in inherit mode, only "
	  "within its pod in tournament mode",
	  "[kubernetes][oom]")
{
	// A Guaranteed pod "db" whose log shipper sidecar is marked expendable
	// (-5) by hand, and a Burstable pod "api". inherit compares the
	// sidecar's -5 with api's 25000: the sidecar dies. tournament first
	// compares where the paths diverge, the Burstable tier (0) against the
	// Guaranteed pod (2^30): api dies; the sidecar only ranks below db's
	// main container, inside the pod.
	const std::string mode = GENERATE(as<std::string>{}, "inherit", "tournament");
	CAPTURE(mode);
	LoadedPolicy policy({"--mode", mode});
	const auto &cli = policy.cli();
	const Pod db{"db", "Guaranteed", 0, "0b1e0000-0000-4000-8000-000000000011", kBand, 0};
	const Pod api{"api", "Burstable", 100000, "0b1e0000-0000-4000-8000-000000000012",
		      25000, 30};
	const std::string sidecar = db.slice() + "/cri-containerd-db-logs.scope";
	auto cgroups = layout({db, api});
	cgroups.push_back(sidecar);
	MemcgScene kubepods("kubepods.slice", 100, cgroups);

	auto generated = run_command({kGenerator}, pod_list({db, api}));
	INFO(generated.describe());
	REQUIRE(generated.exit_status == 0);
	cli.must({"sync", "-"}, generated.out);
	cli.must({"set", kubepods.relative(sidecar), "-5"});

	auto oom = run_policy_oom(
	    cli, kubepods,
	    {{.name = "db-logs", .cgroup = sidecar, .megabytes = 20},
	     {.name = "api", .cgroup = api.container(), .megabytes = api.megabytes}},
	    {.name = "db", .cgroup = db.container(), .megabytes = 55},
	    ExpectedEvents{
		.priority = {{sidecar, -5}, {api.container(), 25000}, {db.container(), kBand}},
		.decided_by = "policy"});
	INFO(oom.outcome.describe());
	CHECK(oom.outcome.first_killed() == (mode == "inherit" ? "db-logs" : "api"));
}
