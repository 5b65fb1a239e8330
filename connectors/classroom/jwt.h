// The pieces of a JWT (RFC 7519) that the service-account grant needs: base64url without
// padding and RS256 (RSASSA-PKCS1-v1_5 with SHA-256) through OpenSSL's EVP interface.
// The local Classroom fake verifies with the same code's inverse.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace iesync {

std::string base64url_encode(std::string_view bytes);
// Accepts with or without '=' padding; nullopt on a character outside the alphabet.
std::optional<std::string> base64url_decode(std::string_view text);

// Signs `data` with an RSA private key in PEM (PKCS#8 PEM, as Google's key
// files hold, or PKCS#1). Returns the raw signature bytes.
Result<std::string> rs256_sign(std::string_view private_key_pem, std::string_view data);
// True when `signature` is a valid RS256 signature of `data` under the PEM public key.
bool rs256_verify(std::string_view public_key_pem, std::string_view data,
                  std::string_view signature);

// header.claims.signature, each part base64url of the given JSON text.
Result<std::string> make_rs256_jwt(std::string_view header_json, std::string_view claims_json,
                                   std::string_view private_key_pem);

}  // namespace iesync
