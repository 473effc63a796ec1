#pragma once

#include "Bank.h"
#include "Pain001.h"

#include <openssl/types.h>

#include <array>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace edupay::banksim {

enum class Status { kPaid, kFailed, kPending };

/// Why the bank returns a payment: its own code and text, and the ISO 20022 reason code.
struct Reason {
  std::string_view code;
  std::string_view text;
  std::string_view iso_code;
};

/// The reasons this bank fails payments with: E001..E004.
inline constexpr std::array<Reason, 4> kReasons = {{
    {"E001", "户名不符", "BE01"},
    {"E002", "账户已销户", "AC04"},
    {"E003", "账户冻结", "AC06"},
    {"E004", "账户状态异常", "AC01"},
}};

struct Outcome {
  Status status = Status::kPaid;
  size_t reason = 0;  ///< index into kReasons when failed
};

/// Decides what happens to each payment, deterministically from (seed, reference) so a rerun
/// answers the same: u = the first 8 bytes of SHA-256("<seed>:<reference>") as a number in [0, 1);
/// u < fail_rate fails (the reason from the next byte), u < fail_rate + pending_rate stays
/// pending, anything else is paid. A forced reference fails with its reason whatever u is.
class Decider {
 public:
  /// REQUIRES: 0 <= fail_rate, 0 <= pending_rate, fail_rate + pending_rate <= 1.
  Decider(uint64_t seed, double fail_rate, double pending_rate,
          std::unordered_map<std::string, size_t> forced);
  ~Decider();
  Decider(const Decider&) = delete;
  Decider& operator=(const Decider&) = delete;

  [[nodiscard]] Outcome decide(const std::string& reference);
  /// The forced references no payment had.
  [[nodiscard]] std::vector<std::string> unusedForced() const;

 private:
  std::string seed_;
  double fail_rate_;
  double pending_rate_;
  std::unordered_map<std::string, size_t> forced_;
  std::unordered_set<std::string> forced_used_;
  EVP_MD* sha256_;
  EVP_MD_CTX* ctx_;
};

/// Counts and amounts per outcome.
struct Tally {
  uint64_t paid = 0, failed = 0, pending = 0;
  int64_t paid_fen = 0, failed_fen = 0, pending_fen = 0;

  void add(const Outcome& outcome, int64_t fen);
};

/// A result file being written: under a temporary name in the target's directory, renamed into
/// place by finish() after an fsync, so nobody sees half a file; destroyed before finish() it
/// leaves nothing behind.
class ResultWriter {
 public:
  virtual ~ResultWriter() = default;
  /// One payment's result, in file order.
  virtual void add(const Payment& payment, const Outcome& outcome, const std::string& txn_id) = 0;
  /// Writes the end of the file and moves it into place. Throws IoError.
  virtual void finish(const Tally& tally) = 0;
};

/// The pipe-result file (templates/banks/README.md, "Results"): GBK, CRLF, a title line, one
/// line per payment, a 汇总 line with the paid and failed counts and amounts.
[[nodiscard]] std::unique_ptr<ResultWriter> makePipeResultWriter(const std::string& path);

/// A pain.002 status report answering a pain.001: pain.002.001.10 for .09 files, .001.03 for .03;
/// validates against the ISO 20022 XSD of its version. Streams: the group status, unknown until
/// the end, is patched into a fixed-width slot by finish().
class Pain002Writer final : public ResultWriter {
 public:
  /// `date`: YYYY-MM-DD of the report. Throws IoError.
  Pain002Writer(const std::string& path, Layout layout, const std::string& date);
  ~Pain002Writer() override;

  /// REQUIRES: called once, before the first add().
  void begin(const PainHeader& header);
  void add(const Payment& payment, const Outcome& outcome, const std::string& txn_id) override;
  void finish(const Tally& tally) override;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace edupay::banksim
