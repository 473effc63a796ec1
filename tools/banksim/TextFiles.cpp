#include "TextFiles.h"

#include <array>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

namespace edupay::banksim {

namespace {

constexpr std::string_view kTrailerMark = "汇总";
constexpr size_t kPipeDetailFields = 6;
constexpr size_t kCsvDetailFields = 6;
constexpr std::array<std::string_view, 6> kCcbTitles = {"序号", "账号",   "姓名",
                                                        "金额", "参考号", "用途"};
constexpr std::array<std::string_view, 5> kHeaderBlockKeys = {"付款账号", "付款户名", "总笔数",
                                                              "总金额", "日期"};
constexpr std::array<std::string_view, 6> kHeaderBlockTitles = {"序号", "收款账号", "收款户名",
                                                                "金额", "用途",     "参考号"};
/// abc-fixed: name 60, account 30, amount 18, remark 30, in GBK bytes.
constexpr std::array<size_t, 4> kAbcWidths = {60, 30, 18, 30};
constexpr std::array<std::string_view, 4> kAbcFieldNames = {"name", "account", "amount", "remark"};
constexpr size_t kAbcLineBytes = 138;

/// Lines of a file, split at LF, read through a large buffer.
class LineReader {
 public:
  explicit LineReader(FileSource& file) : file_(file), buffer_(1 << 20) {}

  /// The next line without its LF; `terminated` says whether an LF ended it. False at the end.
  bool next(std::string& line, bool& terminated) {
    line.clear();
    for (;;) {
      if (pos_ == end_) {
        if (eof_) {
          terminated = false;
          return !line.empty();
        }
        end_ = file_.read(buffer_.data(), buffer_.size());
        pos_ = 0;
        eof_ = end_ == 0;
        continue;
      }
      const char* start = buffer_.data() + pos_;
      const auto* lf = static_cast<const char*>(std::memchr(start, '\n', end_ - pos_));
      if (lf != nullptr) {
        const auto size = static_cast<size_t>(lf - start);
        line.append(start, size);
        pos_ += size + 1;
        terminated = true;
        return true;
      }
      line.append(start, end_ - pos_);
      pos_ = end_;
    }
  }

 private:
  FileSource& file_;
  std::vector<char> buffer_;
  size_t pos_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
};

std::vector<std::string_view> splitPipe(std::string_view text) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  for (;;) {
    const size_t bar = text.find('|', start);
    if (bar == std::string_view::npos) {
      fields.push_back(text.substr(start));
      return fields;
    }
    fields.push_back(text.substr(start, bar - start));
    start = bar + 1;
  }
}

/// One line of RFC 4180 CSV; nullopt with `why` when its quoting is broken.
std::optional<std::vector<std::string>> splitCsv(std::string_view line, std::string& why) {
  std::vector<std::string> fields;
  size_t i = 0;
  for (;;) {
    std::string field;
    if (i < line.size() && line[i] == '"') {
      ++i;
      for (;;) {
        if (i >= line.size()) {
          why = "quoted field " + std::to_string(fields.size() + 1) + " is not closed";
          return std::nullopt;
        }
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += line[i++];
      }
      if (i < line.size() && line[i] != ',') {
        why = "text after the closing quote of field " + std::to_string(fields.size() + 1);
        return std::nullopt;
      }
    } else {
      size_t end = line.find(',', i);
      if (end == std::string_view::npos) end = line.size();
      field = std::string(line.substr(i, end - i));
      if (field.find('"') != std::string::npos) {
        why = "a quote inside unquoted field " + std::to_string(fields.size() + 1);
        return std::nullopt;
      }
      i = end;
    }
    fields.push_back(std::move(field));
    if (i >= line.size()) return fields;
    ++i;  // the comma
  }
}

std::string accountProblem(std::string_view account) {
  for (char c : account) {
    if (c < '0' || c > '9') return "account (账号) holds a character that is not a digit";
  }
  return "account (账号) has " + std::to_string(account.size()) + " digits; accounts have 12 to 30";
}

/// The first control character in decoded text, or npos.
size_t findControl(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte == 0x7f) return i;
  }
  return std::string_view::npos;
}

class TextFileReader {
 public:
  TextFileReader(FileSource& file, Layout layout, const Manifest& manifest, Intake& intake,
                 Problems& problems)
      : file_(file),
        layout_(layout),
        manifest_(manifest),
        intake_(intake),
        problems_(problems),
        gbk_("UTF-8", "GBK") {}

  void run() {
    LineReader lines(file_);
    const bool crlf = layout_ != Layout::kAbcFixed;
    const std::string layout_name(layoutName(layout_));
    std::string raw;
    bool terminated = false;
    uint64_t n = 0;
    while (lines.next(raw, terminated)) {
      ++n;
      std::string_view body = raw;
      const bool had_cr = !body.empty() && body.back() == '\r';
      if (had_cr) body.remove_suffix(1);
      if (!terminated) {
        problem(n, std::string("the last line does not end with ") + (crlf ? "CRLF" : "LF"));
      } else if (crlf && !had_cr) {
        problem(n, "line ends with LF alone; " + layout_name + " lines end with CRLF");
      }
      if (!crlf && had_cr) {
        problem(n, "line ends with CRLF; " + layout_name + " lines end with LF alone");
      }
      if (body.find('\r') != std::string_view::npos) {
        problem(n, "a CR inside the line (line endings must be " +
                       std::string(crlf ? "CRLF" : "LF") + ")");
      }
      if (layout_ == Layout::kAbcFixed) {
        fixedLine(n, body);
        continue;
      }
      if (body.empty()) {
        problem(n, "empty line");
        continue;
      }
      size_t bad = 0;
      if (!gbk_.convert(body, text_, bad)) {
        problem(n, "byte " + std::to_string(bad + 1) + " is not valid GBK" + byteHex(body, bad));
        if (inDetails(n)) intake_.addUnreadable(n);
        continue;
      }
      if (const size_t c = findControl(text_); c != std::string_view::npos) {
        problem(n, "a control character" + byteHex(text_, c) + " in the line");
        if (inDetails(n)) intake_.addUnreadable(n);
        continue;
      }
      switch (layout_) {
        case Layout::kPipeGbk:
          pipeLine(n, text_);
          break;
        case Layout::kCcbCsv:
          ccbLine(n, text_);
          break;
        case Layout::kHeaderBlockGbk:
          headerBlockLine(n, text_);
          break;
        default:
          break;
      }
    }
    finish(n);
  }

 private:
  void problem(uint64_t line, std::string what) { problems_.add(line, std::move(what)); }

  static std::string byteHex(std::string_view bytes, size_t at) {
    if (at >= bytes.size()) return " (the line ends inside a character)";
    char hex[16];
    std::snprintf(hex, sizeof hex, " (0x%02X)", static_cast<unsigned char>(bytes[at]));
    return hex;
  }

  /// Whether line `n` is a detail line of the layout (for counting lines that cannot be read).
  bool inDetails(uint64_t n) const {
    switch (layout_) {
      case Layout::kCcbCsv:
        return n > 1;
      case Layout::kHeaderBlockGbk:
        return n > kHeaderBlockKeys.size() + 1;
      case Layout::kPipeGbk:
        return !trailer_line_;
      default:
        return true;
    }
  }

  void pipeLine(uint64_t n, std::string_view line) {
    if (line.substr(0, kTrailerMark.size()) == kTrailerMark) {
      pipeTrailer(n, line);
      return;
    }
    if (trailer_line_) {
      problem(n, "a detail line after the 汇总 line (line " + std::to_string(*trailer_line_) +
                     "); the 汇总 line is the last");
    }
    if (line.back() != '|') {
      problem(n, "the line does not end with '|' (every field is followed by '|')");
      intake_.addUnreadable(n);
      return;
    }
    const auto fields = splitPipe(line.substr(0, line.size() - 1));
    if (fields.size() != kPipeDetailFields) {
      problem(n, std::to_string(fields.size()) +
                     " fields; pipe-gbk detail lines have 6: 序号|账号|姓名|金额|参考号|用途|");
      intake_.addUnreadable(n);
      return;
    }
    detail(n, fields[0], fields[1], fields[2], fields[3], fields[4], 2, std::nullopt);
  }

  void pipeTrailer(uint64_t n, std::string_view line) {
    if (trailer_line_) {
      problem(n, "a second 汇总 line (the first is line " + std::to_string(*trailer_line_) + ")");
      return;
    }
    trailer_line_ = n;
    if (line.back() != '|') {
      problem(n, "the 汇总 line does not end with '|' (汇总|count|amount|)");
      return;
    }
    const auto fields = splitPipe(line.substr(0, line.size() - 1));
    if (fields.size() != 3 || fields[0] != kTrailerMark) {
      problem(n, std::to_string(fields.size()) +
                     " fields in the 汇总 line; it has 3: 汇总|count|amount|");
      return;
    }
    declareTotals(n, fields[1], fields[2], "汇总");
  }

  void declareTotals(uint64_t n, std::string_view count, std::string_view amount,
                     const char* where) {
    count_line_ = n;
    total_line_ = n;
    declared_count_ = parseCount(count);
    if (!declared_count_) {
      problem(n, std::string(where) + " count " + quoted(count) + " is not a whole number");
    }
    declared_total_ = parseFixedDecimal(amount, 2);
    if (!declared_total_) {
      problem(n, std::string(where) + " amount " + quoted(amount) +
                     " is not yuan with exactly 2 decimals");
    }
  }

  void ccbLine(uint64_t n, std::string_view line) {
    std::string why;
    const auto fields = splitCsv(line, why);
    if (n == 1) {
      if (!fields || !sameFields(*fields, kCcbTitles)) {
        problem(n, "the first line is not the title row 序号,账号,姓名,金额,参考号,用途");
      }
      return;
    }
    csvDetail(n, fields, why, "ccb-csv detail lines have 6: 序号,账号,姓名,金额,参考号,用途");
    if (fields && fields->size() == kCsvDetailFields) {
      const auto& f = *fields;
      detail(n, f[0], f[1], f[2], f[3], f[4], 2, std::nullopt);
    }
  }

  void headerBlockLine(uint64_t n, std::string_view line) {
    std::string why;
    const auto fields = splitCsv(line, why);
    if (n <= kHeaderBlockKeys.size()) {
      const std::string_view key = kHeaderBlockKeys[n - 1];
      if (!fields || fields->size() != 2 || (*fields)[0] != key) {
        problem(n, "header line " + std::to_string(n) + " is not " + std::string(key) +
                       ",<value> (header-block files start 付款账号, 付款户名, 总笔数, 总金额, "
                       "日期)");
        return;
      }
      headerValue(n, (*fields)[1]);
      return;
    }
    if (n == kHeaderBlockKeys.size() + 1) {
      if (!fields || !sameFields(*fields, kHeaderBlockTitles)) {
        problem(n, "line 6 is not the title row 序号,收款账号,收款户名,金额,用途,参考号");
      }
      return;
    }
    csvDetail(n, fields, why,
              "header-block-gbk detail lines have 6: 序号,收款账号,收款户名,金额,用途,参考号");
    if (fields && fields->size() == kCsvDetailFields) {
      const auto& f = *fields;
      detail(n, f[0], f[1], f[2], f[3], f[5], 2, std::nullopt);
    }
  }

  void headerValue(uint64_t n, const std::string& value) {
    switch (n) {
      case 1:
        if (!isAccountNumber(value)) {
          problem(n, "付款账号: " + accountProblem(value));
        } else if (value != manifest_.payer_account) {
          problem(n, "付款账号 is not the payer account named in the manifest");
        }
        break;
      case 2:
        if (trimSpaces(value).empty()) problem(n, "付款户名 is empty");
        break;
      case 3:
        declared_count_ = parseCount(value);
        if (!declared_count_) problem(n, "总笔数 " + quoted(value) + " is not a whole number");
        count_line_ = n;
        break;
      case 4:
        declared_total_ = parseFixedDecimal(value, 2);
        total_line_ = n;
        if (!declared_total_) {
          problem(n, "总金额 " + quoted(value) + " is not yuan with exactly 2 decimals");
        }
        break;
      case 5:
        if (!isDate(value, false)) problem(n, "日期 " + quoted(value) + " is not a date YYYYMMDD");
        break;
      default:
        break;
    }
  }

  void csvDetail(uint64_t n, const std::optional<std::vector<std::string>>& fields,
                 const std::string& why, const char* expected) {
    if (!fields) {
      problem(n, "broken CSV quoting: " + why);
      intake_.addUnreadable(n);
    } else if (fields->size() != kCsvDetailFields) {
      problem(n, std::to_string(fields->size()) + " fields; " + expected);
      intake_.addUnreadable(n);
    }
  }

  template <size_t N>
  static bool sameFields(const std::vector<std::string>& fields,
                         const std::array<std::string_view, N>& expected) {
    if (fields.size() != N) return false;
    for (size_t i = 0; i < N; ++i) {
      if (fields[i] != expected[i]) return false;
    }
    return true;
  }

  void fixedLine(uint64_t n, std::string_view gbk) {
    if (gbk.size() != kAbcLineBytes) {
      problem(n, "the line is " + std::to_string(gbk.size()) +
                     " bytes; abc-fixed lines are 138 bytes (name 60, account 30, amount 18, "
                     "remark 30, in GBK) before the LF");
      intake_.addUnreadable(n);
      return;
    }
    // A double-byte GBK character starts with 0x81..0xFE; none may straddle a field boundary.
    bool readable = true;
    std::array<size_t, 5> starts = {0, 0, 0, 0, 0};
    for (size_t k = 0; k < kAbcWidths.size(); ++k) starts[k + 1] = starts[k] + kAbcWidths[k];
    for (size_t i = 0; i < gbk.size();) {
      const auto byte = static_cast<unsigned char>(gbk[i]);
      const size_t size = byte >= 0x81 && byte <= 0xfe ? 2 : 1;
      for (size_t k = 1; k < kAbcWidths.size(); ++k) {
        if (size == 2 && i + 1 == starts[k]) {
          problem(n, "a GBK character is cut in half at byte " + std::to_string(starts[k]) +
                         " (the end of the " + std::string(kAbcFieldNames[k - 1]) + " field)");
          readable = false;
        }
      }
      i += size;
    }
    std::array<std::string, 4> fields;
    for (size_t k = 0; readable && k < kAbcWidths.size(); ++k) {
      const std::string_view raw = gbk.substr(starts[k], kAbcWidths[k]);
      size_t bad = 0;
      if (!gbk_.convert(raw, fields[k], bad)) {
        problem(n, "byte " + std::to_string(starts[k] + bad + 1) + " is not valid GBK" +
                       byteHex(raw, bad));
        readable = false;
      } else if (const size_t c = findControl(fields[k]); c != std::string_view::npos) {
        problem(n, "a control character" + byteHex(fields[k], c) + " in the " +
                       std::string(kAbcFieldNames[k]) + " field");
        readable = false;
      } else if (!fields[k].empty() && fields[k][0] == ' ' && !trimSpaces(fields[k]).empty()) {
        problem(n, "the " + std::string(kAbcFieldNames[k]) +
                       " field starts with a space (fields are left-aligned, padded with spaces)");
        readable = false;
      }
    }
    if (!readable) {
      intake_.addUnreadable(n);
      return;
    }
    detail(n, {}, trimSpaces(fields[1]), trimSpaces(fields[0]), trimSpaces(fields[2]),
           trimSpaces(fields[3]), 3, n);
  }

  /// Checks the fields of one payment and hands it to the intake. `decimals`: the layout's amount
  /// decimals. `seq`: the sequence number when the layout has no 序号 field.
  void detail(uint64_t n, std::string_view seq_text, std::string_view account,
              std::string_view holder, std::string_view amount, std::string_view reference,
              int decimals, std::optional<uint64_t> seq) {
    bool ok = true;
    Payment payment;
    payment.line = n;
    if (seq) {
      payment.seq = *seq;
    } else if (const auto parsed = parseCount(seq_text); parsed && *parsed > 0) {
      payment.seq = *parsed;
    } else {
      problem(n, "序号 " + quoted(seq_text) + " is not a positive whole number");
      ok = false;
    }
    if (!isAccountNumber(account)) {
      problem(n, accountProblem(account));
      ok = false;
    }
    if (trimSpaces(holder).empty()) {
      problem(n, "the account holder name (姓名) is empty");
      ok = false;
    }
    const auto units = parseFixedDecimal(amount, decimals);
    if (!units) {
      problem(n, "amount " + quoted(amount) + " is not yuan with exactly " +
                     std::to_string(decimals) + " decimals" +
                     (decimals == 3 ? " (like 1500.000)" : " (like 1500.00)"));
      ok = false;
    } else if (*units == 0) {
      problem(n, "amount is zero; payments are positive");
      ok = false;
    } else if (decimals == 3 && *units % 10 != 0) {
      problem(n, "amount " + quoted(amount) + " holds a fraction of a fen");
      ok = false;
    } else {
      payment.amount_fen = decimals == 3 ? *units / 10 : *units;
    }
    if (const std::string why = referenceProblem(reference); !why.empty()) {
      problem(n, why);
      ok = false;
    }
    if (!ok) {
      intake_.addUnreadable(n);
      return;
    }
    payment.account = std::string(account);
    payment.reference = std::string(reference);
    intake_.add(payment);
  }

  void finish(uint64_t last_line) {
    if (layout_ == Layout::kHeaderBlockGbk && last_line <= kHeaderBlockKeys.size()) {
      problem(0,
              "the file ends within its header (6 lines: 付款账号, 付款户名, 总笔数, 总金额, "
              "日期, titles)");
    }
    if (layout_ == Layout::kCcbCsv && last_line == 0) {
      problem(0, "the file is empty (no title row)");
    }
    if (layout_ == Layout::kPipeGbk && !trailer_line_) {
      problem(0, "no 汇总 line at the end (汇总|count|amount|)");
    }
    if (intake_.count() == 0) problem(0, "no payment lines in the file");
    if (declared_count_ && *declared_count_ != intake_.count()) {
      problem(count_line_, "the file says " + std::to_string(*declared_count_) +
                               " payments but has " + std::to_string(intake_.count()) +
                               " detail lines");
    }
    if (declared_total_ && intake_.totalKnown() && *declared_total_ != intake_.totalFen()) {
      problem(total_line_, "the file says the total is " + formatFen(*declared_total_) +
                               " but the detail lines add up to " + formatFen(intake_.totalFen()));
    }
  }

  FileSource& file_;
  Layout layout_;
  const Manifest& manifest_;
  Intake& intake_;
  Problems& problems_;
  Iconv gbk_;
  std::string text_;
  std::optional<uint64_t> trailer_line_;
  uint64_t count_line_ = 0;
  uint64_t total_line_ = 0;
  std::optional<uint64_t> declared_count_;
  std::optional<int64_t> declared_total_;
};

}  // namespace

void readTextFile(FileSource& file, Layout layout, const Manifest& manifest, Intake& intake,
                  Problems& problems) {
  TextFileReader(file, layout, manifest, intake, problems).run();
}

}  // namespace edupay::banksim
