// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "sha256.hpp"

#include <openssl/evp.h>

#include "bpfoom/error.hpp"

namespace bpfoom
{

void Sha256::ContextFree::operator()(EVP_MD_CTX *ctx) const
{
	EVP_MD_CTX_free(ctx);
}

Sha256::Sha256() : ctx_(EVP_MD_CTX_new())
{
	if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1)
		throw Error(Errc::internal, "cannot set up a SHA-256 digest (libcrypto)");
}

Sha256 &Sha256::update(std::string_view bytes)
{
	if (EVP_DigestUpdate(ctx_.get(), bytes.data(), bytes.size()) != 1)
		throw Error(Errc::internal, "SHA-256 digest failed (libcrypto)");
	return *this;
}

std::string Sha256::hex()
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	if (EVP_DigestFinal_ex(ctx_.get(), digest, &len) != 1)
		throw Error(Errc::internal, "SHA-256 digest failed (libcrypto)");
	static constexpr char digits[] = "0123456789abcdef";
	std::string text;
	for (unsigned int i = 0; i < len; i++) {
		text += digits[digest[i] >> 4];
		text += digits[digest[i] & 0xf];
	}
	return text;
}

std::string sha256_hex(std::string_view bytes)
{
	return Sha256().update(bytes).hex();
}

} // namespace bpfoom
