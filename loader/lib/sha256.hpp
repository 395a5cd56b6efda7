// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// Private: SHA-256 digests, as lowercase hex (OpenSSL's libcrypto).
#pragma once

#include <memory>
#include <string>
#include <string_view>

struct evp_md_ctx_st; // libcrypto's EVP_MD_CTX

namespace bpfoom
{

/* Feeds any number of pieces, then gives the digest of all of them. */
class Sha256
{
public:
	Sha256();

	Sha256 &update(std::string_view bytes);
	/* 64 hex digits; the object cannot be fed after this. */
	std::string hex();

private:
	struct ContextFree {
		void operator()(::evp_md_ctx_st *ctx) const;
	};
	std::unique_ptr<::evp_md_ctx_st, ContextFree> ctx_;
};

/* The digest of one piece of bytes. */
std::string sha256_hex(std::string_view bytes);

} // namespace bpfoom
