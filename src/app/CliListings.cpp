// Listings for people and scripts: what to act on next, found by a command instead of SQL
// (school list, batch payees / schools, objection list, budget draft, report decisions).
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <sstream>

#include "api/Json.h"
#include "app/Cli.h"
#include "app/CliContext.h"
#include "common/AtomicFile.h"
#include "common/Csv.h"
#include "common/Error.h"
#include "common/JsonWrite.h"
#include "common/Text.h"
#include "store/SqlDisbursementStore.h"
#include "store/SqlListings.h"

namespace edupay::app {
namespace {

/// A whole number option; Error(kInvalidInput) naming it otherwise.
int64_t number(Context& c, const std::string& name, int64_t fallback) {
  if (!c.args().has(name)) return fallback;
  const std::string v = c.args().get(name);
  if (!text::isAllDigits(v) || v.empty() || v.size() > 15)
    throw Error(ErrorCode::kInvalidInput,
                msg("cli.whole_number", {arg("option", name), arg("value", v)}));
  return std::stoll(v);
}

/// The county (or wider region) a listing covers: --region, or the user's own scope; another
/// region than the user's is not found.
std::string regionFor(Context& c, const security::User& user) {
  const std::string region = c.args().get("region", user.scope == "*" ? "" : user.scope);
  if (!user.covers(region) && user.role != security::Role::kSysadmin)
    throw Error(ErrorCode::kNotFound,
                msg("cli.region_scope", {arg("region", region), arg("scope", user.scope)}));
  return region;
}

}  // namespace

disburse::Batch batchInScope(disburse::DisbursementStore& store, const security::User& user,
                             const std::string& id) {
  std::optional<disburse::Batch> b;
  if (text::isAllDigits(id) && !id.empty() && id.size() <= 15) b = store.loadBatch(std::stoll(id));
  if (!b || !(user.covers(b->paying_region) || user.role == security::Role::kSysadmin))
    throw Error(ErrorCode::kNotFound, disburse::batchNotInScope(id));
  return *b;
}

int schoolList(Context& c) {
  store::SqlListings listings(c.db());
  const auto schools = listings.schools(c.args().get("region"), c.args().get("stage"));
  if (c.json()) {
    Poco::JSON::Array a;
    for (const auto& s : schools) a.add(api::schoolListJson(s));
    Poco::JSON::Object o;
    o.set("schools", a);
    c.out() << toJson(o) << "\n";
    return kExitOk;
  }
  int64_t enrolled = 0;
  for (const auto& s : schools) {
    c.out() << s.code << "  " << s.name << "  " << s.region << "  " << s.stages << "  "
            << c.text(msg("cli.schools.enrolled", {arg("count", std::to_string(s.enrolled))}))
            << "\n";
    enrolled += s.enrolled;
  }
  c.out() << c.text(msg("cli.schools.total", {arg("schools", std::to_string(schools.size())),
                                              arg("students", std::to_string(enrolled))}))
          << "\n";
  return kExitOk;
}

int batchPayees(Context& c) {
  store::SqlDisbursementStore store(c.db());
  const auto user = c.actingUser();
  const auto b = batchInScope(store, user, c.word(2, "batch id"));
  store::SqlListings listings(c.db());
  const auto rows = listings.batchPayees(b.id, number(c, "after", 0),
                                         static_cast<size_t>(number(c, "limit", 1000000)),
                                         c.args().get("search"));
  if (c.json()) {
    Poco::JSON::Array a;
    for (const auto& p : rows) a.add(api::payeeJson(p));
    Poco::JSON::Object o;
    o.set("batch", b.id);
    o.set("payees", a);
    c.out() << toJson(o) << "\n";
    return kExitOk;
  }
  for (const auto& p : rows) {
    c.out() << p.seq << "  " << p.reference << "  " << p.name << "  "
            << (p.payee == "school"
                    ? c.text(msg("cli.payees.students", {arg("count", std::to_string(p.students))}))
                    : p.rid_mask + "  " + p.holder)
            << "  " << p.acct_mask << "  "
            << c.text(msg("cli.payees.amount", {arg("amount", p.amount.toYuanGrouped())})) << "  "
            << c.text(disburse::paymentStatusArg("state", p.state))
            << (p.reason_code.empty() ? "" : " " + p.reason_code + " " + p.reason_text) << "\n";
  }
  c.out() << c.text(msg("cli.payees.total", {arg("count", std::to_string(rows.size())),
                                             arg("id", std::to_string(b.id))}))
          << "\n";
  return kExitOk;
}

int batchSchools(Context& c) {
  store::SqlDisbursementStore store(c.db());
  const auto user = c.actingUser();
  const auto b = batchInScope(store, user, c.word(2, "batch id"));
  store::SqlListings listings(c.db());
  const auto codes = listings.batchSchools(b.id);
  if (c.json()) {
    Poco::JSON::Array a;
    for (const auto& s : codes) a.add(s);
    Poco::JSON::Object o;
    o.set("batch", b.id);
    o.set("schools", a);
    c.out() << toJson(o) << "\n";
    return kExitOk;
  }
  for (const auto& s : codes) c.out() << s << "\n";
  return kExitOk;
}

int objectionList(Context& c) {
  const auto user = c.actingUser();
  store::SqlListings listings(c.db());
  const auto rows = listings.objections(regionFor(c, user), c.args().get("status"));
  if (c.json()) {
    Poco::JSON::Array a;
    for (const auto& x : rows) a.add(api::objectionJson(x));
    Poco::JSON::Object o;
    o.set("objections", a);
    c.out() << toJson(o) << "\n";
    return kExitOk;
  }
  for (const auto& x : rows) {
    const char* zh = x.status == "open"        ? "未处理"
                     : x.status == "upheld"    ? "异议成立"
                     : x.status == "dismissed" ? "异议不成立"
                                               : x.status.c_str();
    c.out() << c.text(msg("cli.objections.line",
                          {arg("id", std::to_string(x.id)), words("status", zh, x.status),
                           arg("student", x.student), arg("mask", x.rid_mask),
                           arg("programme", x.programme), arg("term", x.term),
                           arg("school", x.school_name), arg("raised", x.raised_on),
                           arg("user", x.recorded_by), arg("text", x.text),
                           arg("batch", x.batch_id ? msg("cli.objections.holds",
                                                         {arg("id", std::to_string(x.batch_id))})
                                                   : Message::literal("")),
                           arg("resolution", x.resolution.empty()
                                                 ? Message::literal("")
                                                 : Message::literal("  -> " + x.resolved_by + ": " +
                                                                    x.resolution))}))
            << "\n";
  }
  if (rows.empty()) c.out() << c.text(msg("cli.objections.none")) << "\n";
  return kExitOk;
}

int budgetDraft(Context& c) {
  const auto user = c.actingUser();
  const Term term = Term::parse(c.args().get("term"));
  const std::string region = regionFor(c, user);
  if (region.size() != 6 || !text::isAllDigits(region))
    throw Error(ErrorCode::kInvalidInput, msg("cli.budget_region"));
  const int64_t year = number(c, "year", term.year());
  const int64_t round = number(c, "round-up", 1) * 100;
  const int64_t headroom = number(c, "headroom", 0) * 100;
  if (round <= 0) throw Error(ErrorCode::kInvalidInput, msg("cli.round_up"));
  store::SqlListings listings(c.db());
  const auto needs = listings.entitledBySource(term.str(), region);
  std::ostringstream csv;
  CsvWriter w(csv);
  w.writeRow({"programme", "region", "fiscal_year", "source", "allocated"});
  Poco::JSON::Array lines;
  for (const auto& n : needs) {
    const int64_t fen = (n.amount.fen() + round - 1) / round * round + headroom;
    w.writeRow({n.programme, region, std::to_string(year), n.source, Money::fromFen(fen).toYuan()});
    Poco::JSON::Object o = api::needJson(n);
    o.set("allocated", Money::fromFen(fen).toYuan());
    lines.add(o);
  }
  const std::string out = c.args().get("out");
  if (!out.empty()) writeFileAtomically(out, csv.str());
  if (c.json()) {
    Poco::JSON::Object o;
    json::set(o, "term", term.str(), "region", region, "fiscal_year", year, "lines", lines);
    if (!out.empty()) o.set("file", out);
    c.out() << toJson(o) << "\n";
  } else if (out.empty()) {
    c.out() << csv.str();
  } else {
    c.out() << c.text(msg("cli.budget_draft.written",
                          {arg("file", out), arg("count", std::to_string(needs.size())),
                           arg("region", region), arg("term", term.str())}))
            << "\n";
  }
  return kExitOk;
}

int reportDecisions(Context& c) {
  const auto user = c.actingUser();
  const Term term = Term::parse(c.args().get("term"));
  const std::string region = regionFor(c, user);
  const std::string status = c.args().get("status", "held");
  if (status != "held" && status != "excluded")
    throw Error(ErrorCode::kInvalidInput, msg("cli.status.decision", {arg("value", status)}));
  store::SqlListings listings(c.db());
  const auto rows = listings.decisions(term.str(), region, status);
  int64_t total = 0;
  for (const auto& d : rows) total += d.count;
  if (c.json()) {
    Poco::JSON::Array a;
    for (const auto& d : rows) a.add(api::decisionCountJson(d, c.lang()));
    Poco::JSON::Object o;
    json::set(o, "term", term.str(), "region", region, "status", status, "total", total, "reasons",
              a);
    c.out() << toJson(o) << "\n";
    return kExitOk;
  }
  c.out() << c.text(msg("cli.decisions.total",
                        {arg("count", std::to_string(total)),
                         words("status", status == "held" ? "暂缓发放" : "不予资助", status),
                         arg("region", region), arg("term", term.str())}))
          << "\n";
  for (const auto& d : rows)
    c.out() << "  "
            << c.text(msg("cli.decisions.line",
                          {arg("count", std::to_string(d.count)), arg("programme", d.programme),
                           arg("reason", api::decisionReasonText(d, c.lang()))}))
            << "\n";
  return kExitOk;
}

}  // namespace edupay::app
