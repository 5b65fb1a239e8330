#include "base/result.h"

namespace iesync {

std::string Error::to_string() const {
  std::string out;
  if (!where.empty()) out = where + ": ";
  out += message;
  if (!fix.empty()) {
    out += "; ";
    out += fix;
  }
  return out;
}

Error make_error(std::string where, std::string message, std::string fix) {
  return Error{std::move(where), std::move(message), std::move(fix)};
}

void throw_exception_from_error(const Error& e, const boost::source_location&) {
  throw ErrorException(e);
}

}  // namespace iesync
