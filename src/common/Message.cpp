#include "common/Message.h"
#include "common/MessageWords.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cstdlib>
#include <sstream>

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

namespace {

/// `text` as a JSON string (RFC 8259): quotes, backslashes and control characters escaped,
/// UTF-8 kept as it is.
void appendJsonString(std::string& out, std::string_view text) {
  out += '"';
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      static const char* kHex = "0123456789abcdef";
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += ch;
    }
  }
  out += '"';
}

}  // namespace

std::string storedForm(const Message& m) {
  if (m.empty()) return "";
  // Written by hand (the bulk entitlement run stores millions): keys in sorted order, as a
  // JSON library writes them, so the same message is always the same text.
  std::string s;
  s.reserve(64 + m.args().size() * 48);
  if (m.isLiteral()) {
    s += "{\"text\":";
    appendJsonString(s, m.literalText());
    return s + "}";
  }
  s += "{\"args\":[";
  bool first = true;
  for (const auto& a : m.args()) {
    if (!first) s += ',';
    first = false;
    s += "{\"en\":";
    appendJsonString(s, a.en);
    s += ",\"name\":";
    appendJsonString(s, a.name);
    if (a.number) s += ",\"number\":" + std::to_string(*a.number);
    s += ",\"zh\":";
    appendJsonString(s, a.zh);
    s += '}';
  }
  s += "],\"code\":";
  appendJsonString(s, m.code());
  return s + "}";
}

Message fromStoredForm(const std::string& stored) {
  if (stored.empty()) return Message();
  if (stored.front() != '{') return Message::literal(stored);
  try {
    const auto o = Poco::JSON::Parser().parse(stored).extract<Poco::JSON::Object::Ptr>();
    if (!o->has("code")) return Message::literal(o->optValue<std::string>("text", ""));
    std::vector<MessageArg> args;
    if (const auto list = o->getArray("args")) {
      for (size_t i = 0; i < list->size(); ++i) {
        const auto j = list->getObject(static_cast<unsigned>(i));
        if (!j) continue;
        MessageArg a;
        a.name = j->optValue<std::string>("name", "");
        a.zh = j->optValue<std::string>("zh", "");
        a.en = j->optValue<std::string>("en", "");
        if (j->has("number")) a.number = j->getValue<int64_t>("number");
        args.push_back(std::move(a));
      }
    }
    return Message(o->getValue<std::string>("code"), std::move(args));
  } catch (const Poco::Exception&) {
    return Message::literal(stored);
  } catch (const std::exception&) {
    return Message::literal(stored);
  }
}

Message mapWords(const Message& m, const std::function<std::string(const std::string&)>& change) {
  if (m.empty()) return m;
  if (m.isLiteral()) return Message::literal(change(m.literalText()));
  std::vector<MessageArg> args = m.args();
  for (auto& a : args) {
    a.zh = change(a.zh);
    a.en = change(a.en);
  }
  return Message(m.code(), std::move(args));
}

MessageArg codeWords(std::string name, const std::string& code,
                     std::initializer_list<std::pair<std::string_view, std::string_view>> zh) {
  for (const auto& [c, word] : zh)
    if (c == code) return words(std::move(name), std::string(word), code);
  return words(std::move(name), code, code);
}

}  // namespace edupay
