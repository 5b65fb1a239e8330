#include "tests/fakes/classroom/test_keys.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <memory>
#include <stdexcept>

namespace iesync::fake {

namespace {

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, size_t(n));
}

std::string random_hex(size_t bytes) {
  std::string raw(bytes, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), int(bytes));
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += hex[c >> 4];
    out += hex[c & 15];
  }
  return out;
}

}  // namespace

TestKeyPair generate_rsa_key_pair() {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_RSA_gen(2048), EVP_PKEY_free);
  if (!key) throw std::runtime_error("EVP_RSA_gen failed");
  std::unique_ptr<BIO, decltype(&BIO_free)> priv(BIO_new(BIO_s_mem()), BIO_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> pub(BIO_new(BIO_s_mem()), BIO_free);
  if (PEM_write_bio_PrivateKey(priv.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1 ||
      PEM_write_bio_PUBKEY(pub.get(), key.get()) != 1)
    throw std::runtime_error("writing the test key as PEM failed");
  return {bio_text(priv.get()), bio_text(pub.get())};
}

const TestKeyPair& shared_test_key_pair() {
  static const TestKeyPair pair = generate_rsa_key_pair();
  return pair;
}

TestServiceAccount write_service_account_key(const std::filesystem::path& dir,
                                             const std::string& token_uri, const TestKeyPair& keys,
                                             mode_t mode) {
  TestServiceAccount sa;
  sa.key_file = dir / "service-account.json";
  sa.client_email = "iesync-reader@iesync-test.iam.gserviceaccount.com";
  sa.client_id = "10" + std::to_string(100000000000000000ULL +
                                       (std::hash<std::string>{}(keys.public_pem) % 1000000));
  sa.private_key_id = random_hex(20);
  sa.public_pem = keys.public_pem;
  boost::json::object o{
      {"type", "service_account"},
      {"project_id", "iesync-test"},
      {"private_key_id", sa.private_key_id},
      {"private_key", keys.private_pem},
      {"client_email", sa.client_email},
      {"client_id", sa.client_id},
      {"auth_uri", "https://accounts.google.com/o/oauth2/auth"},
      {"token_uri", token_uri},
      {"auth_provider_x509_cert_url", "https://www.googleapis.com/oauth2/v1/certs"},
      {"client_x509_cert_url",
       "https://www.googleapis.com/robot/v1/metadata/x509/"
       "iesync-reader%40iesync-test.iam.gserviceaccount.com"},
      {"universe_domain", "googleapis.com"},
  };
  std::string text = boost::json::serialize(o);
  std::filesystem::create_directories(dir);
  int fd = ::open(sa.key_file.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot write " + sa.key_file.string());
  bool ok = ::write(fd, text.data(), text.size()) == ssize_t(text.size());
  ok = ::fchmod(fd, mode) == 0 && ok;  // exact mode, whatever the umask
  ::close(fd);
  if (!ok) throw std::runtime_error("cannot write " + sa.key_file.string());
  return sa;
}

}  // namespace iesync::fake
