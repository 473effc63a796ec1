#include "Results.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace edupay::banksim {

namespace {

std::string errnoText() { return std::strerror(errno); }

/// A file written under a temporary name beside `path` and renamed over it by commit().
class AtomicFile {
 public:
  explicit AtomicFile(const std::string& path) : path_(path) {
    const size_t slash = path.rfind('/');
    dir_ = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
    const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
    temp_ = dir_ + "/." + base + ".tmp." + std::to_string(::getpid());
    const int fd = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw IoError("cannot write " + temp_ + ": " + errnoText());
    file_ = ::fdopen(fd, "wb");
    if (file_ == nullptr) {
      ::close(fd);
      ::unlink(temp_.c_str());
      throw IoError("cannot write " + temp_ + ": " + errnoText());
    }
    std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
  }

  ~AtomicFile() {
    if (file_ != nullptr) std::fclose(file_);
    if (!committed_) ::unlink(temp_.c_str());
  }

  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(std::string_view bytes) {
    if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
      throw IoError("cannot write " + temp_ + ": " + errnoText());
    }
    written_ += bytes.size();
  }

  /// Bytes written so far: the offset of the next byte.
  [[nodiscard]] uint64_t offset() const { return written_; }

  /// Overwrites bytes already written at `offset`.
  void patch(uint64_t offset, std::string_view bytes) {
    if (std::fflush(file_) != 0 ||
        ::pwrite(::fileno(file_), bytes.data(), bytes.size(), static_cast<off_t>(offset)) !=
            static_cast<ssize_t>(bytes.size())) {
      throw IoError("cannot write " + temp_ + ": " + errnoText());
    }
  }

  void commit() {
    if (std::fflush(file_) != 0 || ::fsync(::fileno(file_)) != 0) {
      throw IoError("cannot write " + temp_ + ": " + errnoText());
    }
    const int rc = std::fclose(file_);
    file_ = nullptr;
    if (rc != 0) throw IoError("cannot write " + temp_ + ": " + errnoText());
    if (std::rename(temp_.c_str(), path_.c_str()) != 0) {
      throw IoError("cannot rename " + temp_ + " to " + path_ + ": " + errnoText());
    }
    committed_ = true;
    const int dir_fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd >= 0) {
      ::fsync(dir_fd);
      ::close(dir_fd);
    }
  }

 private:
  std::string path_, dir_, temp_;
  FILE* file_ = nullptr;
  uint64_t written_ = 0;
  bool committed_ = false;
};

std::string_view pipeStatus(Status status) {
  switch (status) {
    case Status::kPaid:
      return "S";
    case Status::kFailed:
      return "E";
    case Status::kPending:
      return "A";
  }
  return "?";
}

class PipeResultWriter final : public ResultWriter {
 public:
  explicit PipeResultWriter(const std::string& path) : file_(path), gbk_("GBK", "UTF-8") {
    line("序号|参考号|账号|金额|状态|原因码|原因|银行流水号|");
  }

  void add(const Payment& payment, const Outcome& outcome, const std::string& txn_id) override {
    const bool failed = outcome.status == Status::kFailed;
    std::string text;
    text.reserve(128);
    text += std::to_string(payment.seq);
    text += '|';
    text += payment.reference;
    text += '|';
    text += payment.account;
    text += '|';
    text += formatFen(payment.amount_fen);
    text += '|';
    text += pipeStatus(outcome.status);
    text += '|';
    if (failed) text += kReasons[outcome.reason].code;
    text += '|';
    if (failed) text += kReasons[outcome.reason].text;
    text += '|';
    text += txn_id;
    text += '|';
    line(text);
  }

  void finish(const Tally& tally) override {
    line("汇总|" + std::to_string(tally.paid) + "|" + formatFen(tally.paid_fen) + "|" +
         std::to_string(tally.failed) + "|" + formatFen(tally.failed_fen) + "|");
    file_.commit();
  }

 private:
  void line(std::string_view utf8) {
    size_t bad = 0;
    if (!gbk_.convert(utf8, buffer_, bad)) {
      throw IoError("a result line cannot be written in GBK (byte " + std::to_string(bad + 1) +
                    ")");
    }
    buffer_ += "\r\n";
    file_.write(buffer_);
  }

  AtomicFile file_;
  Iconv gbk_;
  std::string buffer_;
};

/// `text` escaped for XML character data and attribute values.
void appendEscaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
}

/// At most `max` characters of UTF-8 `text`, never cutting a character.
std::string truncateUtf8(std::string_view text, size_t max) {
  size_t characters = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xc0) != 0x80 && characters++ == max) {
      return std::string(text.substr(0, i));
    }
  }
  return std::string(text);
}

std::string_view groupStatus(const Tally& tally) {
  const uint64_t total = tally.paid + tally.failed + tally.pending;
  if (tally.paid == total) return "ACSC";
  if (tally.failed == total) return "RJCT";
  if (tally.pending == total) return "PDNG";
  return "PART";
}

constexpr std::string_view kStatusSlot = "XXXX";  // every group status code has 4 letters

}  // namespace

Decider::Decider(uint64_t seed, double fail_rate, double pending_rate,
                 std::unordered_map<std::string, size_t> forced)
    : seed_(std::to_string(seed)),
      fail_rate_(fail_rate),
      pending_rate_(pending_rate),
      forced_(std::move(forced)),
      sha256_(EVP_MD_fetch(nullptr, "SHA256", nullptr)),
      ctx_(EVP_MD_CTX_new()) {
  if (sha256_ == nullptr || ctx_ == nullptr) throw IoError("cannot set up SHA-256");
}

Decider::~Decider() {
  EVP_MD_CTX_free(ctx_);
  EVP_MD_free(sha256_);
}

Outcome Decider::decide(const std::string& reference) {
  if (const auto forced = forced_.find(reference); forced != forced_.end()) {
    forced_used_.insert(reference);
    return Outcome{Status::kFailed, forced->second};
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_size = 0;
  if (EVP_DigestInit_ex(ctx_, sha256_, nullptr) != 1 ||
      EVP_DigestUpdate(ctx_, seed_.data(), seed_.size()) != 1 ||
      EVP_DigestUpdate(ctx_, ":", 1) != 1 ||
      EVP_DigestUpdate(ctx_, reference.data(), reference.size()) != 1 ||
      EVP_DigestFinal_ex(ctx_, md, &md_size) != 1) {
    throw IoError("SHA-256 failed");
  }
  uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) bits = (bits << 8) | md[i];
  const double u = static_cast<double>(bits >> 11) * 0x1.0p-53;
  if (u < fail_rate_) return Outcome{Status::kFailed, md[8] % kReasons.size()};
  if (u < fail_rate_ + pending_rate_) return Outcome{Status::kPending, 0};
  return Outcome{Status::kPaid, 0};
}

std::vector<std::string> Decider::unusedForced() const {
  std::vector<std::string> unused;
  for (const auto& [reference, reason] : forced_) {
    if (!forced_used_.contains(reference)) unused.push_back(reference);
  }
  std::sort(unused.begin(), unused.end());
  return unused;
}

void Tally::add(const Outcome& outcome, int64_t fen) {
  switch (outcome.status) {
    case Status::kPaid:
      ++paid;
      paid_fen += fen;
      break;
    case Status::kFailed:
      ++failed;
      failed_fen += fen;
      break;
    case Status::kPending:
      ++pending;
      pending_fen += fen;
      break;
  }
}

std::unique_ptr<ResultWriter> makePipeResultWriter(const std::string& path) {
  return std::make_unique<PipeResultWriter>(path);
}

class Pain002Writer::Impl {
 public:
  Impl(const std::string& path, Layout layout, const std::string& date)
      : file_(path),
        version_(layout == Layout::kPain00109 ? "pain.002.001.10" : "pain.002.001.03"),
        original_version_(layoutName(layout)),
        created_(date + "T10:00:00") {}

  void begin(const PainHeader& header) {
    out_.clear();
    out_ += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out_ += "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:" + version_ + "\">\n";
    out_ += "  <CstmrPmtStsRpt>\n";
    out_ += "    <GrpHdr>\n";
    element(6, "MsgId", truncateUtf8("SIM-" + header.msg_id, 35));
    element(6, "CreDtTm", created_);
    out_ += "    </GrpHdr>\n";
    out_ += "    <OrgnlGrpInfAndSts>\n";
    element(6, "OrgnlMsgId", header.msg_id);
    element(6, "OrgnlMsgNmId", original_version_);
    element(6, "OrgnlNbOfTxs", std::to_string(header.nb_of_txs));
    element(6, "OrgnlCtrlSum", formatFen(header.ctrl_sum_fen));
    out_ += "      <GrpSts>";
    group_status_at_ = file_.offset() + out_.size();
    out_ += kStatusSlot;
    out_ += "</GrpSts>\n";
    out_ += "    </OrgnlGrpInfAndSts>\n";
    out_ += "    <OrgnlPmtInfAndSts>\n";
    element(6, "OrgnlPmtInfId", header.pmt_inf_id);
    element(6, "OrgnlNbOfTxs", std::to_string(header.nb_of_txs));
    element(6, "OrgnlCtrlSum", formatFen(header.ctrl_sum_fen));
    out_ += "      <PmtInfSts>";
    payment_status_at_ = file_.offset() + out_.size();
    out_ += kStatusSlot;
    out_ += "</PmtInfSts>\n";
    file_.write(out_);
  }

  void add(const Payment& payment, const Outcome& outcome, const std::string& txn_id) {
    out_.clear();
    out_ += "      <TxInfAndSts>\n";
    if (!payment.instr_id.empty()) element(8, "OrgnlInstrId", payment.instr_id);
    element(8, "OrgnlEndToEndId", payment.reference);
    switch (outcome.status) {
      case Status::kPaid:
        element(8, "TxSts", "ACSC");
        break;
      case Status::kPending:
        element(8, "TxSts", "PDNG");
        break;
      case Status::kFailed: {
        const Reason& reason = kReasons[outcome.reason];
        element(8, "TxSts", "RJCT");
        out_ += "        <StsRsnInf><Rsn><Cd>";
        out_ += reason.iso_code;
        out_ += "</Cd></Rsn><AddtlInf>";
        appendEscaped(out_, reason.text);
        out_ += "</AddtlInf></StsRsnInf>\n";
        break;
      }
    }
    element(8, "AcctSvcrRef", txn_id);
    out_ += "        <OrgnlTxRef><Amt><InstdAmt Ccy=\"CNY\">";
    out_ += formatFen(payment.amount_fen);
    out_ += "</InstdAmt></Amt></OrgnlTxRef>\n";
    out_ += "      </TxInfAndSts>\n";
    file_.write(out_);
  }

  void finish(const Tally& tally) {
    file_.write("    </OrgnlPmtInfAndSts>\n  </CstmrPmtStsRpt>\n</Document>\n");
    const std::string_view status = groupStatus(tally);
    file_.patch(group_status_at_, status);
    file_.patch(payment_status_at_, status);
    file_.commit();
  }

 private:
  void element(int indent, std::string_view name, std::string_view value) {
    out_.append(static_cast<size_t>(indent), ' ');
    out_ += '<';
    out_ += name;
    out_ += '>';
    appendEscaped(out_, value);
    out_ += "</";
    out_ += name;
    out_ += ">\n";
  }

  AtomicFile file_;
  std::string version_;
  std::string original_version_;
  std::string created_;
  std::string out_;
  uint64_t group_status_at_ = 0;
  uint64_t payment_status_at_ = 0;
};

Pain002Writer::Pain002Writer(const std::string& path, Layout layout, const std::string& date)
    : impl_(std::make_unique<Impl>(path, layout, date)) {}

Pain002Writer::~Pain002Writer() = default;

void Pain002Writer::begin(const PainHeader& header) { impl_->begin(header); }

void Pain002Writer::add(const Payment& payment, const Outcome& outcome, const std::string& txn_id) {
  impl_->add(payment, outcome, txn_id);
}

void Pain002Writer::finish(const Tally& tally) { impl_->finish(tally); }

}  // namespace edupay::banksim
