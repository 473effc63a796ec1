#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace edupay::text {

/// `s` with & < > " ' written as HTML character references: safe as element text and as a
/// quoted attribute value.
std::string escapeHtml(std::string_view s);
/// `s` with & < > " written as character references and ' as `apostrophe` (`&apos;` in XML,
/// `&#39;` in HTML, which older browsers need).
std::string escapeMarkup(std::string_view s, std::string_view apostrophe);

/// Strips ASCII white space and U+3000 (ideographic space) from both ends.
std::string trim(std::string_view s);
/// Maps full-width ASCII variants (U+FF01..U+FF5E) to ASCII and U+3000 to a space; leaves every
/// other character (including CJK) untouched. Input and output are UTF-8.
std::string toHalfWidth(std::string_view s);
std::string toLower(std::string_view s);  ///< ASCII only
std::string toUpper(std::string_view s);  ///< ASCII only
std::vector<std::string> split(std::string_view s, char sep);
bool isAllDigits(std::string_view s);
/// `v` in decimal with leading zeros to at least `width` digits: zeroPad(7, 3) == "007" (file
/// names, bank references). A longer number is returned whole.
std::string zeroPad(int64_t v, size_t width);
/// True when `s` is well-formed UTF-8.
bool isValidUtf8(std::string_view s);
/// The characters of UTF-8 text, each a view into `s` (a malformed byte is a character of its own).
std::vector<std::string_view> characters(std::string_view s);
/// The code point of one UTF-8 character (U+FFFD when it is malformed).
char32_t codePoint(std::string_view utf8_char);
/// `U+2B5AF`, `U+0009`: at least four upper-case hex digits.
std::string codePointLabel(char32_t cp);
/// `𫖯 (U+2B5AF), (U+0009)`: characters with their code points, for people to act on (a control
/// character by its code point only).
std::string describeCharacters(const std::vector<std::string>& characters);
/// The characters of UTF-8 `s` as a person counts them (code points: 已核实 is 3, not 9).
size_t countCharacters(std::string_view s);
/// At most `max_chars` characters of `s`, never cutting a character in two.
std::string cutUtf8(std::string_view s, size_t max_chars);

/// A field as a person meant it, before any check or match: removes characters pasted without
/// being seen (zero-width space / non-joiner / joiner U+200B..U+200D, word joiner U+2060, a byte
/// order mark U+FEFF anywhere, soft hyphen U+00AD, bidirectional marks and embeddings U+200E,
/// U+200F, U+202A..U+202E, U+2066..U+2069), turns no-break spaces (U+00A0, U+2007, U+202F) into
/// spaces, trims, and drops the one leading apostrophe Excel keeps on a number typed as text.
/// Everything else, full-width characters included, is left as it is. Input and output UTF-8.
std::string cleanField(std::string_view s);
/// cleanField() and then toHalfWidth(): for codes, numbers, dates and identifiers.
std::string cleanCode(std::string_view s);
/// A person's (or an account holder's) name in one form: cleanField(), runs of spaces folded to
/// one, and every middle-dot variant used between the parts of a minority or foreign name
/// (U+2022, U+2027, U+2219, U+22C5, U+2E31, U+0387, U+30FB, U+FF65, U+2024 and a full stop
/// between two non-ASCII characters) folded to U+00B7, so `阿依古丽•买买提` and
/// `阿依古丽·买买提` are one name. U+00B7 is in GBK, so the folded name can go to any bank file.
std::string normaliseName(std::string_view s);

/// The first character of `field` (UTF-8) that no field of an input file may hold, or nullopt:
/// C0 controls (NUL, line breaks, ... ; a tab only where `tab_allowed`), DEL, C1 controls, and
/// U+FFFD, the mark a bad decode leaves behind, and an encoded surrogate (reported as U+D800; the
/// CSV reader already refuses it, with all malformed UTF-8, as bytes invalid in the encoding).
std::optional<char32_t> controlCharacter(std::string_view field, bool tab_allowed = false);

/// `=`, `+`, `-`, `@`, tab or CR at the start of `field`: what a spreadsheet reads as a formula
/// (OWASP, "CSV Injection").
bool startsLikeFormula(std::string_view field);

/// The OWASP CSV injection rule: a field that starts like a formula gets a leading `'`, which
/// spreadsheet programs show as text; a plain number (`-12.50`, `+86`) is left alone.
std::string neutraliseFormula(std::string_view field);

}  // namespace edupay::text
