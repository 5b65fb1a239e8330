#include "connectors/crypto/libcrypto.h"

#include <stdexcept>

#include "connectors/shared_library.h"

namespace iesync::crypto {

namespace {

// OpenSSL 3's soname (Debian's libssl3 package), which the build's libssl-dev links against.
constexpr const char* kSoname = "libcrypto.so.3";

struct Loaded {
  Library lib{};
  std::string error;  // empty when loaded
};

Loaded load() {
  Loaded out;
  SharedLibrary so(kSoname, "libssl3");
  Library& l = out.lib;
#define IESYNC_BIND(name) so.bind(#name, l.name)
  IESYNC_BIND(EVP_MD_CTX_new);
  IESYNC_BIND(EVP_MD_CTX_free);
  IESYNC_BIND(EVP_sha256);
  IESYNC_BIND(EVP_Digest);
  IESYNC_BIND(EVP_DigestInit_ex);
  IESYNC_BIND(EVP_DigestUpdate);
  IESYNC_BIND(EVP_DigestFinal_ex);
  IESYNC_BIND(EVP_DigestSignInit);
  IESYNC_BIND(EVP_DigestSign);
  IESYNC_BIND(EVP_DigestVerifyInit);
  IESYNC_BIND(EVP_DigestVerify);
  IESYNC_BIND(EVP_EncodeBlock);
  IESYNC_BIND(EVP_DecodeBlock);
  IESYNC_BIND(EVP_PKEY_get_base_id);
  IESYNC_BIND(EVP_PKEY_free);
  IESYNC_BIND(PEM_read_bio_PrivateKey);
  IESYNC_BIND(PEM_read_bio_PUBKEY);
  IESYNC_BIND(BIO_new_mem_buf);
  IESYNC_BIND(BIO_free);
  IESYNC_BIND(ERR_get_error);
  IESYNC_BIND(ERR_clear_error);
  IESYNC_BIND(ERR_error_string_n);
  IESYNC_BIND(CRYPTO_memcmp);
#undef IESYNC_BIND
  out.error = so.error();
  return out;
}

const Loaded& loaded() {
  static const Loaded l = load();  // C++11 statics: loaded once, thread-safe
  return l;
}

}  // namespace

const Library* library() {
  const auto& l = loaded();
  return l.error.empty() ? &l.lib : nullptr;
}

const std::string& load_error() {
  return loaded().error;
}

const Library& library_or_throw() {
  if (const auto* l = library()) return *l;
  throw std::runtime_error(load_error());
}

std::array<unsigned char, 32> sha256(std::string_view bytes) {
  const auto& c = library_or_throw();
  std::array<unsigned char, 32> md{};
  unsigned int n = 0;
  if (c.EVP_Digest(bytes.data(), bytes.size(), md.data(), &n, c.EVP_sha256(), nullptr) != 1 ||
      n != md.size())
    throw std::runtime_error("OpenSSL SHA-256 failed");  // only on a broken libcrypto
  return md;
}

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');  // + the NUL EVP_EncodeBlock adds
  const int n = library_or_throw().EVP_EncodeBlock(
      reinterpret_cast<unsigned char*>(out.data()),
      reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
  return out;
}

}  // namespace iesync::crypto
