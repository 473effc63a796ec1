#include "bankfiles/ResultFile.h"

#include <Poco/SAX/Attributes.h>

#include <fstream>

#include "bankfiles/Xml.h"
#include "common/Csv.h"
#include "common/Error.h"
#include "common/Text.h"

namespace edupay::bankfiles {

namespace {

[[noreturn]] void bad(const std::string& where, const std::string& what) {
  throw Error(ErrorCode::kInvalidInput, where + what);
}

std::optional<Money> amountOf(const std::string& text, const std::string& where) {
  const std::string t = edupay::text::trim(text);
  if (t.empty()) return std::nullopt;
  const auto dot = t.find('.');
  if (dot == std::string::npos || t.size() - dot - 1 != 2)
    bad(where, "amount \"" + t + "\" must be yuan with 2 decimals");
  try {
    return Money::parseYuan(t);
  } catch (const Error&) {
    bad(where, "amount \"" + t + "\" is not an amount");
  }
}

void readPipe(const std::string& path, const std::function<void(const ResultLine&)>& each) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kNotFound, path + ": cannot open the result file");
  CsvReader reader(in, path, TextEncoding::kGb18030, '|');
  std::vector<std::string> f;
  while (reader.next(f)) {
    const std::string where = path + ": line " + std::to_string(reader.line()) + ": ";
    if (f.size() == 1 && edupay::text::trim(f[0]).empty()) continue;
    const std::string first = f.empty() ? "" : edupay::text::trim(f[0]);
    if (first.rfind("序号", 0) == 0 || first.rfind("汇总", 0) == 0) continue;
    if (!f.empty() && f.back().empty()) f.pop_back();  // the terminating '|'
    if (f.size() != 8) {
      bad(where,
          std::to_string(f.size()) +
              " fields; a result line is 序号|参考号|账号|金额|状态|原因码|原因|银行流水号|");
    }
    ResultLine r;
    r.line = reader.line();
    r.reference = edupay::text::trim(f[1]);
    if (r.reference.empty()) bad(where, "the reference (参考号) is empty");
    r.amount = amountOf(f[3], where);
    const std::string status = edupay::text::trim(f[4]);
    if (status == "S") {
      r.outcome = Outcome::kPaid;
    } else if (status == "E") {
      r.outcome = Outcome::kReturned;
    } else if (status == "A" || status == "I") {
      r.outcome = Outcome::kPending;
    } else {
      bad(where, "status \"" + status + "\" is not S (paid), E (failed), A or I (pending)");
    }
    r.reason_code = edupay::text::trim(f[5]);
    r.reason_text = edupay::text::trim(f[6]);
    r.bank_txn_id = edupay::text::trim(f[7]);
    if (r.outcome == Outcome::kReturned && r.reason_code.empty() && r.reason_text.empty())
      bad(where, "a failed payment needs the bank's reason (原因码 or 原因)");
    each(r);
  }
}

class Pain002Reader : public ElementHandler {
 public:
  Pain002Reader(const std::string& path, const std::function<void(const ResultLine&)>& each)
      : path_(path), each_(each) {}
  void skippedEntity(const Poco::XML::XMLString& name) override {
    fail("the XML refers to entity " + name + ", which is not allowed");
  }
  void startElement(const Poco::XML::XMLString& uri, const Poco::XML::XMLString& local,
                    const Poco::XML::XMLString&, const Poco::XML::Attributes&) override {
    if (stack_.empty()) {
      if (local != "Document" || uri.rfind("urn:iso:std:iso:20022:tech:xsd:pain.002.", 0) != 0)
        fail("not a pain.002 document (root " + local + " in namespace " + uri + ")");
    }
    stack_.push_back(local);
    text_.clear();
    if (local == "TxInfAndSts") {
      ++tx_;
      line_ = ResultLine{};
      line_.line = tx_;
      status_.clear();
    }
  }
  void endElement(const Poco::XML::XMLString&, const Poco::XML::XMLString& local,
                  const Poco::XML::XMLString&) override {
    if (!error_.empty()) return;
    const bool in_tx = std::find(stack_.begin(), stack_.end(), "TxInfAndSts") != stack_.end();
    const std::string parent = stack_.size() >= 2 ? stack_[stack_.size() - 2] : std::string();
    if (in_tx) {
      const std::string t = edupay::text::trim(text_);
      if (local == "OrgnlEndToEndId") line_.reference = t;
      if (local == "TxSts") status_ = t;
      if (local == "Cd" && parent == "Rsn") line_.reason_code = t;
      if (local == "AddtlInf" && parent == "StsRsnInf")
        line_.reason_text += (line_.reason_text.empty() ? "" : " ") + t;
      if (local == "AcctSvcrRef") line_.bank_txn_id = t;
      if (local == "InstdAmt") {
        try {
          line_.amount = amountOf(t, "");
        } catch (const Error& e) {
          fail(std::string("transaction ") + std::to_string(tx_) + ": " + e.what());
        }
      }
      if (local == "TxInfAndSts") finishTx();
    }
    stack_.pop_back();
    text_.clear();
  }
  void characters(const Poco::XML::XMLChar ch[], int start, int length) override {
    text_.append(ch + start, static_cast<size_t>(length));
  }
  const std::string& error() const { return error_; }

 private:
  void fail(const std::string& what) {
    if (error_.empty()) error_ = what;
  }
  void finishTx() {
    const std::string where = "transaction " + std::to_string(tx_) + ": ";
    if (line_.reference.empty()) return fail(where + "no OrgnlEndToEndId");
    if (status_.empty()) return fail(where + "no TxSts");
    if (status_ == "ACSC" || status_ == "ACCC") {
      line_.outcome = Outcome::kPaid;
    } else if (status_ == "RJCT") {
      line_.outcome = Outcome::kReturned;
      if (line_.reason_code.empty() && line_.reason_text.empty())
        return fail(where + "a rejected transaction needs StsRsnInf (the bank's reason)");
    } else {
      line_.outcome = Outcome::kPending;
    }
    if (error_.empty()) each_(line_);
  }
  std::string path_;
  const std::function<void(const ResultLine&)>& each_;
  std::vector<std::string> stack_;
  std::string text_, status_, error_;
  ResultLine line_;
  int64_t tx_ = 0;
};

}  // namespace

std::string_view code(Outcome o) {
  switch (o) {
    case Outcome::kPaid:
      return "paid";
    case Outcome::kReturned:
      return "returned";
    case Outcome::kPending:
      return "pending";
  }
  return "?";
}

ResultKind detectResultKind(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kNotFound, path + ": cannot open the result file");
  char buf[64] = {};
  in.read(buf, sizeof buf);
  std::string_view head(buf, static_cast<size_t>(in.gcount()));
  if (head.substr(0, 3) == "\xEF\xBB\xBF") head.remove_prefix(3);
  while (!head.empty() && (head[0] == ' ' || head[0] == '\n' || head[0] == '\r' || head[0] == '\t'))
    head.remove_prefix(1);
  return !head.empty() && head[0] == '<' ? ResultKind::kPain002 : ResultKind::kPipeResult;
}

void readResultFile(const std::string& path, ResultKind kind,
                    const std::function<void(const ResultLine&)>& each) {
  if (kind == ResultKind::kPipeResult) return readPipe(path, each);
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
  if (!reader.error().empty()) throw Error(ErrorCode::kInvalidInput, path + ": " + reader.error());
}

}  // namespace edupay::bankfiles
