#pragma once
// Building the JSON the API, the CLI's --json and the reports share (Poco::JSON).

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <type_traits>
#include <utility>

namespace edupay::json {

inline void set(Poco::JSON::Object&) {}

/// Sets members on `o` from alternating keys and values, in order:
/// `json::set(o, "id", b.id, "term", b.term)`. A value is a string, number, bool, object or
/// array; a key already there is replaced.
template <typename V, typename... Rest>
void set(Poco::JSON::Object& o, const char* key, V&& value, Rest&&... rest) {
  static_assert(sizeof...(Rest) % 2 == 0, "json::set takes keys and values in pairs");
  using Stored = std::decay_t<V>;  // a string literal is stored as a string
  o.set(key, Poco::Dynamic::Var(Stored(std::forward<V>(value))));
  set(o, std::forward<Rest>(rest)...);
}

/// An array with one element per item of `items`, each `make(item)`, in the items' order.
template <typename Range, typename Make>
Poco::JSON::Array arrayOf(const Range& items, Make&& make) {
  Poco::JSON::Array out;
  for (const auto& item : items) out.add(make(item));
  return out;
}

}  // namespace edupay::json
