#include "connectors/mis/feed_files.h"

#include <fnmatch.h>
#include <openssl/evp.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>

namespace iesync {

namespace fs = std::filesystem;

namespace {

std::optional<ExportFile> stat_file(const fs::path& p) {
  struct stat st{};
  if (::stat(p.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  auto ns = [](const timespec& t) {
    return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
  };
  return ExportFile{p,
                    TimePoint{std::chrono::seconds{st.st_mtim.tv_sec}},
                    static_cast<std::uintmax_t>(st.st_size),
                    ns(st.st_mtim),
                    ns(st.st_ctim),
                    static_cast<std::uint64_t>(st.st_ino),
                    static_cast<std::uint64_t>(st.st_dev)};
}

}  // namespace

std::optional<ExportFile> newest_export(const fs::path& dir, const std::string& pattern) {
  if (pattern.find_first_of("*?[") == std::string::npos) return stat_file(dir / pattern);
  std::optional<ExportFile> best;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    auto name = it->path().filename().string();
    if (::fnmatch(pattern.c_str(), name.c_str(), FNM_PERIOD) != 0) continue;
    auto f = stat_file(it->path());
    if (!f) continue;
    // Newest wins; on a tie the later name (exports are usually date-stamped).
    if (!best || f->modified > best->modified ||
        (f->modified == best->modified && f->path.filename() > best->path.filename()))
      best = std::move(f);
  }
  return best;
}

Result<std::string> read_whole_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in)
    return make_error(p.string(), std::string("cannot open the file: ") + std::strerror(errno),
                      "check that the iesync user can read the export folder");
  std::string out;
  in.seekg(0, std::ios::end);
  auto size = in.tellg();
  in.seekg(0, std::ios::beg);
  if (size > 0) out.resize(static_cast<std::size_t>(size));
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  if (in.gcount() != static_cast<std::streamsize>(out.size()))
    return make_error(p.string(), "the file changed size while it was being read",
                      "nothing to do: it is read again at the next cycle");
  return Result<std::string>(boost::system::in_place_value, std::move(out));
}

std::string sha256_hex(std::string_view bytes) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), md, &len) != 1)
    throw std::runtime_error("OpenSSL SHA-256 failed");  // only on a broken libcrypto
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned i = 0; i < len; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 15]);
  }
  return out;
}

Result<fs::path> move_to_rejected(const fs::path& file, TimePoint now, const std::string& why) {
  auto dir = file.parent_path() / "rejected";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    return make_error(dir.string(), "cannot create the rejected folder: " + ec.message(),
                      "check that the iesync user can write to the export folder");
  // 2026-11-23T09:05:00Z -> 20261123T090500Z: sortable and safe in any file system.
  std::string stamp;
  for (char c : format_utc(now))
    if (c != '-' && c != ':') stamp.push_back(c);
  auto stem = file.stem().string(), ext = file.extension().string();
  fs::path dest;
  for (int n = 1;; ++n) {
    dest = dir / (stem + "." + stamp + (n > 1 ? "-" + std::to_string(n) : "") + ext);
    if (!fs::exists(dest, ec)) break;
  }
  fs::rename(file, dest, ec);
  if (ec)
    return make_error(file.string(), "cannot move the rejected export aside: " + ec.message(),
                      "check that the iesync user can write to the export folder");
  std::ofstream out(dest.string() + ".why.txt", std::ios::trunc);
  out << why;
  if (!out)
    return make_error(dest.string() + ".why.txt", "cannot write the note explaining the rejection",
                      "check the disk is not full");
  return Result<fs::path>(boost::system::in_place_value, std::move(dest));
}

}  // namespace iesync
