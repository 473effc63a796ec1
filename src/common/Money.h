#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

namespace edupay {

/// An amount of CNY as an integer number of fen (1 yuan = 100 fen). No floating point anywhere.
class Money {
 public:
  constexpr Money() = default;
  static constexpr Money fromFen(int64_t fen) { return Money(fen); }
  /// REQUIRES: |yuan| * 100 fits in int64.
  static constexpr Money fromYuan(int64_t yuan) { return Money(yuan * 100); }

  /// Parses a yuan amount exactly: "1234.5", "1,234.50", "１２３４.５０" (full-width digits, point
  /// and comma), "¥12", surrounding spaces. Grouping commas must be well placed (every 3 digits).
  /// Throws Error(kInvalidInput) naming the problem for: empty text, more than 2 decimals,
  /// a negative amount unless `allow_negative`, overflow of int64 fen, any other character.
  static Money parseYuan(std::string_view text, bool allow_negative = false);

  constexpr int64_t fen() const { return fen_; }
  /// "1234.50", "-0.05": always two decimals, no grouping.
  std::string toYuan() const;
  /// "1,234.50": grouped for people.
  std::string toYuanGrouped() const;

  /// Checked arithmetic: throws Error(kInvalidInput) on int64 overflow.
  Money operator+(Money other) const;
  Money operator-(Money other) const;
  Money& operator+=(Money other) { return *this = *this + other; }
  Money& operator-=(Money other) { return *this = *this - other; }

  auto operator<=>(const Money&) const = default;

 private:
  constexpr explicit Money(int64_t fen) : fen_(fen) {}
  int64_t fen_ = 0;
};

}  // namespace edupay
