// Reading fields of the JSON documents the pages are drawn from (the plan, the impact part, a
// pupil's page). They are our own documents, but a page renders whatever it is given: a field
// that is missing or of another type reads as empty, never as an exception.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace iesync::json_fields {

inline std::string str(const boost::json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

inline std::int64_t num(const boost::json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (v && v->is_int64()) return v->as_int64();
  if (v && v->is_uint64()) return static_cast<std::int64_t>(v->as_uint64());
  return 0;
}

inline bool flag(const boost::json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_bool() && v->as_bool();
}

inline const boost::json::object& obj(const boost::json::object& o, std::string_view key) {
  static const boost::json::object empty;
  auto* v = o.if_contains(key);
  return v && v->is_object() ? v->as_object() : empty;
}

inline const boost::json::array& arr(const boost::json::object& o, std::string_view key) {
  static const boost::json::array empty;
  auto* v = o.if_contains(key);
  return v && v->is_array() ? v->as_array() : empty;
}

}  // namespace iesync::json_fields
