// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// What each command reports, and how: per result type one to_json() (its
// --json document, see schemas.hpp) and one print_text() (tables and lines
// for people). A type without to_json() has no JSON document.
#pragma once

#include <optional>
#include <ostream>
#include <span>
#include <string>

#include "bpfoom/cgroup.hpp"
#include "bpfoom/events.hpp"
#include "bpfoom/inherit.hpp"
#include "bpfoom/policy.hpp"
#include "bpfoom/probe.hpp"
#include "bpfoom/sync_file.hpp"
#include "json.hpp"

namespace bpfoom::cli
{

struct LoadReport {
	const LoadResult &result;
	const std::string &pin_dir;
};
struct UnloadReport {
	bool removed; // false: nothing was loaded
};
struct StatusReport {
	const PolicyStatus &status;
	const std::string &pin_dir;
};
/* config: the settings in force. */
struct SettingsReport {
	const Settings &settings;
};
struct SetReport {
	const Cgroup &cgroup;
	Priority value;
	std::optional<Priority> before;
};
struct UnsetReport {
	const Cgroup &cgroup;
	std::optional<Priority> before;
};
/* get: a cgroup's effective priority in inherit mode. */
struct GetReport {
	const Cgroup &cgroup;
	const EffectivePriority &effective;
};
struct ListReport {
	const PriorityTable &entries;
	const CgroupResolver &cgroups;
};
struct SyncReport {
	const SyncPlan &plan;
	bool dry_run;
	const SyncTarget &target;
	const CgroupResolver &cgroups;
};
/* gc: the plan that removed the entries of deleted cgroups. */
struct GcReport {
	const SyncPlan &plan;
};
/* One OOM event; without cgroups (no cgroup2), cgroups are named by id. */
struct EventReport {
	const OomEvent &event;
	const CgroupResolver *cgroups;
};

/* policy list: the shipped policies. */
struct PolicyListReport {
	std::span<const ShippedPolicy> policies;
};
/* policy check: the identity the policy would be loaded with. */
struct PolicyCheckReport {
	const PolicyIdentity &policy;
	const std::string &origin;
};
/* policy build: the object written. */
struct PolicyBuildReport {
	const std::string &output;
};

Json to_json(const ProbeReport &report);
void print_text(const ProbeReport &report, std::ostream &out);

void print_text(const LoadReport &report, std::ostream &out);
void print_text(const UnloadReport &report, std::ostream &out);

Json to_json(const StatusReport &report);
void print_text(const StatusReport &report, std::ostream &out);

void print_text(const SettingsReport &report, std::ostream &out);

void print_text(const SetReport &report, std::ostream &out);
void print_text(const UnsetReport &report, std::ostream &out);

Json to_json(const GetReport &report);
void print_text(const GetReport &report, std::ostream &out);

Json to_json(const ListReport &report);
void print_text(const ListReport &report, std::ostream &out);

Json to_json(const SyncReport &report);
void print_text(const SyncReport &report, std::ostream &out);

Json to_json(const GcReport &report);
void print_text(const GcReport &report, std::ostream &out);

Json to_json(const EventReport &report);
void print_text(const EventReport &report, std::ostream &out);

/* Shown for a cgroup id whose directory is gone, or outside this mount. */
std::string cgroup_label(const CgroupResolver &cgroups, std::uint64_t id);

/* As a sync file line writes it: "-5", "-5 omit", "5 omit request=64Mi". */
std::string describe(const Priority &value);

/* policy build, check and list (cmd_policy_files.cpp). */
void print_text(const PolicyBuildReport &report, std::ostream &out);
Json to_json(const PolicyCheckReport &report);
void print_text(const PolicyCheckReport &report, std::ostream &out);
Json to_json(const PolicyListReport &report);
void print_text(const PolicyListReport &report, std::ostream &out);

} // namespace bpfoom::cli
