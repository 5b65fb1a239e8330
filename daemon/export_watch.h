// Watches the MIS export folder with inotify, on the daemon's io_context, and calls back once
// the folder has been quiet for a while after a file was written or moved in: the MIS writes
// several feeds in a row, and one cycle for the lot is what the school wants. Files still
// being written are left by the importer's own 30 s settle rule; the daemon retries those.
#pragma once

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <filesystem>
#include <functional>

#include "base/result.h"

namespace iesync {

class ExportWatch {
 public:
  ExportWatch(boost::asio::io_context& io, std::chrono::milliseconds quiet,
              std::function<void()> on_change);
  ~ExportWatch();
  ExportWatch(const ExportWatch&) = delete;
  ExportWatch& operator=(const ExportWatch&) = delete;

  // Starts (or moves) the watch. An error names the folder and what to do; the daemon then
  // runs on its schedule alone.
  Result<void> watch(const std::filesystem::path& dir);
  void stop();

 private:
  void read_events();
  void changed();

  boost::asio::posix::stream_descriptor fd_;
  boost::asio::steady_timer quiet_timer_;
  std::chrono::milliseconds quiet_;
  std::function<void()> on_change_;
  int wd_ = -1;
  alignas(8) std::array<char, 8192> buf_{};
};

}  // namespace iesync
