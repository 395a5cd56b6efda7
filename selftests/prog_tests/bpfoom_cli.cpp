// SPDX-License-Identifier: GPL-2.0
#include "bpfoom_cli.hpp"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/bpf.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <memory>
#include <sstream>

namespace bpfoom::selftests
{

CommandResult BpfoomCli::run(const std::vector<std::string> &args, const std::string &input) const
{
	std::vector<std::string> argv{BPFOOM_CLI_PATH};
	argv.insert(argv.end(), args.begin(), args.end());
	return run_command(argv, input);
}

std::string BpfoomCli::must(const std::vector<std::string> &args, const std::string &input) const
{
	auto result = run(args, input);
	std::string command = "bpfoom";
	for (const auto &arg : args)
		command += " " + arg;
	INFO(command << "\n" << result.describe());
	REQUIRE(result.exit_status == 0);
	return result.out;
}

nlohmann::json BpfoomCli::status() const
{
	return nlohmann::json::parse(must({"status", "--json"}));
}

nlohmann::json BpfoomCli::list() const
{
	return nlohmann::json::parse(must({"list", "--json"}));
}

PriorityEntries BpfoomCli::entries() const
{
	PriorityEntries entries;
	// Named: a range-for over list()["entries"] would iterate a member of
	// a temporary already destroyed (C++20 extends only the range's own
	// lifetime, not that of the object it points into).
	const nlohmann::json listed = list();
	for (const auto &entry : listed.at("entries")) {
		const std::string path =
		    entry["path"].is_null() ? "(gone)" : entry["path"].get<std::string>();
		entries[path] = {entry["priority"].get<int>(), entry["omit"].get<bool>()};
	}
	return entries;
}

std::vector<nlohmann::json> BpfoomCli::drain_events() const
{
	std::vector<nlohmann::json> events;
	std::istringstream lines(must({"events", "--json"}));
	std::string line;
	while (std::getline(lines, line))
		if (!line.empty())
			events.push_back(nlohmann::json::parse(line));
	return events;
}

LoadedPolicy::LoadedPolicy(const std::vector<std::string> &load_args)
{
	cli_.must({"unload"});
	std::vector<std::string> args{"load"};
	args.insert(args.end(), load_args.begin(), load_args.end());
	cli_.must(args);
	cli_.drain_events();
}

LoadedPolicy::~LoadedPolicy()
{
	cli_.run({"unload"});
}

NothingLoaded::NothingLoaded()
{
	BpfoomCli().must({"unload"});
}

NothingLoaded::~NothingLoaded()
{
	BpfoomCli().run({"unload"});
}

unsigned policy_program_id(const nlohmann::json &status)
{
	for (const auto &link : status.value("links", nlohmann::json::array()))
		if (link.value("prog_name", "") == "bpfoom_eval")
			return link.value("prog_id", 0u);
	return 0;
}

std::string test_policy(const std::string &name)
{
	return std::string(BPFOOM_TEST_POLICY_DIR) + "/" + name + ".bpf.o";
}

std::vector<nlohmann::json> events_for_pid(const std::vector<nlohmann::json> &events, int pid)
{
	std::vector<nlohmann::json> matching;
	for (const auto &event : events)
		if (event["victim"]["pid"] == pid)
			matching.push_back(event);
	return matching;
}

int count_links(const std::function<bool(const bpf_link_info &)> &matches)
{
	int links = 0;
	__u32 id = 0;
	while (bpf_link_get_next_id(id, &id) == 0) {
		const int fd = bpf_link_get_fd_by_id(id);
		if (fd < 0)
			continue; // detached since
		bpf_link_info info{};
		__u32 len = sizeof(info);
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && matches(info))
			links++;
		::close(fd);
	}
	return links;
}

int count_hook_links()
{
	std::unique_ptr<btf, decltype(&btf__free)> vmlinux(btf__load_vmlinux_btf(), btf__free);
	REQUIRE(vmlinux);
	const int hook_id =
	    btf__find_by_name_kind(vmlinux.get(), "bpf_oom_evaluate_task", BTF_KIND_FUNC);
	REQUIRE(hook_id > 0);
	return count_links([&](const bpf_link_info &info) {
		return info.type == BPF_LINK_TYPE_TRACING &&
		       info.tracing.attach_type == BPF_MODIFY_RETURN &&
		       static_cast<int>(info.tracing.target_btf_id) == hook_id;
	});
}

int count_links_of(std::string_view prog_name)
{
	return count_links([&](const bpf_link_info &info) {
		const int prog = bpf_prog_get_fd_by_id(info.prog_id);
		if (prog < 0)
			return false;
		bpf_prog_info prog_info{};
		__u32 len = sizeof(prog_info);
		const bool named = bpf_obj_get_info_by_fd(prog, &prog_info, &len) == 0 &&
				   prog_name == prog_info.name;
		::close(prog);
		return named;
	});
}

} // namespace bpfoom::selftests
