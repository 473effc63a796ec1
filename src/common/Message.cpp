#include "common/Message.h"

#include <cstdlib>

#include "common/Catalogue.h"
#include "common/Text.h"

namespace edupay {

std::string_view langCode(Lang lang) { return lang == Lang::kZh ? "zh" : "en"; }

std::optional<Lang> parseLang(std::string_view value) {
  const std::string v = text::toLower(std::string(value.substr(0, value.find_first_of("_-.@"))));
  if (v == "zh") return Lang::kZh;
  if (v == "en") return Lang::kEn;
  return std::nullopt;
}

Lang langFromAcceptLanguage(std::string_view header) {
  // "en-US,en;q=0.9,zh-CN;q=0.8": the highest q among zh and en wins; ties go to the first.
  std::optional<Lang> best;
  double best_q = 0;
  size_t start = 0;
  while (start <= header.size()) {
    const size_t end = std::min(header.find(',', start), header.size());
    std::string_view item = header.substr(start, end - start);
    start = end + 1;
    const size_t semi = item.find(';');
    std::string tag(text::trim(std::string(item.substr(0, semi))));
    double q = 1.0;
    if (semi != std::string_view::npos) {
      const std::string params = text::trim(std::string(item.substr(semi + 1)));
      if (params.rfind("q=", 0) == 0) q = std::atof(params.c_str() + 2);
    }
    const auto lang = parseLang(tag);
    if (lang && q > best_q) {
      best = lang;
      best_q = q;
    }
    if (end == header.size()) break;
  }
  return best.value_or(Lang::kZh);
}

Lang langFromEnvironment() {
  for (const char* var : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
    const char* v = std::getenv(var);
    if (v && *v) return parseLang(v) == Lang::kZh ? Lang::kZh : Lang::kEn;
  }
  return Lang::kEn;
}

const Message::Data Message::kEmpty{};

const MessageArg* Message::arg(std::string_view name) const {
  for (const auto& a : args())
    if (a.name == name) return &a;
  return nullptr;
}

MessageArg arg(std::string name, std::string text) {
  MessageArg a;
  a.name = std::move(name);
  a.zh = text;
  a.en = std::move(text);
  return a;
}

MessageArg arg(std::string name, int64_t number) {
  MessageArg a;
  a.name = std::move(name);
  a.zh = a.en = std::to_string(number);
  a.number = number;
  return a;
}

MessageArg words(std::string name, std::string zh, std::string en) {
  MessageArg a;
  a.name = std::move(name);
  a.zh = std::move(zh);
  a.en = std::move(en);
  return a;
}

MessageArg arg(std::string name, const Message& nested) {
  return words(std::move(name), i18n::render(nested, Lang::kZh), i18n::render(nested, Lang::kEn));
}

}  // namespace edupay
