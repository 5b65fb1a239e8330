// A throwaway copy of the store in a fresh temporary folder, removed when this object goes.
// A dry run imports, reconciles and queues into it, so the real store, the export folder
// and the MIS see nothing.
#pragma once

#include <filesystem>
#include <memory>

#include "base/result.h"
#include "store/store.h"

namespace iesync {

class ScratchStore {
 public:
  static Result<std::unique_ptr<ScratchStore>> copy_of(Store& real);
  ~ScratchStore();
  ScratchStore(const ScratchStore&) = delete;
  ScratchStore& operator=(const ScratchStore&) = delete;

  Store& store() { return *store_; }

 private:
  ScratchStore() = default;
  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

}  // namespace iesync
