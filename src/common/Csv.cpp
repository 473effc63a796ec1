#include "common/Csv.h"

#include <iconv.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "common/Error.h"
#include "common/Text.h"

namespace edupay {

const char* encodingName(TextEncoding e) {
  return e == TextEncoding::kGb18030 ? "gb18030" : "utf-8";
}

namespace {

constexpr size_t kBlockSize = 64 * 1024;
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

class Iconv {
 public:
  Iconv(const char* to, const char* from) : cd_(::iconv_open(to, from)) {
    if (cd_ == reinterpret_cast<iconv_t>(-1)) {
      throw Error(ErrorCode::kInternal, std::string("iconv cannot convert from ") + from + " to " +
                                            to + ": " + std::strerror(errno));
    }
  }
  ~Iconv() { ::iconv_close(cd_); }
  Iconv(const Iconv&) = delete;
  Iconv& operator=(const Iconv&) = delete;

  struct Result {
    size_t consumed = 0;  ///< input bytes converted
    int error = 0;        ///< 0, EILSEQ (invalid input) or EINVAL (input ends mid-character)
  };

  /// Converts as much of `in` as possible, appending to `out`.
  Result convert(std::string_view in, std::string& out) {
    // glibc's iconv takes a non-const input pointer but does not write through it.
    char* in_ptr = const_cast<char*>(in.data());
    size_t in_left = in.size();
    char buf[16 * 1024];
    Result result;
    while (in_left > 0) {
      char* out_ptr = buf;
      size_t out_left = sizeof buf;
      const size_t rc = ::iconv(cd_, &in_ptr, &in_left, &out_ptr, &out_left);
      const int err = rc == static_cast<size_t>(-1) ? errno : 0;
      out.append(buf, static_cast<size_t>(out_ptr - buf));
      if (err == E2BIG) continue;
      if (err != 0) {
        result.error = err;
        break;
      }
    }
    result.consumed = in.size() - in_left;
    return result;
  }

 private:
  iconv_t cd_;
};

size_t utf8LeadLength(unsigned char b) {
  if (b < 0x80) return 1;
  if (b >= 0xC2 && b <= 0xDF) return 2;
  if (b >= 0xE0 && b <= 0xEF) return 3;
  if (b >= 0xF0 && b <= 0xF4) return 4;
  return 0;
}

struct Utf8Scan {
  size_t valid = 0;        ///< length of the valid prefix
  bool truncated = false;  ///< the rest is the start of a character cut off by the end of input
};

Utf8Scan scanUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      ++i;
      continue;
    }
    const size_t len = utf8LeadLength(b);
    if (len == 0) return {i, false};
    if (s.size() - i < len) {
      // Only a tail that could still become a valid character counts as truncated.
      const bool prefix_ok = std::all_of(s.begin() + static_cast<std::ptrdiff_t>(i + 1), s.end(),
                                         [](char c) { return (c & 0xC0) == 0x80; });
      return {i, prefix_ok};
    }
    if (!text::isValidUtf8(s.substr(i, len))) return {i, false};
    i += len;
  }
  return {i, false};
}

std::string convertWhole(const char* to, const char* from, std::string_view in, const char* what) {
  Iconv cd(to, from);
  std::string out;
  const auto r = cd.convert(in, out);
  if (r.error == EILSEQ || r.error == EINVAL) {
    throw Error(ErrorCode::kInvalidInput,
                msg(r.error == EINVAL ? "text.encoding.cut_off" : "text.encoding.invalid",
                    {arg("what", what), arg("byte", std::to_string(r.consumed + 1))}));
  }
  return out;
}

}  // namespace

std::string utf8ToGb18030(std::string_view utf8) {
  // Checked up front so the message blames malformed input rather than the target encoding.
  if (!text::isValidUtf8(utf8)) {
    const auto scan = scanUtf8(utf8);
    throw Error(ErrorCode::kInvalidInput,
                msg("text.encoding.invalid",
                    {arg("what", "UTF-8"), arg("byte", std::to_string(scan.valid + 1))}));
  }
  return convertWhole("GB18030", "UTF-8", utf8, "GB18030");
}

std::string gb18030ToUtf8(std::string_view gb) {
  return convertWhole("UTF-8", "GB18030", gb, "GB18030");
}

TextEncoding parseTextEncoding(std::string_view name) {
  const std::string n = text::toLower(text::trim(name));
  if (n == "utf-8" || n == "utf8") return TextEncoding::kUtf8;
  if (n == "gbk" || n == "gb18030" || n == "gb2312" || n == "cp936") return TextEncoding::kGb18030;
  if (n == "auto") return TextEncoding::kAuto;
  throw Error(ErrorCode::kInvalidInput, msg("text.encoding.unknown", {arg("name", name)}));
}

/// Turns raw bytes into UTF-8 a block at a time, keeping a character split across blocks for the
/// next call. Counts line feeds in its output so an invalid byte can be reported with its line
/// (0x0A never occurs inside a multibyte character in UTF-8 or GB18030).
class CsvReader::Decoder {
 public:
  explicit Decoder(TextEncoding encoding) {
    if (encoding == TextEncoding::kGb18030) iconv_.emplace("UTF-8", "GB18030");
  }

  struct Failure {
    int64_t line = 0;
    bool cut_off = false;  ///< the file ends inside a character (else: bytes not valid)
  };

  /// Appends the decoded form of `input` to `out`. `at_end` says no more input follows.
  /// Returns a failure after appending everything before the bad bytes.
  std::optional<Failure> decode(std::string_view input, bool at_end, std::string& out) {
    std::string_view data = input;
    if (!carry_.empty()) {
      carry_.append(input);
      data = carry_;
    }
    const size_t out_start = out.size();
    size_t consumed = 0;
    bool invalid = false;
    bool truncated = false;
    if (iconv_) {
      const auto r = iconv_->convert(data, out);
      consumed = r.consumed;
      invalid = r.error == EILSEQ;
      truncated = r.error == EINVAL;
    } else {
      const auto scan = scanUtf8(data);
      out.append(data.substr(0, scan.valid));
      consumed = scan.valid;
      truncated = scan.truncated;
      invalid = scan.valid < data.size() && !scan.truncated;
    }
    lines_ += std::count(out.begin() + static_cast<std::ptrdiff_t>(out_start), out.end(), '\n');

    std::optional<Failure> failure;
    if (invalid) {
      failure = Failure{lines_ + 1, false};
    } else if (truncated && at_end) {
      failure = Failure{lines_ + 1, true};
    }
    std::string rest(data.substr(consumed));
    carry_ = truncated && !at_end ? std::move(rest) : std::string();
    return failure;
  }

 private:
 public:
  std::string encodingName() const { return iconv_ ? "GB18030/GBK" : "UTF-8"; }

 private:
  std::optional<Iconv> iconv_;
  std::string carry_;
  int64_t lines_ = 0;
};

CsvReader::CsvReader(std::istream& in, std::string source_name, TextEncoding encoding,
                     char delimiter)
    : in_(in), source_name_(std::move(source_name)), encoding_(encoding), delimiter_(delimiter) {}

CsvReader::~CsvReader() = default;

CsvFile::CsvFile(const std::string& path) : in_(path, std::ios::binary), reader_(in_, path) {
  if (!in_) throw Error(ErrorCode::kNotFound, msg("csv.cannot_open", {arg("file", path)}));
  if (!reader_.next(header_))
    throw Error(ErrorCode::kInvalidInput, msg("csv.empty", {arg("file", path)}));
  reader_.expectHeader(header_);
}

bool CsvReader::fill() {
  if (pending_error_) throw Error(ErrorCode::kInvalidInput, *pending_error_);
  buffer_.clear();
  pos_ = 0;
  std::string raw(kBlockSize, '\0');
  while (buffer_.empty()) {
    if (eof_) return false;
    in_.read(raw.data(), static_cast<std::streamsize>(raw.size()));
    const auto got = static_cast<size_t>(in_.gcount());
    if (in_.bad())
      throw Error(ErrorCode::kUnavailable, msg("csv.cannot_read", {arg("file", source_name_)}));
    eof_ = got < raw.size() || in_.peek() == std::char_traits<char>::eof();
    std::string_view block(raw.data(), got);
    if (!started_) {
      started_ = true;
      // A UTF-8 BOM settles the question even when the caller guessed otherwise.
      if (block.substr(0, kUtf8Bom.size()) == kUtf8Bom) {
        block.remove_prefix(kUtf8Bom.size());
        encoding_ = TextEncoding::kUtf8;
      } else if (encoding_ == TextEncoding::kAuto) {
        const auto scan = scanUtf8(block);
        const bool valid = scan.valid == block.size() || (scan.truncated && !eof_);
        encoding_ = valid ? TextEncoding::kUtf8 : TextEncoding::kGb18030;
      }
      decoder_ = std::make_unique<Decoder>(encoding_);
    }
    const auto failure = decoder_->decode(block, eof_, buffer_);
    if (failure) {
      pending_error_ = msg(failure->cut_off ? "csv.encoding.cut_off" : "csv.encoding.invalid",
                           {arg("file", source_name_), arg("line", std::to_string(failure->line)),
                            arg("encoding", decoder_->encodingName())});
      if (buffer_.empty()) throw Error(ErrorCode::kInvalidInput, *pending_error_);
      // Records before the bad bytes are still returned; the error surfaces on the next fill.
      eof_ = true;
    }
  }
  return true;
}

void CsvReader::expectHeader(const std::vector<std::string>& header) {
  header_ = header;
  check_count_ = true;
}

void CsvReader::nameColumns(const std::vector<std::string>& header) {
  header_ = header;
  check_count_ = false;
}

MessageArg CsvReader::column(size_t index) const {
  const std::string n = std::to_string(index + 1);
  const std::string name = index < header_.size() ? text::cleanField(header_[index]) : "";
  if (name.empty()) return words("column", "第 " + n + " 列", "column " + n);
  return words("column", "第 " + n + " 列（" + name + "）", "column " + n + " (" + name + ")");
}

bool CsvReader::next(std::vector<std::string>& fields) {
  if (!readRecord(fields)) return false;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (const auto cp = text::controlCharacter(fields[i], delimiter_ == '\t')) {
      throw Error(ErrorCode::kInvalidInput,
                  msg("csv.control_character",
                      {arg("file", source_name_), arg("line", std::to_string(record_line_)),
                       column(i), arg("character", text::codePointLabel(*cp))}));
    }
  }
  const bool blank = fields.size() == 1 && fields[0].empty();
  if (check_count_ && !blank && fields.size() != header_.size()) {
    throw Error(ErrorCode::kInvalidInput,
                msg("csv.field_count",
                    {arg("file", source_name_), arg("line", std::to_string(record_line_)),
                     arg("fields", fields.size()), arg("header", header_.size())}));
  }
  return true;
}

bool CsvReader::readRecord(std::vector<std::string>& fields) {
  fields.clear();
  if (pos_ >= buffer_.size() && !fill()) return false;
  record_line_ = current_line_;

  enum class State { kFieldStart, kUnquoted, kQuoted, kQuoteInQuoted, kCrAfterQuote };
  State state = State::kFieldStart;
  std::string field;
  int64_t quote_line = 0;
  auto fail = [&](const char* code, std::vector<MessageArg> args) {
    args.push_back(arg("file", source_name_));
    args.push_back(arg("line", std::to_string(current_line_)));
    return Error(ErrorCode::kInvalidInput, msg(code, std::move(args)));
  };
  auto endField = [&] {
    fields.push_back(std::move(field));
    field.clear();
  };

  while (true) {
    if (pos_ >= buffer_.size() && !fill()) {
      if (state == State::kQuoted) {
        throw fail("csv.unterminated_quote", {arg("opened", std::to_string(quote_line))});
      }
      if (state == State::kUnquoted && !field.empty() && field.back() == '\r') field.pop_back();
      endField();
      return true;
    }
    const char c = buffer_[pos_++];
    switch (state) {
      case State::kFieldStart:
        if (c == '"') {
          state = State::kQuoted;
          quote_line = current_line_;
          break;
        }
        state = State::kUnquoted;
        [[fallthrough]];
      case State::kUnquoted:
        if (c == delimiter_) {
          endField();
          state = State::kFieldStart;
        } else if (c == '\n') {
          if (!field.empty() && field.back() == '\r') field.pop_back();
          ++current_line_;
          endField();
          return true;
        } else {
          field += c;
        }
        break;
      case State::kQuoted:
        if (c == '"') {
          state = State::kQuoteInQuoted;
        } else {
          if (c == '\n') ++current_line_;
          field += c;
        }
        break;
      case State::kQuoteInQuoted:
        if (c == '"') {
          field += '"';
          state = State::kQuoted;
        } else if (c == delimiter_) {
          endField();
          state = State::kFieldStart;
        } else if (c == '\n') {
          ++current_line_;
          endField();
          return true;
        } else if (c == '\r') {
          state = State::kCrAfterQuote;
        } else {
          throw fail("csv.after_quote.double_it",
                     {arg("field", std::to_string(fields.size() + 1))});
        }
        break;
      case State::kCrAfterQuote:
        if (c != '\n') {
          throw fail("csv.after_quote", {arg("field", std::to_string(fields.size() + 1))});
        }
        ++current_line_;
        endField();
        return true;
    }
  }
}

CsvWriter::CsvWriter(std::ostream& out, Options options) : out_(out), options_(options) {}

void CsvWriter::writeRow(const std::vector<std::string>& fields) {
  const bool gb = options_.encoding == TextEncoding::kGb18030;
  line_.clear();
  if (!wrote_bom_ && options_.utf8_bom && !gb) line_ += kUtf8Bom;
  wrote_bom_ = true;
  const std::string_view specials[] = {std::string_view(&options_.delimiter, 1), "\"", "\r", "\n"};
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line_ += options_.delimiter;
    const std::string f = text::neutraliseFormula(fields[i]);
    const bool needs_quotes = std::any_of(std::begin(specials), std::end(specials),
                                          [&](std::string_view c) { return f.find(c) != f.npos; });
    std::string quoted;
    if (needs_quotes) {
      quoted += '"';
      for (char c : f) {
        if (c == '"') quoted += '"';
        quoted += c;
      }
      quoted += '"';
    }
    const std::string& out = needs_quotes ? quoted : f;
    if (!gb) {
      line_ += out;
      continue;
    }
    // Quoting happens before encoding: a GBK trail byte can equal a delimiter such as '|'.
    try {
      line_ += utf8ToGb18030(out);
    } catch (const Error& e) {
      throw Error(ErrorCode::kInvalidInput,
                  msg("csv.cannot_write_field",
                      {arg("field", std::to_string(i + 1)), arg("reason", e.message())}));
    }
  }
  line_ += options_.line_ending;
  out_.write(line_.data(), static_cast<std::streamsize>(line_.size()));
  if (!out_) throw Error(ErrorCode::kUnavailable, msg("csv.cannot_write"));
}

}  // namespace edupay
