#include "connectors/classroom/jwt.h"

#include <array>
#include <memory>

#include "connectors/crypto/libcrypto.h"

namespace iesync {

namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

struct BioFree {
  void operator()(BIO* b) const { crypto::library()->BIO_free(b); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { crypto::library()->EVP_PKEY_free(k); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { crypto::library()->EVP_MD_CTX_free(c); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

BioPtr mem_bio(const crypto::Library& c, std::string_view pem) {
  return BioPtr(c.BIO_new_mem_buf(pem.data(), int(pem.size())));
}

std::string openssl_error(const crypto::Library& c) {
  unsigned long e = c.ERR_get_error();
  c.ERR_clear_error();
  if (!e) return "unknown OpenSSL error";
  std::array<char, 256> buf{};
  c.ERR_error_string_n(e, buf.data(), buf.size());
  return buf.data();
}

}  // namespace

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<unsigned char>(bytes[k]); };
  for (; i + 2 < bytes.size(); i += 3) {
    unsigned v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (bytes.size() - i == 1) {
    unsigned v = byte(i) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (bytes.size() - i == 2) {
    unsigned v = (byte(i) << 16) | (byte(i + 1) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  for (char c : text) {
    auto pos = kAlphabet.find(c);
    if (pos == std::string_view::npos) return std::nullopt;
    acc = (acc << 6) | unsigned(pos);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += char((acc >> bits) & 0xff);
    }
  }
  return out;
}

Result<std::string> rs256_sign(std::string_view private_key_pem, std::string_view data) {
  const auto* lib = crypto::library();
  if (!lib) return make_error("", "cannot sign the token request: " + crypto::load_error());
  const auto& c = *lib;
  auto bio = mem_bio(c, private_key_pem);
  PkeyPtr key(c.PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key || c.EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA)
    return make_error("",
                      "the private_key in the service-account key is not a readable RSA key (" +
                          openssl_error(c) + ")",
                      "download a new JSON key for the service account from the Google Cloud "
                      "console and point [classroom] key_file at it");
  MdCtxPtr ctx(c.EVP_MD_CTX_new());
  size_t len = 0;
  if (!ctx || c.EVP_DigestSignInit(ctx.get(), nullptr, c.EVP_sha256(), nullptr, key.get()) != 1 ||
      c.EVP_DigestSign(ctx.get(), nullptr, &len,
                       reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1)
    return make_error("", "signing the token request failed: " + openssl_error(c));
  std::string sig(len, '\0');
  if (c.EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                       reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1)
    return make_error("", "signing the token request failed: " + openssl_error(c));
  sig.resize(len);
  // Error is an aggregate of strings, so a bare string would be ambiguous: say which.
  return Result<std::string>(boost::system::in_place_value, std::move(sig));
}

bool rs256_verify(std::string_view public_key_pem, std::string_view data,
                  std::string_view signature) {
  const auto* lib = crypto::library();
  if (!lib) return false;
  const auto& c = *lib;
  auto bio = mem_bio(c, public_key_pem);
  PkeyPtr key(c.PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  MdCtxPtr ctx(c.EVP_MD_CTX_new());
  bool ok =
      key && ctx &&
      c.EVP_DigestVerifyInit(ctx.get(), nullptr, c.EVP_sha256(), nullptr, key.get()) == 1 &&
      c.EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                         signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                         data.size()) == 1;
  c.ERR_clear_error();
  return ok;
}

Result<std::string> make_rs256_jwt(std::string_view header_json, std::string_view claims_json,
                                   std::string_view private_key_pem) {
  std::string signing_input = base64url_encode(header_json) + "." + base64url_encode(claims_json);
  auto sig = rs256_sign(private_key_pem, signing_input);
  if (!sig) return sig.error();
  return Result<std::string>(boost::system::in_place_value,
                             signing_input + "." + base64url_encode(*sig));
}

}  // namespace iesync
