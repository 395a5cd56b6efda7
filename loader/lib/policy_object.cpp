// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "policy_object.hpp"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

#include "bpfoom/error.hpp"
#include "bpfoom/text.hpp"
#include "bpfoom/unique_fd.hpp"
#include "map_layouts.hpp"

namespace bpfoom
{
namespace
{

/* Where each pinned link's program attaches: its section name, as the SDK writes it. */
constexpr std::pair<std::string_view, std::string_view> attach_points[] = {
    {pins::link_eval, "fmod_ret/bpf_oom_evaluate_task"},
    {pins::link_oom, "fentry/out_of_memory"},
    {pins::link_victim, "tp_btf/mark_victim"},
};
static_assert(std::size(attach_points) == pins::links.size());

/* The read-only variables the loader writes before load (bpfoom/policy.bpf.h). */
constexpr std::string_view name_variable = "bpfoom_policy_name";
constexpr std::string_view hash_variable = "bpfoom_policy_hash";
constexpr std::string_view page_size_variable = "bpfoom_page_size";

/* How much of a refused load's verifier log is kept, and how many of its lines an error shows. */
constexpr std::size_t kernel_log_size = 1 << 20;
constexpr std::size_t verifier_lines = 30;

std::size_t index_of(std::string_view name, auto const &names, std::string_view kind)
{
	for (std::size_t i = 0; i < std::size(names); i++)
		if (names[i] == name)
			return i;
	throw Error(Errc::internal,
		    "a bpfoom policy has no " + std::string(kind) + " for " + quote(name));
}

std::string describe_layout(std::uint32_t type, std::uint32_t key, std::uint32_t value)
{
	return "type " + std::to_string(type) + ", key " + std::to_string(key) + " bytes, value " +
	       std::to_string(value) + " bytes";
}

/* The offset and size of a variable in a data section's BTF, if it is there. */
struct Variable {
	std::uint32_t offset = 0;
	std::uint32_t size = 0;
};

std::optional<Variable> find_variable(const btf *types, const btf_type *datasec,
				      std::string_view name)
{
	const btf_var_secinfo *info = btf_var_secinfos(datasec);
	for (unsigned short i = 0; i < btf_vlen(datasec); i++, info++) {
		const btf_type *var = btf__type_by_id(types, info->type);
		if (var && name == btf__name_by_offset(types, var->name_off))
			return Variable{info->offset, info->size};
	}
	return std::nullopt;
}

/* The last `count` lines of a NUL-terminated log. */
std::string log_tail(const std::vector<char> &log, std::size_t count)
{
	std::string_view text(log.data(), ::strnlen(log.data(), log.size()));
	while (!text.empty() && text.back() == '\n')
		text.remove_suffix(1);
	std::size_t start = text.size();
	for (std::size_t seen = 0; start > 0; start--)
		if (text[start - 1] == '\n' && ++seen == count)
			break;
	return std::string(text.substr(start));
}

} // namespace

LinkPtr attach_program(bpf_program *prog)
{
	LinkPtr link(bpf_program__attach(prog));
	if (!link)
		throw system_error(
		    std::string("cannot attach BPF program ") + bpf_program__name(prog), errno);
	return link;
}

PolicyObject::PolicyObject(const PolicyImage &image, const MapLayouts *layouts)
    : image_(image), kernel_log_(kernel_log_size, '\0')
{
	const std::string &origin = image_.origin == "shipped" ? image_.name : image_.origin;
	const std::string what = "policy " + quote(origin);

	bpf_object_open_opts opts{};
	opts.sz = sizeof(opts);
	opts.object_name = "bpfoom";
	/* Level 0: no log unless a program is refused, then libbpf loads it again to log why. */
	opts.kernel_log_buf = kernel_log_.data();
	opts.kernel_log_size = kernel_log_.size();
	opts.kernel_log_level = 0;
	obj_ = bpf_object__open_mem(image_.object.data(), image_.object.size(), &opts);
	if (!obj_)
		throw Error(Errc::bad_input,
			    what + " is not a BPF object libbpf can open: " + std::strerror(errno));

	try {
		std::array<std::vector<std::string>, pins::links.size()> found;
		bpf_program *prog;
		bpf_object__for_each_program(prog, obj_)
		{
			const std::string_view section = bpf_program__section_name(prog);
			bool known = false;
			for (std::size_t i = 0; i < pins::links.size(); i++)
				if (attach_points[i].second == section) {
					found[i].push_back(bpf_program__name(prog));
					programs_[i] = prog;
					known = true;
				}
			if (!known)
				throw Error(
				    Errc::bad_input,
				    what + " holds program " + quote(bpf_program__name(prog)) +
					" in section " + quote(section) +
					", which bpfoom does not attach; a policy holds only "
					"the programs BPFOOM_POLICY() defines");
		}
		for (std::size_t i = 0; i < pins::links.size(); i++) {
			const std::string section(attach_points[i].second);
			if (found[i].empty())
				throw Error(Errc::bad_input,
					    what + " has no " + section +
						" program; a policy defines its programs with "
						"BPFOOM_POLICY() from bpfoom/policy.bpf.h");
			if (found[i].size() > 1) {
				std::string names;
				for (const auto &name : found[i])
					names += (names.empty() ? "" : ", ") + name;
				throw Error(Errc::bad_input,
					    what + " has " + std::to_string(found[i].size()) + " " +
						section + " programs (" + names +
						"); a policy has exactly one");
			}
		}

		for (std::size_t i = 0; i < pins::maps.size(); i++) {
			const std::string name(pins::maps[i]);
			maps_[i] = bpf_object__find_map_by_name(obj_, name.c_str());
			if (!maps_[i])
				throw Error(Errc::bad_input,
					    what + " has no map " + quote(name) +
						"; a policy takes bpfoom's shared maps from "
						"bpfoom/policy.bpf.h");
			if (!layouts)
				continue;
			const MapLayout &want = layouts->of(name);
			const std::uint32_t type = bpf_map__type(maps_[i]);
			const std::uint32_t key = bpf_map__key_size(maps_[i]);
			const std::uint32_t value = bpf_map__value_size(maps_[i]);
			if (type != want.type || key != want.key_size || value != want.value_size)
				throw Error(
				    Errc::bad_input,
				    what + "'s map " + quote(name) + " (" +
					describe_layout(type, key, value) +
					") is not bpfoom's shared map of that name (" +
					describe_layout(want.type, want.key_size, want.value_size) +
					"); a policy takes the shared maps from "
					"bpfoom/policy.bpf.h");
		}
	} catch (...) {
		bpf_object__close(obj_);
		throw;
	}
}

PolicyObject::~PolicyObject()
{
	bpf_object__close(obj_);
}

bpf_map *PolicyObject::map(std::string_view pin) const
{
	return maps_[index_of(pin, pins::maps, "map")];
}

bpf_program *PolicyObject::program(std::string_view link) const
{
	return programs_[index_of(link, pins::links, "program")];
}

void PolicyObject::set_identity()
{
	const std::string what =
	    "policy " + quote(image_.origin == "shipped" ? image_.name : image_.origin);
	bpf_map *rodata = bpf_object__find_map_by_name(obj_, ".rodata");
	const btf *types = bpf_object__btf(obj_);
	const int datasec_id =
	    types ? btf__find_by_name_kind(types, ".rodata", BTF_KIND_DATASEC) : -1;
	if (!rodata || datasec_id < 0)
		throw Error(Errc::bad_input,
			    what + " has no read-only data with the policy's identity; a policy "
				   "is built on bpfoom/policy.bpf.h");
	const btf_type *datasec = btf__type_by_id(types, datasec_id);

	std::size_t size = 0;
	const void *initial = bpf_map__initial_value(rodata, &size);
	std::vector<char> data(static_cast<const char *>(initial),
			       static_cast<const char *>(initial) + size);
	auto place = [&](std::string_view name, const void *value, std::size_t value_size) {
		const auto var = find_variable(types, datasec, name);
		if (!var || var->size != value_size || var->offset + value_size > data.size())
			throw Error(Errc::bad_input,
				    what + " has no " + std::to_string(value_size) + "-byte " +
					quote(name) +
					" in its read-only data; a policy is built on "
					"bpfoom/policy.bpf.h");
		std::memcpy(data.data() + var->offset, value, value_size);
	};

	char name[BPFOOM_POLICY_NAME_LEN] = {};
	image_.name.copy(name, sizeof(name) - 1);
	identity_ = {image_.name, image_.sha256().substr(0, 16)};
	const std::uint64_t hash = std::strtoull(identity_.hash.c_str(), nullptr, 16);
	const std::uint64_t page_size = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
	place(name_variable, name, sizeof(name));
	place(hash_variable, &hash, sizeof(hash));
	place(page_size_variable, &page_size, sizeof(page_size));
	if (bpf_map__set_initial_value(rodata, data.data(), data.size()) != 0)
		throw system_error("cannot set " + what + "'s read-only data", errno);
}

void PolicyObject::load()
{
	/* Here, not on open: an object only opened (MapLayouts' reference) is never hashed. */
	set_identity();
	kernel_log_[0] = '\0';
	if (bpf_object__load(obj_) == 0)
		return;
	const int err = errno;
	const std::string what =
	    "policy " + quote(image_.origin == "shipped" ? image_.name : image_.origin);
	if (kernel_log_[0] != '\0')
		throw Error(Errc::policy_rejected,
			    "the kernel's verifier refused " + what + " (" + std::strerror(err) +
				"; the last lines of its log are above)",
			    log_tail(kernel_log_, verifier_lines));
	throw Error(err == EPERM || err == EACCES ? Errc::permission : Errc::internal,
		    "the kernel refused to load " + what + ": " + std::strerror(err) +
			" (bpfoom --verbose shows libbpf's log)");
}

std::optional<PolicyIdentity> loaded_policy_identity(std::uint32_t prog_id)
{
	UniqueFd prog(bpf_prog_get_fd_by_id(prog_id));
	if (!prog)
		return std::nullopt;
	std::uint32_t map_ids[64];
	bpf_prog_info info{};
	info.nr_map_ids = std::size(map_ids);
	info.map_ids = reinterpret_cast<std::uint64_t>(map_ids);
	std::uint32_t len = sizeof(info);
	if (bpf_obj_get_info_by_fd(prog.get(), &info, &len) != 0)
		return std::nullopt;

	for (std::uint32_t i = 0; i < std::min<std::uint32_t>(info.nr_map_ids, 64); i++) {
		UniqueFd map(bpf_map_get_fd_by_id(map_ids[i]));
		bpf_map_info map_info{};
		len = sizeof(map_info);
		if (!map || bpf_obj_get_info_by_fd(map.get(), &map_info, &len) != 0)
			continue;
		const std::string_view name = map_info.name;
		if (!(map_info.map_flags & BPF_F_RDONLY_PROG) || name.size() < 7 ||
		    name.substr(name.size() - 7) != ".rodata" || !map_info.btf_id)
			continue;
		std::unique_ptr<btf, void (*)(btf *)> types(
		    btf__load_from_kernel_by_id(map_info.btf_id), btf__free);
		const btf_type *datasec =
		    types ? btf__type_by_id(types.get(), map_info.btf_value_type_id) : nullptr;
		if (!datasec || !btf_is_datasec(datasec))
			continue;
		std::vector<char> data(map_info.value_size);
		const std::uint32_t zero = 0;
		if (bpf_map_lookup_elem(map.get(), &zero, data.data()) != 0)
			continue;
		const auto name_var = find_variable(types.get(), datasec, name_variable);
		const auto hash_var = find_variable(types.get(), datasec, hash_variable);
		if (!name_var || !hash_var || hash_var->size != sizeof(std::uint64_t) ||
		    name_var->offset + name_var->size > data.size() ||
		    hash_var->offset + hash_var->size > data.size())
			continue;
		PolicyIdentity identity;
		identity.name.assign(data.data() + name_var->offset,
				     ::strnlen(data.data() + name_var->offset, name_var->size));
		std::uint64_t hash;
		std::memcpy(&hash, data.data() + hash_var->offset, sizeof(hash));
		char hex[17];
		std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(hash));
		identity.hash = hex;
		return identity;
	}
	return std::nullopt;
}

} // namespace bpfoom
