#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/Date.h"
#include "common/Message.h"

namespace edupay {

enum class Sex { kMale, kFemale };

/// The legal identity documents whose number identifies a person in China.
enum class IdDocument {
  kResidentId,  ///< 居民身份证 (GB 11643-1999; a 15-digit legacy number is converted)
  kHmtPermit,   ///< 港澳台居民居住证: GB 11643 form with region 810000 / 820000 / 830000
  kForeignPerm,  ///< 外国人永久居留身份证, 2023 form: `9`, 2-digit issuing province, 3-digit
                 ///< ISO 3166 numeric nationality, birth date, sequence, MOD 11-2 check
  kForeignPerm2017  ///< 外国人永久居留身份证, 2017 form: ISO 3166 alpha-3 nationality, 2-digit
                    ///< issuing province, YYMMDD, 4 digits; no check this system can verify
};
/// Stable code stored in the database: resident_id, hmt_permit, foreign_permanent,
/// foreign_permanent_2017.
std::string_view code(IdDocument d);
/// The document's Chinese name (居民身份证, 港澳台居民居住证, 外国人永久居留身份证, ...).
std::string_view chineseName(IdDocument d);

/// The identity number of a person living in China: a mainland resident ID (GB 11643-1999:
/// 6-digit region code, 8-digit birth date, 3-digit sequence (odd = male), ISO 7064 MOD 11-2
/// check character), a Hong Kong, Macao or Taiwan resident's residence permit (same form, region
/// 810000 / 820000 / 830000) or a foreigner's permanent-residence ID (2023 18-character form
/// beginning with 9, or the 2017 15-character form of three letters and twelve digits).
class ResidentId {
 public:
  /// Parses any of the documents above (lower-case letters accepted and normalised to upper case;
  /// full-width characters, surrounding spaces and invisible characters tolerated). A 15-digit
  /// legacy resident ID is converted (birth year 19YY, check character computed), so both forms
  /// of one person give the same str(). Checks: length and characters, check character, a real
  /// birth date not after `today`, a birth year not before 1900, a province-level prefix. A number
  /// Excel has turned into a number (`4.30121E+17`) is named as such. On failure returns nullopt
  /// and, when `why` is given, a reason a person can act on ("check character should be 7, not 3").
  static std::optional<ResidentId> parse(std::string_view text, std::string* why = nullptr,
                                         const Date& today = Date::today());
  /// Like parse(), with the reason as a catalogue message (`id.check_char {expected, got}`, …).
  static std::optional<ResidentId> parse(std::string_view text, Message& why,
                                         const Date& today = Date::today());
  /// Like parse() but throws Error(kInvalidInput).
  static ResidentId parseOrThrow(std::string_view text, const Date& today = Date::today());

  /// The MOD 11-2 check character for the first 17 digits. REQUIRES: 17 ASCII digits.
  static char checkCharacter(std::string_view first17);
  /// True for the 34 province-level codes (11..15, 21..23, 31..37, 41..46, 50..54, 61..65, 71, 81,
  /// 82).
  static bool isProvinceCode(int two_digits);

  const std::string& str() const { return id_; }
  IdDocument document() const { return document_; }
  /// The birth date the number carries; nullopt for the 2017 permanent-residence form.
  std::optional<Date> birthDate() const { return birth_; }
  /// The sex the number carries (odd sequence = male); nullopt where it carries none.
  std::optional<Sex> sex() const { return sex_; }
  /// The national student number this person is given (`G` + the number).
  std::string studentNumber() const { return "G" + id_; }
  std::string regionCode() const { return id_.substr(0, 6); }
  /// `4331**********123X`: first 4 and last 4 kept.
  std::string masked() const;

  bool operator==(const ResidentId& o) const { return id_ == o.id_; }

 private:
  ResidentId(std::string id, IdDocument document, std::optional<Date> birth, std::optional<Sex> sex)
      : id_(std::move(id)), document_(document), birth_(birth), sex_(sex) {}
  std::string id_;
  IdDocument document_ = IdDocument::kResidentId;
  std::optional<Date> birth_;
  std::optional<Sex> sex_;
};

/// National student number: `G` (resident-ID based), `J` (temporary) or `L` (other) followed by 18
/// characters (digits, last may be X).
class StudentNumber {
 public:
  static std::optional<StudentNumber> parse(std::string_view text, std::string* why = nullptr);
  static std::optional<StudentNumber> parse(std::string_view text, Message& why);
  const std::string& str() const { return number_; }
  /// The resident ID inside a `G` number (the national student number is `G` + the student's
  /// resident ID at registration); nullopt for `J` / `L` numbers and for a `G` number whose rest
  /// is not a valid ID.
  std::optional<ResidentId> residentId(const Date& today = Date::today()) const;
  std::string masked() const;  ///< `G433**********123X`

 private:
  explicit StudentNumber(std::string n) : number_(std::move(n)) {}
  std::string number_;
};

/// Masks any identifier-like string: keeps the first `keep_head` and last `keep_tail` characters,
/// replaces the rest with `*` (UTF-8 aware; short strings become all `*`).
std::string maskMiddle(std::string_view s, size_t keep_head, size_t keep_tail);

/// True when `text` is what Excel writes for a long number it stored as a number: scientific
/// notation (`4.30121E+17`, `6.2104E+18`). Such an identifier has lost its last digits.
bool looksLikeExcelNumber(std::string_view text);
/// The English message for such a value (the catalogue's `id.excel_number`).
extern const char* const kExcelNumberHint;
/// What follows "check character should be X, not Y": the typo may be anywhere.
extern const char* const kCheckAdvice;

}  // namespace edupay
