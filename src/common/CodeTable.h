#pragma once
// One table per closed set of values (an enum): the stable code kept in the database, files and
// the API, and the Chinese word people read. Printing and parsing read the same table, so they
// cannot drift apart.

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace edupay {

/// One value of `E` with its code (`paid`), its Chinese name (may be empty) and other words files
/// use for it ('|'-separated, may be empty).
template <typename E>
struct CodeName {
  E value;
  std::string_view code;
  std::string_view zh{};
  std::string_view more{};
};

/// The code of `v`, or "?" for a value missing from the table (a bug: every value is listed).
template <typename E, size_t N>
constexpr std::string_view codeIn(const std::array<CodeName<E>, N>& table, E v) {
  for (const auto& e : table)
    if (e.value == v) return e.code;
  return "?";
}

/// The Chinese name of `v`, or its code when the table gives none.
template <typename E, size_t N>
constexpr std::string_view zhIn(const std::array<CodeName<E>, N>& table, E v) {
  for (const auto& e : table)
    if (e.value == v) return e.zh.empty() ? e.code : e.zh;
  return "?";
}

/// The value whose code is exactly `code`; nullopt for anything else.
template <typename E, size_t N>
constexpr std::optional<E> parseIn(const std::array<CodeName<E>, N>& table, std::string_view code) {
  for (const auto& e : table)
    if (e.code == code) return e.value;
  return std::nullopt;
}

}  // namespace edupay
