#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/Message.h"

namespace edupay {

/// A payee account or card number: digits only once spaces and dashes are removed, 8..30 digits.
/// A Luhn failure is only a warning: real UnionPay cards and passbooks fail it.
class BankAccountNumber {
 public:
  /// Full-width digits tolerated. On failure returns nullopt and a reason in `why`.
  static std::optional<BankAccountNumber> parse(std::string_view text, std::string* why = nullptr);
  /// Like parse(), with the reason as a catalogue message (`account.length {min, max, got}`, …).
  static std::optional<BankAccountNumber> parse(std::string_view text, Message& why);

  const std::string& str() const { return digits_; }
  bool luhnValid() const;
  /// `6222****1234`: first 4, four stars, last 4 (the length is not revealed).
  std::string masked() const;

  static bool luhn(std::string_view digits);

  bool operator==(const BankAccountNumber& o) const { return digits_ == o.digits_; }

 private:
  explicit BankAccountNumber(std::string d) : digits_(std::move(d)) {}
  std::string digits_;
};

}  // namespace edupay
