// Request counts for the Classroom connector, by API method ("courses.get",
// "courseWork.list", "token", ...) and HTTP status (0 = no response: a transport error).
// Shared by the fetcher's threads and read by the status server, hence the lock.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace iesync {

class ClassroomMetrics {
 public:
  struct Row {
    std::string method;
    int status = 0;
    std::uint64_t count = 0;
  };

  void count(std::string_view method, int status);
  std::vector<Row> snapshot() const;
  // Requests of one method (every status), or of every method when `method` is empty.
  std::uint64_t requests(std::string_view method = {}) const;
  void reset();

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, std::uint64_t> counts_;
};

}  // namespace iesync
