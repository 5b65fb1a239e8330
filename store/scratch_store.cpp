#include "store/scratch_store.h"

#include <unistd.h>

#include <random>
#include <string>

namespace iesync {

Result<std::unique_ptr<ScratchStore>> ScratchStore::copy_of(Store& real) {
  std::unique_ptr<ScratchStore> s(new ScratchStore);
  s->dir_ =
      std::filesystem::temp_directory_path() / ("iesync-dry-run-" + std::to_string(::getpid()) +
                                                "-" + std::to_string(std::random_device{}()));
  std::error_code ec;
  std::filesystem::remove_all(s->dir_, ec);
  std::filesystem::create_directories(s->dir_, ec);
  if (ec)
    return make_error(s->dir_.string(), "cannot make a scratch folder: " + ec.message(),
                      "check the temporary folder is writable");
  auto path = s->dir_ / "dry-run.db";
  if (auto copied = real.copy_to(path); !copied) return copied.error();
  auto opened = Store::open(path);
  if (!opened) return opened.error();
  s->store_ = std::move(*opened);
  return s;
}

ScratchStore::~ScratchStore() {
  store_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

}  // namespace iesync
