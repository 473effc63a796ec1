#include "common/BankAccountNumber.h"

#include "common/Catalogue.h"
#include "common/Text.h"

namespace edupay {

namespace {

constexpr size_t kMinDigits = 8;
constexpr size_t kMaxDigits = 30;

}  // namespace

std::optional<BankAccountNumber> BankAccountNumber::parse(std::string_view text, std::string* why) {
  Message reason;
  auto n = parse(text, reason);
  if (!n && why != nullptr) *why = i18n::render(reason, Lang::kEn);
  return n;
}

std::optional<BankAccountNumber> BankAccountNumber::parse(std::string_view text, Message& why) {
  auto reject = [&why](Message reason) -> std::optional<BankAccountNumber> {
    why = std::move(reason);
    return std::nullopt;
  };
  // toHalfWidth turns U+3000 into a space and full-width digits and dashes into ASCII.
  const std::string half = text::toHalfWidth(text);
  std::string digits;
  digits.reserve(half.size());
  for (char c : half) {
    if (c == ' ' || c == '-') continue;
    if (c < '0' || c > '9') {
      // Never echo the number itself; the offending character alone reveals nothing.
      if (static_cast<unsigned char>(c) >= 0x80) {
        return reject(msg("account.non_ascii"));
      }
      return reject(msg("account.character", {arg("character", std::string(1, c))}));
    }
    digits += c;
  }
  if (digits.empty()) return reject(msg("id.empty"));
  if (digits.size() < kMinDigits || digits.size() > kMaxDigits) {
    return reject(msg("account.length", {arg("min", std::to_string(kMinDigits)),
                                         arg("max", std::to_string(kMaxDigits)),
                                         arg("got", std::to_string(digits.size()))}));
  }
  return BankAccountNumber(std::move(digits));
}

bool BankAccountNumber::luhnValid() const { return luhn(digits_); }

bool BankAccountNumber::luhn(std::string_view digits) {
  if (digits.empty()) return false;
  int sum = 0;
  bool double_it = false;
  for (size_t i = digits.size(); i-- > 0;) {
    const char c = digits[i];
    if (c < '0' || c > '9') return false;
    int d = c - '0';
    if (double_it) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double_it = !double_it;
  }
  return sum % 10 == 0;
}

std::string BankAccountNumber::masked() const {
  // Keeping 4 + 4 of a short number would reveal all of it; keep fewer so at least 4 stay hidden.
  const size_t n = digits_.size();
  const size_t keep = n >= 12 ? 4 : (n > 4 ? (n - 4) / 2 : 0);
  return digits_.substr(0, keep) + "****" + digits_.substr(n - keep);
}

}  // namespace edupay
