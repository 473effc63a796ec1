#include <sys/stat.h>

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

#include "bankfiles/UseCaseParts.h"

namespace edupay::bankfiles {

using detail::describe;

namespace {

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

void checkExportable(const security::User& user, const disburse::Batch& b) {
  if (user.role != security::Role::kBureauOfficer || !user.covers(b.paying_region)) {
    throw Error(ErrorCode::kForbidden,
                msg("bank.export.forbidden",
                    {arg("county", b.paying_region), arg("batch", detail::batchMessage(b))}));
  }
  if (b.status != disburse::BatchStatus::kApproved &&
      b.status != disburse::BatchStatus::kExported && b.status != disburse::BatchStatus::kSettled &&
      b.status != disburse::BatchStatus::kPartiallySettled) {
    throw Error(ErrorCode::kForbidden, msg("bank.export.not_approved",
                                           {arg("batch", detail::batchMessage(b)),
                                            batchStatusWords("status", disburse::code(b.status))}));
  }
}

disburse::Batch loadExportable(BankFileStore& store, const security::User& user, int64_t batch_id) {
  auto loaded = store.loadBatch(batch_id);
  // Another county's batch reads exactly like one that does not exist (as through the API).
  if (!loaded ||
      (user.role == security::Role::kBureauOfficer && !user.covers(loaded->paying_region)))
    throw Error(ErrorCode::kNotFound,
                msg("bank.batch.not_found", {arg("batch", std::to_string(batch_id))}));
  checkExportable(user, *loaded);
  return *loaded;
}

/// Removes a staging folder left by a killed export (its files were never published).
void removeStaging(const std::string& dir) {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  if (ec) {
    throw Error(ErrorCode::kUnavailable,
                msg("bank.export.cannot_remove", {arg("dir", dir), arg("why", ec.message())}));
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
  if (!bank)
    throw Error(ErrorCode::kNotFound, msg("bank.not_configured", {arg("bank", b.bank_code)}));
  if (auto p = store.exportPlan(batch_id); p && (!approved || p->batch_version == b.version)) {
    // The bank has the files of the plan's layout; it now expects another one.
    if (!approved && bank->layout != p->layout) {
      throw Error(ErrorCode::kConflict,
                  msg("bank.export.layout_changed",
                      {arg("batch", detail::batchMessage(b)), arg("from", p->layout),
                       arg("to", bank->layout), arg("date", p->created_on)}));
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
    throw Error(ErrorCode::kNotFound, msg("bank.export.no_payer", {arg("county", b.paying_region),
                                                                   arg("bank", b.bank_code)}));
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
  const std::string prefix = "B" + text::zeroPad(batch_id, 6) + "-";
  const std::string staging = out_dir + "/.staging-B" + text::zeroPad(batch_id, 6);
  // What a killed export left: its staged files (never published) and temp files.
  removeStaging(staging);
  removeStaleTempsIn(out_dir, prefix);
  const ExportPlan plan = planExport(store, user, batch_id, layouts, purpose);
  const Layout& layout = layouts.get(plan.layout);
  if (::mkdir(staging.c_str(), 0700) != 0) {
    throw Error(
        ErrorCode::kUnavailable,
        msg("bank.export.cannot_stage", {arg("dir", staging), arg("why", std::strerror(errno))}));
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
                msg("bank.batch.changed_try_again", {arg("batch", detail::batchMessage(b))}));
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
                  "-p" + text::zeroPad(part.part, 2) + layout.extension();
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
    detail::forEachExportRow(
        store, batch_id, part.first_seq, part.last_seq,
        [&](const ExportRow& row) {
          PaymentLine line;
          line.seq = row.seq;
          line.reference = row.reference;
          line.holder = row.holder;
          line.amount = row.amount;
          if (row.acct_enc.empty()) {
            throw Error(ErrorCode::kInvalidInput,
                        msg("bank.export.no_account",
                            {arg("seq", std::to_string(row.seq)), arg("reference", row.reference),
                             arg("batch", detail::batchMessage(b)), arg("holder", row.holder)}));
          }
          line.account = cipher.decrypt("bank_account", row.acct_enc);
          writer->add(line);
        },
        [] { fault::point("export.page"); });
    f.sha256 = writer->finish();
    for (const auto& old : recorded) {
      if (old.part == f.part && old.sha256 != f.sha256) {
        throw Error(ErrorCode::kConflict,
                    msg("bank.export.bytes_changed",
                        {arg("batch", detail::batchMessage(b)), arg("date", date)}));
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
                  msg("bank.batch.changed_try_again", {arg("batch", detail::batchMessage(b))}));
    }
    r.batch.status = disburse::BatchStatus::kExported;
    r.batch.version = b.version + 1;
  }
  security::appendAudit(
      audit, user.name, r.again ? "batch.export_again" : "batch.export",
      "batch:" + std::to_string(b.id),
      msg("audit.rec.status",
          {batchStatusWords("status", r.again ? disburse::code(b.status) : "approved")}),
      msg("audit.rec.batch.export",
          {arg("payments", b.payment_count), arg("amount", b.total.toYuan()),
           arg("layout", layout.name), arg("files", files_summary)}));
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

// Runs again whole after a certification conflict or a lost node (retryUnit); an export of an
// exported batch writes the same files again.
ExportResult exportBatch(BankFileStore& store, security::SecurityStore& audit,
                         const security::User& user, int64_t batch_id, const std::string& out_dir,
                         const LayoutSet& layouts, const security::FieldCipher& cipher,
                         const security::SigningKey& key, const std::string& purpose) {
  return retryUnit("bankfiles.exportBatch", [&] {
    return exportBatchAttempt(store, audit, user, batch_id, out_dir, layouts, cipher, key, purpose);
  });
}

}  // namespace edupay::bankfiles
