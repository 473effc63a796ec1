#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bankfiles/Layout.h"
#include "bankfiles/PaymentFile.h"
#include "bankfiles/ResultFile.h"
#include "common/Lease.h"
#include "common/Message.h"
#include "disburse/Batches.h"
#include "registry/RegistryStore.h"
#include "rules/Policy.h"
#include "security/FieldCipher.h"
#include "security/Signing.h"
#include "security/Users.h"

namespace edupay::bankfiles {

struct BankConfig {
  std::string code, name, layout;
  int max_lines = 2000;
};

/// The bureau's account a county pays from at a bank.
struct Payer {
  std::string region, bank_code, account, name;
};

/// A payment as the export reads it, in seq order.
struct ExportRow {
  int64_t id = 0, seq = 0;
  std::string reference, payee, acct_enc, holder;
  Money amount;
};

/// One student a payment to a school covers, as the annex beside the payment file lists them
/// (templates/banks/README.md, "Annex of students").
struct AnnexRow {
  int64_t seq = 0;  ///< the payment's line in the batch
  std::string reference, school_code, school_name, name, student, stage, grade, class_name;
  Money amount;
};

struct PartTotals {
  int part = 1;
  int64_t count = 0, first_seq = 0, last_seq = 0;
  Money total;
};

struct ExportedFile {
  int part = 1;
  std::string file_name, layout, sha256, key_id, payer_account, payer_name;
  int64_t count = 0;
  Money total;
};

/// A payment found by its end-to-end reference, as a result line is checked against it.
struct SentPayment {
  int64_t id = 0, batch_id = 0, seq = 0;
  std::string status, batch_status, bank_code, paying_region;
  std::string outcome;           ///< the bank's first answer (paid / returned), or empty
  int64_t result_import_id = 0;  ///< the result import that answered it
  int64_t late_import_id = 0;    ///< the result import that returned it after it was paid, or 0
  /// The bank's reason (code, text) of the first answer and of the late return, as recorded.
  std::pair<std::string, std::string> reason, late_reason;
  Money amount;
};

/// One exported file as the bank knows it: part `part` of batch `batch_id`, the pain.001 message
/// `EDUPAY-B<batch>-P<part>` (PaymentFile.h); its payments are those of the batch with seq in
/// [first_seq, last_seq].
struct SentFile {
  int64_t batch_id = 0, first_seq = 0, last_seq = 0, count = 0;
  int part = 0;
  std::string bank_code, paying_region;
  Money total;
};

/// What one result import settled in one batch, per outcome (for budgets and batch status).
struct SettledShare {
  int64_t batch_id = 0;
  std::string programme, region, term, status;
  int64_t count = 0;
  Money total, central, provincial, county;
};

/// One row of the reconciliation report (per programme and paying county).
struct ReconcileRow {
  std::string programme, region;
  int64_t entitled_n = 0, unbatched_n = 0, in_approval_n = 0, approved_n = 0, in_bank_n = 0,
          paid_n = 0, returned_n = 0, awaiting_account_n = 0, reissued_n = 0;
  Money entitled, unbatched, in_approval, approved, in_bank, paid, returned, awaiting_account,
      reissued;
  int64_t outstandingCount() const { return entitled_n - paid_n; }
  Money outstanding() const { return entitled - paid; }
  /// entitled = paid + in bank + approved + in approval + not batched, in count and amount.
  bool addsUp() const;
};

/// Everything that goes inside an export's files, fixed at its first attempt and recorded before
/// any file is written, so that every later export of the batch (after a crash, the next day) is
/// byte-identical. Valid for the approval round `batch_version`.
struct ExportPlan {
  int64_t batch_id = 0;
  int batch_version = 0;
  std::string created_on;  ///< YYYY-MM-DD: the date in the files and manifests
  std::string layout;
  int max_lines = 2000;  ///< where the batch is cut into files
  std::string payer_account, payer_name, purpose, planned_by, planned_at;
};

/// Persistence for bank files (implemented in src/store).
class BankFileStore : public disburse::DisbursementStore {
 public:
  /// The recorded plan of a batch's export, if any.
  virtual std::optional<ExportPlan> exportPlan(int64_t batch_id) = 0;
  /// Records `p`, replacing a plan of an earlier approval round.
  virtual void saveExportPlan(const ExportPlan& p) = 0;
  virtual std::vector<BankConfig> banks() = 0;
  virtual std::optional<BankConfig> bank(const std::string& code) = 0;
  /// Changes a bank's layout (when not empty) and line limit (when > 0).
  virtual void setBank(const std::string& code, const std::string& layout, int max_lines) = 0;
  /// The payer account of the longest region prefix of `region` at `bank`.
  virtual std::optional<Payer> payer(const std::string& region, const std::string& bank) = 0;
  virtual void setPayer(const Payer& p) = 0;

  /// Count, total and seq range of each file when the batch is cut every `max_lines` payments.
  virtual std::vector<PartTotals> partTotals(int64_t batch_id, int max_lines) = 0;
  /// Payments of a batch with seq in [first, last], in seq order, at most `limit`.
  virtual std::vector<ExportRow> exportRows(int64_t batch_id, int64_t first_seq, int64_t last_seq,
                                            size_t limit) = 0;
  /// The students the payments to schools with seq in [first, last] cover, by seq, then grade,
  /// class and name; empty when the payments pay students. `student` is masked.
  virtual std::vector<AnnexRow> annexRows(int64_t batch_id, int64_t first_seq,
                                          int64_t last_seq) = 0;
  /// The first export's date (empty before).
  virtual std::string exportedOn(int64_t batch_id) = 0;
  /// approved -> exported at `expected_version` (its payments are now at the bank), files
  /// recorded; false when the batch changed meanwhile.
  virtual bool markExported(int64_t batch_id, int expected_version, const std::string& date,
                            const std::vector<ExportedFile>& files) = 0;
  virtual std::vector<ExportedFile> exportedFiles(int64_t batch_id) = 0;

  /// Id of the result import with this digest, if the file was imported before.
  virtual std::optional<int64_t> resultImportByDigest(const std::string& sha256) = 0;
  /// Whether a result import committed its last chunk (false while it is to be resumed).
  virtual bool resultImportFinished(int64_t import_id) = 0;
  virtual int64_t beginResultImport(const std::string& sha256, const std::string& file,
                                    const std::string& user, const std::string& at) = 0;
  virtual void finishResultImport(int64_t id, int64_t lines, int64_t paid, int64_t returned,
                                  int64_t pending) = 0;
  /// The payments of these references (nullopt for an unknown one), in the same order.
  virtual std::vector<std::optional<SentPayment>> paymentsByReference(
      const std::vector<std::string>& refs) = 0;
  /// Records the bank's answers (appended to payment_results; a returned payment also becomes
  /// `returned`). Every payment must be pending and unanswered (checked by the caller; the
  /// database refuses a second answer).
  struct Settlement {
    int64_t payment_id = 0;
    Outcome outcome = Outcome::kPaid;
    std::string reason_code, reason_text, bank_txn_id;
  };
  virtual void settle(const std::vector<Settlement>& answers, int64_t import_id,
                      const std::string& date) = 0;
  /// Records money returned after the bank said it was paid (appended to payment_returns; the
  /// payment becomes `returned`). Every payment must be paid and not yet returned (checked by the
  /// caller; the database refuses anything else). `outcome` of each answer is ignored.
  virtual void returnLate(const std::vector<Settlement>& answers, int64_t import_id,
                          const std::string& date) = 0;
  /// The exported file `part` of batch `batch_id`, nullopt when no such file was exported.
  virtual std::optional<SentFile> sentFile(int64_t batch_id, int part) = 0;
  /// Per batch and outcome, what this import settled: status `paid`, `returned`, or
  /// `returned_late` (paid earlier, returned by this import).
  virtual std::vector<SettledShare> settledBy(int64_t import_id) = 0;
  /// Moves settled money on one budget line: committed -> paid or -> returned.
  virtual void settleBudget(const std::string& programme, const std::string& region,
                            int fiscal_year, const std::string& source, Money paid,
                            Money returned) = 0;
  /// Moves money returned late on one budget line: paid -> returned.
  virtual void returnBudget(const std::string& programme, const std::string& region,
                            int fiscal_year, const std::string& source, Money returned) = 0;
  /// exported -> settled (all paid) / partially_settled (some returned) once every payment has
  /// the bank's answer; settled or closed -> partially_settled when paid money came back later.
  /// Returns the new status (or the old one).
  virtual std::string settleBatch(int64_t batch_id) = 0;
  /// Puts the payments this import returned (also those returned late) into the returned-funds
  /// ledger.
  virtual int64_t recordReturned(int64_t import_id, const std::string& date) = 0;

  /// Re-issue: after the school corrects a student's account, their returned entitlements wait
  /// no more (`awaiting_account` -> `ready`) and point at the new account. Returns how many.
  virtual int64_t releaseReturned(int64_t person_id, int64_t new_account_id) = 0;

  /// Returned payments of the batch whose money is not yet re-issued.
  virtual int64_t openReturns(int64_t batch_id) = 0;
  /// The student a payment pays (for corrections named by a returned payment's reference).
  virtual std::optional<int64_t> personOfPayment(const std::string& reference) = 0;
  /// The school a payment pays (its code), or nullopt when the payment pays a student or is
  /// unknown.
  virtual std::optional<std::string> schoolOfPayment(const std::string& reference) = 0;
  struct Returned {
    std::string reference, school_code, school_name, holder, acct_mask, reason_code, reason_text,
        returned_on, status, programme, term, region;
    std::string bank_code;  ///< the paying bank of the returned payment
    std::string payee;      ///< student_card, one_card, ... or school
    int64_t students = 1;   ///< the entitlements the payment covered
    Money amount;
  };
  /// The returned-funds ledger of a region (all statuses), oldest first.
  virtual std::vector<Returned> returnedFunds(const std::string& region_prefix) = 0;

  virtual std::vector<ReconcileRow> reconcile(const Term& term,
                                              const std::string& region_prefix) = 0;

  /// One eligible entitlement with what the bank has paid and returned of it (all attempts).
  struct ReportFact {
    std::string term, programme, region, reason;
    int64_t amount_fen = 0, paid_fen = 0, returned_n = 0, returned_fen = 0;
  };
  /// Every eligible entitlement of `term` (all terms when empty) whose paying region starts with
  /// `region_prefix`, streamed in id order.
  virtual void reportFacts(const std::string& term, const std::string& region_prefix,
                           const std::function<void(const ReportFact&)>& each) = 0;

  /// A payment traced back: its entitlement, the decision's reason, the policy file, the batch.
  struct PaymentTrace {
    int64_t payment_id = 0, batch_id = 0, entitlement_id = 0, person_id = 0, policy_id = 0;
    int attempt = 1;
    std::string reference, state, reason_code, reason_text, settled_on, payee, holder, acct_mask,
        bank_code, programme, term, paying_region, entitlement_reason, entitlement_updated_on,
        policy_name, policy_sha256, policy_activated_on;
    Money amount;
    std::string entitlement_reason_messages;  ///< the reason's sentences (rules::storedTrace)
  };
  virtual std::optional<PaymentTrace> tracePayment(const std::string& reference) = 0;
};

/// `edupay batch export`: writes an approved batch's payment files in its bank's layout, each
/// with a signed manifest, deterministically; approved -> exported in one transaction, audited;
/// the payments are immutable from then on (database trigger). Order, so that a crash or a kill
/// at any moment never leaves a payment file the database does not call exported:
/// 1. the export's plan (date, layout, line limit, payer, purpose: ExportPlan) is recorded and
///    committed at the first attempt; every later export of the batch follows it;
/// 2. the files are written into `OUT/.staging-B<batch>` (mode 0700; temp files 0600);
/// 3. the database commits approved -> exported (or the re-export's audit event);
/// 4. the files are published into OUT by rename, each part's payment file after its manifest.
/// A re-run (the same command again) discards what a killed run staged or left as `*.tmp-*` and
/// exports again from the plan: the same bytes. Exporting an exported batch again writes the same
/// bytes and is audited as a re-export. Only a bureau officer whose scope covers the batch's
/// county exports; one export of a batch at a time (a lease; Error(kConflict) while another
/// runs).
struct ExportResult {
  disburse::Batch batch;
  std::vector<std::string> paths;  ///< payment files (manifest and signature beside each)
  bool again = false;
};
/// The remittance text banks show the payee: the programme's Chinese name and the term,
/// e.g. `雨露计划2026秋` (the programme code when no policy names it).
std::string paymentPurpose(const rules::Policy* policy, const disburse::Batch& b);

ExportResult exportBatch(BankFileStore& store, security::SecurityStore& audit,
                         const security::User& user, int64_t batch_id, const std::string& out_dir,
                         const LayoutSet& layouts, const security::FieldCipher& cipher,
                         const security::SigningKey& key, const std::string& purpose);

/// What `batch build` asks before anyone approves: can bank `bank_code`'s payment file carry a
/// holder name? Answered with the export's own Encoder over the bank's configured layout (one per
/// bank, cached for the build). Error(kNotFound) naming the bank when its layout is unknown.
disburse::EncodingCheck holderEncodingCheck(BankFileStore& store, const LayoutSet& layouts);

/// `edupay bank import-result`.
/// A batch status (`approved`, `partially_settled`, …) in both languages, as argument `name`.
MessageArg batchStatusWords(const std::string& name, std::string_view status);

struct ImportResult {
  bool already_imported = false;
  int64_t import_id = 0;
  int64_t lines = 0, paid = 0, returned = 0, pending = 0;
  int64_t returned_late = 0;  ///< of `returned`: paid before, returned by this file
  /// Lines that repeat what an earlier file settled (the bank's complete file after a partial
  /// one): nothing changes for them.
  int64_t unchanged = 0;
  Money paid_total, returned_total;
  std::vector<std::string> problems;  ///< when refused: one per bad line (nothing changed)
  /// The same problems for people, without the file's path (bank.import.*), rendered at the edge
  /// in the reader's language; `problems` is their English text after the file's path.
  std::vector<Message> problem_messages;
  std::vector<std::pair<int64_t, std::string>> batches;  ///< batch id -> its status afterwards
};
/// Checks the whole file before anything changes: every reference known and sent by us, once,
/// with the amount we sent (by value), in a batch this user may settle; for pain.002 also the
/// message it answers (OrgnlMsgId / OrgnlPmtInfId: a file edupay exported, with its count and
/// total when echoed, and every line a payment of it). A status given to a whole message or block
/// without transaction lines answers every payment of it (BlockStatus). A payment the bank paid
/// may come back once later (returned, by a transaction line): a late return. A refused file
/// changes nothing and returns the problems; the same file again (by SHA-256) changes nothing. A
/// line for a payment an earlier file settled is `unchanged` when it gives the same answer as its
/// state (paid; returned with the same reason; a late return with the same reason) and a problem
/// when it gives another.
/// Otherwise the answers are recorded in chunks of at most 4,096 lines, each its own transaction
/// (payments paid / returned with the bank's reason), then one last transaction moves budgets
/// committed -> paid / returned (paid -> returned for a late return), settles or partially settles
/// the batches, puts returned money into the ledger, marks the import finished and is audited.
/// An import killed between chunks is finished by importing the same file again (its lines
/// recorded before count as this import's; nothing is settled twice). One import of a file at a
/// time (a lease).
ImportResult importResultFile(BankFileStore& store, security::SecurityStore& audit,
                              const security::User& user, const std::string& path,
                              std::optional<ResultKind> kind);

/// `edupay batch close`: a settled batch, or a partially settled one whose returned money has
/// all been re-issued, is closed (a bureau officer in scope; audited). Refused, with the reason,
/// while a payment is still at the bank or returned money waits.
disburse::Batch closeBatch(BankFileStore& store, security::SecurityStore& audit,
                           const security::User& user, int64_t batch_id);

/// `edupay account update`: a student's corrected payee account (the school administrator of the
/// student's school, or a bureau officer over it). Closes the old account, opens the new one,
/// releases the student's returned payments for re-issue in a later batch; audited (masked).
struct AccountCorrection {
  std::string student;  ///< resident ID or national student number, or:
  std::string payment;  ///< the reference of the student's returned payment
  std::string account, holder, bank_code;
  std::string kind = "student_card";
};
struct CorrectionResult {
  int64_t person_id = 0, account_id = 0, released = 0;
  std::string mask;
};
CorrectionResult correctAccount(registry::RegistryStore& registry, BankFileStore& store,
                                security::SecurityStore& audit, const security::User& user,
                                const security::FieldCipher& cipher, const AccountCorrection& c);

/// `edupay school account set`: a school's basic account, into which fee waivers are paid (one
/// amount per school, programme and term). A bureau officer whose scope covers the school's
/// county (or a sysadmin) records it; the holder is the school's name unless given. The old
/// account is closed, the new one stored encrypted and masked; the school's returned payments
/// become ready for re-issue by the next `batch build`. One transaction, audited (masked).
struct SchoolAccountSetting {
  std::string school, account, bank_code, holder;
};
struct SchoolAccountResult {
  std::string school_code, school_name, mask, holder, bank_code;
  bool changed = false;
  int64_t released = 0;
};
SchoolAccountResult setSchoolAccount(registry::RegistryStore& registry,
                                     security::SecurityStore& audit, const security::User& user,
                                     const security::FieldCipher& cipher,
                                     const SchoolAccountSetting& s);

/// The account the bureau pays from at one bank (付款账户, the 资助专户), as the officer's console
/// lists them.
struct PayerAccount {
  BankConfig bank;
  /// The account in force for the user's region: its own, or one recorded for the city or the
  /// province above it (`payer->region` says which); none when no payment file for the bank can
  /// be written yet.
  std::optional<Payer> payer;
};
/// Every configured bank with the payer account in force for `region`, by bank code. Bureau
/// officers and approvers and auditors read their own region's (`region` empty: the user's scope);
/// a sysadmin any. Error(kForbidden) for other roles or a region outside the user's scope.
std::vector<PayerAccount> payerAccounts(BankFileStore& store, const security::User& user,
                                        std::string region = "");

/// Records the account region `p.region` (empty: the user's scope) pays from at bank
/// `p.bank_code` (`edupay bank payer`, PUT /api/v1/payers/{bank}); the account number is checked
/// (BankAccountNumber) and kept as written, the name as the bank registered it (it goes into every
/// payment file, ISO 20022 Dbtr/Nm). A bureau officer over the region, or a sysadmin.
/// Errors: kForbidden (role or scope), kNotFound (no such bank), kInvalidInput (account number,
/// empty name or one that starts like a formula or holds a control character). One transaction,
/// one audit event (bank.payer, before and after).
Payer setPayerAccount(BankFileStore& store, security::SecurityStore& audit,
                      const security::User& user, Payer p);

}  // namespace edupay::bankfiles
