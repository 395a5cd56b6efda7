// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// Private: a policy's BPF object, opened, checked and loaded through libbpf.
#pragma once

#include <array>
#include <bpf/libbpf.h>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bpfoom/pin_dir.hpp"
#include "bpfoom/policy.hpp"
#include "bpfoom/policy_image.hpp"

namespace bpfoom
{

class MapLayouts;

struct LinkDeleter {
	/* Closes the link fd; a link that is pinned stays attached through its pin. */
	void operator()(bpf_link *link) const { bpf_link__destroy(link); }
};
using LinkPtr = std::unique_ptr<bpf_link, LinkDeleter>;

/* bpf_program__attach(), throwing with the program's name on failure. */
LinkPtr attach_program(bpf_program *prog);

/*
 * One policy object: its three programs, found by where they attach (the
 * one table that ties pins::links to the kernel's attach points), and the
 * shared maps, which must have the layouts bpfoom's own policies give them.
 * Nothing reaches the kernel until load().
 */
class PolicyObject
{
public:
	/*
	 * Opens `image` and checks its shape against `layouts` (none: the
	 * reference object MapLayouts is read from). Errc::bad_input, naming
	 * the image's origin and what is wrong, for an object that is not
	 * ELF, misses one of the three programs or has two of one, holds a
	 * program bpfoom would not attach, or lacks a shared map or has one of
	 * another layout.
	 */
	PolicyObject(const PolicyImage &image, const MapLayouts *layouts);
	~PolicyObject();
	PolicyObject(const PolicyObject &) = delete;
	PolicyObject &operator=(const PolicyObject &) = delete;

	const PolicyImage &image() const { return image_; }
	/* The name and hash load() wrote into the object. */
	const PolicyIdentity &identity() const { return identity_; }
	bpf_object *get() const { return obj_; }

	/* The map pinned as `pin` (one of pins::maps). */
	bpf_map *map(std::string_view pin) const;
	/* The program of the link pinned as `link` (one of pins::links). */
	bpf_program *program(std::string_view link) const;

	/*
	 * Loads every program (autoload off for those not wanted) into the
	 * kernel, with the image's name and hash and this machine's page size
	 * in the object's read-only data (Errc::bad_input, before any kernel
	 * call, if it has no place for them). A refusal by the verifier is
	 * Errc::policy_rejected with the tail of its log; EPERM/EACCES without
	 * a log is Errc::permission.
	 */
	void load();

private:
	void set_identity();

	PolicyImage image_;
	PolicyIdentity identity_;
	bpf_object *obj_ = nullptr;
	std::array<bpf_map *, pins::maps.size()> maps_{};
	std::array<bpf_program *, pins::links.size()> programs_{};
	/* The kernel's log of a failed load; libbpf writes it while load() runs. */
	std::vector<char> kernel_log_;
};

/*
 * The identity a loaded policy carries in its read-only data, read back
 * through the program attached by a link (or nothing if the program has
 * none: a policy loaded by a bpfoom older than the SDK).
 */
std::optional<PolicyIdentity> loaded_policy_identity(std::uint32_t prog_id);

} // namespace bpfoom
