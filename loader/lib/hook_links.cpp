// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "bpfoom/hook_links.hpp"

#include <algorithm>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <cerrno>
#include <cstring>
#include <memory>

#include "bpfoom/error.hpp"
#include "bpfoom/probe.hpp"
#include "bpfoom/unique_fd.hpp"

namespace bpfoom
{
namespace
{

struct BtfDeleter {
	void operator()(btf *b) const { btf__free(b); }
};

/*
 * Opens an object by id with `open` (bpf_link_get_fd_by_id, ...): nothing if
 * it went away meanwhile (ids are listed, then opened), else the fd.
 */
template <typename Open>
std::optional<UniqueFd> open_by_id(Open open, std::uint32_t id, const std::string &what)
{
	UniqueFd fd(open(id));
	if (fd)
		return fd;
	if (errno == ENOENT)
		return std::nullopt;
	throw system_error("cannot open " + what + " " + std::to_string(id), errno);
}

/* The id of the kernel's own BTF object (vmlinux), as tracing links name their target. */
std::uint32_t vmlinux_btf_obj_id()
{
	std::uint32_t id = 0;
	while (bpf_btf_get_next_id(id, &id) == 0) {
		auto fd = open_by_id(bpf_btf_get_fd_by_id, id, "BTF object");
		if (!fd)
			continue;
		char name[64] = {};
		bpf_btf_info info{};
		info.name = reinterpret_cast<std::uint64_t>(name);
		info.name_len = sizeof(name);
		std::uint32_t len = sizeof(info);
		if (bpf_obj_get_info_by_fd(fd->get(), &info, &len) != 0)
			throw system_error("cannot inspect BTF object " + std::to_string(id),
					   errno);
		if (info.kernel_btf && std::strncmp(name, "vmlinux", sizeof(name)) == 0)
			return id;
	}
	if (errno != ENOENT)
		throw system_error("cannot list BTF objects after id " + std::to_string(id), errno);
	throw Error(Errc::unsupported,
		    "the kernel lists no BTF object named vmlinux, though it has kernel BTF");
}

} // namespace

bool returns_hook_verdicts(const bpf_link_info &info, const HookTarget &hook)
{
	/*
	 * 6.12 fills target_obj_id and target_btf_id from the trampoline's key
	 * (bpf_tracing_link_fill_link_info): for a kernel function, the id of
	 * the BTF object holding it and its FUNC's id there; for a BPF program
	 * target, that program's id and an id in its own BTF. The object id
	 * keeps the second from passing for the first.
	 */
	return info.type == BPF_LINK_TYPE_TRACING &&
	       info.tracing.attach_type == BPF_MODIFY_RETURN &&
	       info.tracing.target_obj_id == hook.btf_obj_id &&
	       info.tracing.target_btf_id == hook.btf_id;
}

std::vector<HookProgram> select_hook_programs(std::span<const bpf_link_info> links,
					      const HookTarget &hook,
					      std::span<const std::uint32_t> owned_link_ids)
{
	std::vector<HookProgram> selected;
	for (const auto &info : links) {
		if (!returns_hook_verdicts(info, hook))
			continue;
		HookProgram program;
		program.link_id = info.id;
		program.prog_id = info.prog_id;
		program.owned = std::find(owned_link_ids.begin(), owned_link_ids.end(), info.id) !=
				owned_link_ids.end();
		selected.push_back(std::move(program));
	}
	std::sort(selected.begin(), selected.end(),
		  [](const HookProgram &a, const HookProgram &b) { return a.link_id < b.link_id; });
	return selected;
}

std::optional<HookTarget> find_oom_hook()
{
	std::unique_ptr<btf, BtfDeleter> vmlinux(btf__load_vmlinux_btf());
	if (!vmlinux)
		return std::nullopt; // no BTF, no fmod_ret: nothing can attach to the hook
	const int func = btf__find_by_name_kind(vmlinux.get(), oom_hook_name, BTF_KIND_FUNC);
	if (func <= 0)
		return std::nullopt;
	return HookTarget{vmlinux_btf_obj_id(), static_cast<std::uint32_t>(func)};
}

std::vector<HookProgram> hook_programs(const HookTarget &hook,
				       std::span<const std::uint32_t> owned_link_ids)
{
	/* Each link's fd stays open until its program is named: the link holds the program. */
	std::vector<bpf_link_info> infos;
	std::vector<UniqueFd> fds;
	std::uint32_t id = 0;
	while (bpf_link_get_next_id(id, &id) == 0) {
		auto fd = open_by_id(bpf_link_get_fd_by_id, id, "BPF link");
		if (!fd)
			continue; // detached since it was listed
		bpf_link_info info{};
		std::uint32_t len = sizeof(info);
		if (bpf_obj_get_info_by_fd(fd->get(), &info, &len) != 0)
			throw system_error("cannot inspect BPF link " + std::to_string(id), errno);
		if (!returns_hook_verdicts(info, hook))
			continue;
		infos.push_back(info);
		fds.push_back(std::move(*fd));
	}
	if (errno != ENOENT)
		throw system_error("cannot list BPF links after id " + std::to_string(id), errno);

	std::vector<HookProgram> programs = select_hook_programs(infos, hook, owned_link_ids);
	for (auto &program : programs) {
		const std::string what = "program " + std::to_string(program.prog_id) +
					 " of BPF link " + std::to_string(program.link_id);
		UniqueFd prog(bpf_prog_get_fd_by_id(program.prog_id));
		if (!prog)
			throw system_error("cannot open " + what, errno);
		bpf_prog_info info{};
		std::uint32_t len = sizeof(info);
		if (bpf_obj_get_info_by_fd(prog.get(), &info, &len) != 0)
			throw system_error("cannot inspect " + what, errno);
		program.prog_name.assign(info.name, strnlen(info.name, sizeof(info.name)));
	}
	return programs;
}

} // namespace bpfoom
