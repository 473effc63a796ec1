// Bank files: export, verify, result import, bank configuration, account corrections and the
// reconciliation report.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <sys/stat.h>

#include <fstream>
#include <map>

#include "api/Json.h"
#include "app/Cli.h"
#include "app/CliContext.h"
#include "bankfiles/BankFiles.h"
#include "bankfiles/Manifest.h"
#include "bankfiles/Reconciliation.h"
#include "common/AtomicFile.h"
#include "common/BankAccountNumber.h"
#include "common/Csv.h"
#include "common/Error.h"
#include "common/JsonWrite.h"
#include "common/MessageWords.h"
#include "common/Retry.h"
#include "common/Text.h"
#include "store/SqlDisbursementStore.h"

namespace edupay::app {
namespace {

/// How a command is written (the same in every language), as a sentence.
Message usage(const std::string& command) { return msg("bank.cli.usage", {arg("usage", command)}); }

std::string signingKeyPath(Context& c) {
  return c.args().get("signing-key", envOr("EDUPAY_SIGNING_KEY", "edupay-signing.pem"));
}

std::string publicKeyPath(Context& c) {
  return c.args().get("public-key", envOr("EDUPAY_PUBLIC_KEY", signingKeyPath(c) + ".pub"));
}

bankfiles::LayoutSet layouts(Context& c) { return bankLayouts(c); }

int bankList(Context& c, bankfiles::BankFileStore& store) {
  const auto all = store.banks();
  Poco::JSON::Array a;
  for (const auto& b : all) {
    if (c.json()) {
      Poco::JSON::Object o;
      json::set(o, "code", b.code, "name", b.name, "layout", b.layout, "max_lines", b.max_lines);
      a.add(o);
    } else {
      c.out() << c.text(msg("bank.cli.list_line",
                            {arg("bank", b.code), arg("name", b.name), arg("layout", b.layout),
                             arg("lines", std::to_string(b.max_lines))}))
              << "\n";
    }
  }
  if (c.json()) {
    Poco::JSON::Object o;
    o.set("banks", a);
    c.out() << toJson(o) << "\n";
  }
  return kExitOk;
}

int bankSet(Context& c, bankfiles::BankFileStore& store) {
  const std::string code = c.word(2, "bank code");
  const auto user = c.actingUser();
  if (user.role != security::Role::kSysadmin)
    throw Error(ErrorCode::kForbidden, msg("bank.cli.set_forbidden"));
  const std::string layout = c.args().get("layout");
  if (!layout.empty()) layouts(c).get(layout);  // refuses an unknown layout by name
  int max_lines = 0;
  if (c.args().has("max-lines")) {
    const std::string m = c.args().get("max-lines");
    if (!text::isAllDigits(m) || m.empty() || m.size() > 7 || std::stoi(m) < 1)
      throw Error(ErrorCode::kInvalidInput, msg("bank.cli.max_lines"));
    max_lines = std::stoi(m);
  }
  return retryUnit("cli.bankSet", [&] {
    auto tx = store.transaction();
    const auto before = store.bank(code);
    if (!before) throw Error(ErrorCode::kNotFound, msg("bank.cli.no_bank", {arg("bank", code)}));
    store.setBank(code, layout, max_lines);
    const auto after = store.bank(code);
    const auto layout_of = [](const bankfiles::BankConfig& b) {
      return msg("audit.rec.bank.layout",
                 {arg("layout", b.layout), arg("lines", std::to_string(b.max_lines))});
    };
    security::appendAudit(c.security(), user.name, "bank.set", "bank:" + code, layout_of(*before),
                          layout_of(*after));
    tx->commit();
    c.out() << c.text(msg("bank.cli.list_line", {arg("bank", code), arg("name", after->name),
                                                 arg("layout", after->layout),
                                                 arg("lines", std::to_string(after->max_lines))}))
            << "\n";
    return kExitOk;
  });
}

int bankPayer(Context& c, bankfiles::BankFileStore& store) {
  bankfiles::Payer p{c.args().get("region"), c.args().get("bank"), c.args().get("account"),
                     c.args().get("name")};
  if (p.region.empty() || p.bank_code.empty() || p.account.empty() || p.name.empty()) {
    throw Error(
        ErrorCode::kInvalidInput,
        usage("edupay bank payer --region R --bank CODE --account N --name NAME --as USER"));
  }
  const auto set = bankfiles::setPayerAccount(store, c.security(), c.actingUser(), p);
  c.out() << c.text(
                 msg("bank.cli.payer_set", {arg("region", set.region), arg("account", set.account),
                                            arg("name", set.name), arg("bank", set.bank_code)}))
          << "\n";
  return kExitOk;
}

int bankImportResult(Context& c, bankfiles::BankFileStore& store) {
  const std::string file = c.word(2, "result file");
  std::optional<bankfiles::ResultKind> kind;
  const std::string layout = c.args().get("layout");
  if (layout == "pipe-result") {
    kind = bankfiles::ResultKind::kPipeResult;
  } else if (layout == "pain.002") {
    kind = bankfiles::ResultKind::kPain002;
  } else if (!layout.empty()) {
    throw Error(ErrorCode::kInvalidInput, msg("bank.cli.result_layout"));
  }
  const auto user = c.actingUser();
  const auto r = bankfiles::importResultFile(store, c.security(), user, file, kind);
  if (c.json()) {
    Poco::JSON::Object o = api::resultImportJson(r, c.lang());
    o.set("file", file);
    Poco::JSON::Array problems;
    for (const auto& p : r.problems) problems.add(p);
    o.set("problems", problems);
    c.out() << toJson(o) << "\n";
  }
  if (r.already_imported) {
    if (!c.json())
      c.out() << c.text(msg("bank.import.already",
                            {arg("file", file), arg("import", std::to_string(r.import_id))}))
              << "\n";
    return kExitOk;
  }
  if (!r.problems.empty()) {
    if (!c.json()) {
      c.err() << c.text(msg("bank.import.refused",
                            {arg("file", file), arg("count", r.problems.size())}))
              << "\n";
      for (const auto& p : r.problem_messages) c.err() << "  " << file << ": " << c.text(p) << "\n";
    }
    return kExitRejected;
  }
  if (!c.json()) {
    c.out() << c.text(msg(
                   "bank.import.summary",
                   {arg("file", file), arg("lines", r.lines), arg("paid", r.paid),
                    arg("paid_total", r.paid_total.toYuanGrouped()), arg("returned", r.returned),
                    arg("returned_total", r.returned_total.toYuanGrouped()),
                    arg("returned_late", r.returned_late), arg("pending", r.pending),
                    arg("unchanged", r.unchanged)}))
            << "\n";
    for (const auto& [id, st] : r.batches) {
      c.out() << "  "
              << c.text(msg("bank.import.batch", {arg("batch", std::to_string(id)),
                                                  bankfiles::batchStatusWords("status", st)}))
              << "\n";
    }
    if (r.returned) c.out() << "  " << c.text(msg("bank.import.returned_note")) << "\n";
  }
  return kExitOk;
}

int bankReturned(Context& c, bankfiles::BankFileStore& store) {
  const auto user = c.actingUser();
  if (user.role != security::Role::kBureauOfficer && user.role != security::Role::kAuditor &&
      user.role != security::Role::kSchoolAdmin)
    throw Error(ErrorCode::kForbidden, msg("bank.returned.forbidden"));
  const bool school = user.role == security::Role::kSchoolAdmin;
  const std::string region = school ? "" : c.args().get("region", user.scope);
  if (!school && !user.covers(region))
    throw Error(ErrorCode::kForbidden,
                msg("bank.cli.out_of_scope", {arg("region", region), arg("scope", user.scope)}));
  Poco::JSON::Array a;
  int64_t n = 0;
  const auto set = layouts(c);
  std::map<std::string, std::string> layout_of;  // bank code -> layout
  for (const auto& b : store.banks()) layout_of[b.code] = b.layout;
  for (const auto& r : store.returnedFunds(region)) {
    if (school && r.school_code != user.scope) continue;
    ++n;
    const Message reason = set.returnReason(layout_of[r.bank_code], r.reason_code, r.reason_text);
    if (c.json()) {
      a.add(api::returnedJson(r, reason, c.lang()));
    } else {
      const auto status = codeWords(
          "status", r.status,
          {{"awaiting_account", "待更正账户"}, {"released", "待重发"}, {"reissued", "已重发"}});
      c.out() << r.reference << "  " << r.school_code << " " << r.school_name << "  " << r.holder
              << "  " << r.acct_mask << "  "
              << c.text(r.payee == "school"
                            ? msg("cli.returned.line_school",
                                  {arg("amount", r.amount.toYuanGrouped()),
                                   arg("students", r.students), arg("reason", reason),
                                   arg("on", r.returned_on), status})
                            : msg("cli.returned.line",
                                  {arg("amount", r.amount.toYuanGrouped()), arg("reason", reason),
                                   arg("on", r.returned_on), status}))
              << "\n";
    }
  }
  if (c.json()) {
    Poco::JSON::Object o;
    o.set("returned", a);
    c.out() << toJson(o) << "\n";
  } else if (n == 0) {
    c.out() << c.text(msg("bank.returned.none")) << "\n";
  } else {
    c.out() << c.text(msg("bank.returned.count", {arg("count", n)})) << "\n";
  }
  return kExitOk;
}

int reconcileReport(Context& c, bankfiles::BankFileStore& store) {
  const Term term = Term::parse(c.args().get("term"));
  const auto user = c.actingUser();
  if (user.role == security::Role::kSchoolAdmin || user.role == security::Role::kBankOperator ||
      user.role == security::Role::kSysadmin) {
    throw Error(ErrorCode::kForbidden, msg("bank.reconcile.forbidden"));
  }
  std::string region = c.args().get("region", user.scope);
  if (!user.covers(region))
    throw Error(ErrorCode::kForbidden,
                msg("bank.cli.out_of_scope", {arg("region", region), arg("scope", user.scope)}));
  const auto rows = store.reconcile(term, region);
  const auto header = api::reconcileCsvHeader();
  const auto cells = api::reconcileCsvRow;
  bankfiles::ReconcileRow total;
  bool all_add_up = true;
  for (const auto& r : rows) {
    all_add_up &= r.addsUp();
    total.entitled_n += r.entitled_n;
    total.entitled += r.entitled;
    total.unbatched_n += r.unbatched_n;
    total.unbatched += r.unbatched;
    total.in_approval_n += r.in_approval_n;
    total.in_approval += r.in_approval;
    total.approved_n += r.approved_n;
    total.approved += r.approved;
    total.in_bank_n += r.in_bank_n;
    total.in_bank += r.in_bank;
    total.paid_n += r.paid_n;
    total.paid += r.paid;
    total.returned_n += r.returned_n;
    total.returned += r.returned;
    total.awaiting_account_n += r.awaiting_account_n;
    total.awaiting_account += r.awaiting_account;
    total.reissued_n += r.reissued_n;
    total.reissued += r.reissued;
  }
  total.programme = "TOTAL";
  total.region = region.empty() ? "*" : region;
  if (c.args().has("csv")) {
    AtomicFileWriter out(c.args().get("csv"));
    CsvWriter w(out.stream(), {TextEncoding::kUtf8, true, "\r\n", ','});
    w.writeRow(header);
    for (const auto& r : rows) w.writeRow(cells(r));
    w.writeRow(cells(total));
    out.commit();
  }
  if (c.json()) {
    Poco::JSON::Object o;
    o.set("term", term.str());
    o.set("region", region);
    o.set("adds_up", all_add_up);
    Poco::JSON::Array a;
    for (const auto& r : rows) a.add(api::reconcileJson(r, c.lang()));
    o.set("rows", a);
    o.set("total", api::reconcileJson(total, c.lang()));
    c.out() << toJson(o) << "\n";
    return all_add_up ? kExitOk : kExitInternal;
  }
  c.out() << c.text(msg("bank.reconcile.title", {arg("term", term.str())})) << "\n";
  for (const auto& r : rows) {
    c.out() << "  " << c.text(bankfiles::reconcileRowMessage(r));
    if (!r.addsUp()) c.out() << "  " << c.text(msg("bank.reconcile.not_adding_up"));
    c.out() << "\n";
  }
  c.out()
      << "  "
      << c.text(msg(
             "bank.reconcile.total",
             {arg("entitled_n", total.entitled_n), arg("entitled", total.entitled.toYuanGrouped()),
              arg("paid_n", total.paid_n), arg("paid", total.paid.toYuanGrouped()),
              arg("returned_n", total.returned_n), arg("returned", total.returned.toYuanGrouped()),
              arg("reissued_n", total.reissued_n), arg("outstanding_n", total.outstandingCount()),
              arg("outstanding", total.outstanding().toYuanGrouped())}))
      << "\n  "
      << c.text(msg(all_add_up ? "bank.reconcile.check_adds_up"
                               : "bank.reconcile.check_does_not_add_up"))
      << "\n";
  return all_add_up ? kExitOk : kExitInternal;
}

}  // namespace

bankfiles::LayoutSet bankLayouts(Context& c) {
  return bankfiles::LayoutSet(c.args().get("layouts", envOr("EDUPAY_LAYOUT_DIR", "")));
}

int batchExport(Context& c) {
  store::SqlDisbursementStore store(c.db());
  const std::string& w = c.word(2, "batch id");
  if (!text::isAllDigits(w) || w.size() > 15)
    throw Error(ErrorCode::kInvalidInput, msg("bank.cli.batch_id", {arg("batch", w)}));
  const int64_t id = std::stoll(w);
  const std::string out = c.args().get("out", ".");
  ::mkdir(out.c_str(), 0755);
  const auto user = c.actingUser();
  const auto key = security::SigningKey::load(signingKeyPath(c));
  const auto set = layouts(c);
  auto b = store.loadBatch(id);
  std::optional<rules::Policy> policy;
  try {
    policy = c.activePolicy().first;
  } catch (const Error&) {  // no active policy: the programme code names the payment
  }
  const std::string purpose = b ? bankfiles::paymentPurpose(policy ? &*policy : nullptr, *b) : "";
  const auto r =
      bankfiles::exportBatch(store, c.security(), user, id, out, set, c.cipher(), key, purpose);
  if (c.json()) {
    Poco::JSON::Object o;
    o.set("batch", r.batch.id);
    o.set("status", std::string(disburse::code(r.batch.status)));
    o.set("again", r.again);
    Poco::JSON::Array files;
    for (const auto& p : r.paths) files.add(p);
    o.set("files", files);
    c.out() << toJson(o) << "\n";
  } else {
    const std::vector<MessageArg> args{arg("batch", std::to_string(r.batch.id)),
                                       arg("count", r.batch.payment_count),
                                       arg("total", r.batch.total.toYuanGrouped())};
    c.out() << c.text(msg(r.again ? "bank.export.done_again" : "bank.export.done", args)) << "\n";
    for (const auto& p : r.paths) {
      c.out() << "  " << p << "\n  "
              << c.text(
                     msg("bank.export.manifest", {arg("manifest", bankfiles::manifestPath(p)),
                                                  arg("signature", bankfiles::signaturePath(p))}))
              << "\n";
    }
  }
  return kExitOk;
}

int batchClose(Context& c) {
  store::SqlDisbursementStore store(c.db());
  const std::string& w = c.word(2, "batch id");
  if (!text::isAllDigits(w) || w.size() > 15)
    throw Error(ErrorCode::kInvalidInput, msg("bank.cli.batch_id", {arg("batch", w)}));
  const auto user = c.actingUser();
  const auto b = bankfiles::closeBatch(store, c.security(), user, std::stoll(w));
  c.out() << c.text(msg("bank.close.done", {arg("batch", std::to_string(b.id))})) << "\n";
  return kExitOk;
}

int cmdKeygenSigning(Context& c, const std::string& path) {
  security::SigningKey::generate(path);
  const auto key = security::SigningKey::load(path);
  c.out() << c.text(msg("cli.keygen.signing",
                        {arg("file", path), arg("public", path + ".pub"), arg("key", key.keyId())}))
          << "\n";
  return kExitOk;
}

int cmdBank(Context& c) {
  store::SqlDisbursementStore store(c.db());
  const std::string sub = c.args().words.size() > 1 ? c.args().words[1] : "";
  if (sub == "list") return bankList(c, store);
  if (sub == "set") return bankSet(c, store);
  if (sub == "payer") return bankPayer(c, store);
  if (sub == "import-result") return bankImportResult(c, store);
  if (sub == "returned") return bankReturned(c, store);
  throw Error(ErrorCode::kInvalidInput, usage("edupay bank list|set|payer|import-result|returned"));
}

int cmdFile(Context& c) {
  const std::string sub = c.args().words.size() > 1 ? c.args().words[1] : "";
  if (sub != "verify") throw Error(ErrorCode::kInvalidInput, usage("edupay file verify FILE"));
  const std::string file = c.word(2, "payment file");
  const auto key = security::VerifyingKey::load(publicKeyPath(c));
  const auto v = bankfiles::verifyPaymentFile(file, layouts(c), key);
  if (c.json()) {
    Poco::JSON::Object o;
    json::set(o, "file", file, "ok", v.ok(), "count", v.content.count, "total",
              v.content.total.toYuan());
    Poco::JSON::Array problems, messages;
    for (const auto& p : v.problems) problems.add(p);
    for (const auto& p : v.problem_messages) messages.add(api::messageJson(p, c.lang()));
    o.set("problems", problems);
    o.set("problem_messages", messages);
    c.out() << toJson(o) << "\n";
  } else if (v.ok()) {
    c.out() << c.text(msg("bank.verify.ok", {arg("file", file), arg("key", key.keyId()),
                                             arg("count", v.content.count),
                                             arg("total", v.content.total.toYuanGrouped())}))
            << "\n";
  } else {
    c.err() << c.text(msg("bank.verify.failed", {arg("file", file)})) << "\n";
    for (const auto& p : v.problem_messages) c.err() << "  " << c.text(p) << "\n";
  }
  return v.ok() ? kExitOk : kExitRejected;
}

int cmdAccount(Context& c) {
  const std::string sub = c.args().words.size() > 1 ? c.args().words[1] : "";
  if (sub != "update") {
    throw Error(ErrorCode::kInvalidInput,
                usage("edupay account update --student ID|--payment REF --account N --holder NAME "
                      "--bank-code CNAPS [--kind student_card|one_card|passbook|social_security] "
                      "--as USER"));
  }
  store::SqlDisbursementStore store(c.db());
  bankfiles::AccountCorrection a;
  a.student = c.args().get("student");
  a.payment = c.args().get("payment");
  a.account = c.args().get("account");
  a.holder = c.args().get("holder");
  a.bank_code = c.args().get("bank-code");
  a.kind = c.args().get("kind", "student_card");
  const auto user = c.actingUser();
  const auto r = bankfiles::correctAccount(c.registry(), store, c.security(), user, c.cipher(), a);
  c.out() << c.text(msg("cli.account.recorded",
                        {arg("mask", r.mask), arg("count", std::to_string(r.released))}))
          << "\n";
  return kExitOk;
}

int cmdSchool(Context& c) {
  const std::string sub = c.args().words.size() > 1 ? c.args().words[1] : "";
  const std::string what = c.args().words.size() > 2 ? c.args().words[2] : "";
  if (sub == "list") return schoolList(c);
  if (sub != "account" || (what != "set" && what != "show")) {
    throw Error(ErrorCode::kInvalidInput,
                usage("edupay school list [--region R] [--stage S], edupay school account set "
                      "CODE --account N --bank-code CNAPS [--holder NAME] --as OFFICER, or edupay "
                      "school account show CODE"));
  }
  const std::string& code = c.word(3, "CODE");
  if (what == "show") {
    const auto a = c.registry().schoolAccount(code);
    if (c.json()) {
      Poco::JSON::Object o;
      o.set("school", code);
      if (a) {
        json::set(o, "account", a->acct_mask, "bank_code", a->bank_code, "holder", a->holder,
                  "since", a->valid_from, "recorded_by", a->recorded_by);
      }
      c.out() << toJson(o) << "\n";
    } else if (a) {
      c.out() << c.text(msg("cli.school_account.show",
                            {arg("school", a->school_code + " " + a->school_name),
                             arg("mask", a->acct_mask), arg("bank", a->bank_code),
                             arg("holder", a->holder), arg("since", a->valid_from),
                             arg("user", a->recorded_by)}))
              << "\n";
    } else {
      c.out() << c.text(msg("cli.school_account.none", {arg("school", code)})) << "\n";
    }
    return kExitOk;
  }
  bankfiles::SchoolAccountSetting s;
  s.school = code;
  s.account = c.args().get("account");
  s.bank_code = c.args().get("bank-code");
  s.holder = c.args().get("holder");
  const auto user = c.actingUser();
  const auto r = bankfiles::setSchoolAccount(c.registry(), c.security(), user, c.cipher(), s);
  if (c.json()) {
    c.out() << toJson(api::schoolAccountChangeJson(r, c.registry().schoolAccount(r.school_code)))
            << "\n";
  } else if (!r.changed) {
    c.out() << c.text(
                   msg("cli.school_account.unchanged",
                       {arg("school", r.school_code + " " + r.school_name), arg("mask", r.mask)}))
            << "\n";
  } else {
    c.out() << c.text(msg("cli.school_account.recorded",
                          {arg("school", r.school_code + " " + r.school_name), arg("mask", r.mask),
                           arg("bank", r.bank_code), arg("holder", r.holder),
                           arg("count", std::to_string(r.released))}))
            << "\n";
  }
  return kExitOk;
}

int cmdReconcile(Context& c) {
  const std::string sub = c.args().words.size() > 1 ? c.args().words[1] : "";
  if (sub != "report")
    throw Error(ErrorCode::kInvalidInput,
                usage("edupay reconcile report --term T [--region R] [--csv OUT.csv]"));
  store::SqlDisbursementStore store(c.db());
  return reconcileReport(c, store);
}

}  // namespace edupay::app
