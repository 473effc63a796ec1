#include "bankfiles/PaymentFile.h"

#include <map>

#include <iconv.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cerrno>

#include "common/Error.h"
#include "common/Text.h"

namespace edupay::bankfiles {

namespace {

bool isAscii(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

std::string hex(const unsigned char* d, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += digits[d[i] >> 4];
    out += digits[d[i] & 15];
  }
  return out;
}

/// Buffers output, feeds SHA-256 and the stream in large blocks.
class DigestSink {
 public:
  explicit DigestSink(std::ostream& out) : out_(out), ctx_(EVP_MD_CTX_new()) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1)
      throw Error(ErrorCode::kInternal, "cannot start SHA-256");
    buffer_.reserve(kBlock + 4096);
  }
  ~DigestSink() { EVP_MD_CTX_free(ctx_); }
  DigestSink(const DigestSink&) = delete;
  DigestSink& operator=(const DigestSink&) = delete;
  std::string& buffer() { return buffer_; }
  void maybeFlush() {
    if (buffer_.size() >= kBlock) flush();
  }
  std::string finish() {
    flush();
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    EVP_DigestFinal_ex(ctx_, d, &n);
    out_.flush();
    return hex(d, n);
  }

 private:
  static constexpr size_t kBlock = 1 << 20;
  void flush() {
    EVP_DigestUpdate(ctx_, buffer_.data(), buffer_.size());
    out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    buffer_.clear();
  }
  std::ostream& out_;
  EVP_MD_CTX* ctx_;
  std::string buffer_;
};

/// `problem`, of the payment `line` (none for a header or trailer field).
Message at(const PaymentLine* line, Message problem) {
  if (!line) return problem;
  return msg("bank.export.at_payment",
             {arg("seq", std::to_string(line->seq)), arg("reference", line->reference),
              arg("problem", problem)});
}

/// A field's name in both languages (its layout name in English, as the code says it).
MessageArg fieldWords(FieldValue v) {
  static const std::map<FieldValue, const char*> kZh{
      {FieldValue::kText, "文字"},          {FieldValue::kSeq, "序号"},
      {FieldValue::kAccount, "账号"},       {FieldValue::kHolder, "户名"},
      {FieldValue::kAmount, "金额"},        {FieldValue::kReference, "参考号"},
      {FieldValue::kPurpose, "用途"},       {FieldValue::kPayerAccount, "付款账号"},
      {FieldValue::kPayerName, "付款户名"}, {FieldValue::kTotalCount, "总笔数"},
      {FieldValue::kTotalAmount, "总金额"}, {FieldValue::kDate, "日期"},
      {FieldValue::kBatch, "批次号"},       {FieldValue::kPart, "文件序号"},
      {FieldValue::kParts, "文件总数"},     {FieldValue::kBankCode, "银行代码"}};
  return words("field", kZh.at(v), std::string(code(v)));
}

/// Delimited and fixed-width layouts.
class TextWriter final : public PaymentFileWriter {
 public:
  TextWriter(const Layout& layout, std::ostream& out, const FileHeader& header)
      : layout_(layout), header_(header), sink_(out), encoder_(layout.encoding) {
    for (const auto& r : layout_.header) writeRecord(r, nullptr);
  }

  void add(const PaymentLine& line) override {
    writeRecord(layout_.detail, &line);
    ++count_;
    total_ += line.amount;
    sink_.maybeFlush();
  }

  std::string finish() override {
    if (count_ != header_.count || total_ != header_.total) {
      throw Error(ErrorCode::kInternal,
                  "payment file of batch " + std::to_string(header_.batch) + " part " +
                      std::to_string(header_.part) + ": lines add up to " + std::to_string(count_) +
                      " / " + total_.toYuan() + ", expected " + std::to_string(header_.count) +
                      " / " + header_.total.toYuan());
    }
    for (const auto& r : layout_.trailer) writeRecord(r, nullptr);
    return sink_.finish();
  }

 private:
  std::string value(const Field& f, const PaymentLine* line) const {
    switch (f.value) {
      case FieldValue::kText:
        return f.text;
      case FieldValue::kSeq:
        return line ? std::to_string(line->seq) : "";
      case FieldValue::kAccount:
        return line ? line->account : "";
      case FieldValue::kHolder:
        return line ? line->holder : "";
      case FieldValue::kAmount:
        return line ? formatAmount(layout_, line->amount) : "";
      case FieldValue::kReference:
        return line ? line->reference : "";
      case FieldValue::kPurpose:
        return header_.purpose;
      case FieldValue::kPayerAccount:
        return header_.payer_account;
      case FieldValue::kPayerName:
        return header_.payer_name;
      case FieldValue::kTotalCount:
        return std::to_string(header_.count);
      case FieldValue::kTotalAmount:
        return formatAmount(layout_, header_.total);
      case FieldValue::kDate: {
        std::string d = header_.date.str();
        return d.substr(0, 4) + d.substr(5, 2) + d.substr(8, 2);
      }
      case FieldValue::kBatch:
        return std::to_string(header_.batch);
      case FieldValue::kPart:
        return std::to_string(header_.part);
      case FieldValue::kParts:
        return std::to_string(header_.parts);
      case FieldValue::kBankCode:
        return header_.bank_code;
    }
    return {};
  }

  void encodeField(const Field& f, const PaymentLine* line, std::string& out) {
    std::string v = value(f, line);
    const size_t start = out.size();
    bool quoted = false;
    if (layout_.kind == LayoutKind::kDelimited && text::neutraliseFormula(v) != v) {
      // A delimited file is a CSV a person may open in a spreadsheet before uploading it.
      if (layout_.holder_verbatim) {
        throw Error(ErrorCode::kInvalidInput,
                    at(line, msg("bank.export.formula",
                                 {fieldWords(f.value), arg("value", v),
                                  arg("first", v.substr(0, 1)), arg("layout", layout_.name)})));
      }
      v = text::neutraliseFormula(v);
    }
    if (layout_.kind == LayoutKind::kDelimited) {
      for (char ch : v) {
        if (ch == layout_.delimiter || ch == '"' || ch == '\r' || ch == '\n') {
          if (!layout_.quote) {
            throw Error(ErrorCode::kInvalidInput,
                        at(line, msg("bank.export.delimiter",
                                     {fieldWords(f.value), arg("layout", layout_.name)})));
          }
          quoted = true;
        }
      }
    }
    if (quoted) out += '"';
    const size_t value_start = out.size();
    if (isAscii(v)) {
      out += v;
    } else if (!encoder_.append(v, out)) {
      out.resize(start);
      throw Error(
          ErrorCode::kInvalidInput,
          at(line, msg("bank.export.unencodable",
                       {fieldWords(f.value), arg("value", v),
                        arg("characters", text::describeCharacters(encoder_.unencodable(v))),
                        arg("encoding", encoder_.name())})));
    }
    if (quoted) {
      // Double the quotes inside the value (after encoding: '"' is ASCII in every encoding here).
      std::string body = out.substr(value_start);
      out.resize(value_start);
      for (char ch : body) {
        if (ch == '"') out += '"';
        out += ch;
      }
      out += '"';
    }
    if (f.width > 0) {
      const size_t bytes = out.size() - start;
      if (bytes > static_cast<size_t>(f.width)) {
        throw Error(
            ErrorCode::kInvalidInput,
            at(line, msg("bank.export.too_wide",
                         {fieldWords(f.value), arg("value", v), arg("bytes", std::to_string(bytes)),
                          arg("encoding", encoder_.name()), arg("width", std::to_string(f.width)),
                          arg("layout", layout_.name)})));
      }
      const std::string padding(static_cast<size_t>(f.width) - bytes, f.pad);
      if (f.align_right) {
        out.insert(start, padding);
      } else {
        out += padding;
      }
    }
  }

  void writeRecord(const Record& r, const PaymentLine* line) {
    std::string& out = sink_.buffer();
    for (size_t i = 0; i < r.size(); ++i) {
      encodeField(r[i], line, out);
      if (layout_.kind == LayoutKind::kDelimited && (layout_.terminate_fields || i + 1 < r.size()))
        out += layout_.delimiter;
    }
    out += layout_.line_ending;
  }

  const Layout& layout_;
  FileHeader header_;
  DigestSink sink_;
  Encoder encoder_;
  int64_t count_ = 0;
  Money total_;
};

/// ISO 20022 pain.001.001.09 / .03: one payment information block per file.
class Pain001Writer final : public PaymentFileWriter {
 public:
  Pain001Writer(const Layout& layout, std::ostream& out, const FileHeader& header)
      : header_(header), sink_(out), v09_(layout.version == "pain.001.001.09") {
    const std::string id =
        "EDUPAY-B" + std::to_string(header.batch) + "-P" + std::to_string(header.part);
    const std::string date = header.date.str();
    const std::string count = std::to_string(header.count);
    const std::string sum = header.total.toYuan();
    const std::string payer = xmlEscape(header.payer_name);
    std::string& o = sink_.buffer();
    o += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    o += "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:" + layout.version + "\">\n";
    o += "<CstmrCdtTrfInitn>\n<GrpHdr>\n";
    o += "<MsgId>" + id + "</MsgId>\n";
    o += "<CreDtTm>" + date + "T00:00:00</CreDtTm>\n";
    o += "<NbOfTxs>" + count + "</NbOfTxs>\n<CtrlSum>" + sum + "</CtrlSum>\n";
    o += "<InitgPty><Nm>" + payer + "</Nm></InitgPty>\n</GrpHdr>\n";
    o += "<PmtInf>\n<PmtInfId>" + id + "</PmtInfId>\n<PmtMtd>TRF</PmtMtd>\n";
    o += "<NbOfTxs>" + count + "</NbOfTxs>\n<CtrlSum>" + sum + "</CtrlSum>\n";
    o += v09_ ? "<ReqdExctnDt><Dt>" + date + "</Dt></ReqdExctnDt>\n"
              : "<ReqdExctnDt>" + date + "</ReqdExctnDt>\n";
    o += "<Dbtr><Nm>" + payer + "</Nm></Dbtr>\n";
    o += "<DbtrAcct><Id><Othr><Id>" + xmlEscape(header.payer_account) +
         "</Id></Othr></Id><Ccy>CNY</Ccy></DbtrAcct>\n";
    o += "<DbtrAgt><FinInstnId><Othr><Id>" + xmlEscape(header.bank_code) +
         "</Id></Othr></FinInstnId></DbtrAgt>\n";
    purpose_ = xmlEscape(header.purpose);
  }

  void add(const PaymentLine& line) override {
    if (line.reference.size() > 35 || line.account.size() > 34) {
      throw Error(ErrorCode::kInvalidInput, at(&line, msg("bank.export.pain001_length")));
    }
    std::string& o = sink_.buffer();
    o += "<CdtTrfTxInf><PmtId><InstrId>";
    o += std::to_string(line.seq);
    o += "</InstrId><EndToEndId>";
    o += line.reference;
    o += "</EndToEndId></PmtId><Amt><InstdAmt Ccy=\"CNY\">";
    o += line.amount.toYuan();
    o += "</InstdAmt></Amt><Cdtr><Nm>";
    o += xmlEscape(line.holder);
    o += "</Nm></Cdtr><CdtrAcct><Id><Othr><Id>";
    o += line.account;
    o += "</Id></Othr></Id></CdtrAcct><RmtInf><Ustrd>";
    o += purpose_;
    o += "</Ustrd></RmtInf></CdtTrfTxInf>\n";
    ++count_;
    total_ += line.amount;
    sink_.maybeFlush();
  }

  std::string finish() override {
    if (count_ != header_.count || total_ != header_.total) {
      throw Error(ErrorCode::kInternal, "pain.001 of batch " + std::to_string(header_.batch) +
                                            ": transactions do not add up to the group header");
    }
    sink_.buffer() += "</PmtInf>\n</CstmrCdtTrfInitn>\n</Document>\n";
    return sink_.finish();
  }

 private:
  FileHeader header_;
  DigestSink sink_;
  bool v09_;
  std::string purpose_;
  int64_t count_ = 0;
  Money total_;
};

}  // namespace

Encoder::Encoder(FileEncoding encoding) : encoding_(encoding) {
  if (encoding_ == FileEncoding::kUtf8) return;
  iconv_t cd = ::iconv_open(encoding_ == FileEncoding::kGbk ? "GBK" : "GB18030", "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1))
    throw Error(ErrorCode::kInternal, std::string("iconv cannot convert to ") + name());
  cd_ = cd;
}

Encoder::~Encoder() {
  if (cd_) ::iconv_close(static_cast<iconv_t>(cd_));
}

const char* Encoder::name() const {
  switch (encoding_) {
    case FileEncoding::kGbk:
      return "GBK";
    case FileEncoding::kGb18030:
      return "GB18030";
    case FileEncoding::kUtf8:
      return "UTF-8";
  }
  return "?";
}

bool Encoder::append(std::string_view utf8, std::string& out) {
  if (!cd_) {
    out += utf8;
    return true;
  }
  auto cd = static_cast<iconv_t>(cd_);
  ::iconv(cd, nullptr, nullptr, nullptr, nullptr);
  const size_t start = out.size();
  out.resize(start + utf8.size() * 2 + 8);
  char* in_ptr = const_cast<char*>(utf8.data());  // glibc does not write through it
  size_t in_left = utf8.size();
  char* out_ptr = out.data() + start;
  size_t out_left = out.size() - start;
  const size_t rc = ::iconv(cd, &in_ptr, &in_left, &out_ptr, &out_left);
  if (rc == static_cast<size_t>(-1) || rc > 0) {  // rc > 0: irreversible (substituted) characters
    out.resize(start);
    return false;
  }
  out.resize(static_cast<size_t>(out_ptr - out.data()));
  return true;
}

std::vector<std::string> Encoder::unencodable(std::string_view utf8) {
  std::vector<std::string> out;
  std::string scratch;
  if (!cd_ || isAscii(utf8) || append(utf8, scratch)) return out;
  for (const auto ch : text::characters(utf8)) {
    scratch.clear();
    if (append(ch, scratch)) continue;
    if (std::find(out.begin(), out.end(), ch) == out.end()) out.emplace_back(ch);
  }
  return out;
}

std::string formatAmount(const Layout& layout, Money amount) {
  if (layout.amount_in_fen) return std::to_string(amount.fen());
  std::string s = amount.toYuan();
  if (layout.amount_decimals == 3) s += '0';
  return s;
}

std::string xmlEscape(std::string_view text) {
  for (char ch : text) {
    const auto u = static_cast<unsigned char>(ch);
    if (u < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')
      throw Error(ErrorCode::kInvalidInput, msg("bank.export.control_character"));
  }
  return text::escapeMarkup(text, "&apos;");
}

std::unique_ptr<PaymentFileWriter> makeWriter(const Layout& layout, std::ostream& out,
                                              const FileHeader& header) {
  if (layout.kind == LayoutKind::kPain001)
    return std::make_unique<Pain001Writer>(layout, out, header);
  return std::make_unique<TextWriter>(layout, out, header);
}

}  // namespace edupay::bankfiles
