#include "bankfiles/Manifest.h"

#include "bankfiles/Xml.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/SAX/Attributes.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "common/AtomicFile.h"
#include "common/Catalogue.h"
#include "common/Csv.h"
#include "common/Error.h"
#include "common/Text.h"
#include "security/FieldCipher.h"

namespace edupay::bankfiles {

namespace {

std::string jsonString(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    const auto u = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

/// Where in a payment file: its name and line.
struct Where {
  std::string file;
  int64_t line = 0;
};

Message at(const Where& w, const Message& problem) {
  return msg("bank.file.at_line",
             {arg("file", w.file), arg("line", std::to_string(w.line)), arg("problem", problem)});
}

/// A problem of the file, in both forms (Message and English text).
void addProblem(std::vector<std::string>& texts, std::vector<Message>& messages, Message m) {
  texts.push_back(i18n::render(m, Lang::kEn));
  messages.push_back(std::move(m));
}

Money parseAmount(const Layout& layout, std::string_view text, const Where& where) {
  std::string t = edupay::text::trim(text);
  try {
    if (layout.amount_in_fen) {
      if (t.empty() || !edupay::text::isAllDigits(t)) throw Error(ErrorCode::kInvalidInput, "");
      return Money::fromFen(std::stoll(t));
    }
    const auto dot = t.find('.');
    const size_t decimals = dot == std::string::npos ? 0 : t.size() - dot - 1;
    if (decimals != static_cast<size_t>(layout.amount_decimals))
      throw Error(ErrorCode::kInvalidInput, "");
    if (layout.amount_decimals == 3) {
      if (t.back() != '0') throw Error(ErrorCode::kInvalidInput, "");
      t.pop_back();
    }
    return Money::parseYuan(t);
  } catch (const std::exception&) {
    throw Error(ErrorCode::kInvalidInput,
                at(where, msg("bank.file.amount",
                              {arg("amount", std::string(text)), arg("layout", layout.name)})));
  }
}

/// Splits one delimited line, honouring RFC 4180 quotes when the layout quotes.
std::vector<std::string> splitLine(const std::string& line, const Layout& layout) {
  std::vector<std::string> fields;
  std::string cur;
  bool in_quotes = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char ch = line[i];
    if (in_quotes) {
      if (ch == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cur += '"';
        ++i;
      } else if (ch == '"') {
        in_quotes = false;
      } else {
        cur += ch;
      }
    } else if (ch == '"' && layout.quote && cur.empty()) {
      in_quotes = true;
    } else if (ch == layout.delimiter) {
      fields.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += ch;
    }
  }
  if (!layout.terminate_fields || !cur.empty()) fields.push_back(std::move(cur));
  return fields;
}

/// Fixed-width: cuts `bytes` (in the file's encoding) at the widths, then decodes each piece.
std::vector<std::string> cutFixed(const std::string& bytes, const Record& r, bool gbk,
                                  const Where& where) {
  size_t width = 0;
  for (const auto& f : r) width += static_cast<size_t>(f.width);
  if (bytes.size() != width) {
    throw Error(ErrorCode::kInvalidInput,
                at(where, msg("bank.file.line_width", {arg("bytes", std::to_string(bytes.size())),
                                                       arg("width", std::to_string(width))})));
  }
  std::vector<std::string> out;
  size_t pos = 0;
  for (const auto& f : r) {
    std::string piece = bytes.substr(pos, static_cast<size_t>(f.width));
    pos += static_cast<size_t>(f.width);
    try {
      out.push_back(edupay::text::trim(gbk ? gb18030ToUtf8(piece) : piece));
    } catch (const Error&) {
      throw Error(ErrorCode::kInvalidInput, at(where, msg("bank.file.cut_character")));
    }
  }
  return out;
}

void checkTotals(const Record& r, const std::vector<std::string>& fields, const Layout& layout,
                 FileContent& c, const Where& where) {
  for (size_t i = 0; i < r.size() && i < fields.size(); ++i) {
    if (r[i].value == FieldValue::kTotalCount &&
        edupay::text::trim(fields[i]) != std::to_string(c.count)) {
      addProblem(c.problems, c.problem_messages,
                 at(where, msg("bank.file.total_count",
                               {arg("says", fields[i]), arg("lines", std::to_string(c.count))})));
    }
    if (r[i].value == FieldValue::kTotalAmount) {
      try {
        if (parseAmount(layout, fields[i], where) != c.total) {
          addProblem(c.problems, c.problem_messages,
                     at(where, msg("bank.file.total_amount",
                                   {arg("says", fields[i]), arg("total", c.total.toYuan())})));
        }
      } catch (const Error& e) {
        addProblem(c.problems, c.problem_messages, e.message());
      }
    }
  }
}

PaymentLine detailOf(const Record& r, const std::vector<std::string>& fields, const Layout& layout,
                     const Where& where) {
  if (fields.size() != r.size()) {
    throw Error(ErrorCode::kInvalidInput,
                at(where, msg("bank.file.fields", {arg("fields", std::to_string(fields.size())),
                                                   arg("layout", layout.name),
                                                   arg("expected", std::to_string(r.size()))})));
  }
  PaymentLine p;
  for (size_t i = 0; i < r.size(); ++i) {
    const std::string v = edupay::text::trim(fields[i]);
    switch (r[i].value) {
      case FieldValue::kSeq:
        if (v.empty() || !edupay::text::isAllDigits(v) || v.size() > 12)
          throw Error(ErrorCode::kInvalidInput, at(where, msg("bank.file.seq", {arg("seq", v)})));
        p.seq = std::stoll(v);
        break;
      case FieldValue::kAccount:
        p.account = v;
        break;
      case FieldValue::kHolder:
        p.holder = v;
        break;
      case FieldValue::kReference:
        p.reference = v;
        break;
      case FieldValue::kAmount:
        p.amount = parseAmount(layout, v, where);
        break;
      default:
        break;
    }
  }
  return p;
}

void readText(const std::string& path, const Layout& layout, FileContent& c,
              const std::function<void(const PaymentLine&)>& each) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kNotFound, msg("bank.file.cannot_open", {arg("file", path)}));
  const bool gbk = layout.encoding != FileEncoding::kUtf8;
  const bool crlf = layout.line_ending == "\r\n";
  // Keep the last trailer.size() lines back: they are the trailer, not details.
  std::vector<std::pair<int64_t, std::string>> held;
  std::string raw;
  int64_t line_no = 0;
  auto detail = [&](int64_t n, const std::string& bytes) {
    const Where where{path, n};
    std::vector<std::string> fields;
    if (layout.kind == LayoutKind::kFixed) {
      fields = cutFixed(bytes, layout.detail, gbk, where);
    } else {
      std::string utf8;
      try {
        utf8 = gbk ? gb18030ToUtf8(bytes) : bytes;
      } catch (const Error&) {
        throw Error(ErrorCode::kInvalidInput, at(where, msg("bank.file.encoding")));
      }
      fields = splitLine(utf8, layout);
    }
    PaymentLine p = detailOf(layout.detail, fields, layout, where);
    ++c.count;
    c.total += p.amount;
    if (each) each(p);
  };
  std::vector<std::pair<int64_t, std::vector<std::string>>> headers;
  while (std::getline(in, raw)) {
    ++line_no;
    if (crlf) {
      if (raw.empty() || raw.back() != '\r') {
        throw Error(ErrorCode::kInvalidInput, at({path, line_no}, msg("bank.file.crlf")));
      }
      raw.pop_back();
    } else if (!raw.empty() && raw.back() == '\r') {
      throw Error(ErrorCode::kInvalidInput, at({path, line_no}, msg("bank.file.lf")));
    }
    if (static_cast<size_t>(line_no) <= layout.header.size()) {
      const Where where{path, line_no};
      const Record& r = layout.header[static_cast<size_t>(line_no) - 1];
      headers.emplace_back(line_no, layout.kind == LayoutKind::kFixed
                                        ? cutFixed(raw, r, gbk, where)
                                        : splitLine(gbk ? gb18030ToUtf8(raw) : raw, layout));
      continue;
    }
    held.emplace_back(line_no, raw);
    if (held.size() > layout.trailer.size()) {
      detail(held.front().first, held.front().second);
      held.erase(held.begin());
    }
  }
  if (held.size() < layout.trailer.size() || headers.size() < layout.header.size()) {
    throw Error(ErrorCode::kInvalidInput, msg("bank.file.short", {arg("file", path)}));
  }
  for (size_t i = 0; i < headers.size(); ++i) {
    checkTotals(layout.header[i], headers[i].second, layout, c, {path, headers[i].first});
  }
  for (size_t i = 0; i < held.size(); ++i) {
    const Where where{path, held[i].first};
    const auto fields =
        layout.kind == LayoutKind::kFixed
            ? cutFixed(held[i].second, layout.trailer[i], gbk, where)
            : splitLine(gbk ? gb18030ToUtf8(held[i].second) : held[i].second, layout);
    checkTotals(layout.trailer[i], fields, layout, c, where);
  }
}

/// Reads pain.001 transactions and the group header's totals.
class Pain001Reader : public ElementHandler {
 public:
  Pain001Reader(const std::string& path, FileContent& c,
                const std::function<void(const PaymentLine&)>& each)
      : path_(path), c_(c), each_(each) {}
  void startElement(const Poco::XML::XMLString&, const Poco::XML::XMLString& local,
                    const Poco::XML::XMLString&, const Poco::XML::Attributes&) override {
    path_stack_.push_back(local);
    text_.clear();
    if (local == "CdtTrfTxInf") line_ = PaymentLine{};
  }
  void endElement(const Poco::XML::XMLString&, const Poco::XML::XMLString& local,
                  const Poco::XML::XMLString&) override {
    const std::string parent =
        path_stack_.size() >= 2 ? path_stack_[path_stack_.size() - 2] : std::string();
    const bool in_tx =
        std::find(path_stack_.begin(), path_stack_.end(), "CdtTrfTxInf") != path_stack_.end();
    if (local == "NbOfTxs" && parent == "GrpHdr") grp_count_ = text_;
    if (local == "CtrlSum" && parent == "GrpHdr") grp_sum_ = text_;
    if (local == "NbOfTxs" && parent == "PmtInf") pmt_count_ = text_;
    if (local == "CtrlSum" && parent == "PmtInf") pmt_sum_ = text_;
    if (in_tx) {
      if (local == "InstrId") line_.seq = std::atoll(text_.c_str());
      if (local == "EndToEndId") line_.reference = text_;
      if (local == "InstdAmt") {
        try {
          line_.amount = Money::parseYuan(text_);
        } catch (const Error&) {
          if (!bad_) bad_ = msg("bank.file.pain001_amount", {arg("amount", text_)});
        }
      }
      if (local == "Nm" && parent == "Cdtr") line_.holder = text_;
      if (local == "Id" && path_stack_.size() >= 4 &&
          path_stack_[path_stack_.size() - 4] == "CdtrAcct")
        line_.account = text_;
      if (local == "CdtTrfTxInf") {
        ++c_.count;
        c_.total += line_.amount;
        if (each_) each_(line_);
      }
    }
    path_stack_.pop_back();
    text_.clear();
  }
  void characters(const Poco::XML::XMLChar ch[], int start, int length) override {
    text_.append(ch + start, static_cast<size_t>(length));
  }
  void check() {
    if (bad_) {
      throw Error(ErrorCode::kInvalidInput,
                  msg("bank.file.problem", {arg("file", path_), arg("problem", *bad_)}));
    }
    auto compare = [&](const std::string& where, const std::string& n, const std::string& sum) {
      if (n != std::to_string(c_.count)) {
        addProblem(
            c_.problems, c_.problem_messages,
            msg("bank.file.pain001_count", {arg("file", path_), arg("block", where), arg("says", n),
                                            arg("count", std::to_string(c_.count))}));
      }
      if (sum != c_.total.toYuan()) {
        addProblem(
            c_.problems, c_.problem_messages,
            msg("bank.file.pain001_sum", {arg("file", path_), arg("block", where), arg("says", sum),
                                          arg("total", c_.total.toYuan())}));
      }
    };
    compare("GrpHdr", grp_count_, grp_sum_);
    compare("PmtInf", pmt_count_, pmt_sum_);
  }

 private:
  std::string path_;
  FileContent& c_;
  const std::function<void(const PaymentLine&)>& each_;
  std::vector<std::string> path_stack_;
  std::string text_;
  PaymentLine line_;
  std::string grp_count_, grp_sum_, pmt_count_, pmt_sum_;
  std::optional<Message> bad_;
};

}  // namespace

std::string renderManifest(const Manifest& m) {
  std::ostringstream o;
  o << "{\n"
    << "  \"format\": \"edupay-payment-manifest/1\",\n"
    << "  \"batch\": " << m.batch << ",\n"
    << "  \"file\": " << jsonString(m.file) << ",\n"
    << "  \"part\": " << m.part << ",\n"
    << "  \"parts\": " << m.parts << ",\n"
    << "  \"layout\": " << jsonString(m.layout) << ",\n"
    << "  \"bank\": " << jsonString(m.bank) << ",\n"
    << "  \"payer_account\": " << jsonString(m.payer_account) << ",\n"
    << "  \"count\": " << m.count << ",\n"
    << "  \"total_fen\": " << m.total.fen() << ",\n"
    << "  \"total\": " << jsonString(m.total.toYuan()) << ",\n"
    << "  \"sha256\": " << jsonString(m.sha256) << ",\n"
    << "  \"created\": " << jsonString(m.created) << ",\n"
    << "  \"key_id\": " << jsonString(m.key_id);
  if (!m.annexes.empty()) {
    o << ",\n  \"annexes\": [";
    for (size_t i = 0; i < m.annexes.size(); ++i) {
      const Annex& a = m.annexes[i];
      o << (i ? ",\n" : "\n") << "    {\"file\": " << jsonString(a.file)
        << ", \"encoding\": " << jsonString(a.encoding) << ", \"students\": " << a.students
        << ", \"total_fen\": " << a.total.fen() << ", \"sha256\": " << jsonString(a.sha256) << "}";
    }
    o << "\n  ]";
  }
  o << "\n}\n";
  return o.str();
}

const std::vector<std::string>& annexHeader() {
  static const std::vector<std::string> kHeader = {
      "序号 seq",        "参考号 reference", "学校标识码 school_code",
      "学校名称 school", "姓名 name",        "证件号 student_id",
      "学段 stage",      "年级 grade",       "班级 class",
      "项目 programme",  "金额 amount"};
  return kHeader;
}

Manifest parseManifest(const std::string& json, const std::string& source) {
  Poco::JSON::Object::Ptr o;
  try {
    o = Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
  } catch (const std::exception&) {
    throw Error(ErrorCode::kInvalidInput, msg("bank.manifest.not_json", {arg("file", source)}));
  }
  auto need = [&](const char* key) {
    if (!o || !o->has(key))
      throw Error(ErrorCode::kInvalidInput,
                  msg("bank.manifest.missing", {arg("file", source), arg("key", key)}));
    return o->get(key);
  };
  if (need("format").toString() != "edupay-payment-manifest/1")
    throw Error(ErrorCode::kInvalidInput, msg("bank.manifest.format", {arg("file", source)}));
  Manifest m;
  try {
    m.batch = need("batch").convert<int64_t>();
    m.file = need("file").toString();
    m.part = need("part").convert<int>();
    m.parts = need("parts").convert<int>();
    m.layout = need("layout").toString();
    m.bank = need("bank").toString();
    m.payer_account = need("payer_account").toString();
    m.count = need("count").convert<int64_t>();
    m.total = Money::fromFen(need("total_fen").convert<int64_t>());
    m.sha256 = need("sha256").toString();
    m.created = need("created").toString();
    m.key_id = need("key_id").toString();
    if (o->has("annexes")) {
      const auto list = o->getArray("annexes");
      if (!list)
        throw Error(ErrorCode::kInvalidInput, msg("bank.manifest.annexes", {arg("file", source)}));
      for (size_t i = 0; i < list->size(); ++i) {
        const auto a = list->getObject(static_cast<unsigned>(i));
        if (!a || !a->has("file") || !a->has("sha256") || !a->has("encoding") ||
            !a->has("students") || !a->has("total_fen"))
          throw Error(ErrorCode::kInvalidInput,
                      msg("bank.manifest.annex_key", {arg("file", source)}));
        m.annexes.push_back({a->get("file").toString(), a->get("encoding").toString(),
                             a->get("sha256").toString(), a->get("students").convert<int64_t>(),
                             Money::fromFen(a->get("total_fen").convert<int64_t>())});
      }
    }
  } catch (const Poco::Exception& e) {
    throw Error(ErrorCode::kInvalidInput, msg("bank.manifest.type", {arg("file", source)}));
  }
  return m;
}

std::string manifestPath(const std::string& file) { return file + ".manifest.json"; }
std::string signaturePath(const std::string& file) { return file + ".manifest.sig"; }

void writeSignedManifest(const std::string& file, const Manifest& m,
                         const security::SigningKey& key) {
  const std::string body = renderManifest(m);
  writeFileAtomically(manifestPath(file), body);
  writeFileAtomically(signaturePath(file), security::base64Encode(key.sign(body)) + "\n");
}

FileContent readPaymentFile(const std::string& path, const Layout& layout,
                            const std::function<void(const PaymentLine&)>& each) {
  FileContent c;
  if (layout.kind != LayoutKind::kPain001) {
    readText(path, layout, c, each);
    return c;
  }
  Pain001Reader reader(path, c, each);
  parseXmlFile(path, reader, "pain.001");
  reader.check();
  return c;
}

Verification verifyPaymentFile(const std::string& file, const LayoutSet& layouts,
                               const security::VerifyingKey& key) {
  Verification v;
  auto problem = [&](Message m) { addProblem(v.problems, v.problem_messages, std::move(m)); };
  const std::string mpath = manifestPath(file);
  const std::string spath = signaturePath(file);
  if (::access(file.c_str(), R_OK) != 0)
    throw Error(ErrorCode::kNotFound, msg("bank.verify.cannot_read", {arg("file", file)}));
  if (::access(mpath.c_str(), R_OK) != 0) {
    problem(msg("bank.verify.no_manifest", {arg("manifest", mpath)}));
    return v;
  }
  const std::string body = readFile(mpath, 1 << 20);
  if (::access(spath.c_str(), R_OK) != 0) {
    problem(msg("bank.verify.no_signature", {arg("signature", spath)}));
  } else {
    std::string sig;
    try {
      sig = security::base64Decode(edupay::text::trim(readFile(spath, 64 * 1024)));
    } catch (const Error&) {
      problem(msg("bank.verify.not_base64", {arg("signature", spath)}));
    }
    if (!sig.empty() && !key.verify(body, sig)) {
      problem(msg("bank.verify.signature", {arg("key", key.keyId())}));
    }
  }
  try {
    v.manifest = parseManifest(body, mpath);
  } catch (const Error& e) {
    problem(e.message());
    return v;
  }
  const Manifest& m = *v.manifest;
  if (m.key_id != key.keyId())
    problem(msg("bank.verify.key_id", {arg("manifest_key", m.key_id), arg("key", key.keyId())}));
  const std::string base = file.substr(file.find_last_of('/') + 1);
  if (m.file != base)
    problem(msg("bank.verify.other_file", {arg("manifest_file", m.file), arg("file", base)}));
  const std::string digest = security::sha256File(file);
  if (digest != m.sha256) {
    problem(msg("bank.verify.digest", {arg("digest", digest), arg("manifest_digest", m.sha256)}));
  }
  if (!layouts.has(m.layout)) {
    problem(msg("bank.verify.layout", {arg("layout", m.layout)}));
    return v;
  }
  try {
    v.content = readPaymentFile(file, layouts.get(m.layout));
  } catch (const Error& e) {
    problem(e.message());
    return v;
  }
  for (const auto& p : v.content.problem_messages) problem(p);
  if (v.content.count != m.count)
    problem(msg("bank.verify.count", {arg("count", std::to_string(v.content.count)),
                                      arg("manifest_count", std::to_string(m.count))}));
  if (v.content.total != m.total)
    problem(msg("bank.verify.total",
                {arg("total", v.content.total.toYuan()), arg("manifest_total", m.total.toYuan())}));
  const std::string dir = file.substr(0, file.size() - base.size());
  for (const Annex& a : m.annexes) {
    const std::string apath = dir + a.file;
    if (a.file.find('/') != std::string::npos || ::access(apath.c_str(), R_OK) != 0) {
      problem(msg("bank.verify.annex_missing", {arg("annex", a.file)}));
      continue;
    }
    const std::string adigest = security::sha256File(apath);
    if (adigest != a.sha256) {
      problem(msg("bank.verify.annex_digest", {arg("annex", a.file), arg("digest", adigest),
                                               arg("manifest_digest", a.sha256)}));
      continue;
    }
    // The students' amounts add up to the payments: read back in the annex's own encoding.
    std::ifstream in(apath, std::ios::binary);
    CsvReader csv(in, apath, a.encoding == "UTF-8" ? TextEncoding::kUtf8 : TextEncoding::kGb18030);
    std::vector<std::string> row;
    int64_t students = 0;
    Money total;
    bool header = true;
    try {
      while (csv.next(row)) {
        if (header) {
          header = false;
          continue;
        }
        if (row.size() <= kAnnexAmountColumn)
          throw Error(ErrorCode::kInvalidInput, msg("bank.verify.annex_short_line"));
        ++students;
        total += Money::parseYuan(row[kAnnexAmountColumn]);
      }
    } catch (const Error& e) {
      problem(msg("bank.verify.annex_unreadable", {arg("annex", a.file), arg("why", e.message())}));
      continue;
    }
    if (students != a.students || total != a.total || total != m.total) {
      problem(
          msg("bank.verify.annex_totals",
              {arg("annex", a.file), arg("students", std::to_string(students)),
               arg("total", total.toYuan()), arg("manifest_students", std::to_string(a.students)),
               arg("manifest_total", a.total.toYuan()), arg("file_total", m.total.toYuan())}));
    }
  }
  return v;
}

}  // namespace edupay::bankfiles
