#include "Pain001.h"

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>
#include <strings.h>

#include <climits>
#include <memory>
#include <optional>
#include <unordered_map>

namespace edupay::banksim {

namespace {

constexpr std::string_view kNamespacePrefix = "urn:iso:std:iso:20022:tech:xsd:";
constexpr std::string_view kCurrency = "CNY";

/// The elements this bank reads, by path from the root (elements of another namespace never match).
enum class Element {
  kGrpHdr,
  kMsgId,
  kGrpNbOfTxs,
  kGrpCtrlSum,
  kPmtInf,
  kPmtInfId,
  kPmtNbOfTxs,
  kPmtCtrlSum,
  kDbtrAcctId,
  kDbtrAcctCcy,
  kDbtrAgtId,
  kTx,
  kInstrId,
  kEndToEndId,
  kInstdAmt,
  kEqvtAmt,
  kCdtrNm,
  kCdtrAcctId,
  kCdtrAcctCcy,
};

const std::unordered_map<std::string_view, Element>& elementPaths() {
  static const std::unordered_map<std::string_view, Element> kPaths = {
      {"/Document/CstmrCdtTrfInitn/GrpHdr", Element::kGrpHdr},
      {"/Document/CstmrCdtTrfInitn/GrpHdr/MsgId", Element::kMsgId},
      {"/Document/CstmrCdtTrfInitn/GrpHdr/NbOfTxs", Element::kGrpNbOfTxs},
      {"/Document/CstmrCdtTrfInitn/GrpHdr/CtrlSum", Element::kGrpCtrlSum},
      {"/Document/CstmrCdtTrfInitn/PmtInf", Element::kPmtInf},
      {"/Document/CstmrCdtTrfInitn/PmtInf/PmtInfId", Element::kPmtInfId},
      {"/Document/CstmrCdtTrfInitn/PmtInf/NbOfTxs", Element::kPmtNbOfTxs},
      {"/Document/CstmrCdtTrfInitn/PmtInf/CtrlSum", Element::kPmtCtrlSum},
      {"/Document/CstmrCdtTrfInitn/PmtInf/DbtrAcct/Id/Othr/Id", Element::kDbtrAcctId},
      {"/Document/CstmrCdtTrfInitn/PmtInf/DbtrAcct/Ccy", Element::kDbtrAcctCcy},
      {"/Document/CstmrCdtTrfInitn/PmtInf/DbtrAgt/FinInstnId/Othr/Id", Element::kDbtrAgtId},
      {"/Document/CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf", Element::kTx},
      {"/Document/CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf/PmtId/InstrId", Element::kInstrId},
      {"/Document/CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf/PmtId/EndToEndId", Element::kEndToEndId},
      {"/Document/CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf/Amt/InstdAmt", Element::kInstdAmt},
      {"/Document/CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf/Amt/EqvtAmt", Element::kEqvtAmt},
      {"/Document/CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf/Cdtr/Nm", Element::kCdtrNm},
      {"/Document/CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf/CdtrAcct/Id/Othr/Id", Element::kCdtrAcctId},
      {"/Document/CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf/CdtrAcct/Ccy", Element::kCdtrAcctCcy},
  };
  return kPaths;
}

/// A CNY amount as ISO 20022 writes it (`1500`, `1500.5`, `1500.00`) in fen; nullopt with `why`
/// when malformed or with more than 2 decimals.
std::optional<int64_t> parseIsoAmount(std::string_view text, std::string& why) {
  const size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction =
      dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  auto digits = [](std::string_view s) {
    return s.find_first_not_of("0123456789") == std::string_view::npos;
  };
  if (whole.empty() || !digits(whole) || whole.size() > 13 ||
      (whole.size() > 1 && whole[0] == '0') ||
      (dot != std::string_view::npos && fraction.empty()) || !digits(fraction)) {
    why = quoted(text) + " is not a decimal amount like 1500.00";
    return std::nullopt;
  }
  if (fraction.size() > 2) {
    why = quoted(text) + " has more than 2 decimals (CNY has fen, no smaller unit)";
    return std::nullopt;
  }
  int64_t fen = 0;
  for (char c : whole) fen = fen * 10 + (c - '0');
  for (size_t i = 0; i < 2; ++i) fen = fen * 10 + (i < fraction.size() ? fraction[i] - '0' : 0);
  return fen;
}

/// A declared value and the line it was on.
struct Declared {
  std::string text;
  uint64_t line = 0;
};

struct Transaction {
  uint64_t line = 0;
  std::optional<std::string> instr_id, end_to_end_id, amount, currency, name, account;
  uint64_t end_to_end_line = 0;
};

class Pain001Reader {
 public:
  Pain001Reader(const std::string& path, Layout layout, const Manifest& manifest,
                const std::string& schema_path, Intake& intake, Problems& problems,
                const std::function<void(const PainHeader&)>& on_header)
      : file_(path),
        layout_(layout),
        manifest_(manifest),
        schema_path_(schema_path),
        intake_(intake),
        problems_(problems),
        on_header_(on_header),
        namespace_(std::string(kNamespacePrefix) + std::string(layoutName(layout))) {}

  void run() {
    // XML_PARSE_NONET: no network. Deliberately without XML_PARSE_NOENT, XML_PARSE_DTDLOAD,
    // XML_PARSE_DTDATTR and XML_PARSE_HUGE; a DOCTYPE stops the read before anything uses it.
    std::unique_ptr<xmlTextReader, decltype(&xmlFreeTextReader)> reader(
        xmlReaderForFile(file_.c_str(), nullptr, XML_PARSE_NONET | XML_PARSE_BIG_LINES),
        &xmlFreeTextReader);
    if (!reader) throw IoError("cannot read " + file_);
    xmlTextReaderSetStructuredErrorHandler(reader.get(), &Pain001Reader::onXmlError, this);
    if (!schema_path_.empty() &&
        xmlTextReaderSchemaValidate(reader.get(), schema_path_.c_str()) != 0) {
      throw IoError("cannot load the schema " + schema_path_);
    }
    reader_ = reader.get();
    int rc = 0;
    while (!stop_ && (rc = xmlTextReaderRead(reader_)) == 1) node();
    if (stop_ || rc != 0) {
      if (!stop_ && !xml_error_) problem(0, "not well-formed XML");
      intake_.markIncomplete();
      return;
    }
    if (!schema_path_.empty() && xmlTextReaderIsValid(reader_) != 1 && !xml_error_) {
      problem(0, "does not validate against " + schema_path_);
    }
    finish();
  }

 private:
  static void onXmlError(void* self_ptr, xmlErrorPtr error) {
    auto* self = static_cast<Pain001Reader*>(self_ptr);
    if (error == nullptr || error->level < XML_ERR_ERROR) return;
    std::string message = error->message != nullptr ? error->message : "XML error";
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
      message.pop_back();
    }
    self->xml_error_ = true;
    self->problem(error->line > 0 ? static_cast<uint64_t>(error->line) : 0,
                  (error->domain == XML_FROM_SCHEMASV ? "schema: " : "XML: ") + message);
  }

  void problem(uint64_t line, std::string what) { problems_.add(line, std::move(what)); }

  uint64_t currentLine() const {
    const xmlNodePtr node = xmlTextReaderCurrentNode(reader_);
    const long line = node != nullptr ? xmlGetLineNo(node) : -1;
    if (line > 0 && line < USHRT_MAX) return static_cast<uint64_t>(line);
    const int parser_line = xmlTextReaderGetParserLineNumber(reader_);
    return parser_line > 0 ? static_cast<uint64_t>(parser_line) : 0;
  }

  static std::string_view view(const xmlChar* text) {
    return text == nullptr ? std::string_view{}
                           : std::string_view(reinterpret_cast<const char*>(text));
  }

  void node() {
    switch (xmlTextReaderNodeType(reader_)) {
      case XML_READER_TYPE_DOCUMENT_TYPE:
        problem(0,
                "the document has a DOCTYPE; documents with a DTD or entity declarations are "
                "refused");
        stop_ = true;
        break;
      case XML_READER_TYPE_ENTITY_REFERENCE:
      case XML_READER_TYPE_ENTITY:
        problem(currentLine(), "an entity reference; entities are refused");
        stop_ = true;
        break;
      case XML_READER_TYPE_ELEMENT:
        startElement();
        if (!stop_ && xmlTextReaderIsEmptyElement(reader_) == 1) endElement();
        break;
      case XML_READER_TYPE_END_ELEMENT:
        endElement();
        break;
      case XML_READER_TYPE_TEXT:
      case XML_READER_TYPE_CDATA:
        text_ += view(xmlTextReaderConstValue(reader_));
        text_line_ = currentLine();
        break;
      default:
        break;
    }
  }

  void startElement() {
    const std::string_view local = view(xmlTextReaderConstLocalName(reader_));
    const std::string_view uri = view(xmlTextReaderConstNamespaceUri(reader_));
    const uint64_t line = currentLine();
    if (element_path_.empty()) {
      if (local != "Document" || uri != namespace_) {
        problem(line, "the root element is not Document in namespace " + namespace_ +
                          " (the manifest says " + std::string(layoutName(layout_)) + ")");
        stop_ = true;
        return;
      }
      const std::string_view encoding = view(xmlTextReaderConstEncoding(reader_));
      if (!encoding.empty() && strcasecmp(std::string(encoding).c_str(), "UTF-8") != 0) {
        problem(line, "the document is in " + std::string(encoding) + "; pain.001 files are UTF-8");
      }
    }
    element_path_sizes_.push_back(element_path_.size());
    element_path_ += '/';
    if (uri != namespace_) element_path_ += '{';  // another namespace: matches nothing below
    element_path_ += local;
    text_.clear();
    text_line_ = 0;

    const auto found = elementPaths().find(element_path_);
    if (found == elementPaths().end()) return;
    switch (found->second) {
      case Element::kPmtInf:
        if (++pmt_inf_count_ == 2) {
          problem(line, "a second PmtInf; this bank takes one PmtInf per file");
        }
        break;
      case Element::kTx:
        if (!header_sent_) sendHeader();
        tx_ = Transaction{};
        tx_.line = line;
        break;
      case Element::kInstdAmt: {
        xmlChar* currency = xmlTextReaderGetAttribute(reader_, BAD_CAST "Ccy");
        tx_.currency = std::string(view(currency));
        xmlFree(currency);
        break;
      }
      case Element::kEqvtAmt:
        problem(line, "Amt/EqvtAmt; this bank takes Amt/InstdAmt in CNY only");
        break;
      case Element::kGrpHdr:
      case Element::kMsgId:
      case Element::kGrpNbOfTxs:
      case Element::kGrpCtrlSum:
      case Element::kPmtInfId:
      case Element::kPmtNbOfTxs:
      case Element::kPmtCtrlSum:
        if (header_sent_ && pmt_inf_count_ == 1) {
          problem(line, "a header element (" + element_path_.substr(element_path_.rfind('/') + 1) +
                            ") after the first CdtTrfTxInf; elements are out of order");
        }
        break;
      default:
        break;
    }
  }

  void endElement() {
    if (element_path_sizes_.empty()) return;
    const auto found = elementPaths().find(element_path_);
    if (found != elementPaths().end()) leaf(found->second);
    element_path_.resize(element_path_sizes_.back());
    element_path_sizes_.pop_back();
  }

  void leaf(Element element) {
    const uint64_t line = text_line_ != 0 ? text_line_ : currentLine();
    switch (element) {
      case Element::kMsgId:
        msg_id_ = Declared{text_, line};
        break;
      case Element::kGrpNbOfTxs:
        grp_nb_of_txs_ = Declared{text_, line};
        break;
      case Element::kGrpCtrlSum:
        grp_ctrl_sum_ = Declared{text_, line};
        break;
      case Element::kPmtInfId:
        pmt_inf_id_ = Declared{text_, line};
        break;
      case Element::kPmtNbOfTxs:
        pmt_nb_of_txs_ = Declared{text_, line};
        break;
      case Element::kPmtCtrlSum:
        pmt_ctrl_sum_ = Declared{text_, line};
        break;
      case Element::kDbtrAcctId:
        if (!manifest_.payer_account.empty() && text_ != manifest_.payer_account) {
          problem(line, "DbtrAcct/Id/Othr/Id is not the payer account named in the manifest");
        }
        break;
      case Element::kDbtrAgtId:
        if (!manifest_.bank.empty() && text_ != manifest_.bank) {
          problem(line, "DbtrAgt/FinInstnId/Othr/Id " + quoted(text_) +
                            " is not the bank named in the manifest (" + manifest_.bank + ")");
        }
        break;
      case Element::kDbtrAcctCcy:
      case Element::kCdtrAcctCcy:
        if (text_ != kCurrency) {
          problem(line, "account currency " + quoted(text_) + "; this bank pays CNY only");
        }
        break;
      case Element::kInstrId:
        tx_.instr_id = text_;
        break;
      case Element::kEndToEndId:
        tx_.end_to_end_id = text_;
        tx_.end_to_end_line = line;
        break;
      case Element::kInstdAmt:
        tx_.amount = text_;
        break;
      case Element::kCdtrNm:
        tx_.name = text_;
        break;
      case Element::kCdtrAcctId:
        tx_.account = text_;
        break;
      case Element::kTx:
        finishTransaction();
        break;
      default:
        break;
    }
  }

  void sendHeader() {
    header_sent_ = true;
    PainHeader header;
    if (msg_id_) header.msg_id = msg_id_->text;
    if (pmt_inf_id_) header.pmt_inf_id = pmt_inf_id_->text;
    if (grp_nb_of_txs_) header.nb_of_txs = parseCount(grp_nb_of_txs_->text).value_or(0);
    std::string why;
    if (grp_ctrl_sum_) header.ctrl_sum_fen = parseIsoAmount(grp_ctrl_sum_->text, why).value_or(0);
    on_header_(header);
  }

  void finishTransaction() {
    // Element lines stop at 65535 in libxml2; the EndToEndId's text line is exact.
    const uint64_t line =
        tx_.line >= USHRT_MAX && tx_.end_to_end_line != 0 ? tx_.end_to_end_line : tx_.line;
    bool ok = true;
    Payment payment;
    payment.line = line;
    payment.seq = intake_.count() + 1;
    if (!tx_.end_to_end_id) {
      problem(line, "CdtTrfTxInf without PmtId/EndToEndId");
      ok = false;
    } else if (const std::string why = referenceProblem(*tx_.end_to_end_id); !why.empty()) {
      problem(line, "EndToEndId: " + why);
      ok = false;
    }
    if (!tx_.amount) {
      problem(line, "CdtTrfTxInf without Amt/InstdAmt");
      ok = false;
    } else {
      std::string why;
      const auto fen = parseIsoAmount(*tx_.amount, why);
      if (!fen) {
        problem(line, "InstdAmt " + why);
        ok = false;
      } else if (*fen == 0) {
        problem(line, "InstdAmt is zero; payments are positive");
        ok = false;
      } else {
        payment.amount_fen = *fen;
      }
      if (tx_.currency != kCurrency) {
        problem(line, "InstdAmt currency " + quoted(tx_.currency.value_or("")) +
                          "; this bank pays CNY only");
        ok = false;
      }
    }
    if (!tx_.name || trimSpaces(*tx_.name).empty()) {
      problem(line, "Cdtr/Nm (the account holder name) is missing or empty");
      ok = false;
    }
    if (!tx_.account || tx_.account->empty()) {
      problem(line, "CdtrAcct/Id/Othr/Id (the payee account) is missing or empty");
      ok = false;
    }
    if (!ok) {
      intake_.addUnreadable(line);
      return;
    }
    payment.reference = *tx_.end_to_end_id;
    payment.account = *tx_.account;
    payment.instr_id = tx_.instr_id.value_or("");
    intake_.add(payment);
  }

  void checkCount(const std::optional<Declared>& declared, const char* name) {
    if (!declared) {
      problem(0, std::string(name) + " is missing");
      return;
    }
    const auto count = parseCount(declared->text);
    if (!count) {
      problem(declared->line,
              std::string(name) + " " + quoted(declared->text) + " is not a whole number");
    } else if (*count != intake_.count()) {
      problem(declared->line, std::string(name) + " says " + std::to_string(*count) +
                                  " but the file holds " + std::to_string(intake_.count()) +
                                  " transactions");
    }
  }

  void checkSum(const std::optional<Declared>& declared, const char* name) {
    if (!declared) {
      problem(0, std::string(name) + " is missing (this bank needs the control sum)");
      return;
    }
    std::string why;
    const auto fen = parseIsoAmount(declared->text, why);
    if (!fen) {
      problem(declared->line, std::string(name) + " " + why);
    } else if (intake_.totalKnown() && *fen != intake_.totalFen()) {
      problem(declared->line, std::string(name) + " says " + formatFen(*fen) +
                                  " but the transactions add up to " +
                                  formatFen(intake_.totalFen()));
    }
  }

  void finish() {
    if (!msg_id_ || msg_id_->text.empty()) problem(0, "GrpHdr/MsgId is missing");
    if (pmt_inf_count_ == 0) problem(0, "no PmtInf");
    if (pmt_inf_count_ > 0 && (!pmt_inf_id_ || pmt_inf_id_->text.empty())) {
      problem(0, "PmtInf/PmtInfId is missing");
    }
    if (intake_.count() == 0) problem(0, "no CdtTrfTxInf (no payments) in the file");
    checkCount(grp_nb_of_txs_, "GrpHdr/NbOfTxs");
    checkSum(grp_ctrl_sum_, "GrpHdr/CtrlSum");
    if (pmt_inf_count_ > 0) {
      checkCount(pmt_nb_of_txs_, "PmtInf/NbOfTxs");
      checkSum(pmt_ctrl_sum_, "PmtInf/CtrlSum");
    }
  }

  const std::string& file_;
  Layout layout_;
  const Manifest& manifest_;
  const std::string& schema_path_;
  Intake& intake_;
  Problems& problems_;
  const std::function<void(const PainHeader&)>& on_header_;
  const std::string namespace_;

  xmlTextReaderPtr reader_ = nullptr;
  bool stop_ = false;
  bool xml_error_ = false;
  std::string element_path_;  ///< "/Document/CstmrCdtTrfInitn/..." of the open elements
  std::vector<size_t> element_path_sizes_;
  std::string text_;
  uint64_t text_line_ = 0;

  std::optional<Declared> msg_id_, grp_nb_of_txs_, grp_ctrl_sum_, pmt_inf_id_, pmt_nb_of_txs_,
      pmt_ctrl_sum_;
  int pmt_inf_count_ = 0;
  bool header_sent_ = false;
  Transaction tx_;
};

}  // namespace

void readPain001(const std::string& path, Layout layout, const Manifest& manifest,
                 const std::string& schema_path, Intake& intake, Problems& problems,
                 const std::function<void(const PainHeader&)>& on_header) {
  Pain001Reader(path, layout, manifest, schema_path, intake, problems, on_header).run();
}

}  // namespace edupay::banksim
