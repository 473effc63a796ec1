#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/Message.h"

namespace edupay::i18n {

/// The sentence `m` in `lang`, from the catalogue (messages/*.json, carried in the binary):
/// ICU MessageFormat patterns with named arguments (`{line}`, `{count, plural, one {…} other
/// {…}}`). A literal comes back as it is.
/// A code that is not in the catalogue, or arguments that differ from the ones its text names,
/// are bugs: Error(kInternal) in a build with assertions (every test runs one), the code and
/// its arguments written out plainly otherwise.
std::string render(const Message& m, Lang lang);

/// The Chinese names of the codes an argument of this name carries, used when a message gives
/// the argument as a plain code (the same text in both languages): rendered in Chinese, a
/// `programme` argument `compulsory_boarding_allowance` reads 义务教育家庭经济困难学生生活补助.
/// English keeps the code. Replaces the names given before for `arg_name`; thread-safe. The
/// policy loader names the programmes (rules::parsePolicy); a `term` argument (`2026-autumn`)
/// always reads 2026年秋季学期 in Chinese.
void setCodeNames(const std::string& arg_name, std::map<std::string, std::string> zh_names);

/// Whether `m` can be rendered: a literal, or a code the catalogue has with exactly the
/// arguments its text names. A message kept in the database by an older release may not be
/// (its pattern has changed since); readers of stored messages check before rendering.
bool renders(const Message& m);

/// One catalogue entry, for the catalogue's own test and the API's message listing.
struct CatalogueEntry {
  std::string code;
  std::string zh, en;
  std::string file;               ///< the messages/*.json file it came from
  std::vector<std::string> args;  ///< the argument names the Chinese text uses, sorted
  std::vector<std::string> en_args;
};

/// Every entry, sorted by code.
const std::vector<CatalogueEntry>& catalogue();

/// What is wrong with the catalogue itself: unreadable JSON, a code defined twice, an entry
/// without `zh` or `en`, a pattern ICU cannot parse, a quoted `'{`. Empty when it is sound.
const std::vector<std::string>& catalogueProblems();

}  // namespace edupay::i18n
