#include "bankfiles/BankFiles.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "bankfiles/Manifest.h"
#include "common/AtomicFile.h"
#include "common/BankAccountNumber.h"
#include "common/Csv.h"
#include "common/Error.h"
#include "common/Fault.h"
#include "common/Lease.h"
#include "common/Log.h"
#include "common/ResidentId.h"
#include "common/Retry.h"
#include "common/Term.h"
#include "common/Text.h"

namespace edupay::bankfiles {

namespace {

std::string pad(int64_t n, int width) {
  std::string s = std::to_string(n);
  return std::string(s.size() < static_cast<size_t>(width) ? width - s.size() : 0, '0') + s;
}

std::string describe(const disburse::Batch& b) {
  return "batch " + std::to_string(b.id) + " (" + b.programme + " " + b.term + ", county " +
         b.paying_region + ", bank " + b.bank_code + ")";
}

constexpr size_t kPage = 10000;

/// (batch, part) of a pain.001 message id `EDUPAY-B<batch>-P<part>` (PaymentFile.cpp).
std::optional<std::pair<int64_t, int>> parsePainMessageId(const std::string& id) {
  const std::string prefix = "EDUPAY-B";
  const auto p = id.find("-P", prefix.size());
  if (id.rfind(prefix, 0) != 0 || p == std::string::npos) return std::nullopt;
  const std::string batch = id.substr(prefix.size(), p - prefix.size());
  const std::string part = id.substr(p + 2);
  if (batch.empty() || part.empty() || batch.size() > 15 || part.size() > 6 ||
      !text::isAllDigits(batch) || !text::isAllDigits(part))
    return std::nullopt;
  return std::make_pair(std::stoll(batch), std::stoi(part));
}

/// Writes the annex of a payment file to schools, `FILE.students.csv` (UTF-8 with a BOM, as
/// spreadsheets open it) and, for a bank whose files are not UTF-8, the same list in GB18030
/// (`FILE.students.gb18030.csv`, which GBK readers read for every GBK character); atomically and
/// deterministically. Nothing when `rows` is empty (the payments pay students).
std::vector<Annex> writeAnnexes(const std::vector<AnnexRow>& rows, const std::string& path,
                                const std::string& programme, const Layout& layout) {
  std::vector<Annex> out;
  if (rows.empty()) return out;
  Money total;
  for (const auto& r : rows) total += r.amount;
  auto write = [&](TextEncoding encoding, const std::string& suffix, const char* name) {
    std::ostringstream body;
    CsvWriter::Options o;
    o.encoding = encoding;
    o.utf8_bom = encoding == TextEncoding::kUtf8;
    CsvWriter csv(body, o);
    csv.writeRow(annexHeader());
    for (const auto& r : rows) {
      csv.writeRow({std::to_string(r.seq), r.reference, r.school_code, r.school_name, r.name,
                    r.student, r.stage, r.grade, r.class_name, programme, r.amount.toYuan()});
    }
    const std::string file = path + suffix;
    writeFileAtomically(file, body.str());
    out.push_back({file.substr(file.find_last_of('/') + 1), name, security::sha256File(file),
                   static_cast<int64_t>(rows.size()), total});
  };
  write(TextEncoding::kUtf8, ".students.csv", "UTF-8");
  if (layout.encoding != FileEncoding::kUtf8)
    write(TextEncoding::kGb18030, ".students.gb18030.csv", "GB18030");
  return out;
}

}  // namespace

bool ReconcileRow::addsUp() const {
  return entitled_n == paid_n + in_bank_n + approved_n + in_approval_n + unbatched_n &&
         entitled == paid + in_bank + approved + in_approval + unbatched;
}

std::string paymentPurpose(const rules::Policy* policy, const disburse::Batch& b) {
  const Term term = Term::parse(b.term);
  std::string name = b.programme;
  if (policy) {
    for (const auto& p : policy->programmes)
      if (p.code == b.programme) name = p.name_zh;
  }
  return name + std::to_string(term.year()) +
         (term.season() == Term::Season::kAutumn ? "秋" : "春");
}

disburse::EncodingCheck holderEncodingCheck(BankFileStore& store, const LayoutSet& layouts) {
  struct BankFile {
    std::string layout;
    std::shared_ptr<Encoder> encoder;
  };
  auto cache = std::make_shared<std::map<std::string, BankFile>>();
  return [&store, &layouts, cache](
             const std::string& bank_code,
             const std::string& holder) -> std::optional<disburse::Unencodable> {
    auto it = cache->find(bank_code);
    if (it == cache->end()) {
      const auto bank = store.bank(bank_code);
      if (!bank) throw Error(ErrorCode::kNotFound, "bank " + bank_code + " is not configured");
      if (!layouts.has(bank->layout)) {
        throw Error(ErrorCode::kNotFound,
                    "bank " + bank_code + " uses layout \"" + bank->layout +
                        "\", which is not known here; pass --layouts DIR (or EDUPAY_LAYOUT_DIR) "
                        "or choose a known layout (edupay bank set " +
                        bank_code + " --layout L)");
      }
      const Layout& layout = layouts.get(bank->layout);
      it = cache
               ->emplace(bank_code,
                         BankFile{layout.name, std::make_shared<Encoder>(layout.encoding)})
               .first;
    }
    auto characters = it->second.encoder->unencodable(holder);
    if (characters.empty()) return std::nullopt;
    return disburse::Unencodable{it->second.encoder->name(), it->second.layout,
                                 std::move(characters)};
  };
}

namespace {

void checkExportable(const security::User& user, const disburse::Batch& b) {
  if (user.role != security::Role::kBureauOfficer || !user.covers(b.paying_region)) {
    throw Error(ErrorCode::kForbidden, "only a bureau officer whose scope covers county " +
                                           b.paying_region + " exports " + describe(b));
  }
  if (b.status != disburse::BatchStatus::kApproved &&
      b.status != disburse::BatchStatus::kExported && b.status != disburse::BatchStatus::kSettled &&
      b.status != disburse::BatchStatus::kPartiallySettled) {
    throw Error(ErrorCode::kForbidden, "cannot export " + describe(b) + ": it is " +
                                           std::string(disburse::code(b.status)) +
                                           "; only approved batches are exported");
  }
}

disburse::Batch loadExportable(BankFileStore& store, const security::User& user, int64_t batch_id) {
  auto loaded = store.loadBatch(batch_id);
  // Another county's batch reads exactly like one that does not exist (as through the API).
  if (!loaded ||
      (user.role == security::Role::kBureauOfficer && !user.covers(loaded->paying_region)))
    throw Error(ErrorCode::kNotFound, "no batch " + std::to_string(batch_id) + " in your scope");
  checkExportable(user, *loaded);
  return *loaded;
}

/// Removes a staging folder left by a killed export (its files were never published).
void removeStaging(const std::string& dir) {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  if (ec) {
    throw Error(ErrorCode::kUnavailable,
                "cannot remove the unfinished export " + dir + ": " + ec.message() +
                    "; remove it by hand and export again (无法删除未完成的导出目录)");
  }
}

/// The plan an export follows: the one recorded for the batch's approval round, or a new one
/// (recorded and committed before any file is written), or, for a batch exported before plans
/// were recorded, the one its first export's files show.
ExportPlan planExport(BankFileStore& store, const security::User& user, int64_t batch_id,
                      const LayoutSet& layouts, const std::string& purpose) {
  auto tx = store.transaction();
  const disburse::Batch b = loadExportable(store, user, batch_id);
  const bool approved = b.status == disburse::BatchStatus::kApproved;
  const auto bank = store.bank(b.bank_code);
  if (!bank) throw Error(ErrorCode::kNotFound, "bank " + b.bank_code + " is not configured");
  if (auto p = store.exportPlan(batch_id); p && (!approved || p->batch_version == b.version)) {
    // The bank has the files of the plan's layout; it now expects another one.
    if (!approved && bank->layout != p->layout) {
      throw Error(ErrorCode::kConflict,
                  "re-exporting " + describe(b) +
                      " would not give the bytes sent the first time (the bank's layout changed "
                      "since, from " +
                      p->layout + " to " + bank->layout + "); the files of " + p->created_on +
                      " stay as they are");
    }
    return *p;
  }
  const Layout& layout = layouts.get(bank->layout);
  ExportPlan plan;
  plan.batch_id = batch_id;
  plan.batch_version = b.version;
  plan.layout = layout.name;
  plan.max_lines = layout.max_lines;
  plan.purpose = purpose;
  plan.planned_by = user.name;
  plan.planned_at = security::nowIso();
  const auto recorded = approved ? std::vector<ExportedFile>{} : store.exportedFiles(batch_id);
  // A re-export pays from the account the first export named, whatever was configured since.
  auto payer = recorded.empty()
                   ? store.payer(b.paying_region, b.bank_code)
                   : std::optional<Payer>(Payer{b.paying_region, b.bank_code,
                                                recorded[0].payer_account, recorded[0].payer_name});
  if (!payer) {
    throw Error(ErrorCode::kNotFound,
                "no payer account for county " + b.paying_region + " at bank " + b.bank_code +
                    "; record the bureau's account first: edupay bank payer --region " +
                    b.paying_region + " --bank " + b.bank_code + " --account N --name NAME");
  }
  plan.payer_account = payer->account;
  plan.payer_name = payer->name;
  plan.created_on = approved ? Date::today().str() : store.exportedOn(batch_id);
  if (approved) {
    store.saveExportPlan(plan);
    tx->commit();
    fault::point("export.planned");
  }
  return plan;
}

}  // namespace

static ExportResult exportBatchAttempt(BankFileStore& store, security::SecurityStore& audit,
                                       const security::User& user, int64_t batch_id,
                                       const std::string& out_dir, const LayoutSet& layouts,
                                       const security::FieldCipher& cipher,
                                       const security::SigningKey& key,
                                       const std::string& purpose) {
  checkExportable(user, loadExportable(store, user, batch_id));
  // One export of a batch at a time: a second one would write into the same staging folder.
  Lease lease(store.leases(), "export:batch:" + std::to_string(batch_id),
              "the export of batch " + std::to_string(batch_id), 600, 120);
  const std::string prefix = "B" + pad(batch_id, 6) + "-";
  const std::string staging = out_dir + "/.staging-B" + pad(batch_id, 6);
  // What a killed export left: its staged files (never published) and temp files.
  removeStaging(staging);
  removeStaleTempsIn(out_dir, prefix);
  const ExportPlan plan = planExport(store, user, batch_id, layouts, purpose);
  const Layout& layout = layouts.get(plan.layout);
  if (::mkdir(staging.c_str(), 0700) != 0) {
    throw Error(ErrorCode::kUnavailable, "cannot create " + staging + ": " + std::strerror(errno) +
                                             " (无法创建导出暂存目录)");
  }
  // Whatever fails from here on (a refused re-export, a full disk, a lost connection) leaves no
  // staged file with account numbers behind.
  struct StagingGuard {
    const std::string& dir;
    ~StagingGuard() {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  } staging_guard{staging};

  auto tx = store.transaction();
  ExportResult r;
  r.batch = loadExportable(store, user, batch_id);
  const disburse::Batch& b = r.batch;
  r.again = b.status != disburse::BatchStatus::kApproved;
  if (!r.again && b.version != plan.batch_version) {
    throw Error(ErrorCode::kConflict,
                describe(b) + " was changed by someone else meanwhile; try again");
  }
  const auto recorded = r.again ? store.exportedFiles(batch_id) : std::vector<ExportedFile>{};
  const std::string& date = plan.created_on;
  const auto parts = store.partTotals(batch_id, plan.max_lines);
  std::vector<ExportedFile> files;
  std::vector<std::string> staged;  // in publishing order: the payment file last of its part
  for (const auto& part : parts) {
    ExportedFile f;
    f.part = part.part;
    f.layout = layout.name;
    f.count = part.count;
    f.total = part.total;
    f.key_id = key.keyId();
    f.payer_account = plan.payer_account;
    f.payer_name = plan.payer_name;
    f.file_name = prefix + b.bank_code + "-" + b.paying_region + "-" + b.programme + "-" + b.term +
                  "-p" + pad(part.part, 2) + layout.extension();
    const std::string path = staging + "/" + f.file_name;
    FileHeader h;
    h.batch = b.id;
    h.part = part.part;
    h.parts = static_cast<int>(parts.size());
    h.bank_code = b.bank_code;
    h.payer_account = plan.payer_account;
    h.payer_name = plan.payer_name;
    h.purpose = plan.purpose;
    h.date = *Date::parse(date);
    h.count = part.count;
    h.total = part.total;
    AtomicFileWriter out(path);
    auto writer = makeWriter(layout, out.stream(), h);
    int64_t after = part.first_seq - 1;
    for (;;) {
      const auto rows = store.exportRows(batch_id, after + 1, part.last_seq, kPage);
      for (const auto& row : rows) {
        PaymentLine line;
        line.seq = row.seq;
        line.reference = row.reference;
        line.holder = row.holder;
        line.amount = row.amount;
        if (row.acct_enc.empty()) {
          throw Error(ErrorCode::kInvalidInput,
                      "payment " + std::to_string(row.seq) + " (" + row.reference + ") of " +
                          describe(b) + " pays " + row.holder +
                          " and carries no account; remove it from the batch (it is paid again "
                          "by the next build once the account is on file)");
        }
        line.account = cipher.decrypt("bank_account", row.acct_enc);
        writer->add(line);
        after = row.seq;
      }
      fault::point("export.page");
      if (rows.size() < kPage) break;
    }
    f.sha256 = writer->finish();
    for (const auto& old : recorded) {
      if (old.part == f.part && old.sha256 != f.sha256) {
        throw Error(ErrorCode::kConflict,
                    "re-exporting " + describe(b) +
                        " would not give the bytes sent the first "
                        "time (the bank's layout changed since); the files of " +
                        date + " stay as they are");
      }
    }
    out.commit();
    // Payments to schools: the students each covers, beside the file, fixed by the manifest.
    const auto annexes = writeAnnexes(store.annexRows(batch_id, part.first_seq, part.last_seq),
                                      path, b.programme, layout);
    Manifest m;
    m.annexes = annexes;
    m.batch = b.id;
    m.file = f.file_name;
    m.part = f.part;
    m.parts = h.parts;
    m.layout = layout.name;
    m.bank = b.bank_code;
    m.payer_account = plan.payer_account;
    m.count = f.count;
    m.total = f.total;
    m.sha256 = f.sha256;
    m.created = date;
    m.key_id = f.key_id;
    writeSignedManifest(path, m, key);
    for (const auto& a : annexes) staged.push_back(a.file);
    for (const auto& p : {manifestPath(path), signaturePath(path)})
      staged.push_back(p.substr(p.find_last_of('/') + 1));
    staged.push_back(f.file_name);
    r.paths.push_back(out_dir + "/" + f.file_name);
    files.push_back(std::move(f));
  }
  fault::point("export.staged");
  std::string files_summary;
  for (const auto& f : files)
    files_summary += (files_summary.empty() ? "" : ", ") + f.file_name + " sha256 " + f.sha256;
  if (!r.again) {
    if (!store.markExported(batch_id, b.version, date, files)) {
      throw Error(ErrorCode::kConflict,
                  describe(b) + " was changed by someone else meanwhile; try again");
    }
    r.batch.status = disburse::BatchStatus::kExported;
    r.batch.version = b.version + 1;
  }
  security::appendAudit(audit, user.name, r.again ? "batch.export_again" : "batch.export",
                        "batch:" + std::to_string(b.id),
                        r.again ? std::string(disburse::code(b.status)) : "approved",
                        std::to_string(b.payment_count) + " payments, " + b.total.toYuan() +
                            " yuan, layout " + layout.name + ": " + files_summary);
  fault::point("export.before_commit");
  tx->commit();
  fault::point("export.committed");
  // Published only now that the database says exported: a file under its final name is always
  // one the bank may pay. Each part's payment file comes after its annexes and signed manifest.
  for (const auto& name : staged) {
    renameDurably(staging + "/" + name, out_dir + "/" + name);
    fault::point("export.published_one");
  }
  log::event("edupay.bankfiles", r.again ? "payment files written again" : "payment files written",
             {{"batch", std::to_string(b.id)},
              {"count", std::to_string(b.payment_count)},
              {"total_fen", std::to_string(b.total.fen())},
              {"layout", layout.name},
              {"files", files_summary},
              {"actor", user.name}});
  return r;
}

static ImportResult importResultFileAttempt(BankFileStore& store, security::SecurityStore& audit,
                                            const security::User& user, const std::string& path,
                                            std::optional<ResultKind> kind) {
  if (user.role != security::Role::kBankOperator && user.role != security::Role::kBureauOfficer) {
    throw Error(ErrorCode::kForbidden,
                "only a bank operator (for their bank) or a bureau officer (for their region) "
                "imports result files");
  }
  ImportResult r;
  const std::string digest = security::sha256File(path);
  const std::string base = path.substr(path.find_last_of('/') + 1);
  // One import of a file at a time: a second process waits for the first, then finds it done.
  Lease lease(store.leases(), "result:" + digest.substr(0, 32), "the import of result file " + base,
              600, 120);
  // An import killed after some of its chunks committed is resumed by the same file again.
  int64_t resumed = 0;
  if (auto id = store.resultImportByDigest(digest)) {
    if (store.resultImportFinished(*id)) {
      r.already_imported = true;
      r.import_id = *id;
      return r;
    }
    resumed = *id;
  }
  if (auto what = notAResultFile(path)) throw Error(ErrorCode::kInvalidInput, base + ": " + *what);
  const ResultKind k = kind ? *kind : detectResultKind(path);
  const std::string today = Date::today().str();
  r.import_id = resumed;
  constexpr size_t kMaxProblems = 1000;
  int64_t more_problems = 0;
  auto fileProblem = [&](const std::string& what) {
    if (r.problems.size() < kMaxProblems) {
      r.problems.push_back(path + ": " + what);
    } else {
      ++more_problems;
    }
  };
  auto problem = [&](const ResultLine& l, const std::string& what) {
    fileProblem((!l.from_status.empty()      ? l.from_status
                 : k == ResultKind::kPain002 ? "transaction " + std::to_string(l.line)
                                             : "line " + std::to_string(l.line)) +
                ": reference " + l.reference + ": " + what);
  };
  // The pain.001 messages the file answers, by id (nullopt: edupay never sent it; said once).
  std::map<std::string, std::optional<SentFile>> messages;
  auto message = [&](const std::string& id) -> const std::optional<SentFile>& {
    auto it = messages.find(id);
    if (it != messages.end()) return it->second;
    std::optional<SentFile> f;
    if (const auto bp = parsePainMessageId(id)) f = store.sentFile(bp->first, bp->second);
    if (!f) {
      fileProblem("answers message " + id +
                  ", which edupay never sent (its pain.001 files are EDUPAY-B<batch>-P<part>); "
                  "ask the bank which file this answers");
    }
    return messages.emplace(id, f).first->second;
  };
  // Two passes over the file. The check writes nothing: every line is checked before anything
  // changes, so a refused file changes nothing. The apply pass then commits chunk by chunk (a
  // bounded write set each); the import's row says it is unfinished until the last commit, so a
  // killed import is finished by the same file again.
  bool applying = false;
  std::vector<ResultLine> chunk;
  std::vector<BankFileStore::Settlement> answers, late;
  std::vector<bool> answered;                 // by payment id: answered by a line of this file
  std::unordered_set<int64_t> unchanged_ids;  // payments this file repeats an earlier answer for
  auto firstAnswer = [&](int64_t id) {
    const auto i = static_cast<size_t>(id);
    if (i >= answered.size()) answered.resize(std::max(i + 1, answered.size() * 2));
    if (answered[i]) return false;
    answered[i] = true;
    return true;
  };
  auto count = [&](Outcome outcome, Money amount) {
    if (outcome == Outcome::kPaid) {
      ++r.paid;
      r.paid_total += amount;
    } else {
      ++r.returned;
      r.returned_total += amount;
    }
  };
  auto check = [&](const ResultLine& l, const std::optional<SentPayment>& p) {
    ++r.lines;
    if (!p) {
      problem(l, "not a payment edupay sent");
      return;
    }
    if (user.role == security::Role::kBankOperator && user.scope != p->bank_code) {
      problem(l, "belongs to bank " + p->bank_code + ", not to bank " + user.scope);
      return;
    }
    if (user.role == security::Role::kBureauOfficer && !user.covers(p->paying_region)) {
      problem(l, "is paid by county " + p->paying_region + ", outside scope " + user.scope);
      return;
    }
    for (const std::string* id : {&l.message_id, &l.block_id}) {
      if (id->empty()) continue;
      const auto& m = message(*id);
      if (!m) return;  // said once for the whole message
      if (p->batch_id != m->batch_id || p->seq < m->first_seq || p->seq > m->last_seq) {
        problem(l, "is not a payment of message " + *id + " (file " + std::to_string(m->part) +
                       " of batch " + std::to_string(m->batch_id) + ")");
        return;
      }
    }
    if (l.amount && *l.amount != p->amount) {
      problem(l, "amount " + l.amount->toYuan() + " differs from the " + p->amount.toYuan() +
                     " yuan sent");
      return;
    }
    if (p->status == "removed" || p->batch_status == "draft" || p->batch_status == "submitted" ||
        p->batch_status == "approved" || p->batch_status == "rejected") {
      problem(l, "its batch " + std::to_string(p->batch_id) + " (" + p->batch_status +
                     ") has not been exported");
      return;
    }
    if (resumed != 0 && (p->result_import_id == resumed || p->late_import_id == resumed)) {
      // Applied by this import before it was stopped: counted as the answer it recorded.
      if (!firstAnswer(p->id)) {
        problem(l, "appears twice in the file");
      } else if (p->late_import_id == resumed) {
        ++r.returned_late;
        count(Outcome::kReturned, p->amount);
      } else {
        count(p->outcome == "paid" ? Outcome::kPaid : Outcome::kReturned, p->amount);
      }
      return;
    }
    // Money the bank paid may come back once, later, on a transaction line of its own (a
    // message refused as a whole never paid anything).
    const bool returned_late = p->outcome == "paid" && p->late_import_id == 0 &&
                               l.outcome == Outcome::kReturned && l.from_status.empty();
    if (!p->outcome.empty() && !returned_late) {
      // The bank's complete file after a partial one repeats what the partial one settled.
      const std::pair<std::string, std::string> reason{l.reason_code, l.reason_text};
      const bool agrees = p->late_import_id != 0
                              ? l.outcome == Outcome::kReturned && reason == p->late_reason
                              : (l.outcome == Outcome::kPaid && p->outcome == "paid") ||
                                    (l.outcome == Outcome::kReturned && p->outcome == "returned" &&
                                     reason == p->reason);
      if (agrees) {
        if (unchanged_ids.insert(p->id).second) {
          ++r.unchanged;
        } else {
          problem(l, "appears twice in the file");
        }
      } else if (p->late_import_id != 0) {
        problem(l,
                "was paid, then returned by an earlier result file; a re-issue is a new "
                "payment with its own reference");
      } else {
        problem(l, "was already settled (" + p->outcome +
                       ") by an earlier result file, which this line contradicts; ask the bank "
                       "which answer is right");
      }
      return;
    }
    if (l.outcome == Outcome::kPending) {
      ++r.pending;
      return;
    }
    if (!firstAnswer(p->id)) {
      problem(l, "appears twice in the file");
      return;
    }
    if (returned_late) ++r.returned_late;
    count(l.outcome, p->amount);
  };
  // The apply pass, for a file the check passed: what is not yet recorded.
  auto apply = [&](const ResultLine& l, const std::optional<SentPayment>& p) {
    if (!p || l.outcome == Outcome::kPending) return;
    if (p->result_import_id == r.import_id || p->late_import_id == r.import_id) return;
    const bool returned_late = p->outcome == "paid" && p->late_import_id == 0 &&
                               l.outcome == Outcome::kReturned && l.from_status.empty();
    if (!p->outcome.empty() && !returned_late) return;  // unchanged
    const BankFileStore::Settlement answer{p->id, l.outcome, l.reason_code, l.reason_text,
                                           l.bank_txn_id};
    (returned_late ? late : answers).push_back(answer);
  };
  auto flush = [&] {
    if (chunk.empty()) return;
    std::vector<std::string> refs;
    refs.reserve(chunk.size());
    for (const auto& l : chunk) refs.push_back(l.reference);
    const auto found = store.paymentsByReference(refs);
    answers.clear();
    late.clear();
    for (size_t i = 0; i < chunk.size(); ++i) {
      if (applying) {
        apply(chunk[i], found[i]);
      } else {
        check(chunk[i], found[i]);
      }
    }
    chunk.clear();
    if (!applying || (answers.empty() && late.empty())) return;
    auto tx = store.transaction();
    if (!answers.empty()) store.settle(answers, r.import_id, today);
    if (!late.empty()) store.returnLate(late, r.import_id, today);
    tx->commit();
    fault::point("import.chunk");
  };
  auto add = [&](ResultLine l) {
    l.reason_text = text::cutUtf8(l.reason_text, 100);
    l.reason_code = text::cutUtf8(l.reason_code, 30);
    l.bank_txn_id = text::cutUtf8(l.bank_txn_id, 60);
    chunk.push_back(std::move(l));
    if (chunk.size() >= fault::chunk(4096)) flush();
  };
  bool answered_whole = false;
  auto pass = [&] {
    const ResultSummary summary = readResultFile(path, k, add);
    flush();
    if (!applying && k == ResultKind::kPain002 && summary.message_id.empty())
      fileProblem("names no original message (OrgnlGrpInfAndSts/OrgnlMsgId)");
    for (const auto& b : summary.blocks) {
      if (b.original_id.empty()) continue;
      const auto& m = message(b.original_id);
      if (!m) continue;
      const std::string what =
          std::string(b.group ? "group status " : "payment information status ") +
          (b.status.empty() ? "" : b.status + " ") + "of " + b.original_id;
      if (!applying && b.count && *b.count != m->count) {
        fileProblem(what + ": OrgnlNbOfTxs " + std::to_string(*b.count) + " differs from the " +
                    std::to_string(m->count) + " payments edupay sent in it");
      }
      if (!applying && b.total && *b.total != m->total) {
        fileProblem(what + ": OrgnlCtrlSum " + b.total->toYuan() + " differs from the " +
                    m->total.toYuan() + " yuan edupay sent in it");
      }
      if (!b.applies) continue;
      answered_whole = true;
      if (b.outcome == Outcome::kPending) {
        if (applying) continue;
        // Received or accepted, not yet paid: the payments stay at the bank.
        if (user.role == security::Role::kBankOperator && user.scope != m->bank_code) {
          fileProblem(what + ": belongs to bank " + m->bank_code + ", not to bank " + user.scope);
        } else if (user.role == security::Role::kBureauOfficer && !user.covers(m->paying_region)) {
          fileProblem(what + ": is paid by county " + m->paying_region + ", outside scope " +
                      user.scope);
        } else {
          r.pending += m->count;
        }
        continue;
      }
      // Every payment of the message or block gets this answer, as if listed line by line.
      int64_t after = m->first_seq - 1;
      for (;;) {
        const auto rows = store.exportRows(m->batch_id, after + 1, m->last_seq, kPage);
        for (const auto& row : rows) {
          ResultLine l;
          l.line = row.seq;
          l.reference = row.reference;
          l.outcome = b.outcome;
          l.reason_code = b.reason_code;
          l.reason_text = b.reason_text;
          l.message_id = b.original_id;
          l.from_status = what;
          add(std::move(l));
          after = row.seq;
        }
        if (rows.size() < kPage) break;
      }
      flush();
    }
  };
  pass();
  if (r.lines == 0 && !answered_whole)
    r.problems.push_back(path + ": the file has no result lines");
  if (more_problems)
    r.problems.push_back("... and " + std::to_string(more_problems) + " more problems");
  if (!r.problems.empty()) return r;  // nothing changed
  if (resumed == 0) {
    auto tx = store.transaction();
    r.import_id = store.beginResultImport(digest, base, user.name, security::nowIso());
    tx->commit();
    fault::point("import.begun");
  }
  applying = true;
  answered = {};
  pass();

  auto tx = store.transaction();
  for (const auto& s : store.settledBy(r.import_id)) {
    const int fy = Term::parse(s.term).year();
    const std::pair<const char*, Money> shares[] = {
        {"central", s.central}, {"provincial", s.provincial}, {"county", s.county}};
    for (const auto& [source, amount] : shares) {
      if (amount.fen() == 0) continue;
      if (s.status == "returned_late") {
        store.returnBudget(s.programme, s.region, fy, source, amount);
      } else {
        store.settleBudget(s.programme, s.region, fy, source, s.status == "paid" ? amount : Money(),
                           s.status == "returned" ? amount : Money());
      }
    }
    bool seen = false;
    for (const auto& [id, st] : r.batches) seen |= id == s.batch_id;
    if (!seen) r.batches.emplace_back(s.batch_id, "");
  }
  for (auto& [id, st] : r.batches) st = store.settleBatch(id);
  store.recordReturned(r.import_id, today);
  store.finishResultImport(r.import_id, r.lines, r.paid, r.returned, r.pending);
  std::string batches;
  for (const auto& [id, st] : r.batches)
    batches += (batches.empty() ? "" : ", ") + std::to_string(id) + " " + st;
  security::appendAudit(
      audit, user.name, "bank.import_result", "result:" + std::to_string(r.import_id), "",
      base + " sha256 " + digest + ": " + std::to_string(r.paid) + " paid (" +
          r.paid_total.toYuan() + "), " + std::to_string(r.returned) + " returned (" +
          r.returned_total.toYuan() + "; " + std::to_string(r.returned_late) +
          " of them after being paid), " + std::to_string(r.pending) + " pending, " +
          std::to_string(r.unchanged) + " unchanged; batches " + batches);
  fault::point("import.before_commit");
  tx->commit();
  fault::point("import.committed");
  log::event("edupay.bankfiles", "bank result imported",
             {{"file", base},
              {"sha256", digest},
              {"paid", std::to_string(r.paid)},
              {"returned", std::to_string(r.returned)},
              {"pending", std::to_string(r.pending)},
              {"batches", batches},
              {"actor", user.name}});
  return r;
}

static disburse::Batch closeBatchAttempt(BankFileStore& store, security::SecurityStore& audit,
                                         const security::User& user, int64_t batch_id) {
  auto tx = store.transaction();
  auto loaded = store.loadBatch(batch_id);
  // Another county's batch reads exactly like one that does not exist.
  if (!loaded ||
      (user.role == security::Role::kBureauOfficer && !user.covers(loaded->paying_region)))
    throw Error(ErrorCode::kNotFound, "no batch " + std::to_string(batch_id) + " in your scope");
  disburse::Batch b = *loaded;
  if (user.role != security::Role::kBureauOfficer) {
    throw Error(ErrorCode::kForbidden, "only a bureau officer whose scope covers county " +
                                           b.paying_region + " closes " + describe(b));
  }
  if (b.status != disburse::BatchStatus::kSettled &&
      b.status != disburse::BatchStatus::kPartiallySettled) {
    throw Error(ErrorCode::kForbidden,
                "cannot close " + describe(b) + ": it is " + std::string(disburse::code(b.status)) +
                    "; a batch is closed once the bank has answered for every payment");
  }
  if (const int64_t open = store.openReturns(batch_id)) {
    throw Error(ErrorCode::kForbidden,
                "cannot close " + describe(b) + ": " + std::to_string(open) +
                    " returned payment(s) wait for a corrected account and a re-issue "
                    "(edupay bank returned)");
  }
  if (!store.transition(b.id, b.version, disburse::BatchStatus::kClosed, b.cycle)) {
    throw Error(ErrorCode::kConflict,
                describe(b) + " was changed by someone else meanwhile; look at it again");
  }
  const std::string before(disburse::code(b.status));
  b.status = disburse::BatchStatus::kClosed;
  ++b.version;
  security::appendAudit(audit, user.name, "batch.close", "batch:" + std::to_string(b.id), before,
                        "closed");
  tx->commit();
  return b;
}

static CorrectionResult correctAccountAttempt(registry::RegistryStore& registry,
                                              BankFileStore& store, security::SecurityStore& audit,
                                              const security::User& user,
                                              const security::FieldCipher& cipher,
                                              const AccountCorrection& c) {
  std::string why;
  const auto account = BankAccountNumber::parse(c.account, &why);
  if (!account) throw Error(ErrorCode::kInvalidInput, "--account: " + why);
  const std::string holder = text::trim(c.holder);
  if (holder.empty()) throw Error(ErrorCode::kInvalidInput, "--holder: the account holder's name");
  if (text::startsLikeFormula(holder) || text::controlCharacter(holder)) {
    throw Error(ErrorCode::kInvalidInput,
                "--holder: a name cannot start with = + - @ (a spreadsheet reads it as a formula) "
                "or hold a control character; type the name the bank records (户名不能以 = + - @ "
                "开头或含控制字符，请按银行登记的户名填写)");
  }
  if (c.bank_code.size() != 12 || !text::isAllDigits(c.bank_code))
    throw Error(ErrorCode::kInvalidInput, "--bank-code: the 12-digit CNAPS code of the branch");
  if (c.kind != "student_card" && c.kind != "one_card" && c.kind != "passbook" &&
      c.kind != "social_security")
    throw Error(ErrorCode::kInvalidInput,
                "--kind: student_card, one_card, passbook or social_security");
  if (user.role != security::Role::kSchoolAdmin && user.role != security::Role::kBureauOfficer) {
    throw Error(ErrorCode::kForbidden,
                "only the student's school administrator or a bureau officer over the school "
                "corrects an account");
  }
  // Out of scope reads exactly like unknown, so an answer never tells that a payment or a
  // student exists elsewhere.
  const std::string unknown = c.payment.empty()
                                  ? "no such student in your scope"
                                  : "no payment with reference " + c.payment + " in your scope";
  std::optional<std::string> rid_hash;
  std::string student_no;
  std::optional<int64_t> by_payment;
  if (!c.payment.empty()) {
    if (const auto school = store.schoolOfPayment(c.payment)) {
      throw Error(ErrorCode::kInvalidInput,
                  "payment " + c.payment + " pays school " + *school +
                      ", not a student; correct the school's account: edupay school account set " +
                      *school + " --account N --bank-code CNAPS");
    }
    by_payment = store.personOfPayment(c.payment);
    if (!by_payment) throw Error(ErrorCode::kNotFound, unknown);
  } else if (auto rid = ResidentId::parse(c.student)) {
    rid_hash = cipher.blindIndex("resident_id", rid->str());
  } else if (auto no = StudentNumber::parse(c.student)) {
    student_no = no->str();
  } else {
    throw Error(ErrorCode::kInvalidInput,
                "--student: a resident ID or national student number (G/J/L + 18), or --payment "
                "REFERENCE of the returned payment");
  }
  auto tx = store.transaction();
  const auto rec =
      by_payment ? registry.studentById(*by_payment) : registry.findStudent(rid_hash, student_no);
  if (!rec) throw Error(ErrorCode::kNotFound, unknown);
  std::string school;
  for (const auto& e : rec->enrollments)
    if (e.status == "active" || school.empty()) school = e.school_code;
  const std::string region = registry.schoolRegion(school);
  const bool allowed =
      (user.role == security::Role::kSchoolAdmin && user.covers(school)) ||
      (user.role == security::Role::kBureauOfficer && !region.empty() && user.covers(region));
  if (!allowed) throw Error(ErrorCode::kNotFound, unknown);
  registry::RegistryStore::AccountUpdate u;
  u.kind = c.kind;
  u.owner = holder == rec->name ? "student" : "guardian";
  u.hash = cipher.blindIndex("bank_account", account->str());
  u.enc = cipher.encrypt("bank_account", account->str());
  u.mask = account->masked();
  u.bank_code = c.bank_code;
  u.holder = holder;
  u.luhn_ok = account->luhnValid();
  u.as_of = Date::today().str();
  CorrectionResult r;
  r.person_id = rec->person_id;
  r.mask = u.mask;
  r.account_id = registry.replaceAccount(rec->person_id, u);
  r.released = store.releaseReturned(rec->person_id, r.account_id);
  security::appendAudit(audit, user.name, "account.update",
                        "person:" + std::to_string(rec->person_id), "",
                        c.kind + " " + u.mask + " at " + c.bank_code + ", holder " + holder + "; " +
                            std::to_string(r.released) + " returned payment(s) released");
  tx->commit();
  return r;
}

static SchoolAccountResult setSchoolAccountAttempt(registry::RegistryStore& registry,
                                                   security::SecurityStore& audit,
                                                   const security::User& user,
                                                   const security::FieldCipher& cipher,
                                                   const SchoolAccountSetting& s) {
  auto tx = registry.transaction();
  const std::string region = registry.schoolRegion(s.school);
  // A school of another county reads exactly like one that does not exist, whatever was sent.
  if (region.empty() || (user.role == security::Role::kBureauOfficer && !user.covers(region)))
    throw Error(ErrorCode::kNotFound, "no school " + s.school + " in your scope");
  const bool allowed = user.role == security::Role::kSysadmin ||
                       (user.role == security::Role::kBureauOfficer && user.covers(region));
  if (!allowed) {
    throw Error(ErrorCode::kForbidden,
                "only a bureau officer whose scope covers county " + region +
                    " (or a sysadmin) records school " + s.school + "'s account; " + user.name +
                    " is " + std::string(security::code(user.role)) + " over " + user.scope);
  }
  std::string why;
  const auto account = BankAccountNumber::parse(s.account, &why);
  if (!account) throw Error(ErrorCode::kInvalidInput, "account: " + why);
  if (s.bank_code.size() != 12 || !text::isAllDigits(s.bank_code)) {
    throw Error(ErrorCode::kInvalidInput,
                "bank code: the 12-digit CNAPS code of the school's branch (开户行行号)");
  }
  std::string school_name;
  for (const auto& sc : registry.listSchools())
    if (sc.code == s.school) school_name = sc.name;
  const std::string holder = text::trim(s.holder).empty() ? school_name : text::trim(s.holder);
  if (text::startsLikeFormula(holder) || text::controlCharacter(holder)) {
    throw Error(ErrorCode::kInvalidInput,
                "--holder: a name cannot start with = + - @ or hold a control character; type the "
                "name the bank records (the school's registered name)");
  }
  const auto before = registry.schoolAccount(s.school);
  registry::RegistryStore::SchoolAccountUpdate u{cipher.blindIndex("bank_account", account->str()),
                                                 cipher.encrypt("bank_account", account->str()),
                                                 account->masked(),
                                                 s.bank_code,
                                                 holder,
                                                 Date::today().str(),
                                                 user.name};
  const auto change = registry.replaceSchoolAccount(s.school, u);
  SchoolAccountResult r{s.school,    school_name,    u.mask,         holder,
                        s.bank_code, change.changed, change.released};
  if (change.changed) {
    security::appendAudit(
        audit, user.name, "school.account", "school:" + s.school,
        before ? before->acct_mask + " at " + before->bank_code + ", holder " + before->holder : "",
        u.mask + " at " + s.bank_code + ", holder " + holder + "; " +
            std::to_string(change.released) + " returned payment(s) released for re-issue");
  }
  tx->commit();
  return r;
}

// Each use case runs again whole after a certification conflict or a lost node (retryUnit). Export
// and result import are naturally idempotent besides: an export of an exported batch writes the
// same files again, and a result file already imported (found by its SHA-256) changes nothing.
ExportResult exportBatch(BankFileStore& store, security::SecurityStore& audit,
                         const security::User& user, int64_t batch_id, const std::string& out_dir,
                         const LayoutSet& layouts, const security::FieldCipher& cipher,
                         const security::SigningKey& key, const std::string& purpose) {
  return retryUnit("bankfiles.exportBatch", [&] {
    return exportBatchAttempt(store, audit, user, batch_id, out_dir, layouts, cipher, key, purpose);
  });
}

ImportResult importResultFile(BankFileStore& store, security::SecurityStore& audit,
                              const security::User& user, const std::string& path,
                              std::optional<ResultKind> kind) {
  return retryUnit("bankfiles.importResultFile",
                   [&] { return importResultFileAttempt(store, audit, user, path, kind); });
}

disburse::Batch closeBatch(BankFileStore& store, security::SecurityStore& audit,
                           const security::User& user, int64_t batch_id) {
  return retryUnit("bankfiles.closeBatch",
                   [&] { return closeBatchAttempt(store, audit, user, batch_id); });
}

CorrectionResult correctAccount(registry::RegistryStore& registry, BankFileStore& store,
                                security::SecurityStore& audit, const security::User& user,
                                const security::FieldCipher& cipher, const AccountCorrection& c) {
  return retryUnit("bankfiles.correctAccount",
                   [&] { return correctAccountAttempt(registry, store, audit, user, cipher, c); });
}

SchoolAccountResult setSchoolAccount(registry::RegistryStore& registry,
                                     security::SecurityStore& audit, const security::User& user,
                                     const security::FieldCipher& cipher,
                                     const SchoolAccountSetting& s) {
  return retryUnit("bankfiles.setSchoolAccount",
                   [&] { return setSchoolAccountAttempt(registry, audit, user, cipher, s); });
}

}  // namespace edupay::bankfiles
