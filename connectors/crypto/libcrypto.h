// OpenSSL's libcrypto, loaded the first time something needs it rather than when iesync
// starts, as libcurl is (connectors/http/curl_library.h). Linked in, its 21,000 relocations
// were ~1.1 ms of every command's start, a thirtieth of a small school's `iesync sync` of its
// MIS exports, which needs none of it. Classroom's token signing, e-mail headers, the status
// server's sign-in and `iesync student` do.
//
// The table's functions are OpenSSL's own, under their own names.
#pragma once

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <array>
#include <string>
#include <string_view>

namespace iesync::crypto {

struct Library {
  decltype(&::EVP_MD_CTX_new) EVP_MD_CTX_new;
  decltype(&::EVP_MD_CTX_free) EVP_MD_CTX_free;
  decltype(&::EVP_sha256) EVP_sha256;
  decltype(&::EVP_Digest) EVP_Digest;
  decltype(&::EVP_DigestInit_ex) EVP_DigestInit_ex;
  decltype(&::EVP_DigestUpdate) EVP_DigestUpdate;
  decltype(&::EVP_DigestFinal_ex) EVP_DigestFinal_ex;
  decltype(&::EVP_DigestSignInit) EVP_DigestSignInit;
  decltype(&::EVP_DigestSign) EVP_DigestSign;
  decltype(&::EVP_DigestVerifyInit) EVP_DigestVerifyInit;
  decltype(&::EVP_DigestVerify) EVP_DigestVerify;
  decltype(&::EVP_EncodeBlock) EVP_EncodeBlock;
  decltype(&::EVP_DecodeBlock) EVP_DecodeBlock;
  decltype(&::EVP_PKEY_get_base_id) EVP_PKEY_get_base_id;
  decltype(&::EVP_PKEY_free) EVP_PKEY_free;
  decltype(&::PEM_read_bio_PrivateKey) PEM_read_bio_PrivateKey;
  decltype(&::PEM_read_bio_PUBKEY) PEM_read_bio_PUBKEY;
  decltype(&::BIO_new_mem_buf) BIO_new_mem_buf;
  decltype(&::BIO_free) BIO_free;
  decltype(&::ERR_get_error) ERR_get_error;
  decltype(&::ERR_clear_error) ERR_clear_error;
  decltype(&::ERR_error_string_n) ERR_error_string_n;
  decltype(&::CRYPTO_memcmp) CRYPTO_memcmp;
};

// Loads the library once (thread-safe). nullptr when it cannot be loaded: load_error() then
// says why and which package to install.
const Library* library();
const std::string& load_error();

// library(), for callers with no way to report a missing library but an exception: iesync
// cannot run without it installed (libcurl needs it too), so that is a broken install.
const Library& library_or_throw();

// The SHA-256 of `bytes`, and `bytes` in base64 (RFC 4648, with padding), as the status
// server, e-mail headers and `iesync student` use them. Throw as library_or_throw() does.
std::array<unsigned char, 32> sha256(std::string_view bytes);
std::string base64(std::string_view bytes);

}  // namespace iesync::crypto
