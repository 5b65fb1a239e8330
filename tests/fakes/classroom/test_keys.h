// Service-account keys for tests and the demo, made at run time (never checked in): an RSA
// 2048 key pair and a key file shaped like the JSON Google Cloud console downloads.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace iesync::fake {

struct TestKeyPair {
  std::string private_pem;  // PKCS#8, as in Google's key files
  std::string public_pem;   // SubjectPublicKeyInfo
};

// A fresh pair; throws on OpenSSL failure (a broken test environment).
TestKeyPair generate_rsa_key_pair();
// The same pair every call in one process (key generation costs ~100 ms).
const TestKeyPair& shared_test_key_pair();

struct TestServiceAccount {
  std::filesystem::path key_file;
  std::string client_email;
  std::string client_id;
  std::string private_key_id;
  std::string public_pem;
};

// Writes `dir/service-account.json` with the given mode (0600 for a good key).
TestServiceAccount write_service_account_key(const std::filesystem::path& dir,
                                             const std::string& token_uri,
                                             const TestKeyPair& keys = shared_test_key_pair(),
                                             mode_t mode = 0600);

}  // namespace iesync::fake
