#include "daemon/export_watch.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace iesync {

namespace asio = boost::asio;

ExportWatch::ExportWatch(asio::io_context& io, std::chrono::milliseconds quiet,
                         std::function<void()> on_change)
    : fd_(io), quiet_timer_(io), quiet_(quiet), on_change_(std::move(on_change)) {}

ExportWatch::~ExportWatch() {
  stop();
}

Result<void> ExportWatch::watch(const std::filesystem::path& dir) {
  stop();
  int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0)
    return make_error(dir.string(),
                      std::string("cannot watch the export folder: ") + std::strerror(errno),
                      "raise fs.inotify.max_user_instances; cycles still run on the schedule");
  // Only finished writes and files moved in: the MIS's partial writes are not a change yet.
  wd_ = ::inotify_add_watch(fd, dir.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_ONLYDIR);
  if (wd_ < 0) {
    int e = errno;
    ::close(fd);
    return make_error(
        dir.string(), std::string("cannot watch the export folder: ") + std::strerror(e),
        "check [mis] export_dir exists and iesync may read it; cycles still run on the schedule");
  }
  fd_.assign(fd);
  read_events();
  return {};
}

void ExportWatch::stop() {
  quiet_timer_.cancel();
  if (fd_.is_open()) {
    boost::system::error_code ec;
    fd_.close(ec);  // also drops the watch
  }
  wd_ = -1;
}

void ExportWatch::read_events() {
  fd_.async_read_some(asio::buffer(buf_), [this](boost::system::error_code ec, std::size_t n) {
    if (ec) return;  // closed by stop(), or the descriptor failed: the schedule still runs
    bool relevant = false;
    for (std::size_t off = 0; off + sizeof(inotify_event) <= n;) {
      const auto* ev = reinterpret_cast<const inotify_event*>(buf_.data() + off);
      // Hidden and temporary names are the MIS (or an admin's editor) still at work.
      if (!(ev->mask & IN_ISDIR) && ev->len > 0 && ev->name[0] != '.' &&
          !std::string_view(ev->name).ends_with(".tmp"))
        relevant = true;
      off += sizeof(inotify_event) + ev->len;
    }
    if (relevant) changed();
    read_events();
  });
}

void ExportWatch::changed() {
  quiet_timer_.expires_after(quiet_);
  quiet_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec && on_change_) on_change_();
  });
}

}  // namespace iesync
