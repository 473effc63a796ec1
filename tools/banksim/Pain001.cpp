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

struct ElementPath {
  std::string_view path;
  Element element;
};

constexpr ElementPath kElementPaths[] = {
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

constexpr int kNoParent = -1;
constexpr int kUnknownNode = -2;  ///< an element this bank does not read, or inside one

/// kElementPaths as a tree, so each element is found among its parent's few children.
class PathTree {
 public:
  PathTree() {
    for (const auto& [path, element] : kElementPaths) {
      int node = kNoParent;
      for (size_t start = 1; start <= path.size();) {
        size_t end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        const std::string_view name = path.substr(start, end - start);
        int next = child(node, name);
        if (next == kUnknownNode) {
          next = static_cast<int>(nodes_.size());
          nodes_.push_back(Node{name, std::nullopt, {}});
          (node == kNoParent ? roots_ : nodes_[static_cast<size_t>(node)].children).push_back(next);
        }
        node = next;
        start = end + 1;
      }
      nodes_[static_cast<size_t>(node)].element = element;
    }
  }

  /// The node of element `name` under `parent` (kNoParent: the root), or kUnknownNode.
  [[nodiscard]] int child(int parent, std::string_view name) const {
    if (parent == kUnknownNode) return kUnknownNode;
    const auto& candidates =
        parent == kNoParent ? roots_ : nodes_[static_cast<size_t>(parent)].children;
    for (const int candidate : candidates) {
      if (nodes_[static_cast<size_t>(candidate)].name == name) return candidate;
    }
    return kUnknownNode;
  }

  [[nodiscard]] std::optional<Element> element(int node) const {
    return node < 0 ? std::nullopt : nodes_[static_cast<size_t>(node)].element;
  }

 private:
  struct Node {
    std::string_view name;
    std::optional<Element> element;
    std::vector<int> children;
  };
  std::vector<Node> nodes_;
  std::vector<int> roots_;
};

const PathTree& pathTree() {
  static const PathTree kTree;
  return kTree;
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

/// A text field of a transaction; cleared, not freed, between transactions.
struct TxField {
  std::string text;
  bool present = false;

  void set(const std::string& value) {
    text = value;
    present = true;
  }
};

struct Transaction {
  uint64_t line = 0;
  uint64_t end_to_end_line = 0;
  TxField instr_id, end_to_end_id, amount, currency, name, account;

  void clear(uint64_t start_line) {
    line = start_line;
    end_to_end_line = 0;
    for (TxField* field : {&instr_id, &end_to_end_id, &amount, &currency, &name, &account}) {
      field->present = false;
    }
  }
};

class Pain001Reader {
 public:
  Pain001Reader(FileSource& file, Layout layout, const Manifest& manifest,
                const std::string& schema_path, Intake& intake, Problems& problems,
                const std::function<void(const PainHeader&)>& on_header)
      : file_(file),
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
        xmlReaderForIO(&Pain001Reader::readInput, nullptr, this, file_.path().c_str(), nullptr,
                       XML_PARSE_NONET | XML_PARSE_BIG_LINES),
        &xmlFreeTextReader);
    if (!reader) throw IoError("cannot read " + file_.path());
    xmlTextReaderSetStructuredErrorHandler(reader.get(), &Pain001Reader::onXmlError, this);
    if (!schema_path_.empty() &&
        xmlTextReaderSchemaValidate(reader.get(), schema_path_.c_str()) != 0) {
      throw IoError("cannot load the schema " + schema_path_);
    }
    reader_ = reader.get();
    int rc = 0;
    while (!stop_ && (rc = xmlTextReaderRead(reader_)) == 1) node();
    if (!input_error_.empty()) throw IoError(input_error_);
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
  /// libxml2's input callback: bytes from the FileSource (which hashes them on the way).
  /// Exceptions must not cross libxml2's C frames: the error is kept and rethrown by run().
  static int readInput(void* context, char* buffer, int size) {
    auto* self = static_cast<Pain001Reader*>(context);
    try {
      return static_cast<int>(self->file_.read(buffer, static_cast<size_t>(size)));
    } catch (const std::exception& e) {
      self->input_error_ = e.what();
      return -1;
    }
  }

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
        // Only the text of elements this bank reads matters (not, say, RmtInf/Ustrd).
        if (!open_nodes_.empty() && pathTree().element(open_nodes_.back())) {
          text_ += view(xmlTextReaderConstValue(reader_));
          text_line_ = currentLine();
        }
        break;
      default:
        break;
    }
  }

  void startElement() {
    const std::string_view local = view(xmlTextReaderConstLocalName(reader_));
    const std::string_view uri = view(xmlTextReaderConstNamespaceUri(reader_));
    if (open_nodes_.empty()) {
      const uint64_t line = currentLine();
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
    // An element of another namespace matches nothing, nor does anything inside it.
    const int parent = open_nodes_.empty() ? kNoParent : open_nodes_.back();
    const int node = uri == namespace_ ? pathTree().child(parent, local) : kUnknownNode;
    open_nodes_.push_back(node);
    text_.clear();
    text_line_ = 0;

    const std::optional<Element> element = pathTree().element(node);
    if (!element) return;
    const uint64_t line = currentLine();
    switch (*element) {
      case Element::kPmtInf:
        if (++pmt_inf_count_ == 2) {
          problem(line, "a second PmtInf; this bank takes one PmtInf per file");
        }
        break;
      case Element::kTx:
        if (!header_sent_) sendHeader();
        tx_.clear(line);
        break;
      case Element::kInstdAmt: {
        xmlChar* currency = xmlTextReaderGetAttribute(reader_, BAD_CAST "Ccy");
        tx_.currency.set(std::string(view(currency)));
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
          problem(line, "a header element (" + std::string(local) +
                            ") after the first CdtTrfTxInf; elements are out of order");
        }
        break;
      default:
        break;
    }
  }

  void endElement() {
    if (open_nodes_.empty()) return;
    if (const std::optional<Element> element = pathTree().element(open_nodes_.back())) {
      leaf(*element);
    }
    open_nodes_.pop_back();
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
        tx_.instr_id.set(text_);
        break;
      case Element::kEndToEndId:
        tx_.end_to_end_id.set(text_);
        tx_.end_to_end_line = line;
        break;
      case Element::kInstdAmt:
        tx_.amount.set(text_);
        break;
      case Element::kCdtrNm:
        tx_.name.set(text_);
        break;
      case Element::kCdtrAcctId:
        tx_.account.set(text_);
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
    payment_.line = line;
    payment_.seq = intake_.count() + 1;
    if (!tx_.end_to_end_id.present) {
      problem(line, "CdtTrfTxInf without PmtId/EndToEndId");
      ok = false;
    } else if (const std::string why = referenceProblem(tx_.end_to_end_id.text); !why.empty()) {
      problem(line, "EndToEndId: " + why);
      ok = false;
    }
    if (!tx_.amount.present) {
      problem(line, "CdtTrfTxInf without Amt/InstdAmt");
      ok = false;
    } else {
      std::string why;
      const auto fen = parseIsoAmount(tx_.amount.text, why);
      if (!fen) {
        problem(line, "InstdAmt " + why);
        ok = false;
      } else if (*fen == 0) {
        problem(line, "InstdAmt is zero; payments are positive");
        ok = false;
      } else {
        payment_.amount_fen = *fen;
      }
      if (!tx_.currency.present || tx_.currency.text != kCurrency) {
        problem(line, "InstdAmt currency " + quoted(tx_.currency.present ? tx_.currency.text : "") +
                          "; this bank pays CNY only");
        ok = false;
      }
    }
    if (tx_.instr_id.present && (tx_.instr_id.text.empty() || characters(tx_.instr_id.text) > 35)) {
      problem(line, "PmtId/InstrId is empty or longer than 35 characters");
      ok = false;
    }
    if (!tx_.name.present || trimSpaces(tx_.name.text).empty()) {
      problem(line, "Cdtr/Nm (the account holder name) is missing or empty");
      ok = false;
    }
    if (!tx_.account.present || tx_.account.text.empty()) {
      problem(line, "CdtrAcct/Id/Othr/Id (the payee account) is missing or empty");
      ok = false;
    }
    if (!ok) {
      intake_.addUnreadable(line);
      return;
    }
    payment_.reference = tx_.end_to_end_id.text;
    payment_.account = tx_.account.text;
    payment_.instr_id = tx_.instr_id.present ? tx_.instr_id.text : std::string();
    intake_.add(payment_);
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

  /// ISO 20022 Max35Text: 1 to 35 characters.
  void checkId(const std::optional<Declared>& declared, const char* name) {
    if (!declared || declared->text.empty()) {
      problem(0, std::string(name) + " is missing");
    } else if (characters(declared->text) > 35) {
      problem(declared->line, std::string(name) + " is longer than 35 characters");
    }
  }

  static size_t characters(std::string_view utf8) {
    size_t count = 0;
    for (char c : utf8) count += (static_cast<unsigned char>(c) & 0xc0) != 0x80 ? 1 : 0;
    return count;
  }

  void finish() {
    checkId(msg_id_, "GrpHdr/MsgId");
    if (pmt_inf_count_ == 0) problem(0, "no PmtInf");
    if (pmt_inf_count_ > 0) checkId(pmt_inf_id_, "PmtInf/PmtInfId");
    if (intake_.count() == 0) problem(0, "no CdtTrfTxInf (no payments) in the file");
    checkCount(grp_nb_of_txs_, "GrpHdr/NbOfTxs");
    checkSum(grp_ctrl_sum_, "GrpHdr/CtrlSum");
    if (pmt_inf_count_ > 0) {
      checkCount(pmt_nb_of_txs_, "PmtInf/NbOfTxs");
      checkSum(pmt_ctrl_sum_, "PmtInf/CtrlSum");
    }
  }

  FileSource& file_;
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
  std::string input_error_;
  std::vector<int> open_nodes_;  ///< PathTree nodes of the open elements, outermost first
  std::string text_;
  uint64_t text_line_ = 0;

  std::optional<Declared> msg_id_, grp_nb_of_txs_, grp_ctrl_sum_, pmt_inf_id_, pmt_nb_of_txs_,
      pmt_ctrl_sum_;
  int pmt_inf_count_ = 0;
  bool header_sent_ = false;
  Transaction tx_;
  Payment payment_;  ///< reused: its strings keep their capacity
};

}  // namespace

void readPain001(FileSource& file, Layout layout, const Manifest& manifest,
                 const std::string& schema_path, Intake& intake, Problems& problems,
                 const std::function<void(const PainHeader&)>& on_header) {
  Pain001Reader(file, layout, manifest, schema_path, intake, problems, on_header).run();
}

}  // namespace edupay::banksim
