#include "identify/Identify.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <map>
#include <set>
#include <sstream>

#include "common/Error.h"
#include "common/Retry.h"
#include "common/Text.h"
#include "identify/IdentifyParts.h"

namespace edupay::identify {
namespace detail {

namespace {
MessageArg thingWords(Thing t) {
  switch (t) {
    case Thing::kRound:
      return words("what", "认定轮次", "identification round");
    case Thing::kCase:
      return words("what", "认定记录", "identification case");
    case Thing::kObjection:
      return words("what", "异议", "objection");
    case Thing::kSpotCheck:
      return words("what", "抽查记录", "spot check");
  }
  return arg("what", "?");
}

/// The Chinese names of the fields a refusal names.
MessageArg fieldWords(const std::string& field) {
  static const std::map<std::string, std::string> kZh = {
      {"identification_date", "认定日期"}, {"commitment_date", "承诺书签署日期"},
      {"effective_from", "生效日期"},      {"level", "认定等级"},
      {"new_level", "调整后的认定等级"},
  };
  auto it = kZh.find(field);
  return words("field", it == kZh.end() ? field : it->second, field);
}
}  // namespace

MessageArg idArg(std::string name, int64_t id) { return arg(std::move(name), std::to_string(id)); }

MessageArg stateWords(std::string name, const std::string& code) {
  static const std::map<std::string, std::string> kZh = {
      // cases
      {"applied", "已申请"},
      {"assessed", "已评议"},
      {"decided", "已认定"},
      {"noticed", "公示中"},
      {"filed", "已报送"},
      {"revoked", "已撤销"},
      // rounds
      {"open", "进行中"},
      {"submitted", "已报送待复核"},
      {"accepted", "已复核通过"},
      {"sent_back", "已退回"},
      // kinds
      {"application", "申请"},
      {"change", "动态调整"},
      {"special", "特殊群体"},
      // objections and spot checks
      {"upheld", "成立"},
      {"dismissed", "不成立"},
      {"confirmed", "属实"},
      {"level_changed", "调整等级"},
      {"false_information", "信息虚假"},
  };
  auto it = kZh.find(code);
  return words(std::move(name), it == kZh.end() ? code : it->second, code);
}

MessageArg levelWords(std::string name, const std::string& code) {
  const auto l = parseLevel(code);
  return words(std::move(name), l ? levelLabel(*l) : code, code);
}

Error notFound(int64_t id, Thing what) {
  return Error(ErrorCode::kNotFound, msg("ident.not_found", {thingWords(what), idArg("id", id)}));
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
  if (!r || !sees(user, *r)) throw notFound(id, Thing::kRound);
  return *r;
}

void requireRole(const User& user, std::initializer_list<Role> roles, const MessageArg& action) {
  for (Role r : roles)
    if (user.role == r) return;
  std::string zh, en;
  for (Role r : roles) {
    zh += (zh.empty() ? "" : "或") + security::roleArg("r", r).zh;
    en += (en.empty() ? "" : " or ") + std::string(security::code(r));
  }
  throw Error(ErrorCode::kForbidden,
              msg("ident.role", {action, words("roles", zh, en),
                                 words("role", security::roleArg("r", user.role).zh,
                                       std::string(security::code(user.role)))}));
}

std::pair<Case, Round> mustCase(IdentificationStore& store, const User& user, int64_t id) {
  auto c = store.loadCase(id);
  if (!c) throw notFound(id, Thing::kCase);
  auto r = store.round(c->round_id);
  if (!r || !sees(user, *r)) throw notFound(id, Thing::kCase);
  return {*c, *r};
}

Date mustDate(const std::string& s, const std::string& field) {
  auto d = Date::parse(s);
  if (!d)
    throw Error(ErrorCode::kInvalidInput,
                msg("ident.date.invalid", {fieldWords(field), arg("value", s)}));
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
                msg("ident.level.invalid", {fieldWords(field), arg("value", s)}));
  return *l;
}

std::string str(Level l) { return std::string(domain::code(l)); }

Message roundSummary(const Round& r) {
  return msg("audit.rec.identify.round",
             {arg("school", r.school_code), arg("year", std::to_string(r.academic_year)),
              stateWords("status", r.status)});
}

Message caseSummary(const Case& c) {
  // What an auditor needs to follow a case, in each language; the optional parts as recorded.
  const auto kind = stateWords("kind", c.kind);
  const auto state = stateWords("state", c.state);
  std::string zh = std::to_string(c.id) + "，学生 " + c.student + "，" + kind.zh + "，" + state.zh;
  std::string en =
      std::to_string(c.id) + " student=" + c.student + " kind=" + c.kind + " state=" + c.state;
  if (c.score >= 0) {
    zh += "，评议得分 " + std::to_string(c.score);
    en += " score=" + std::to_string(c.score);
  }
  if (!c.proposed_level.empty()) {
    zh += "，建议等级 " + levelWords("l", c.proposed_level).zh;
    en += " proposed=" + c.proposed_level;
  }
  if (!c.level.empty()) {
    zh += "，认定等级 " + levelWords("l", c.level).zh;
    en += " level=" + c.level;
  }
  if (!c.effective_from.empty()) {
    zh += "，自 " + c.effective_from + " 起";
    en += " from=" + c.effective_from;
  }
  return msg("audit.rec.identify.case", {words("case", zh, en)});
}

namespace {
void changedMeanwhile(MessageArg what, int64_t id) {
  throw Error(ErrorCode::kConflict,
              msg("ident.changed_meanwhile", {std::move(what), idArg("id", id)}));
}
}  // namespace

void saveCase(IdentificationStore& store, Case& c) {
  if (!store.updateCase(c)) changedMeanwhile(words("what", "认定记录", "case"), c.id);
  ++c.version;
}
void saveRound(IdentificationStore& store, Round& r) {
  if (!store.updateRound(r)) changedMeanwhile(words("what", "认定轮次", "round"), r.id);
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
    requireRole(user, {Role::kSchoolAdmin},
                words("action", "开启本校资助对象认定", "opening a school's identification"));
    const Date on = mustDate(identification_date, "identification_date");
    if (on < *Date::fromYmd(academic_year, 1, 1) || on > *Date::fromYmd(academic_year + 1, 8, 31))
      throw Error(ErrorCode::kInvalidInput,
                  msg("ident.open.date_outside",
                      {arg("date", identification_date), arg("year", std::to_string(academic_year)),
                       arg("next", std::to_string(academic_year + 1))}));
    auto tx = store.transaction();
    auto school = store.school(school_code);
    if (!school || !user.covers(school->code))
      throw Error(ErrorCode::kNotFound,
                  msg("ident.school.not_found", {arg("school", school_code)}));
    if (store.roundOf(school->id, academic_year))
      throw Error(ErrorCode::kConflict,
                  msg("ident.open.exists",
                      {arg("school", school_code), arg("year", std::to_string(academic_year))}));
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
                          Message(),
                          msg("audit.rec.identify.opened",
                              {arg("round", roundSummary(r)), arg("date", r.identification_date),
                               arg("special", special)}));
    tx->commit();
    return r;
  });
}

Case addApplication(IdentificationStore& store, security::SecurityStore& audit,
                    const security::FieldCipher& cipher, const User& user,
                    const IdentificationPolicy& policy, int64_t round_id, const Application& a,
                    bool change) {
  return retryUnit("identify.addApplication", [&] {
    requireRole(user, {Role::kSchoolAdmin},
                words("action", "录入认定申请", "entering an application"));
    if (a.commitment_signed) {
      (void)mustDate(a.commitment_date, "commitment_date");
    } else {
      throw Error(ErrorCode::kInvalidInput, msg("ident.apply.no_commitment"));
    }
    if (a.family.members <= 0) throw Error(ErrorCode::kInvalidInput, msg("ident.apply.no_members"));
    (void)score(policy, a.family.indicators);  // names an unknown indicator now
    if (change && text::trim(a.change_reason).empty())
      throw Error(ErrorCode::kInvalidInput, msg("ident.apply.no_change_reason"));
    auto tx = store.transaction();
    Round r = mustRound(store, user, round_id);
    if (!change && !roundEditable(r, false))
      throw Error(
          ErrorCode::kConflict,
          msg("ident.apply.round_filed", {idArg("round", r.id), stateWords("status", r.status)}));
    if (change && r.status == "open")
      throw Error(ErrorCode::kConflict, msg("ident.apply.round_open", {idArg("round", r.id)}));
    Date from = mustDate(r.identification_date, "identification_date");
    if (change) {
      from = mustDate(a.effective_from, "effective_from");
      if (from < mustDate(r.identification_date, "identification_date") ||
          from > *Date::fromYmd(r.academic_year + 1, 8, 31))
        throw Error(ErrorCode::kInvalidInput,
                    msg("ident.apply.from_outside", {arg("date", from.str())}));
    }
    auto s = store.enrolledStudent(r.school_id, a.rid_hash, from);
    if (!s)
      throw Error(
          ErrorCode::kNotFound,
          msg("ident.apply.not_enrolled", {arg("school", r.school_code), arg("date", from.str())}));
    for (const auto& c : store.cases(r.id)) {
      if (c.person_id != s->person_id || c.state == "revoked") continue;
      if (!change && c.kind != "change")
        throw Error(ErrorCode::kConflict,
                    msg("ident.apply.has_case", {arg("student", s->student), idArg("case", c.id),
                                                 stateWords("kind", c.kind)}));
      if (change && c.state != "filed")
        throw Error(ErrorCode::kConflict, msg("ident.apply.case_in_progress",
                                              {arg("student", s->student), idArg("case", c.id)}));
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
                          "ident_case:" + std::to_string(c.id), Message(), caseSummary(c));
    tx->commit();
    return c;
  });
}

Case assessCase(IdentificationStore& store, security::SecurityStore& audit, const User& user,
                const IdentificationPolicy& policy, int64_t case_id, const Assessment& a) {
  return retryUnit("identify.assessCase", [&] {
    requireRole(user, {Role::kSchoolAdmin},
                words("action", "登记班级评议结果", "recording a class panel's assessment"));
    const Score s = score(policy, a.indicators);
    if (auto why =
            refuseProposalMessage(s, a.proposed, a.class_teacher, a.representatives, a.reason))
      throw Error(ErrorCode::kInvalidInput, *why);
    auto tx = store.transaction();
    auto [c, r] = mustCase(store, user, case_id);
    if (c.kind == "special")
      throw Error(ErrorCode::kConflict, msg("ident.case.special", {idArg("case", c.id)}));
    if (c.state != "applied" && c.state != "assessed")
      throw Error(ErrorCode::kConflict, msg("ident.case.not_assessable",
                                            {idArg("case", c.id), stateWords("state", c.state)}));
    const Message before = caseSummary(c);
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
                          before,
                          msg("audit.rec.identify.assessed",
                              {arg("case", caseSummary(c)), arg("teacher", c.panel_teacher),
                               arg("representatives", reps)}));
    tx->commit();
    return c;
  });
}

Case decideCase(IdentificationStore& store, security::SecurityStore& audit, const User& user,
                int64_t case_id, const std::string& level, const std::string& reason) {
  return retryUnit("identify.decideCase", [&] {
    requireRole(user, {Role::kSchoolApprover},
                words("action", "审核认定（学校认定工作组审核）", "deciding an identification"));
    auto tx = store.transaction();
    auto [c, r] = mustCase(store, user, case_id);
    if (c.state != "assessed")
      throw Error(ErrorCode::kConflict,
                  c.state == "applied" ? msg("ident.decide.not_assessed", {idArg("case", c.id)})
                                       : msg("ident.decide.not_waiting",
                                             {idArg("case", c.id), stateWords("state", c.state)}));
    if (user.name == c.entered_by || user.name == c.assessed_by)
      throw Error(ErrorCode::kForbidden,
                  msg("ident.decide.own_case", {idArg("case", c.id), arg("user", user.name)}));
    const Message before = caseSummary(c);
    if (level.empty()) {
      c.level = c.proposed_level;
    } else {
      c.level = str(mustLevel(level, "level"));
      if (c.level != c.proposed_level && text::trim(reason).empty())
        throw Error(ErrorCode::kInvalidInput,
                    msg("ident.decide.no_reason",
                        {levelWords("level", c.level), levelWords("proposed", c.proposed_level)}));
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
    requireRole(user, {Role::kSchoolAdmin},
                words("action", "发布认定结果公示", "publishing the identification notice"));
    auto tx = store.transaction();
    Round r = mustRound(store, user, round_id);
    std::vector<Case> waiting;
    for (auto& c : store.cases(r.id))
      if (c.state == "decided") waiting.push_back(c);
    if (waiting.empty())
      throw Error(ErrorCode::kConflict, msg("ident.notice.nothing", {idArg("round", r.id)}));
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
    security::appendAudit(audit, user.name, "identify.notice",
                          "ident_round:" + std::to_string(r.id), Message(),
                          msg("audit.rec.identify.notice",
                              {arg("notice", std::to_string(n.id)), arg("cases", waiting.size()),
                               arg("listed", n.entries), arg("until", n.window_ends)}));
    tx->commit();
    return std::make_pair(n, lines);
  });
}

Objection addObjection(IdentificationStore& store, security::SecurityStore& audit, const User& user,
                       int64_t case_id, const std::string& text) {
  return retryUnit("identify.addObjection", [&] {
    requireRole(user, {Role::kSchoolAdmin, Role::kSchoolApprover},
                words("action", "登记异议", "recording an objection"));
    if (text::trim(text).empty())
      throw Error(ErrorCode::kInvalidInput, msg("ident.objection.no_text"));
    auto tx = store.transaction();
    auto [c, r] = mustCase(store, user, case_id);
    if (c.state != "noticed" && c.state != "filed")
      throw Error(ErrorCode::kConflict, msg("ident.objection.not_noticed",
                                            {idArg("case", c.id), stateWords("state", c.state)}));
    Objection o;
    o.case_id = c.id;
    o.text = text::trim(text);
    o.recorded_by = user.name;
    o.recorded_on = security::nowIso();
    o.id = store.insertObjection(o);
    security::appendAudit(
        audit, user.name, "identify.objection", "ident_case:" + std::to_string(c.id),
        caseSummary(c),
        msg("audit.rec.identify.objection", {arg("objection", std::to_string(o.id))}));
    tx->commit();
    return o;
  });
}

Objection resolveObjection(IdentificationStore& store, security::SecurityStore& audit,
                           const User& user, int64_t objection_id, const std::string& decision,
                           const std::string& new_level, const std::string& reason) {
  return retryUnit("identify.resolveObjection", [&] {
    requireRole(user, {Role::kSchoolApprover},
                words("action", "处理异议", "resolving an objection"));
    if (decision != "upheld" && decision != "dismissed")
      throw Error(ErrorCode::kInvalidInput, msg("ident.objection.decision"));
    if (text::trim(reason).empty())
      throw Error(ErrorCode::kInvalidInput, msg("ident.objection.no_reason"));
    auto tx = store.transaction();
    auto o = store.objection(objection_id);
    if (!o) throw notFound(objection_id, Thing::kObjection);
    auto [c, r] = mustCase(store, user, o->case_id);
    if (o->status != "open")
      throw Error(ErrorCode::kConflict,
                  msg("ident.objection.closed",
                      {idArg("objection", o->id), stateWords("status", o->status)}));
    const Message before = caseSummary(c);
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
                          msg("audit.rec.identify.objection_resolved",
                              {arg("case", caseSummary(c)), stateWords("decision", decision)}));
    tx->commit();
    return *o;
  });
}

MessageArg stateWordsOf(std::string name, const std::string& code) {
  return detail::stateWords(std::move(name), code);
}

}  // namespace edupay::identify
