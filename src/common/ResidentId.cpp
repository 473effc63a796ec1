#include "common/ResidentId.h"

#include <array>
#include <vector>

#include "common/Catalogue.h"
#include "common/CodeTable.h"
#include "common/Error.h"
#include "common/Text.h"

namespace edupay {

namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// Number of UTF-8 code points; a stray continuation or invalid byte counts as one.
size_t codePointCount(std::string_view s) {
  size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

bool setWhy(Message* why, Message reason) {
  if (why != nullptr) *why = std::move(reason);
  return false;
}

/// The English reason, for the callers that take a string.
void toEnglish(const Message& m, std::string* why) {
  if (why != nullptr) *why = i18n::render(m, Lang::kEn);
}

// Normalises what people paste from spreadsheets and forms: surrounding and ideographic spaces,
// invisible characters, a leading apostrophe, full-width characters, lower-case letters.
std::string normalise(std::string_view text) { return text::toUpper(text::cleanCode(text)); }

bool isUpperLetter(char c) { return c >= 'A' && c <= 'Z'; }

// The 2017 permanent-residence form: three letters (ISO 3166 alpha-3 nationality), two digits
// (issuing province), twelve digits in all. Its check digit's rule is not published, so only the
// shape and the province are checked.
bool check2017Permanent(const std::string& s, Message* why) {
  for (size_t i = 3; i < s.size(); ++i) {
    if (!isDigit(s[i])) {
      return setWhy(why, msg("id.perm2017.digit", {arg("position", std::to_string(i + 1))}));
    }
  }
  const int province = (s[3] - '0') * 10 + (s[4] - '0');
  if (!ResidentId::isProvinceCode(province))
    return setWhy(why, msg("id.perm2017.province", {arg("digits", s.substr(3, 2))}));
  return true;
}

// Reports the first non-ASCII character by its position as a person counts it.
bool checkAscii(const std::string& s, Message* why) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) >= 0x80) {
      return setWhy(why,
                    msg("id.not_digit",
                        {arg("position", std::to_string(codePointCount(s.substr(0, i)) + 1))}));
    }
  }
  return true;
}

// Checks `s` holds digits, except that the last character may be X when `x_last` is set.
bool checkCharacters(const std::string& s, size_t offset, bool x_last, Message* why) {
  for (size_t i = offset; i < s.size(); ++i) {
    const bool last = i + 1 == s.size();
    if (isDigit(s[i]) || (last && x_last && s[i] == 'X')) continue;
    if (last && x_last) return setWhy(why, msg("id.last_digit_or_x"));
    return setWhy(why, msg("id.not_digit", {arg("position", std::to_string(i + 1))}));
  }
  return true;
}

}  // namespace

char ResidentId::checkCharacter(std::string_view first17) {
  static constexpr std::array<int, 17> kWeights = {7, 9, 10, 5,  8, 4, 2, 1, 6,
                                                   3, 7, 9,  10, 5, 8, 4, 2};
  static constexpr std::string_view kCheckChars = "10X98765432";
  int sum = 0;
  for (size_t i = 0; i < kWeights.size() && i < first17.size(); ++i) {
    sum += (first17[i] - '0') * kWeights[i];
  }
  return kCheckChars[static_cast<size_t>(sum % 11)];
}

bool ResidentId::isProvinceCode(int two_digits) {
  static constexpr std::array<int, 34> kCodes = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34,
                                                 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
                                                 53, 54, 61, 62, 63, 64, 65, 71, 81, 82};
  for (int code : kCodes) {
    if (code == two_digits) return true;
  }
  return false;
}

std::optional<ResidentId> ResidentId::parse(std::string_view text, std::string* why,
                                            const Date& today) {
  Message reason;
  auto id = parse(text, reason, today);
  if (!id) toEnglish(reason, why);
  return id;
}

std::optional<ResidentId> ResidentId::parse(std::string_view text, Message& reason,
                                            const Date& today) {
  Message* why = &reason;
  std::string s = normalise(text);
  if (s.empty()) {
    setWhy(why, msg("id.empty"));
    return std::nullopt;
  }
  if (looksLikeExcelNumber(s)) {
    setWhy(why, msg("id.excel_number"));
    return std::nullopt;
  }
  const size_t length = codePointCount(s);
  if (length == 15 && isUpperLetter(s[0]) && isUpperLetter(s[1]) && isUpperLetter(s[2])) {
    if (!check2017Permanent(s, why)) return std::nullopt;
    return ResidentId(std::move(s), IdDocument::kForeignPerm2017, std::nullopt, std::nullopt);
  }
  if (length != 18 && length != 15) {
    setWhy(why, msg("id.length", {arg("length", std::to_string(length))}));
    return std::nullopt;
  }
  if (!checkAscii(s, why)) return std::nullopt;
  if (s.size() == 15) {
    if (!checkCharacters(s, 0, false, why)) return std::nullopt;
    // Legacy IDs carry a two-digit birth year that always meant 19YY.
    s = s.substr(0, 6) + "19" + s.substr(6);
    s += checkCharacter(s);
  } else {
    if (!checkCharacters(s, 0, true, why)) return std::nullopt;
    const char expected = checkCharacter(std::string_view(s).substr(0, 17));
    if (s[17] != expected) {
      // Excel keeps 15 significant digits of a number: the rest become zeros.
      if (s.compare(15, 3, "000") == 0) {
        setWhy(why, msg("id.excel_number"));
      } else {
        setWhy(why, msg("id.check_char", {arg("expected", std::string(1, expected)),
                                          arg("got", std::string(1, s[17]))}));
      }
      return std::nullopt;
    }
  }

  IdDocument document = IdDocument::kResidentId;
  const std::string region = s.substr(0, 6);
  if (region == "810000" || region == "820000" || region == "830000") {
    document = IdDocument::kHmtPermit;
  } else if (s[0] == '9') {
    document = IdDocument::kForeignPerm;
  }
  const std::string birth_digits = s.substr(6, 8);
  const int year = std::stoi(birth_digits.substr(0, 4));
  if (year < 1900) {
    setWhy(why, msg("id.birth_before_1900", {arg("year", std::to_string(year))}));
    return std::nullopt;
  }
  const auto birth = Date::fromYmd(year, std::stoi(birth_digits.substr(4, 2)),
                                   std::stoi(birth_digits.substr(6, 2)));
  if (!birth) {
    setWhy(why, msg("id.birth_not_real", {arg("digits", birth_digits)}));
    return std::nullopt;
  }
  if (*birth > today) {
    setWhy(why, msg("id.birth_future", {arg("digits", birth_digits), arg("today", today.str())}));
    return std::nullopt;
  }
  // Mainland IDs and residence permits begin with a province; a permanent-residence ID with 9 and
  // then the issuing province.
  const size_t at = document == IdDocument::kForeignPerm ? 1 : 0;
  const int province = (s[at] - '0') * 10 + (s[at + 1] - '0');
  if (document == IdDocument::kResidentId && province == 83) {
    setWhy(why, msg("id.taiwan_83"));
    return std::nullopt;
  }
  if (document != IdDocument::kHmtPermit && !isProvinceCode(province)) {
    setWhy(why, msg("id.province", {arg("prefix", s.substr(0, 2))}));
    return std::nullopt;
  }
  const Sex sex = (s[16] - '0') % 2 == 1 ? Sex::kMale : Sex::kFemale;
  return ResidentId(std::move(s), document, *birth, sex);
}

ResidentId ResidentId::parseOrThrow(std::string_view text, const Date& today) {
  Message why;
  auto id = parse(text, why, today);
  if (!id) throw Error(ErrorCode::kInvalidInput, msg("id.invalid", {arg("reason", why)}));
  return *std::move(id);
}

std::string ResidentId::masked() const { return maskMiddle(id_, 4, 4); }

namespace {
constexpr std::array<CodeName<IdDocument>, 4> kDocuments{{
    {IdDocument::kResidentId, "resident_id", "居民身份证"},
    {IdDocument::kHmtPermit, "hmt_permit", "港澳台居民居住证"},
    {IdDocument::kForeignPerm, "foreign_permanent", "外国人永久居留身份证"},
    {IdDocument::kForeignPerm2017, "foreign_permanent_2017", "外国人永久居留身份证（2017版）"},
}};
}  // namespace

std::string_view code(IdDocument d) { return codeIn(kDocuments, d); }

std::string_view chineseName(IdDocument d) { return zhIn(kDocuments, d); }

const char* const kCheckAdvice =
    ": the number is wrong somewhere; compare every digit with the ID card, not only the last";

const char* const kExcelNumberHint =
    "Excel turned this ID into a number and lost its last digits: format the column as text and "
    "export again";

bool looksLikeExcelNumber(std::string_view text) {
  // d[.ddd]E[+]dd
  size_t i = 0;
  const auto digit = [&](size_t k) { return k < text.size() && isDigit(text[k]); };
  if (!digit(i)) return false;
  while (digit(i)) ++i;
  if (i < text.size() && text[i] == '.') {
    ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  if (i >= text.size() || (text[i] != 'E' && text[i] != 'e')) return false;
  ++i;
  if (i < text.size() && text[i] == '+') ++i;
  if (!digit(i)) return false;
  while (digit(i)) ++i;
  return i == text.size();
}

std::optional<StudentNumber> StudentNumber::parse(std::string_view text, std::string* why) {
  Message reason;
  auto n = parse(text, reason);
  if (!n) toEnglish(reason, why);
  return n;
}

std::optional<StudentNumber> StudentNumber::parse(std::string_view text, Message& reason) {
  Message* why = &reason;
  std::string s = normalise(text);
  if (s.empty()) {
    setWhy(why, msg("id.empty"));
    return std::nullopt;
  }
  if (s[0] != 'G' && s[0] != 'J' && s[0] != 'L') {
    setWhy(why, msg("student_no.letter"));
    return std::nullopt;
  }
  const size_t length = codePointCount(s);
  if (length != 19) {
    setWhy(why, msg("student_no.length", {arg("length", std::to_string(length - 1))}));
    return std::nullopt;
  }
  if (!checkAscii(s, why)) return std::nullopt;
  if (!checkCharacters(s, 1, true, why)) return std::nullopt;
  return StudentNumber(std::move(s));
}

std::string StudentNumber::masked() const { return maskMiddle(number_, 4, 4); }

std::optional<ResidentId> StudentNumber::residentId(const Date& today) const {
  if (number_[0] != 'G') return std::nullopt;
  return ResidentId::parse(std::string_view(number_).substr(1), nullptr, today);
}

std::string maskMiddle(std::string_view s, size_t keep_head, size_t keep_tail) {
  std::vector<std::string_view> chars;
  for (size_t i = 0; i < s.size();) {
    size_t end = i + 1;
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0xC0) {
      while (end < s.size() && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) ++end;
    }
    chars.push_back(s.substr(i, end - i));
    i = end;
  }
  const size_t n = chars.size();
  if (n <= keep_head + keep_tail) return std::string(n, '*');
  std::string out;
  for (size_t i = 0; i < keep_head; ++i) out += chars[i];
  out.append(n - keep_head - keep_tail, '*');
  for (size_t i = n - keep_tail; i < n; ++i) out += chars[i];
  return out;
}

}  // namespace edupay
