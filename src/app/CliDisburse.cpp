#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <sys/stat.h>

#include "api/Json.h"
#include "app/Cli.h"
#include "app/CliContext.h"
#include "bankfiles/BankFiles.h"
#include "common/Error.h"
#include "common/JsonWrite.h"
#include "common/ResidentId.h"
#include "common/Text.h"
#include "disburse/Batches.h"
#include "rules/EntitlementRun.h"
#include "store/SqlDisbursementStore.h"
#include "store/SqlListings.h"

namespace edupay::app {
namespace {

/// The numeric id in the third word of the command line (`batch approve 42`).
int64_t idWord(Context& c, const std::string& what) {
  const std::string& w = c.word(2, (what + " id").c_str());
  if (!text::isAllDigits(w) || w.size() > 15) {
    const char* zh = what == "batch"     ? "批次"
                     : what == "flag"    ? "核查疑点"
                     : what == "payment" ? "发放记录"
                                         : "异议";
    throw Error(ErrorCode::kInvalidInput,
                msg("batch.cli.not_an_id", {arg("value", w), words("what", zh, what)}));
  }
  return std::stoll(w);
}

int64_t batchId(Context& c) { return idWord(c, "batch"); }

/// `reason` as the end of a sentence: "：…" / ": …", or nothing.
MessageArg reasonTail(const std::string& reason) {
  return reason.empty() ? arg("reason", "") : words("reason", "：" + reason, ": " + reason);
}

void printBatch(Context& c, const disburse::Batch& b) {
  std::ostream& out = c.out();
  out << c.text(msg("batch.cli.show",
                    {arg("id", std::to_string(b.id)), arg("programme", b.programme),
                     arg("term", b.term), arg("county", b.paying_region), arg("bank", b.bank_code),
                     arg("part", std::to_string(b.part)), disburse::statusArg("status", b.status)}))
      << "\n"
      << c.text(msg("batch.cli.show.totals", {arg("count", std::to_string(b.payment_count)),
                                              arg("total", b.total.toYuanGrouped()),
                                              arg("central", b.central.toYuanGrouped()),
                                              arg("provincial", b.provincial.toYuanGrouped()),
                                              arg("county", b.county.toYuanGrouped())}))
      << "\n"
      << c.text(msg("batch.cli.show.approvals",
                    {arg("user", b.prepared_by), arg("approvals", std::to_string(b.approvals())),
                     arg("required", std::to_string(b.required_approvals))}))
      << "\n";
  for (const auto& a : b.actions) {
    out << c.text(msg(
               "batch.cli.show.action",
               {arg("round", std::to_string(a.cycle)), disburse::batchActionArg("action", a.action),
                arg("user", a.user), arg("at", a.at), reasonTail(a.reason)}))
        << "\n";
  }
}

int batchBuild(Context& c, store::SqlDisbursementStore& store) {
  const Term term = Term::parse(c.args().get("term"));
  const std::string programme = c.args().get("programme");
  if (programme.empty()) throw Error(ErrorCode::kInvalidInput, msg("batch.cli.programme"));
  const auto user = c.actingUser();
  const auto layouts = bankLayouts(c);
  const auto r =
      disburse::buildBatches(store, c.security(), user, programme, term, c.args().get("region"),
                             bankfiles::holderEncodingCheck(store, layouts));
  if (c.json()) {
    Poco::JSON::Object o;
    Poco::JSON::Array ids;
    for (auto id : r.batch_ids) ids.add(id);
    json::set(o, "batches", ids, "payments", r.payments, "total", r.total.toYuan(), "flags",
              r.flags, "unbankable", r.unbankable);
    Poco::JSON::Array missing;
    for (const auto& m : r.without_account) {
      Poco::JSON::Object x;
      json::set(x, "school", m.code, "name", m.name, "students", m.students, "amount",
                m.amount.toYuan());
      missing.add(x);
    }
    o.set("schools_without_account", missing);
    c.out() << toJson(o) << "\n";
  } else {
    c.out() << c.text(msg("batch.cli.built", {arg("count", std::to_string(r.batch_ids.size())),
                                              arg("payments", std::to_string(r.payments)),
                                              arg("total", r.total.toYuanGrouped())}))
            << "\n";
    for (auto id : r.batch_ids) printBatch(c, *store.loadBatch(id));
    if (r.flags) {
      c.out() << "  " << c.text(msg("batch.cli.flags", {arg("count", std::to_string(r.flags))}))
              << "\n";
    }
    if (r.unbankable) {
      c.out() << "  "
              << c.text(msg("batch.cli.unbankable", {arg("count", std::to_string(r.unbankable))}))
              << "\n";
    }
    for (const auto& m : r.without_account) {
      c.out() << "  "
              << c.text(msg("batch.cli.school_without_account",
                            {arg("school", m.code), arg("name", m.name),
                             arg("students", std::to_string(m.students)),
                             arg("amount", m.amount.toYuanGrouped())}))
              << "\n";
    }
  }
  return kExitOk;
}

int batchTransition(Context& c, disburse::DisbursementStore& store, const std::string& what) {
  const int64_t id = batchId(c);
  const auto user = c.actingUser();
  // A batch outside the scope of a user who could take the step is not found, not refused: the
  // use cases answer so themselves (as the API does).
  disburse::Batch b;
  if (what == "submit") b = disburse::submitBatch(store, c.security(), user, id);
  if (what == "approve") b = disburse::approveBatch(store, c.security(), user, id);
  if (what == "reject")
    b = disburse::rejectBatch(store, c.security(), user, id, c.args().get("reason"));
  if (what == "return-to-draft")
    b = disburse::returnToDraft(store, c.security(), user, id, c.args().get("reason"));
  if (c.json()) {
    c.out() << toJson(api::batchJson(b)) << "\n";
  } else {
    printBatch(c, b);
  }
  return kExitOk;
}

int batchShow(Context& c, disburse::DisbursementStore& store) {
  const auto b = batchInScope(store, c.actingUser(), std::to_string(batchId(c)));
  if (c.json()) {
    c.out() << toJson(api::batchJson(b)) << "\n";
  } else {
    printBatch(c, b);
  }
  return kExitOk;
}

int batchList(Context& c, disburse::DisbursementStore& store) {
  const auto user = c.actingUser();
  const std::string region = user.role == security::Role::kSysadmin ? "" : user.scope;
  const std::string want_region = c.args().get("region"), status = c.args().get("status"),
                    programme = c.args().get("programme"), bank = c.args().get("bank");
  if (!status.empty() && !disburse::parseBatchStatus(status))
    throw Error(ErrorCode::kInvalidInput, msg("batch.cli.status", {arg("got", status)}));
  std::vector<disburse::Batch> batches;
  for (auto& b : store.listBatches(c.args().get("term"), region)) {
    if (!want_region.empty() && b.paying_region.rfind(want_region, 0) != 0) continue;
    if (!status.empty() && disburse::code(b.status) != status) continue;
    if (!programme.empty() && b.programme != programme) continue;
    if (!bank.empty() && b.bank_code != bank) continue;
    batches.push_back(std::move(b));
  }
  if (c.json()) {
    Poco::JSON::Array arr;
    for (const auto& b : batches) arr.add(api::batchJson(b));
    Poco::JSON::Object o;
    o.set("batches", arr);
    c.out() << toJson(o) << "\n";
  } else {
    for (const auto& b : batches) {
      c.out() << c.text(msg(
                     "batch.cli.list_line",
                     {arg("id", std::to_string(b.id)), arg("programme", b.programme),
                      arg("term", b.term), arg("county", b.paying_region), arg("bank", b.bank_code),
                      arg("part", std::to_string(b.part)), disburse::statusArg("status", b.status),
                      arg("count", std::to_string(b.payment_count)),
                      arg("total", b.total.toYuanGrouped())}))
              << "\n";
    }
  }
  return kExitOk;
}

int batchFlags(Context& c, disburse::DisbursementStore& store) {
  const int64_t id = batchId(c);
  const auto user = c.actingUser();
  auto b = store.loadBatch(id);
  if (!b || !user.covers(b->paying_region))
    throw Error(ErrorCode::kNotFound, disburse::batchNotInScope(std::to_string(id)));
  const auto flags = store.flags(id);
  if (c.json()) {
    Poco::JSON::Array arr;
    for (const auto& f : flags) arr.add(api::flagJson(f, c.lang()));
    Poco::JSON::Object o;
    o.set("flags", arr);
    c.out() << toJson(o) << "\n";
    return kExitOk;
  }
  for (const auto& f : flags) {
    const Message cleared = f.reason.empty()
                                ? Message::literal("")
                                : msg("batch.cli.flag_cleared_by",
                                      {arg("user", f.cleared_by), arg("reason", f.reason)});
    c.out() << c.text(msg(
                   "batch.cli.flag_line",
                   {arg("id", std::to_string(f.id)), arg("payment", std::to_string(f.payment_id)),
                    disburse::flagKindArg("kind", f.kind),
                    disburse::flagStatusArg("status", f.status),
                    arg("evidence", f.evidenceMessage()), arg("cleared", cleared)}))
            << "\n";
  }
  if (flags.empty())
    c.out() << c.text(msg("batch.cli.no_flags", {arg("id", std::to_string(id))})) << "\n";
  return kExitOk;
}

int batchClearFlag(Context& c, disburse::DisbursementStore& store) {
  const auto f = disburse::clearFlag(store, c.security(), c.actingUser(), idWord(c, "flag"),
                                     c.args().get("reason"));
  c.out() << c.text(msg("batch.cli.flag_cleared",
                        {arg("id", std::to_string(f.id)), disburse::flagKindArg("kind", f.kind),
                         arg("user", f.cleared_by), arg("reason", f.reason)}))
          << "\n";
  return kExitOk;
}

int batchRemovePayment(Context& c, disburse::DisbursementStore& store) {
  const auto b = disburse::removePayment(store, c.security(), c.actingUser(), idWord(c, "payment"),
                                         c.args().get("reason"));
  printBatch(c, b);
  return kExitOk;
}

int budgetImport(Context& c, disburse::DisbursementStore& store) {
  const std::string& file = c.word(2, "FILE");
  const size_t n = disburse::importBudgetFile(store, c.security(), c.actingUser(), file,
                                              rules::programmesInForce(c.entitlements()));
  c.out() << c.text(
                 msg("budget.cli.imported", {arg("file", file), arg("count", std::to_string(n))}))
          << "\n";
  return kExitOk;
}

int budgetShow(Context& c, disburse::DisbursementStore& store) {
  const auto user = c.actingUser();
  const std::string region = user.role == security::Role::kSysadmin ? "" : user.scope;
  const int year = c.args().has("year") ? std::stoi(c.args().get("year")) : 0;
  const auto lines = store.budgets(region, year);
  if (c.json()) {
    Poco::JSON::Array arr;
    for (const auto& l : lines) arr.add(api::budgetJson(l));
    Poco::JSON::Object o;
    o.set("budgets", arr);
    c.out() << toJson(o) << "\n";
    return kExitOk;
  }
  for (const auto& l : lines) {
    c.out() << c.text(msg("budget.cli.line",
                          {arg("programme", l.programme), arg("region", l.region),
                           arg("year", std::to_string(l.fiscal_year)),
                           disburse::fundingSourceArg("source", l.source),
                           arg("allocated", l.allocated.toYuanGrouped()),
                           arg("committed", l.committed.toYuanGrouped()),
                           arg("paid", l.paid.toYuanGrouped()),
                           arg("returned", l.returned.toYuanGrouped()),
                           arg("available", (l.allocated - l.committed - l.paid).toYuanGrouped())}))
            << "\n";
  }
  return kExitOk;
}

}  // namespace

int cmdNotice(Context& c) {
  const std::string sub = c.args().words.size() > 1 ? c.args().words[1] : "";
  if (sub != "publish") throw Error(ErrorCode::kInvalidInput, msg("notice.cli.usage"));
  store::SqlDisbursementStore store(c.db());
  auto [policy, policy_id] = c.activePolicy();
  const std::string out = c.args().get("out", "notices");
  ::mkdir(out.c_str(), 0755);
  const auto user = c.actingUser();
  // One school, or every school a batch pays (whose notice the approval will look for).
  std::string programme = c.args().get("programme");
  std::string term_text = c.args().get("term");
  std::vector<std::string> schools;
  if (c.args().has("batch")) {
    if (!c.args().has("all-schools"))
      throw Error(ErrorCode::kInvalidInput, msg("notice.cli.batch_all_schools"));
    const auto b = batchInScope(store, user, c.args().get("batch"));
    programme = b.programme;
    term_text = b.term;
    schools = store::SqlListings(c.db()).batchSchools(b.id);
  } else {
    schools.push_back(c.args().get("school"));
  }
  const Term term = Term::parse(term_text);
  const auto* p = policy.find(programme);
  const char* contact = std::getenv("EDUPAY_NOTICE_CONTACT");
  const disburse::NoticeWording wording{p ? p->name_zh : programme, contact ? contact : ""};
  Poco::JSON::Array published;
  for (const auto& school : schools) {
    const auto r = disburse::publishNotice(store, c.security(), user, programme, term, school, out,
                                           policy.holidays, Date::today(), 5, wording);
    if (c.json()) {
      Poco::JSON::Object o;
      json::set(o, "notice_id", r.info.id, "school", school, "entries", r.info.entries, "total",
                r.info.total.toYuan(), "window_ends", r.info.window_ends, "html", r.html_path,
                "csv", r.csv_path);
      if (!c.args().has("batch")) {
        c.out() << toJson(o) << "\n";
        return kExitOk;
      }
      published.add(o);
    } else {
      c.out() << c.text(msg("notice.cli.published", {arg("id", std::to_string(r.info.id)),
                                                     arg("school", r.info.school_name),
                                                     arg("count", std::to_string(r.info.entries)),
                                                     arg("total", r.info.total.toYuanGrouped()),
                                                     arg("until", r.info.window_ends)}))
              << "\n  " << r.html_path << "\n  " << r.csv_path << "\n";
    }
  }
  if (c.json()) {
    Poco::JSON::Object o;
    o.set("notices", published);
    c.out() << toJson(o) << "\n";
  }
  return kExitOk;
}

int cmdObjection(Context& c) {
  store::SqlDisbursementStore store(c.db());
  const std::string sub = c.args().words.size() > 1 ? c.args().words[1] : "";
  const auto user = c.actingUser();
  if (sub == "add") {
    const std::string& key = c.word(2, "RESIDENT_ID");
    std::string why;
    auto rid = ResidentId::parse(key, &why);
    if (!rid)
      throw Error(ErrorCode::kInvalidInput,
                  msg("objection.cli.resident_id",
                      {arg("mask", maskMiddle(key, 4, 4)), arg("reason", why)}));
    const int64_t id = disburse::addObjection(
        store, c.security(), user, c.cipher().blindIndex("resident_id", rid->str()),
        c.args().get("programme"), Term::parse(c.args().get("term")), c.args().get("text"));
    c.out() << c.text(msg("objection.cli.recorded", {arg("id", std::to_string(id))})) << "\n";
    return kExitOk;
  }
  if (sub == "list") return objectionList(c);
  if (sub == "resolve") {
    const int64_t id = idWord(c, "objection");
    const std::string decision = c.args().get("decision");
    disburse::resolveObjection(store, c.security(), user, id, decision, c.args().get("reason"));
    c.out() << c.text(msg(
                   "objection.cli.resolved",
                   {arg("id", std::to_string(id)),
                    words("decision", decision == "upheld" ? "异议成立" : "异议不成立", decision)}))
            << "\n";
    return kExitOk;
  }
  throw Error(ErrorCode::kInvalidInput, msg("objection.cli.usage"));
}

int cmdBatch(Context& c) {
  store::SqlDisbursementStore store(c.db());
  const std::string sub = c.args().words.size() > 1 ? c.args().words[1] : "";
  if (sub == "build") return batchBuild(c, store);
  if (sub == "submit" || sub == "approve" || sub == "reject" || sub == "return-to-draft")
    return batchTransition(c, store, sub);
  if (sub == "show") return batchShow(c, store);
  if (sub == "list") return batchList(c, store);
  if (sub == "flags") return batchFlags(c, store);
  if (sub == "payees") return batchPayees(c);
  if (sub == "schools") return batchSchools(c);
  if (sub == "clear-flag") return batchClearFlag(c, store);
  if (sub == "remove-payment") return batchRemovePayment(c, store);
  if (sub == "export") return batchExport(c);
  if (sub == "close") return batchClose(c);
  throw Error(ErrorCode::kInvalidInput, msg("batch.cli.usage"));
}

int cmdBudget(Context& c) {
  store::SqlDisbursementStore store(c.db());
  const std::string sub = c.args().words.size() > 1 ? c.args().words[1] : "";
  if (sub == "import") return budgetImport(c, store);
  if (sub == "show") return budgetShow(c, store);
  if (sub == "draft") return budgetDraft(c);
  throw Error(ErrorCode::kInvalidInput, msg("budget.cli.usage"));
}

}  // namespace edupay::app
