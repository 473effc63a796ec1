// `edupay identify ...`: the identification of needy students (资助对象认定) from the command line.
// Parses, calls the use case in identify/Identify.h, renders; nothing else.

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "api/IdentificationJson.h"
#include "app/Cli.h"
#include "app/CliContext.h"
#include "common/AtomicFile.h"
#include "common/Csv.h"
#include "common/Error.h"
#include "common/JsonWrite.h"
#include "common/ResidentId.h"
#include "common/Text.h"
#include "identify/Identify.h"
#include "store/SqlIdentificationStore.h"

namespace edupay::app {
namespace {

using api::caseJson;
using api::familyJson;
using api::roundJson;
using Poco::JSON::Array;
using Poco::JSON::Object;

constexpr const char* kUsage =
    "use: edupay identify open --school CODE --year YYYY --as-of DATE\n"
    "     edupay identify apply ROUND RESIDENT_ID --members N [--income-band B] [--indicators "
    "a,b]\n"
    "            [--details TEXT] --commitment-date DATE [--notes TEXT] [--change --from DATE "
    "--reason R]\n"
    "     edupay identify assess CASE --indicators a,b --teacher NAME --representatives A,B "
    "--level L [--reason R]\n"
    "     edupay identify decide CASE [--level L --reason R]\n"
    "     edupay identify notice ROUND [--out DIR]\n"
    "     edupay identify object CASE --text TEXT\n"
    "     edupay identify resolve OBJECTION --decision upheld|dismissed [--level L] --reason R\n"
    "     edupay identify file ROUND\n"
    "     edupay identify review ROUND --decision accept|send_back [--reason R]\n"
    "     edupay identify sample ROUND --seed N [--percent P]\n"
    "     edupay identify check SPOT_CHECK --outcome confirmed|level_changed|false_information "
    "[--level L] [--text NOTE] [--as-of DATE]\n"
    "     edupay identify show ROUND | family CASE | county --region R --year YYYY | report "
    "--region R --year YYYY";

/// A level code as words: 困难 / difficult.
MessageArg levelWords(std::string name, const std::string& code) {
  const auto l = domain::parseDifficultyLevel(code);
  return words(std::move(name), l ? identify::levelLabel(*l) : code, code);
}

/// A programme code as words: its Chinese name in the active policy.
MessageArg programmeWords(const rules::Policy& policy, const std::string& code) {
  const auto* p = policy.find(code);
  return words("programme", p && !p->name_zh.empty() ? p->name_zh : code, code);
}

/// `2026-autumn` / 2026年秋季学期.
MessageArg termWords(const std::string& term) {
  try {
    const Term t = Term::parse(term);
    return words("term",
                 std::to_string(t.year()) +
                     (t.season() == Term::Season::kAutumn ? "年秋季学期" : "年春季学期"),
                 term);
  } catch (const std::exception&) {
    return arg("term", term);
  }
}

/// A round's status, an objection's decision or a spot check's outcome as words.
int64_t number(Context& c, size_t i, const char* what) {
  const std::string& w = c.word(i, what);
  if (!text::isAllDigits(w) || w.size() > 15)
    throw Error(ErrorCode::kInvalidInput,
                msg("ident.cli.not_number",
                    {arg("value", w), words("what",
                                            std::string(what) == "round id"  ? "认定轮次编号"
                                            : std::string(what) == "case id" ? "认定记录编号"
                                                                             : "编号",
                                            what)}));
  return std::stoll(w);
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (const auto& x : v) out += (out.empty() ? "" : sep) + x;
  return out;
}

std::vector<std::string> list(const std::string& s) {
  std::vector<std::string> out;
  for (auto& part : text::split(s, ',')) {
    auto t = text::trim(part);
    if (!t.empty()) out.push_back(t);
  }
  return out;
}

std::string ridHash(Context& c, const std::string& key) {
  std::string why;
  auto rid = ResidentId::parse(key, &why);
  if (!rid)
    throw Error(ErrorCode::kInvalidInput,
                msg("ident.resident_id", {arg("id", maskMiddle(key, 4, 4)), arg("why", why)}));
  return c.cipher().blindIndex("resident_id", rid->str());
}

identify::Level level(const std::string& s) {
  if (s == "none") return identify::Level::kNone;
  auto l = domain::parseDifficultyLevel(s);
  if (!l) throw Error(ErrorCode::kInvalidInput, msg("ident.cli.level"));
  return *l;
}

void printCase(std::ostream& out, const identify::Case& k) {
  out << "case " << k.id << "  " << k.name << " " << k.student << "  " << k.class_name << "  "
      << k.kind << " [" << k.state << "]";
  if (k.score >= 0) out << "  score " << k.score << " -> panel " << k.proposed_level;
  if (!k.level.empty()) out << "  level " << k.level;
  if (!k.evidence.empty()) out << "  roster " << k.evidence;
  out << "\n";
}

int emit(Context& c, const Object::Ptr& o, const std::string& text) {
  if (c.json())
    c.out() << toJson(*o) << "\n";
  else
    c.out() << text << "\n";
  return kExitOk;
}

}  // namespace

int cmdIdentify(Context& c) {
  const std::string sub = c.args().words.size() > 1 ? c.args().words[1] : "";
  static const std::set<std::string> kSteps = {"open",   "apply",   "assess", "decide", "notice",
                                               "object", "resolve", "file",   "review", "sample",
                                               "check",  "show",    "family", "county", "report"};
  if (!kSteps.count(sub)) throw Error(ErrorCode::kInvalidInput, kUsage);
  store::SqlIdentificationStore store(c.db());
  const auto& a = c.args();
  auto policy = [&] { return identify::identificationPolicy(c.activePolicy().first); };
  if (sub == "show") {
    const auto user = c.actingUser();
    const auto r = identify::visibleRound(store, user, number(c, 2, "round id"));
    Object::Ptr o = roundJson(r);
    Array::Ptr cases = new Array;
    std::ostringstream text;
    text << "round " << r.id << "  " << r.school_name << " " << r.academic_year << " [" << r.status
         << "]\n";
    for (const auto& k : store.cases(r.id)) {
      cases->add(caseJson(k));
      printCase(text, k);
    }
    o->set("cases", cases);
    Array::Ptr checks = new Array;
    for (const auto& s : store.spotChecks(r.id)) {
      Object::Ptr x = new Object;
      json::set(*x, "id", s.id, "case", s.case_id, "seed", s.seed, "outcome", s.outcome);
      checks->add(x);
      text << "spot check " << s.id << ": case " << s.case_id << " "
           << (s.outcome.empty() ? "waiting" : s.outcome) << "\n";
    }
    o->set("spot_checks", checks);
    return emit(c, o, text.str());
  }
  if (sub == "family") {
    const auto user = c.actingUser();
    const auto f = identify::revealFamily(store, c.cipher(), user, number(c, 2, "case id"));
    Object::Ptr o = familyJson(f);
    return emit(c, o,
                "members " + std::to_string(f.members) + ", income " + f.income_band +
                    ", indicators " + join(f.indicators, ",") + "\n" + f.details);
  }
  if (sub == "county" || sub == "report") {
    const auto user = c.actingUser();
    const int year = static_cast<int>(std::stoll(a.get("year", "0")));
    if (year < 2000) throw Error(ErrorCode::kInvalidInput, msg("ident.cli.year"));
    Object::Ptr o = new Object;
    std::ostringstream text;
    if (sub == "county") {
      Array::Ptr rows = new Array;
      for (const auto& r : identify::countyReview(store, user, a.get("region"), year)) {
        Object::Ptr x = new Object;
        json::set(*x, "school", r.outcome.school_code, "name", r.outcome.school_name, "enrolled",
                  r.outcome.enrolled, "identified", r.outcome.identified(), "special",
                  r.outcome.special, "identified_permille", r.outcome.identifiedPermille());
        Array::Ptr out = new Array;
        for (const auto& s : r.outliers) out->add(s);
        x->set("outliers", out);
        rows->add(x);
        text << c.text(
                    msg("cli.identify.county_line",
                        {arg("school", r.outcome.school_code), arg("name", r.outcome.school_name),
                         arg("identified", r.outcome.identified()),
                         arg("enrolled", r.outcome.enrolled), arg("special", r.outcome.special)}))
             << (r.outliers.empty() ? "" : "  ! " + join(r.outliers, "; ")) << "\n";
        for (const auto& m : r.outlier_messages) text << "    ! " << c.text(m) << "\n";
      }
      o->set("schools", rows);
      return emit(c, o, text.str());
    }
    (void)identify::countyReview(store, user, a.get("region"), year);  // role and scope
    const std::string region = a.get("region", user.scope);
    Array::Ptr rows = new Array;
    for (const auto& r : store.identified(region, year)) {
      Object::Ptr x = new Object;
      json::set(*x, "school", r.school_code, "region", r.region, "level", r.level, "group", r.group,
                "students", r.students);
      rows->add(x);
      text << r.school_code << " " << r.school_name << "  " << r.level << "  " << r.group << ": "
           << r.students << "\n";
    }
    o->set("identified", rows);
    Array::Ptr rec = new Array;
    Money total;
    std::optional<rules::Policy> active;  // read once, for the programmes' names
    for (const auto& r : store.recoveries(region, year)) {
      if (!active) active = c.activePolicy().first;
      Object::Ptr x = new Object;
      json::set(*x, "school", r.school_code, "student", r.student, "name", r.name, "programme",
                r.programme, "term", r.term, "reference", r.end_to_end_ref, "amount",
                r.amount.toYuan());
      rec->add(x);
      total += r.amount;
      text << c.text(msg("ident.cli.to_recover",
                         {arg("school", r.school_code), arg("name", r.name),
                          arg("student", r.student), programmeWords(*active, r.programme),
                          termWords(r.term), arg("amount", r.amount.toYuan())}))
           << "\n";
    }
    o->set("to_recover", rec);
    o->set("to_recover_total", total.toYuan());
    std::map<std::string, int64_t> outcomes;
    for (const auto& r : identify::visibleRounds(store, user, "", year)) {
      if (r.school_code.rfind(region, 0) != 0 && r.region.rfind(region, 0) != 0) continue;
      for (const auto& s : store.spotChecks(r.id))
        ++outcomes[s.outcome.empty() ? "waiting" : s.outcome];
    }
    Object::Ptr spot = new Object;
    for (const auto& [k, n] : outcomes) {
      spot->set(k, n);
      text << "spot checks " << k << ": " << n << "\n";
    }
    o->set("spot_checks", spot);
    return emit(c, o, text.str());
  }

  const auto user = c.actingUser();
  if (sub == "open") {
    const auto r =
        identify::openRound(store, c.security(), user, policy(), a.get("school"),
                            static_cast<int>(std::stoll(a.get("year", "0"))), a.get("as-of"));
    const auto n = store.cases(r.id).size();
    return emit(c, roundJson(r),
                c.text(msg("ident.opened",
                           {arg("round", std::to_string(r.id)), arg("school", r.school_name),
                            arg("year", std::to_string(r.academic_year)), arg("count", n)})));
  }
  if (sub == "apply") {
    identify::Application app;
    const int64_t round = number(c, 2, "round id");
    app.rid_hash = ridHash(c, c.word(3, "RESIDENT_ID"));
    const std::string members = a.get("members", "0");
    if (!text::isAllDigits(members) || members.size() > 3)
      throw Error(ErrorCode::kInvalidInput, msg("ident.cli.members"));
    app.family.members = std::stoi(members);
    app.family.income_band = a.get("income-band");
    app.family.indicators = list(a.get("indicators"));
    app.family.details = a.get("details");
    app.commitment_signed = a.has("commitment-date");
    app.commitment_date = a.get("commitment-date");
    app.evidence_notes = a.get("notes");
    app.effective_from = a.get("from");
    app.change_reason = a.get("reason");
    const auto k = identify::addApplication(store, c.security(), c.cipher(), user, policy(), round,
                                            app, a.has("change"));
    return emit(
        c, caseJson(k),
        c.text(msg("ident.cli.entered", {arg("case", std::to_string(k.id)), arg("name", k.name)})));
  }
  if (sub == "assess") {
    identify::Assessment as;
    as.indicators = list(a.get("indicators"));
    as.class_teacher = a.get("teacher");
    as.representatives = list(a.get("representatives"));
    as.proposed = level(a.get("level"));
    as.reason = a.get("reason");
    const auto k =
        identify::assessCase(store, c.security(), user, policy(), number(c, 2, "case id"), as);
    return emit(c, caseJson(k),
                c.text(msg("ident.cli.assessed", {arg("case", std::to_string(k.id)),
                                                  arg("score", std::to_string(k.score)),
                                                  levelWords("level", k.score_level),
                                                  levelWords("proposed", k.proposed_level)})));
  }
  if (sub == "decide") {
    const auto k = identify::decideCase(store, c.security(), user, number(c, 2, "case id"),
                                        a.get("level"), a.get("reason"));
    return emit(c, caseJson(k),
                c.text(msg("ident.cli.decided",
                           {arg("case", std::to_string(k.id)), levelWords("level", k.level)})));
  }
  if (sub == "notice") {
    const auto full = c.activePolicy().first;
    auto [n, lines] =
        identify::publishNotice(store, c.security(), user, identify::identificationPolicy(full),
                                number(c, 2, "round id"), full.holidays, Date::today());
    const std::string dir = a.get("out", "notices");
    std::filesystem::create_directories(dir);
    std::ostringstream csv;
    CsvWriter w(csv, {TextEncoding::kUtf8, true, "\r\n", ','});
    w.writeRow({"姓名", "班级", "认定等级"});
    for (const auto& l : lines) w.writeRow({l.name, l.class_name, l.level});
    const std::string path = dir + "/identification-notice-" + std::to_string(n.id) + ".csv";
    writeFileAtomically(path, csv.str());
    Object::Ptr o = new Object;
    json::set(*o, "notice", n.id, "entries", n.entries, "window_ends", n.window_ends, "csv", path);
    return emit(c, o,
                c.text(msg("ident.cli.noticed",
                           {arg("notice", std::to_string(n.id)), arg("count", n.entries),
                            arg("until", n.window_ends), arg("file", path)})));
  }
  if (sub == "object") {
    const auto o =
        identify::addObjection(store, c.security(), user, number(c, 2, "case id"), a.get("text"));
    Object::Ptr j = new Object;
    j->set("objection", o.id);
    j->set("case", o.case_id);
    return emit(c, j, c.text(msg("ident.cli.objection", {arg("objection", std::to_string(o.id))})));
  }
  if (sub == "resolve") {
    const auto o =
        identify::resolveObjection(store, c.security(), user, number(c, 2, "objection id"),
                                   a.get("decision"), a.get("level"), a.get("reason"));
    Object::Ptr j = new Object;
    j->set("objection", o.id);
    j->set("status", o.status);
    return emit(c, j,
                c.text(msg("ident.cli.resolved", {arg("objection", std::to_string(o.id)),
                                                  identify::stateWordsOf("status", o.status)})));
  }
  if (sub == "file") {
    const auto r =
        identify::fileRound(store, c.security(), user, number(c, 2, "round id"), Date::today());
    return emit(c, roundJson(r),
                c.text(msg("ident.cli.filed", {arg("round", std::to_string(r.id)),
                                               identify::stateWordsOf("status", r.status)})));
  }
  if (sub == "review") {
    const auto r = identify::reviewRound(store, c.security(), user, number(c, 2, "round id"),
                                         a.get("decision"), a.get("reason"));
    return emit(c, roundJson(r),
                c.text(msg("ident.cli.reviewed", {arg("round", std::to_string(r.id)),
                                                  identify::stateWordsOf("status", r.status)})));
  }
  if (sub == "sample") {
    const std::string seed = a.get("seed");
    if (!text::isAllDigits(seed) || seed.empty() || seed.size() > 15)
      throw Error(ErrorCode::kInvalidInput, msg("ident.cli.seed"));
    const auto drawn =
        identify::drawSpotChecks(store, c.security(), user, policy(), number(c, 2, "round id"),
                                 std::stoll(seed), std::stoi(a.get("percent", "0")));
    Object::Ptr o = new Object;
    Array::Ptr arr = new Array;
    std::string text;
    for (const auto& s : drawn) {
      Object::Ptr x = new Object;
      x->set("id", s.id);
      x->set("case", s.case_id);
      arr->add(x);
      text += c.text(msg("ident.cli.drawn_one", {arg("spot", std::to_string(s.id)),
                                                 arg("case", std::to_string(s.case_id))})) +
              "\n";
    }
    o->set("spot_checks", arr);
    return emit(c, o, text + c.text(msg("ident.cli.drawn", {arg("count", drawn.size())})));
  }
  if (sub == "check") {
    const auto s =
        identify::recordSpotCheck(store, c.security(), user, number(c, 2, "spot check id"),
                                  a.get("outcome"), a.get("level"), a.get("text"), asOfDate(a));
    Object::Ptr o = new Object;
    o->set("spot_check", s.id);
    o->set("outcome", s.outcome);
    return emit(c, o,
                c.text(msg("ident.cli.checked", {arg("spot", std::to_string(s.id)),
                                                 identify::stateWordsOf("outcome", s.outcome)})));
  }
  throw Error(ErrorCode::kInvalidInput, kUsage);
}

}  // namespace edupay::app
