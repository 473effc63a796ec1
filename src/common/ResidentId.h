#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/Date.h"

namespace edupay {

enum class Sex { kMale, kFemale };

/// A mainland China resident identity number (GB 11643-1999): 6-digit region code, 8-digit birth
/// date, 3-digit sequence (odd = male), ISO 7064 MOD 11-2 check character.
class ResidentId {
 public:
  /// Parses an 18-character ID (lower-case `x` accepted and normalised to `X`; full-width digits
  /// and surrounding spaces tolerated) or a 15-digit legacy ID (converted: birth year 19YY, check
  /// character computed). Checks: length and characters, check character, a real birth date not
  /// after `today`, a birth year not before 1900, one of the 34 province-level prefixes.
  /// On failure returns nullopt and, when `why` is given, a reason a person can act on
  /// ("check character should be 7, not 3").
  static std::optional<ResidentId> parse(std::string_view text, std::string* why = nullptr,
                                         const Date& today = Date::today());
  /// Like parse() but throws Error(kInvalidInput).
  static ResidentId parseOrThrow(std::string_view text, const Date& today = Date::today());

  /// The MOD 11-2 check character for the first 17 digits. REQUIRES: 17 ASCII digits.
  static char checkCharacter(std::string_view first17);
  /// True for the 34 province-level codes (11..15, 21..23, 31..37, 41..46, 50..54, 61..65, 71, 81,
  /// 82).
  static bool isProvinceCode(int two_digits);

  const std::string& str() const { return id_; }
  Date birthDate() const { return birth_; }
  Sex sex() const { return sex_; }
  std::string regionCode() const { return id_.substr(0, 6); }
  /// `4331**********123X`: first 4 and last 4 kept.
  std::string masked() const;

  bool operator==(const ResidentId& o) const { return id_ == o.id_; }

 private:
  ResidentId(std::string id, Date birth, Sex sex) : id_(std::move(id)), birth_(birth), sex_(sex) {}
  std::string id_;
  Date birth_;
  Sex sex_ = Sex::kMale;
};

/// National student number: `G` (resident-ID based), `J` (temporary) or `L` (other) followed by 18
/// characters (digits, last may be X).
class StudentNumber {
 public:
  static std::optional<StudentNumber> parse(std::string_view text, std::string* why = nullptr);
  const std::string& str() const { return number_; }
  std::string masked() const;  ///< `G433**********123X`

 private:
  explicit StudentNumber(std::string n) : number_(std::move(n)) {}
  std::string number_;
};

/// Masks any identifier-like string: keeps the first `keep_head` and last `keep_tail` characters,
/// replaces the rest with `*` (UTF-8 aware; short strings become all `*`).
std::string maskMiddle(std::string_view s, size_t keep_head, size_t keep_tail);

}  // namespace edupay
