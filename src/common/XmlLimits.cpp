#include "common/XmlLimits.h"

#include <string_view>

#include "common/Error.h"

namespace edupay {

namespace {

std::string size(uint64_t bytes) {
  if (bytes >= (uint64_t{1} << 20) && bytes % (uint64_t{1} << 20) == 0)
    return std::to_string(bytes >> 20) + " MiB";
  if (bytes >= 1024 && bytes % 1024 == 0) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " bytes";
}

class Scanner {
 public:
  Scanner(const std::string& source, const XmlLimits& limits) : source_(source), limits_(limits) {}

  void feed(std::string_view block) {
    for (const char c : block) step(c);
  }

 private:
  enum class State { kText, kOpen, kBang, kComment, kCdata, kPi, kTag };

  [[noreturn]] void refuse(const std::string& what) const {
    throw Error(ErrorCode::kInvalidInput,
                source_ + ": line " + std::to_string(line_) + ": " + what +
                    "; the file is refused: ask the sender for the file as the standard defines "
                    "it (XML 文件超出限制，已拒收，请向发送方索取标准格式的文件)");
  }

  void begin(State s, std::string_view what) {
    state_ = s;
    what_ = what;
    token_ = 0;
  }

  void step(char c) {
    if (++bytes_ > limits_.max_bytes)
      refuse("the document is larger than " + size(limits_.max_bytes));
    if (c == '\n') ++line_;
    if (++token_ > limits_.max_token)
      refuse(std::string(what_) + " longer than " + size(limits_.max_token));
    switch (state_) {
      case State::kText:
        if (c == '<') begin(State::kOpen, "a tag with its name and attributes");
        break;
      case State::kOpen:
        if (c == '!') {
          begin(State::kBang, "a declaration");
          bang_.clear();
        } else if (c == '?') {
          begin(State::kPi, "a processing instruction");
          prev_ = 0;
        } else {
          state_ = State::kTag;
          end_tag_ = c == '/';
          quote_ = 0;
          prev_ = c;
        }
        break;
      case State::kBang:
        bang_ += c;
        if (bang_ == "--") {
          begin(State::kComment, "a comment");
          run_ = 0;
        } else if (bang_ == "[CDATA[") {
          begin(State::kCdata, "a CDATA section");
          run_ = 0;
        } else if (std::string_view("[CDATA[").substr(0, bang_.size()) != bang_ &&
                   std::string_view("--").substr(0, std::min<size_t>(bang_.size(), 2)) != bang_) {
          refuse("a document type or entity declaration (<!" + bang_ +
                 "...), which is never allowed");
        }
        break;
      case State::kComment:
        if (c == '>' && run_ >= 2) begin(State::kText, "text");
        run_ = c == '-' ? run_ + 1 : 0;
        break;
      case State::kCdata:
        if (c == '>' && run_ >= 2) begin(State::kText, "text");
        run_ = c == ']' ? run_ + 1 : 0;
        break;
      case State::kPi:
        if (c == '>' && prev_ == '?') begin(State::kText, "text");
        prev_ = c;
        break;
      case State::kTag:
        if (quote_ != 0) {
          if (c == quote_) quote_ = 0;
        } else if (c == '"' || c == '\'') {
          quote_ = c;
        } else if (c == '>') {
          if (end_tag_) {
            if (depth_ > 0) --depth_;
          } else {
            if (depth_ + 1 > limits_.max_depth) {
              refuse("elements nested deeper than " + std::to_string(limits_.max_depth) +
                     " levels");
            }
            if (prev_ != '/') ++depth_;  // <e/> is a level of its own, closed at once
          }
          begin(State::kText, "text");
        }
        prev_ = c;
        break;
    }
  }

  const std::string& source_;
  const XmlLimits& limits_;
  State state_ = State::kText;
  std::string_view what_ = "text";
  std::string bang_;
  uint64_t bytes_ = 0, token_ = 0;
  int64_t line_ = 1;
  int depth_ = 0;
  int run_ = 0;
  char prev_ = 0, quote_ = 0;
  bool end_tag_ = false;
};

}  // namespace

void checkXmlLimits(std::istream& in, const std::string& source, const XmlLimits& limits) {
  Scanner scanner(source, limits);
  std::string block(64 * 1024, '\0');
  while (in) {
    in.read(block.data(), static_cast<std::streamsize>(block.size()));
    const auto got = static_cast<size_t>(in.gcount());
    if (got == 0) break;
    scanner.feed(std::string_view(block.data(), got));
  }
  if (in.bad()) throw Error(ErrorCode::kUnavailable, "cannot read " + source);
}

}  // namespace edupay
