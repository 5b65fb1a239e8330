// target = "file": each run's items become one new CSV in the MIS's import drop folder,
// `outbox_dir/iesync-YYYYMMDD-HHMMSS-NNNN.csv` (time in UTC from the Clock; NNNN from 0001,
// the first number not taken), columns
// kind,student_id,date,session,class,start,end,code,comment,reason,key (RFC 4180, CRLF).
//
// Atomic and never rewritten: written to a hidden temp file in the same folder, fsynced,
// hard-linked to its final name (link() refuses an existing name, so no file is ever
// replaced), the temp name removed and the folder fsynced. Only then are the items marked.
//
// `sent` is final for this target: the MIS's import of the file is the confirmation and
// iesync cannot see it, so items are never `confirmed`.
//
// Crash recovery: before writing, recover() reads the iesync-*.csv files still in the
// folder and reports every pending item whose send key is already in one (killed between
// rename and commit), so every key lands in exactly one file, and removes the temp file of a
// writer that died (the writer holds an flock on it while it lives). (If the MIS moves
// imported files away, a file it already took cannot be found; see docs/writeback.md.)
#pragma once

#include <filesystem>

#include "base/clock.h"
#include "connectors/writeback/target.h"

namespace iesync {

inline constexpr const char* kWritebackCsvHeader =
    "kind,student_id,date,session,class,start,end,code,comment,reason,key";

// One CSV line (no line ending) for a row, with its send key.
std::string writeback_csv_line(const OutboxRow& row);

class FileTarget final : public WriteTarget {
 public:
  FileTarget(std::filesystem::path outbox_dir, Clock& clock);
  std::string name() const override { return "file"; }
  Result<std::vector<ItemOutcome>> recover(std::span<const OutboxRow> pending) override;
  Result<SendOutcome> send(std::span<const OutboxRow> rows, const BeforePost& before_post) override;

  // For tests: write the file exactly as send() does and return its name.
  Result<std::string> write_file(std::span<const OutboxRow> rows);

 private:
  std::filesystem::path dir_;
  Clock& clock_;
};

}  // namespace iesync
