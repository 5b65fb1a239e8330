// Expected failures travel as values: a Result<T> holds either a T or an Error that says
// where the problem is, what it is and what the user should do about it.
// Exceptions are kept for bugs and start-up failures.
#pragma once

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>
#include <stdexcept>
#include <string>
#include <utility>

namespace iesync {

struct Error {
  std::string where;    // "mapping.toml:12:5", "students.xml:record 42", or empty
  std::string message;  // what is wrong, in plain English
  std::string fix;      // what to do about it; may be empty

  // "where: message; fix" — the form every command prints.
  std::string to_string() const;
};

Error make_error(std::string where, std::string message, std::string fix = {});

// Reading value() of a failed Result is a bug in the caller; it throws this.
class ErrorException : public std::runtime_error {
 public:
  explicit ErrorException(Error e) : std::runtime_error(e.to_string()), error_(std::move(e)) {}
  const Error& error() const { return error_; }

 private:
  Error error_;
};

[[noreturn]] void throw_exception_from_error(const Error& e, const boost::source_location& loc);

template <class T>
using Result = boost::system::result<T, Error>;

}  // namespace iesync
