#include "identify/Identify.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <set>
#include <sstream>

#include "common/Error.h"
#include "common/Retry.h"
#include "common/Text.h"
#include "identify/IdentifyParts.h"

namespace edupay::identify {
namespace detail {

Error notFound(int64_t id, const char* what) {
  return Error(ErrorCode::kNotFound, std::string(what) + " " + std::to_string(id) +
                                         " not found (认定记录不存在或不在您的范围内)");
}

bool sees(const User& u, const Round& r) {
  switch (u.role) {
    case Role::kSchoolAdmin:
    case Role::kSchoolApprover:
      return u.covers(r.school_code);
    case Role::kBureauOfficer:
    case Role::kBureauApprover:
    case Role::kAuditor:
      return u.covers(r.region);
    default:
      return false;
  }
}

Round mustRound(IdentificationStore& store, const User& user, int64_t id) {
  auto r = store.round(id);
  if (!r || !sees(user, *r)) throw notFound(id, "identification round");
  return *r;
}

void requireRole(const User& user, std::initializer_list<Role> roles, const std::string& what) {
  for (Role r : roles)
    if (user.role == r) return;
  std::string names;
  for (Role r : roles) names += (names.empty() ? "" : " or ") + std::string(security::code(r));
  throw Error(ErrorCode::kForbidden, what + " is for a " + names + " (" +
                                         std::string(security::code(user.role)) +
                                         " may not; 无此操作权限)");
}

std::pair<Case, Round> mustCase(IdentificationStore& store, const User& user, int64_t id) {
  auto c = store.loadCase(id);
  if (!c) throw notFound(id, "identification case");
  auto r = store.round(c->round_id);
  if (!r || !sees(user, *r)) throw notFound(id, "identification case");
  return {*c, *r};
}

Date mustDate(const std::string& s, const std::string& field) {
  auto d = Date::parse(s);
  if (!d)
    throw Error(ErrorCode::kInvalidInput,
                field + ": `" + s + "` is not a date; write YYYY-MM-DD (日期格式应为 YYYY-MM-DD)");
  return *d;
}

std::optional<Level> parseLevel(const std::string& s) {
  if (s == "none") return Level::kNone;
  auto l = domain::parseDifficultyLevel(s);
  return l;
}

Level mustLevel(const std::string& s, const std::string& field) {
  auto l = parseLevel(s);
  if (!l)
    throw Error(ErrorCode::kInvalidInput,
                field + ": `" + s +
                    "` is not a level; one of none, generally, difficult, especially "
                    "(不认定/一般困难/困难/特别困难)");
  return *l;
}

std::string str(Level l) { return std::string(domain::code(l)); }

std::string roundSummary(const Round& r) {
  return "school=" + r.school_code + " year=" + std::to_string(r.academic_year) +
         " status=" + r.status;
}
std::string caseSummary(const Case& c) {
  // Never the family situation, the notes or a full ID: what an auditor needs to follow a case.
  return "case=" + std::to_string(c.id) + " student=" + c.student + " kind=" + c.kind +
         " state=" + c.state + (c.score >= 0 ? " score=" + std::to_string(c.score) : "") +
         (c.proposed_level.empty() ? "" : " proposed=" + c.proposed_level) +
         (c.level.empty() ? "" : " level=" + c.level) +
         (c.effective_from.empty() ? "" : " from=" + c.effective_from);
}

namespace {
void changedMeanwhile(const char* what, int64_t id) {
  throw Error(ErrorCode::kConflict, std::string(what) + " " + std::to_string(id) +
                                        " was changed by someone else meanwhile; reload and try "
                                        "again (记录已被他人修改，请刷新后重试)");
}
}  // namespace

void saveCase(IdentificationStore& store, Case& c) {
  if (!store.updateCase(c)) changedMeanwhile("case", c.id);
  ++c.version;
}
void saveRound(IdentificationStore& store, Round& r) {
  if (!store.updateRound(r)) changedMeanwhile("round", r.id);
  ++r.version;
}

bool roundEditable(const Round& r, bool change) {
  return change ? true : (r.status == "open" || r.status == "sent_back");
}

}  // namespace detail

using namespace detail;

std::string toJson(const FamilySituation& f) {
  Poco::JSON::Object o;
  o.set("members", f.members);
  o.set("income_band", f.income_band);
  Poco::JSON::Array::Ptr a = new Poco::JSON::Array;
  for (const auto& i : f.indicators) a->add(i);
  o.set("indicators", a);
  o.set("details", f.details);
  std::ostringstream out;
  Poco::JSON::Stringifier::condense(o, out);
  return out.str();
}

FamilySituation familyFromJson(const std::string& json) {
  FamilySituation f;
  auto o = Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
  f.members = o->optValue<int>("members", 0);
  f.income_band = o->optValue<std::string>("income_band", "");
  f.details = o->optValue<std::string>("details", "");
  if (auto a = o->getArray("indicators"))
    for (size_t i = 0; i < a->size(); ++i) f.indicators.push_back(a->getElement<std::string>(i));
  return f;
}

Round visibleRound(IdentificationStore& store, const User& user, int64_t round_id) {
  return mustRound(store, user, round_id);
}

Round openRound(IdentificationStore& store, security::SecurityStore& audit, const User& user,
                const IdentificationPolicy& policy, const std::string& school_code,
                int academic_year, const std::string& identification_date) {
  return retryUnit("identify.openRound", [&] {
    requireRole(user, {Role::kSchoolAdmin}, "opening a school's identification");
    const Date on = mustDate(identification_date, "identification_date");
    if (on < *Date::fromYmd(academic_year, 1, 1) || on > *Date::fromYmd(academic_year + 1, 8, 31))
      throw Error(ErrorCode::kInvalidInput,
                  "identification_date " + identification_date + " is outside the academic year " +
                      std::to_string(academic_year) + "-" + std::to_string(academic_year + 1));
    auto tx = store.transaction();
    auto school = store.school(school_code);
    if (!school || !user.covers(school->code))
      throw Error(ErrorCode::kNotFound, "school " + school_code + " not found (学校不存在)");
    if (store.roundOf(school->id, academic_year))
      throw Error(ErrorCode::kConflict, "school " + school_code +
                                            " already has its identification for " +
                                            std::to_string(academic_year) + " (本学年认定已开始)");
    Round r;
    r.school_id = school->id;
    r.school_code = school->code;
    r.school_name = school->name;
    r.region = school->region;
    r.academic_year = academic_year;
    r.identification_date = on.str();
    r.opened_by = user.name;
    r.opened_on = security::nowIso();
    r.id = store.insertRound(r);
    int64_t special = 0;
    for (const auto& s : store.enrolledAt(school->id, on)) {
      auto g = specialGroup(policy, s.statuses, on);
      if (!g) continue;
      Case c;
      c.round_id = r.id;
      c.person_id = s.person_id;
      c.student = s.student;
      c.name = s.name;
      c.class_name = s.class_name;
      c.kind = "special";
      c.state = "decided";
      c.category = std::string(domain::code(g->category));
      c.evidence = g->evidence;
      c.entered_by = user.name;
      c.entered_on = r.opened_on;
      c.effective_from = r.identification_date;
      c.level = str(g->level);
      c.decided_by = "policy";
      c.decided_on = r.opened_on;
      c.decision_reason = "special group on the official roster (特殊群体，免申请认定)";
      c.id = store.insertCase(c);
      ++special;
    }
    security::appendAudit(audit, user.name, "identify.open", "ident_round:" + std::to_string(r.id),
                          "",
                          roundSummary(r) + " date=" + r.identification_date +
                              " special_groups=" + std::to_string(special));
    tx->commit();
    return r;
  });
}

Case addApplication(IdentificationStore& store, security::SecurityStore& audit,
                    const security::FieldCipher& cipher, const User& user,
                    const IdentificationPolicy& policy, int64_t round_id, const Application& a,
                    bool change) {
  return retryUnit("identify.addApplication", [&] {
    requireRole(user, {Role::kSchoolAdmin}, "entering an application");
    if (a.commitment_signed) {
      (void)mustDate(a.commitment_date, "commitment_date");
    } else {
      throw Error(ErrorCode::kInvalidInput,
                  "commitment_signed: the student (or guardian) signs the personal commitment "
                  "(承诺书) before the application is entered; record its date");
    }
    if (a.family.members <= 0)
      throw Error(ErrorCode::kInvalidInput,
                  "members: the number of household members is required (家庭人口数必填)");
    (void)score(policy, a.family.indicators);  // names an unknown indicator now
    if (change && text::trim(a.change_reason).empty())
      throw Error(ErrorCode::kInvalidInput,
                  "change_reason: say what changed (突发困难、家庭经济好转等，须说明调整原因)");
    auto tx = store.transaction();
    Round r = mustRound(store, user, round_id);
    if (!change && !roundEditable(r, false))
      throw Error(ErrorCode::kConflict,
                  "round " + std::to_string(r.id) + " is " + r.status +
                      ": after filing, a change during the year is entered as a change (动态调整)");
    if (change && r.status == "open")
      throw Error(ErrorCode::kConflict,
                  "round " + std::to_string(r.id) +
                      " is still open: enter an ordinary application before it is filed");
    Date from = mustDate(r.identification_date, "identification_date");
    if (change) {
      from = mustDate(a.effective_from, "effective_from");
      if (from < mustDate(r.identification_date, "identification_date") ||
          from > *Date::fromYmd(r.academic_year + 1, 8, 31))
        throw Error(ErrorCode::kInvalidInput,
                    "effective_from " + from.str() + " is outside the round's academic year");
    }
    auto s = store.enrolledStudent(r.school_id, a.rid_hash, from);
    if (!s)
      throw Error(ErrorCode::kNotFound, "the student is not enrolled at school " + r.school_code +
                                            " on " + from.str() + " (该生不在本校学籍中)");
    for (const auto& c : store.cases(r.id)) {
      if (c.person_id != s->person_id || c.state == "revoked") continue;
      if (!change && c.kind != "change")
        throw Error(ErrorCode::kConflict, "student " + s->student + " already has case " +
                                              std::to_string(c.id) + " (" + c.kind +
                                              ") in this round (该生已有认定记录)");
      if (change && c.state != "filed")
        throw Error(ErrorCode::kConflict, "student " + s->student + " has case " +
                                              std::to_string(c.id) +
                                              " still in progress: finish it first");
    }
    Case c;
    c.round_id = r.id;
    c.person_id = s->person_id;
    c.student = s->student;
    c.name = s->name;
    c.class_name = s->class_name;
    c.kind = change ? "change" : "application";
    c.items_enc = cipher.encrypt(kItemsField, toJson(a.family));
    c.notes_enc = cipher.encrypt(
        kNotesField, a.evidence_notes + (change ? "\n调整原因: " + a.change_reason : ""));
    c.commitment_signed = true;
    c.commitment_date = a.commitment_date;
    c.entered_by = user.name;
    c.entered_on = security::nowIso();
    c.effective_from = from.str();
    c.id = store.insertCase(c);
    security::appendAudit(audit, user.name, change ? "identify.change" : "identify.apply",
                          "ident_case:" + std::to_string(c.id), "", caseSummary(c));
    tx->commit();
    return c;
  });
}

Case assessCase(IdentificationStore& store, security::SecurityStore& audit, const User& user,
                const IdentificationPolicy& policy, int64_t case_id, const Assessment& a) {
  return retryUnit("identify.assessCase", [&] {
    requireRole(user, {Role::kSchoolAdmin}, "recording a class panel's assessment");
    const Score s = score(policy, a.indicators);
    if (auto why = refuseProposal(s, a.proposed, a.class_teacher, a.representatives, a.reason))
      throw Error(ErrorCode::kInvalidInput, *why);
    auto tx = store.transaction();
    auto [c, r] = mustCase(store, user, case_id);
    if (c.kind == "special")
      throw Error(ErrorCode::kConflict, "case " + std::to_string(c.id) +
                                            " is a special group: identified without assessment");
    if (c.state != "applied" && c.state != "assessed")
      throw Error(ErrorCode::kConflict, "case " + std::to_string(c.id) + " is " + c.state +
                                            ": it can no longer be assessed");
    const std::string before = caseSummary(c);
    c.score = s.points;
    c.score_level = str(s.level);
    c.proposed_level = str(a.proposed);
    c.panel_teacher = text::trim(a.class_teacher);
    std::string reps;
    for (const auto& p : a.representatives)
      if (!text::trim(p).empty()) reps += (reps.empty() ? "" : "、") + text::trim(p);
    c.panel_representatives = reps;
    c.panel_reason = text::trim(a.reason);
    c.assessed_by = user.name;
    c.assessed_on = security::nowIso();
    c.state = "assessed";
    saveCase(store, c);
    security::appendAudit(audit, user.name, "identify.assess", "ident_case:" + std::to_string(c.id),
                          before, caseSummary(c) + " panel=" + c.panel_teacher + "/" + reps);
    tx->commit();
    return c;
  });
}

Case decideCase(IdentificationStore& store, security::SecurityStore& audit, const User& user,
                int64_t case_id, const std::string& level, const std::string& reason) {
  return retryUnit("identify.decideCase", [&] {
    requireRole(user, {Role::kSchoolApprover}, "deciding an identification (学校认定工作组审核)");
    auto tx = store.transaction();
    auto [c, r] = mustCase(store, user, case_id);
    if (c.state != "assessed")
      throw Error(ErrorCode::kConflict,
                  "case " + std::to_string(c.id) + " is " + c.state +
                      (c.state == "applied" ? ": the class panel assesses it first" : "") +
                      " (不在待审核状态)");
    if (user.name == c.entered_by || user.name == c.assessed_by)
      throw Error(ErrorCode::kForbidden,
                  "case " + std::to_string(c.id) + " was entered or assessed by " + user.name +
                      ": another person of the school decides it (录入人不能自行审核)");
    const std::string before = caseSummary(c);
    if (level.empty()) {
      c.level = c.proposed_level;
    } else {
      c.level = str(mustLevel(level, "level"));
      if (c.level != c.proposed_level && text::trim(reason).empty())
        throw Error(ErrorCode::kInvalidInput,
                    "reason: deciding " + c.level + " where the class panel proposed " +
                        c.proposed_level + " needs a reason (与班级评议结果不一致，须说明理由)");
    }
    c.decided_by = user.name;
    c.decided_on = security::nowIso();
    c.decision_reason = text::trim(reason);
    c.state = "decided";
    saveCase(store, c);
    security::appendAudit(audit, user.name, "identify.decide", "ident_case:" + std::to_string(c.id),
                          before, caseSummary(c));
    tx->commit();
    return c;
  });
}

std::pair<Notice, std::vector<NoticeLine>> publishNotice(
    IdentificationStore& store, security::SecurityStore& audit, const User& user,
    const IdentificationPolicy& policy, int64_t round_id, const HolidayCalendar& calendar,
    const Date& today) {
  return retryUnit("identify.publishNotice", [&] {
    requireRole(user, {Role::kSchoolAdmin}, "publishing the identification notice");
    auto tx = store.transaction();
    Round r = mustRound(store, user, round_id);
    std::vector<Case> waiting;
    for (auto& c : store.cases(r.id))
      if (c.state == "decided") waiting.push_back(c);
    if (waiting.empty())
      throw Error(ErrorCode::kConflict,
                  "round " + std::to_string(r.id) +
                      " has no decided case waiting for a notice (无待公示记录)");
    Notice n;
    n.round_id = r.id;
    n.published_by = user.name;
    n.published_on = today.str();
    n.window_ends = calendar.addWorkingDays(today, std::max(5, policy.notice_working_days)).str();
    std::vector<NoticeLine> lines;
    for (const auto& c : waiting)
      if (c.level != "none") ++n.entries;
    n.id = store.insertNotice(n);
    for (auto& c : waiting) {
      c.notice_id = n.id;
      c.state = "noticed";
      saveCase(store, c);
      auto l = parseLevel(c.level);
      if (l && *l != Level::kNone) lines.push_back({c.name, c.class_name, levelLabel(*l)});
    }
    security::appendAudit(
        audit, user.name, "identify.notice", "ident_round:" + std::to_string(r.id), "",
        "notice=" + std::to_string(n.id) + " cases=" + std::to_string(waiting.size()) +
            " listed=" + std::to_string(n.entries) + " until " + n.window_ends);
    tx->commit();
    return std::make_pair(n, lines);
  });
}

Objection addObjection(IdentificationStore& store, security::SecurityStore& audit, const User& user,
                       int64_t case_id, const std::string& text) {
  return retryUnit("identify.addObjection", [&] {
    requireRole(user, {Role::kSchoolAdmin, Role::kSchoolApprover}, "recording an objection");
    if (text::trim(text).empty())
      throw Error(ErrorCode::kInvalidInput, "text: say what the objection is (异议内容必填)");
    auto tx = store.transaction();
    auto [c, r] = mustCase(store, user, case_id);
    if (c.state != "noticed" && c.state != "filed")
      throw Error(ErrorCode::kConflict, "case " + std::to_string(c.id) + " is " + c.state +
                                            ": objections are taken once it is noticed");
    Objection o;
    o.case_id = c.id;
    o.text = text::trim(text);
    o.recorded_by = user.name;
    o.recorded_on = security::nowIso();
    o.id = store.insertObjection(o);
    security::appendAudit(audit, user.name, "identify.objection",
                          "ident_case:" + std::to_string(c.id), caseSummary(c),
                          "objection=" + std::to_string(o.id) + " open");
    tx->commit();
    return o;
  });
}

Objection resolveObjection(IdentificationStore& store, security::SecurityStore& audit,
                           const User& user, int64_t objection_id, const std::string& decision,
                           const std::string& new_level, const std::string& reason) {
  return retryUnit("identify.resolveObjection", [&] {
    requireRole(user, {Role::kSchoolApprover}, "resolving an objection");
    if (decision != "upheld" && decision != "dismissed")
      throw Error(ErrorCode::kInvalidInput, "decision: upheld or dismissed (成立/不成立)");
    if (text::trim(reason).empty())
      throw Error(ErrorCode::kInvalidInput, "reason: say why (处理理由必填)");
    auto tx = store.transaction();
    auto o = store.objection(objection_id);
    if (!o) throw notFound(objection_id, "objection");
    auto [c, r] = mustCase(store, user, o->case_id);
    if (o->status != "open")
      throw Error(ErrorCode::kConflict,
                  "objection " + std::to_string(o->id) + " is already " + o->status);
    const std::string before = caseSummary(c);
    o->status = decision;
    o->resolution = text::trim(reason);
    o->resolved_by = user.name;
    o->resolved_on = security::nowIso();
    if (decision == "upheld") {
      o->new_level = str(mustLevel(new_level, "new_level"));
      c.level = o->new_level;
      c.decision_reason = "objection " + std::to_string(o->id) + " upheld: " + o->resolution;
      saveCase(store, c);
      if (c.state == "filed") {  // the level in force changes with the case's
        auto periods = store.levels(c.person_id, r.academic_year);
        for (auto& p : periods)
          if (p.case_id == c.id) p.level = *parseLevel(c.level);
        store.setLevels(c.person_id, r.academic_year, periods, "superseded");
      }
    }
    store.resolveObjection(*o);
    security::appendAudit(audit, user.name, "identify.objection_resolve",
                          "objection:" + std::to_string(o->id), before,
                          caseSummary(c) + " decision=" + decision);
    tx->commit();
    return *o;
  });
}

}  // namespace edupay::identify
