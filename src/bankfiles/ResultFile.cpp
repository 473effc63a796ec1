#include "bankfiles/ResultFile.h"

#include <Poco/SAX/Attributes.h>

#include <algorithm>
#include <fstream>

#include "bankfiles/Xml.h"
#include "common/CodeTable.h"
#include "common/Csv.h"
#include "common/Error.h"
#include "common/Text.h"

namespace edupay::bankfiles {

namespace {

/// Where in a pipe-result file: its name and line.
struct Where {
  std::string file;
  int64_t line = 0;
};

[[noreturn]] void bad(const Where& where, const Message& what) {
  throw Error(
      ErrorCode::kInvalidInput,
      msg("bank.file.at_line", {arg("file", where.file), arg("line", std::to_string(where.line)),
                                arg("problem", what)}));
}

std::optional<Money> amountOf(const std::string& text, const Where& where) {
  const std::string t = edupay::text::trim(text);
  if (t.empty()) return std::nullopt;
  const auto dot = t.find('.');
  if (dot == std::string::npos || t.size() - dot - 1 != 2)
    bad(where, msg("bank.result.amount_format", {arg("amount", t)}));
  try {
    return Money::parseYuan(t);
  } catch (const Error&) {
    bad(where, msg("bank.result.amount_invalid", {arg("amount", t)}));
  }
}

/// The `汇总|paid count|paid amount|failed count|failed amount|` line (templates/banks/README.md,
/// "Results"): without it, or with a body that disagrees, the file is taken as cut short.
struct PipeSummary {
  int64_t paid = 0, failed = 0;
  Money paid_total, failed_total;
};

int64_t countOf(const std::string& text, const Where& where) {
  const std::string t = edupay::text::trim(text);
  if (t.empty() || t.size() > 15 || !edupay::text::isAllDigits(t))
    bad(where, msg("bank.result.summary_count", {arg("count", t)}));
  return std::stoll(t);
}

void readPipe(const std::string& path, const std::function<void(const ResultLine&)>& each) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kNotFound, msg("bank.result.cannot_open", {arg("file", path)}));
  CsvReader reader(in, path, TextEncoding::kGb18030, '|');
  std::vector<std::string> f;
  PipeSummary body;
  std::optional<PipeSummary> declared;
  int64_t summary_line = 0;
  while (reader.next(f)) {
    const Where where{path, reader.line()};
    if (f.size() == 1 && edupay::text::trim(f[0]).empty()) continue;
    const std::string first = f.empty() ? "" : edupay::text::trim(f[0]);
    if (first.rfind("序号", 0) == 0) continue;
    if (declared) {
      bad(where,
          msg("bank.result.after_summary", {arg("summary_line", std::to_string(summary_line))}));
    }
    if (!f.empty() && f.back().empty()) f.pop_back();  // the terminating '|'
    if (first.rfind("汇总", 0) == 0) {
      if (f.size() != 5) {
        bad(where, msg("bank.result.summary_fields", {arg("fields", f.size())}));
      }
      PipeSummary s;
      s.paid = countOf(f[1], where);
      s.failed = countOf(f[3], where);
      auto total = [&](const std::string& t) {
        const auto m = amountOf(t, where);
        if (!m) bad(where, msg("bank.result.summary_amount_empty"));
        return *m;
      };
      s.paid_total = total(f[2]);
      s.failed_total = total(f[4]);
      declared = s;
      summary_line = reader.line();
      continue;
    }
    if (f.size() != 8) {
      bad(where, msg("bank.result.line_fields", {arg("fields", f.size())}));
    }
    ResultLine r;
    r.line = reader.line();
    r.reference = edupay::text::trim(f[1]);
    if (r.reference.empty()) bad(where, msg("bank.result.no_reference"));
    r.amount = amountOf(f[3], where);
    if (!r.amount) bad(where, msg("bank.result.no_amount"));
    const std::string status = edupay::text::trim(f[4]);
    if (status == "S") {
      r.outcome = Outcome::kPaid;
      ++body.paid;
      body.paid_total += *r.amount;
    } else if (status == "E") {
      r.outcome = Outcome::kReturned;
      ++body.failed;
      body.failed_total += *r.amount;
    } else if (status == "A" || status == "I") {
      r.outcome = Outcome::kPending;
    } else {
      bad(where, msg("bank.result.status", {arg("status", status)}));
    }
    r.reason_code = edupay::text::trim(f[5]);
    r.reason_text = edupay::text::trim(f[6]);
    r.bank_txn_id = edupay::text::trim(f[7]);
    if (r.outcome == Outcome::kReturned && r.reason_code.empty() && r.reason_text.empty())
      bad(where, msg("bank.result.no_reason"));
    each(r);
  }
  if (!declared) {
    throw Error(ErrorCode::kInvalidInput,
                msg("bank.result.incomplete.no_summary", {arg("file", path)}));
  }
  if (declared->paid != body.paid || declared->paid_total != body.paid_total ||
      declared->failed != body.failed || declared->failed_total != body.failed_total) {
    throw Error(
        ErrorCode::kInvalidInput,
        msg("bank.result.incomplete.totals",
            {arg("file", path), arg("line", std::to_string(summary_line)),
             arg("paid", declared->paid), arg("paid_total", declared->paid_total.toYuan()),
             arg("failed", declared->failed), arg("failed_total", declared->failed_total.toYuan()),
             arg("body_paid", body.paid), arg("body_paid_total", body.paid_total.toYuan()),
             arg("body_failed", body.failed),
             arg("body_failed_total", body.failed_total.toYuan())}));
  }
}

Outcome painOutcome(const std::string& status) {
  if (status == "ACSC" || status == "ACCC") return Outcome::kPaid;
  if (status == "RJCT") return Outcome::kReturned;
  return Outcome::kPending;
}

/// pain.002.001.10 and .03: OrgnlGrpInfAndSts (OrgnlMsgId, OrgnlNbOfTxs, OrgnlCtrlSum, GrpSts,
/// StsRsnInf), then OrgnlPmtInfAndSts blocks (OrgnlPmtInfId, ..., PmtInfSts, StsRsnInf,
/// TxInfAndSts*).
class Pain002Reader : public ElementHandler {
 public:
  Pain002Reader(const std::string& path, const std::function<void(const ResultLine&)>& each)
      : path_(path), each_(each) {
    summary_.blocks.emplace_back();  // the group, filled in when (if) it comes
  }
  void skippedEntity(const Poco::XML::XMLString& name) override {
    fail(msg("bank.pain002.entity", {arg("entity", name)}));
  }
  void startElement(const Poco::XML::XMLString& uri, const Poco::XML::XMLString& local,
                    const Poco::XML::XMLString&, const Poco::XML::Attributes&) override {
    if (stack_.empty()) {
      if (local != "Document" || uri.rfind("urn:iso:std:iso:20022:tech:xsd:pain.002.", 0) != 0)
        fail(msg("bank.pain002.not_pain002", {arg("root", local), arg("namespace", uri)}));
    }
    stack_.push_back(local);
    text_.clear();
    if (local == "OrgnlPmtInfAndSts") {
      summary_.blocks.emplace_back();
      summary_.blocks.back().group = false;
    } else if (local == "TxInfAndSts") {
      ++tx_;
      ++summary_.blocks.back().transactions;
      line_ = ResultLine{};
      line_.line = tx_;
      line_.message_id = summary_.message_id;
      line_.block_id = summary_.blocks.back().group ? "" : summary_.blocks.back().original_id;
      status_.clear();
    }
  }
  void endElement(const Poco::XML::XMLString&, const Poco::XML::XMLString& local,
                  const Poco::XML::XMLString&) override {
    if (error_) return;
    const std::string parent = stack_.size() >= 2 ? stack_[stack_.size() - 2] : std::string();
    const std::string owner = ownerOfCurrent();
    const std::string t = edupay::text::trim(text_);
    if (owner == "TxInfAndSts") {
      if (local == "OrgnlEndToEndId") line_.reference = t;
      if (local == "TxSts") status_ = t;
      reason(local, parent, t, line_.reason_code, line_.reason_text);
      if (local == "AcctSvcrRef") line_.bank_txn_id = t;
      if (local == "InstdAmt") line_.amount = amount(t, transaction());
      if (local == "TxInfAndSts") finishTx();
    } else if (owner == "OrgnlGrpInfAndSts" || owner == "OrgnlPmtInfAndSts") {
      // The group block is blocks[0]; a payment-information block is the latest one.
      BlockStatus& b =
          owner == "OrgnlGrpInfAndSts" ? summary_.blocks.front() : summary_.blocks.back();
      const bool direct = parent == owner;
      if (direct && (local == "OrgnlMsgId" || local == "OrgnlPmtInfId")) {
        b.original_id = t;
        if (b.group) summary_.message_id = t;
      }
      if (direct && (local == "GrpSts" || local == "PmtInfSts")) b.status = t;
      if (direct && local == "OrgnlNbOfTxs") {
        if (t.empty() || t.size() > 15 || !edupay::text::isAllDigits(t))
          return fail(msg("bank.pain002.count", {arg("block", owner), arg("count", t)}));
        b.count = std::stoll(t);
      }
      if (direct && local == "OrgnlCtrlSum")
        b.total = amount(t, Message::literal(owner + ": OrgnlCtrlSum"));
      reason(local, parent, t, b.reason_code, b.reason_text);
    }
    stack_.pop_back();
    text_.clear();
  }
  void characters(const Poco::XML::XMLChar ch[], int start, int length) override {
    text_.append(ch + start, static_cast<size_t>(length));
  }
  /// After the whole document: which block statuses apply, and their reasons.
  void finish() {
    if (error_) return;
    bool block_has_status = false;
    for (size_t i = 1; i < summary_.blocks.size(); ++i)
      block_has_status |= !summary_.blocks[i].status.empty();
    for (auto& b : summary_.blocks) {
      b.outcome = painOutcome(b.status);
      b.applies =
          !b.status.empty() && (b.group ? tx_ == 0 && !block_has_status : b.transactions == 0);
      if (b.applies && b.outcome == Outcome::kReturned && b.reason_code.empty() &&
          b.reason_text.empty()) {
        return fail(msg("bank.pain002.block_no_reason",
                        {arg("block", b.group ? "OrgnlGrpInfAndSts" : "OrgnlPmtInfAndSts"),
                         arg("id", b.original_id)}));
      }
    }
  }
  const std::optional<Message>& error() const { return error_; }
  ResultSummary summary() const {
    ResultSummary s = summary_;
    if (s.blocks.front().original_id.empty() && s.blocks.front().status.empty())
      s.blocks.erase(s.blocks.begin());  // no OrgnlGrpInfAndSts
    return s;
  }

 private:
  void fail(const Message& what) {
    if (!error_) error_ = what;
  }
  /// The innermost of TxInfAndSts, OrgnlPmtInfAndSts, OrgnlGrpInfAndSts around (or being) the
  /// element just closed.
  std::string ownerOfCurrent() const {
    for (auto it = stack_.rbegin(); it != stack_.rend(); ++it) {
      if (*it == "TxInfAndSts" || *it == "OrgnlPmtInfAndSts" || *it == "OrgnlGrpInfAndSts")
        return *it;
    }
    return {};
  }
  /// StsRsnInf/Rsn/Cd or StsRsnInf/Rsn/Prtry is the code; StsRsnInf/AddtlInf its text.
  void reason(const std::string& local, const std::string& parent, const std::string& t,
              std::string& code, std::string& text) {
    if ((local == "Cd" || local == "Prtry") && parent == "Rsn" && code.empty()) code = t;
    if (local == "AddtlInf" && parent == "StsRsnInf") text += (text.empty() ? "" : " ") + t;
  }
  std::optional<Money> amount(const std::string& t, const Message& where) {
    Message why;
    auto m = parseIsoAmount(t, &why);
    if (!m) fail(msg("bank.pain002.amount", {arg("where", where), arg("why", why)}));
    return m;
  }
  Message transaction() const {
    return msg("bank.pain002.transaction", {arg("transaction", std::to_string(tx_))});
  }
  void failTx(const Message& what) {
    fail(msg("bank.pain002.at", {arg("where", transaction()), arg("problem", what)}));
  }
  void finishTx() {
    if (line_.reference.empty()) return failTx(msg("bank.pain002.no_reference"));
    if (status_.empty()) return failTx(msg("bank.pain002.no_status"));
    line_.outcome = painOutcome(status_);
    if (line_.outcome == Outcome::kReturned && line_.reason_code.empty() &&
        line_.reason_text.empty())
      return failTx(msg("bank.pain002.no_reason"));
    if (!error_) each_(line_);
  }
  std::string path_;
  const std::function<void(const ResultLine&)>& each_;
  std::vector<std::string> stack_;
  std::string text_, status_;
  std::optional<Message> error_;
  ResultLine line_;
  ResultSummary summary_;
  int64_t tx_ = 0;
};

}  // namespace

namespace {
constexpr std::array<CodeName<Outcome>, 3> kOutcomes{
    {{Outcome::kPaid, "paid"}, {Outcome::kReturned, "returned"}, {Outcome::kPending, "pending"}}};
}  // namespace

std::string_view code(Outcome o) { return codeIn(kOutcomes, o); }

std::optional<Message> notAResultFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string head(4096, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  if (head.find("edupay-payment-manifest") != std::string::npos)
    return msg("bank.result.kind.manifest");
  if (head.find("urn:iso:std:iso:20022:tech:xsd:pain.001.") != std::string::npos)
    return msg("bank.result.kind.pain001");
  // The students of a school payment: a CSV whose header names the reference and the school.
  if (head.find("reference") != std::string::npos && head.find("school_code") != std::string::npos)
    return msg("bank.result.kind.annex");
  // A pipe payment file: the payment reference stands after the account, name and amount; in a
  // result line it is the second field.
  const std::string first = head.substr(0, head.find('\n'));
  const auto fields = text::split(first, '|');
  auto isReference = [](const std::string& f) {
    return f.size() >= 20 && f.rfind("EDU", 0) == 0 &&
           std::all_of(f.begin() + 3, f.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; });
  };
  if (fields.size() > 4 && !isReference(fields[1])) {
    for (size_t i = 2; i < fields.size(); ++i) {
      if (isReference(fields[i])) return msg("bank.result.kind.payment_file");
    }
  }
  return std::nullopt;
}

ResultKind detectResultKind(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kNotFound, msg("bank.result.cannot_open", {arg("file", path)}));
  char buf[64] = {};
  in.read(buf, sizeof buf);
  std::string_view head(buf, static_cast<size_t>(in.gcount()));
  if (head.substr(0, 3) == "\xEF\xBB\xBF") head.remove_prefix(3);
  while (!head.empty() && (head[0] == ' ' || head[0] == '\n' || head[0] == '\r' || head[0] == '\t'))
    head.remove_prefix(1);
  return !head.empty() && head[0] == '<' ? ResultKind::kPain002 : ResultKind::kPipeResult;
}

std::optional<Money> parseIsoAmount(std::string_view text, Message* why) {
  auto no = [&](Message what) -> std::optional<Money> {
    if (why) *why = std::move(what);
    return std::nullopt;
  };
  const auto amount = arg("amount", std::string(text));
  std::string_view t = text;
  if (!t.empty() && t[0] == '+') t.remove_prefix(1);
  if (!t.empty() && t[0] == '-') return no(msg("bank.amount.negative", {amount}));
  const size_t dot = t.find('.');
  std::string_view whole = t.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? "" : t.substr(dot + 1);
  auto digits = [](std::string_view d) {
    return std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if ((whole.empty() && fraction.empty()) || !digits(whole) || !digits(fraction))
    return no(msg("bank.amount.not_decimal", {amount}));
  // Trailing zeros change nothing (1150.000 is 1150.00); a digit below the fen would.
  while (fraction.size() > 2 && fraction.back() == '0') fraction.remove_suffix(1);
  if (fraction.size() > 2) return no(msg("bank.amount.below_fen", {amount}));
  while (whole.size() > 1 && whole[0] == '0') whole.remove_prefix(1);
  if (whole.size() > 15) return no(msg("bank.amount.too_large", {amount}));
  int64_t fen = 0;
  for (char c : whole) fen = fen * 10 + (c - '0');
  for (size_t i = 0; i < 2; ++i) fen = fen * 10 + (i < fraction.size() ? fraction[i] - '0' : 0);
  return Money::fromFen(fen);
}

ResultSummary readResultFile(const std::string& path, ResultKind kind,
                             const std::function<void(const ResultLine&)>& each) {
  if (kind == ResultKind::kPipeResult) {
    readPipe(path, each);
    return {};
  }
  // Errors thrown by `each` (e.g. an unknown reference) must not unwind through the XML
  // library: keep the first one and rethrow after parsing.
  std::exception_ptr raised;
  std::function<void(const ResultLine&)> guarded = [&](const ResultLine& r) {
    if (raised) return;
    try {
      each(r);
    } catch (...) {
      raised = std::current_exception();
    }
  };
  Pain002Reader reader(path, guarded);
  parseXmlFile(path, reader, "pain.002 status report");
  if (raised) std::rethrow_exception(raised);
  reader.finish();
  if (reader.error()) {
    throw Error(ErrorCode::kInvalidInput,
                msg("bank.file.problem", {arg("file", path), arg("problem", *reader.error())}));
  }
  return reader.summary();
}

}  // namespace edupay::bankfiles
