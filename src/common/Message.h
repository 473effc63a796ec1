#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace edupay {

/// The languages a person reads edupay in: Chinese first, English the translation.
enum class Lang { kZh, kEn };

/// "zh" or "en".
std::string_view langCode(Lang lang);

/// The language an HTTP `Accept-Language` header (RFC 9110 §12.5.4) asks for: the first tag
/// (by q-value) that is `zh…` or `en…`; Chinese when neither is named or the header is empty.
Lang langFromAcceptLanguage(std::string_view header);

/// The language of a `--lang` value (`zh`, `en`, or a locale like `zh_CN.UTF-8`); nullopt for
/// anything else.
std::optional<Lang> parseLang(std::string_view value);

/// The command line's language from the POSIX locale variables (LC_ALL, LC_MESSAGES, LANG, in
/// that order of precedence): Chinese for a `zh_*` locale, English otherwise (a C or POSIX locale
/// may not display Chinese).
Lang langFromEnvironment();

/// One named argument of a Message, already in each language's words. Masking is applied here,
/// to the argument (a masked resident ID is the same text in both languages), never to the
/// rendered sentence.
struct MessageArg {
  std::string name;
  std::string zh, en;
  std::optional<int64_t> number;  ///< set for counts: formatted per language (12,345)
};

/// A sentence for a person, kept as a stable catalogue code plus named arguments
/// (`id.check_char {expected, got}`) and rendered at the edge in Chinese or English by
/// i18n::render (messages/*.json). A text that is not in the catalogue is a literal, rendered as
/// it is in both languages.
class Message {
 public:
  Message() = default;
  Message(std::string code, std::vector<MessageArg> args)
      : d_(std::make_shared<const Data>(Data{std::move(code), std::move(args), {}})) {}
  static Message literal(std::string text) {
    Message m;
    m.d_ = std::make_shared<const Data>(Data{{}, {}, std::move(text)});
    return m;
  }
  /// Empty for a literal.
  const std::string& code() const { return d_ ? d_->code : kEmpty.code; }
  const std::vector<MessageArg>& args() const { return d_ ? d_->args : kEmpty.args; }
  const std::string& literalText() const { return d_ ? d_->literal : kEmpty.literal; }
  bool isLiteral() const { return code().empty(); }
  /// No sentence at all (a default-constructed message).
  bool empty() const { return !d_; }
  /// The argument named `name`, or nullptr.
  const MessageArg* arg(std::string_view name) const;

 private:
  struct Data {
    std::string code;
    std::vector<MessageArg> args;
    std::string literal;
  };
  static const Data kEmpty;
  // Shared and immutable: a message is copied with every result and error that carries it (the
  // engine's trace has one per check), so a copy is one pointer.
  std::shared_ptr<const Data> d_;
};

/// A text argument, the same in both languages: a file name, a masked ID, a person's name, a
/// date, an amount in yuan ("1,234.50" is written by the caller from fen).
MessageArg arg(std::string name, std::string text);
inline MessageArg arg(std::string name, const char* text) {
  return arg(std::move(name), std::string(text));
}
inline MessageArg arg(std::string name, std::string_view text) {
  return arg(std::move(name), std::string(text));
}
/// A count, formatted per language.
MessageArg arg(std::string name, int64_t number);
inline MessageArg arg(std::string name, int number) {
  return arg(std::move(name), static_cast<int64_t>(number));
}
inline MessageArg arg(std::string name, size_t number) {
  return arg(std::move(name), static_cast<int64_t>(number));
}
/// A word that differs by language: a programme's, stage's or column's name.
MessageArg words(std::string name, std::string zh, std::string en);
/// A nested sentence (rendered in each language now).
MessageArg arg(std::string name, const Message& nested);

/// A message as the database keeps it: JSON `{"code": "...", "args": [{"name", "zh", "en",
/// "number"?}]}`, or `{"text": "..."}` for a literal, with the arguments in each language's
/// words as they were when it was made. Deterministic: the same message gives the same text.
std::string storedForm(const Message& m);
/// The message of a storedForm text. A text that is not one (a row written before messages were
/// stored) comes back as a literal of that text; an empty text as the empty message.
Message fromStoredForm(const std::string& stored);

/// Shorthand: msg("api.no_page", {arg("path", path)}).
inline Message msg(std::string code, std::vector<MessageArg> args = {}) {
  return Message(std::move(code), std::move(args));
}

}  // namespace edupay
