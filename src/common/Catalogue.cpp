#include "common/Catalogue.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <unicode/locid.h>
#include <unicode/messagepattern.h>
#include <unicode/msgfmt.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>

#include "common/Error.h"

namespace edupay::i18n {

// CatalogueData.cpp (generated from messages/*.json): each file's name and content.
const std::vector<std::pair<std::string, std::string>>& catalogueFiles();

namespace {

struct Compiled {
  CatalogueEntry entry;
  std::unique_ptr<icu::MessageFormat> zh, en;
  std::set<std::string> names;  ///< every argument either text names
};

/// The argument names a pattern uses; nullopt (with `problem` set) when ICU cannot parse it.
std::optional<std::vector<std::string>> argumentNames(const std::string& pattern,
                                                      std::string& problem) {
  UErrorCode status = U_ZERO_ERROR;
  UParseError where{};
  icu::MessagePattern parsed(icu::UnicodeString::fromUTF8(pattern), &where, status);
  if (U_FAILURE(status)) {
    problem = std::string("ICU cannot parse it (") + u_errorName(status) + " at offset " +
              std::to_string(where.offset) + ")";
    return std::nullopt;
  }
  std::set<std::string> names;
  for (int32_t i = 0; i < parsed.countParts(); ++i) {
    const auto& part = parsed.getPart(i);
    if (part.getType() == UMSGPAT_PART_TYPE_ARG_NUMBER) {
      problem = "it numbers an argument; name it ({line}, not {0})";
      return std::nullopt;
    }
    if (part.getType() == UMSGPAT_PART_TYPE_ARG_NAME) {
      std::string n;
      parsed.getSubstring(part).toUTF8String(n);
      names.insert(n);
    }
  }
  return std::vector<std::string>(names.begin(), names.end());
}

/// True when an apostrophe stands right before `{` (ICU would print the argument's name); a
/// doubled apostrophe (`''{x}''`, a literal ' around the value) is fine.
bool quotesAnArgument(const std::string& pattern) {
  for (size_t at = pattern.find("'{"); at != std::string::npos; at = pattern.find("'{", at + 1))
    if (at == 0 || pattern[at - 1] != '\'') return true;
  return false;
}

std::unique_ptr<icu::MessageFormat> compile(const std::string& pattern, const char* language) {
  UErrorCode status = U_ZERO_ERROR;
  UParseError where{};
  auto f = std::make_unique<icu::MessageFormat>(icu::UnicodeString::fromUTF8(pattern),
                                                icu::Locale(language), where, status);
  if (U_FAILURE(status)) return nullptr;
  return f;
}

struct Catalogue {
  std::map<std::string, Compiled, std::less<>> by_code;
  std::vector<CatalogueEntry> entries;
  std::vector<std::string> problems;
  std::mutex format_mutex;  ///< ICU's MessageFormat builds its number formats lazily in format()

  Catalogue() {
    for (const auto& [file, text] : catalogueFiles()) load(file, text);
    for (const auto& [code, c] : by_code) entries.push_back(c.entry);
  }

  void load(const std::string& file, const std::string& text) {
    Poco::JSON::Object::Ptr root;
    try {
      root = Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
    } catch (const std::exception& e) {
      problems.push_back(file + ": not a JSON object: " + e.what());
      return;
    }
    for (const auto& [code, value] : *root) {
      const std::string where = file + ": " + code + ": ";
      if (by_code.count(code)) {
        problems.push_back(where + "defined again (first in " + by_code.at(code).entry.file + ")");
        continue;
      }
      const auto obj = value.type() == typeid(Poco::JSON::Object::Ptr)
                           ? value.extract<Poco::JSON::Object::Ptr>()
                           : nullptr;
      if (!obj || !obj->has("zh") || !obj->has("en") || obj->getValue<std::string>("zh").empty() ||
          obj->getValue<std::string>("en").empty()) {
        problems.push_back(where + "needs both a \"zh\" and an \"en\" text");
        continue;
      }
      Compiled c;
      c.entry.code = code;
      c.entry.file = file;
      c.entry.zh = obj->getValue<std::string>("zh");
      c.entry.en = obj->getValue<std::string>("en");
      bool sound = true;
      for (const auto* lang : {"zh", "en"}) {
        const std::string& pattern = std::string_view(lang) == "zh" ? c.entry.zh : c.entry.en;
        std::string problem;
        auto names = argumentNames(pattern, problem);
        if (!names) {
          problems.push_back(where + lang + ": " + problem);
          sound = false;
          continue;
        }
        if (quotesAnArgument(pattern)) {
          problems.push_back(where + lang +
                             ": an apostrophe before { makes ICU print the argument's name; "
                             "quote with “” instead");
          sound = false;
        }
        (std::string_view(lang) == "zh" ? c.entry.args : c.entry.en_args) = *names;
        c.names.insert(names->begin(), names->end());
      }
      if (!sound) continue;
      if (c.entry.args != c.entry.en_args)
        problems.push_back(where + "the Chinese and English texts name different arguments");
      c.zh = compile(c.entry.zh, "zh_CN");
      c.en = compile(c.entry.en, "en");
      if (!c.zh || !c.en) {
        problems.push_back(where + "ICU cannot compile it");
        continue;
      }
      by_code.emplace(code, std::move(c));
    }
  }
};

Catalogue& theCatalogue() {
  static Catalogue c;
  return c;
}

#ifndef NDEBUG
constexpr bool kStrict = true;
#else
constexpr bool kStrict = false;
#endif

/// The code and its arguments written out, for a message the catalogue cannot render.
std::string plain(const Message& m, Lang lang) {
  std::string s = m.code();
  for (const auto& a : m.args())
    s += " " + a.name + "=" +
         (a.number            ? std::to_string(*a.number)
          : lang == Lang::kZh ? a.zh
                              : a.en);
  return s;
}

struct CodeNames {
  std::mutex mutex;
  std::map<std::string, std::map<std::string, std::string>> by_arg;
};
CodeNames& codeNames() {
  static CodeNames names;
  return names;
}

/// The Chinese words of a plain-code argument, or nullopt to keep it as given.
std::optional<std::string> chineseOfCode(const MessageArg& a) {
  if (a.number || a.zh != a.en || a.zh.empty()) return std::nullopt;
  if (a.name == "term") {
    // `2026-autumn` -> 2026年秋季学期: the national student-aid system's way of naming a term.
    const size_t dash = a.zh.find('-');
    if (dash == 4 && a.zh.size() > 5 &&
        std::all_of(a.zh.begin(), a.zh.begin() + 4, [](char c) { return c >= '0' && c <= '9'; })) {
      const std::string season = a.zh.substr(5);
      if (season == "autumn") return a.zh.substr(0, 4) + "年秋季学期";
      if (season == "spring") return a.zh.substr(0, 4) + "年春季学期";
    }
    return std::nullopt;
  }
  auto& names = codeNames();
  std::lock_guard lock(names.mutex);
  const auto table = names.by_arg.find(a.name);
  if (table == names.by_arg.end()) return std::nullopt;
  const auto it = table->second.find(a.zh);
  if (it == table->second.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

}  // namespace

bool renders(const Message& m) {
  if (m.isLiteral()) return true;
  auto& cat = theCatalogue();
  const auto it = cat.by_code.find(m.code());
  if (it == cat.by_code.end()) return false;
  std::set<std::string> given;
  for (const auto& a : m.args()) given.insert(a.name);
  return given == it->second.names;
}

void setCodeNames(const std::string& arg_name, std::map<std::string, std::string> zh_names) {
  auto& names = codeNames();
  std::lock_guard lock(names.mutex);
  names.by_arg[arg_name] = std::move(zh_names);
}

std::string render(const Message& m, Lang lang) {
  if (m.isLiteral()) return m.literalText();
  auto& cat = theCatalogue();
  const auto it = cat.by_code.find(m.code());
  if (it == cat.by_code.end()) {
    if (kStrict)
      throw Error(ErrorCode::kInternal, "message " + m.code() + " is not in the catalogue");
    return plain(m, lang);
  }
  const Compiled& c = it->second;
  std::set<std::string> given;
  for (const auto& a : m.args()) given.insert(a.name);
  if (given != c.names) {
    if (kStrict) {
      std::string want;
      for (const auto& n : c.names) want += " " + n;
      std::string got;
      for (const auto& n : given) got += " " + n;
      throw Error(ErrorCode::kInternal,
                  "message " + m.code() + " takes {" + want + " } but was given {" + got + " }");
    }
    return plain(m, lang);
  }
  std::vector<icu::UnicodeString> names;
  std::vector<icu::Formattable> values;
  names.reserve(m.args().size());
  values.reserve(m.args().size());
  for (const auto& a : m.args()) {
    names.push_back(icu::UnicodeString::fromUTF8(a.name));
    if (a.number) {
      values.emplace_back(static_cast<int64_t>(*a.number));
    } else if (const auto named = lang == Lang::kZh ? chineseOfCode(a) : std::nullopt) {
      values.emplace_back(icu::UnicodeString::fromUTF8(*named));
    } else {
      values.emplace_back(icu::UnicodeString::fromUTF8(lang == Lang::kZh ? a.zh : a.en));
    }
  }
  icu::UnicodeString out;
  UErrorCode status = U_ZERO_ERROR;
  {
    std::lock_guard lock(cat.format_mutex);
    (lang == Lang::kZh ? c.zh : c.en)
        ->format(names.data(), values.data(), static_cast<int32_t>(names.size()), out, status);
  }
  if (U_FAILURE(status)) {
    if (kStrict)
      throw Error(ErrorCode::kInternal,
                  "message " + m.code() + " could not be formatted: " + u_errorName(status));
    return plain(m, lang);
  }
  std::string s;
  out.toUTF8String(s);
  return s;
}

const std::vector<CatalogueEntry>& catalogue() { return theCatalogue().entries; }

const std::vector<std::string>& catalogueProblems() { return theCatalogue().problems; }

}  // namespace edupay::i18n
