#include "store/SqlIdentificationStore.h"

#include <map>

#include "common/Error.h"
#include "store/SqlHelpers.h"

namespace edupay::store {
namespace {

using identify::Case;
using identify::Round;

constexpr const char* kRoundColumns =
    "SELECT r.id, r.school_id, s.code, s.name, s.region_code, r.academic_year, "
    "r.identification_date, r.status, r.opened_by, r.opened_on, r.submitted_by, r.submitted_on, "
    "r.reviewed_by, r.reviewed_on, r.review_reason, r.version FROM ident_rounds r JOIN schools s "
    "ON s.id = r.school_id ";

Round readRound(Statement& s) {
  Round r;
  readColumns(s, 0, r.id, r.school_id, r.school_code, r.school_name, r.region, r.academic_year,
              r.identification_date, r.status, r.opened_by, r.opened_on, r.submitted_by,
              r.submitted_on, r.reviewed_by, r.reviewed_on, r.review_reason, r.version);
  return r;
}

constexpr const char* kCaseColumns =
    "SELECT id, round_id, person_id, student, name, class_name, kind, state, category, evidence, "
    "items_enc, notes_enc, commitment_signed, commitment_date, entered_by, entered_on, "
    "effective_from, score, score_level, proposed_level, panel_teacher, panel_representatives, "
    "panel_reason, assessed_by, assessed_on, level, decided_by, decided_on, decision_reason, "
    "notice_id, version FROM ident_cases ";

Case readCase(Statement& s) {
  Case c;
  readColumns(s, 0, c.id, c.round_id, c.person_id, c.student, c.name, c.class_name, c.kind, c.state,
              c.category, c.evidence, c.items_enc, c.notes_enc, c.commitment_signed,
              c.commitment_date, c.entered_by, c.entered_on, c.effective_from);
  c.score = s.isNull(17) ? -1 : static_cast<int>(s.getInt(17));
  readColumns(s, 18, c.score_level, c.proposed_level, c.panel_teacher, c.panel_representatives,
              c.panel_reason, c.assessed_by, c.assessed_on, c.level, c.decided_by, c.decided_on,
              c.decision_reason, c.notice_id, c.version);
  return c;
}

constexpr const char* kObjectionColumns =
    "SELECT o.id, o.case_id, o.text, o.recorded_by, o.recorded_on, o.status, o.new_level, "
    "o.resolution, o.resolved_by, o.resolved_on FROM ident_objections o ";

identify::Objection readObjection(Statement& s) {
  identify::Objection o;
  readColumns(s, 0, o.id, o.case_id, o.text, o.recorded_by, o.recorded_on, o.status, o.new_level,
              o.resolution, o.resolved_by, o.resolved_on);
  return o;
}

constexpr const char* kSpotColumns =
    "SELECT id, round_id, case_id, seed, percent, drawn_by, drawn_on, outcome, new_level, note, "
    "recorded_by, recorded_on FROM ident_spot_checks ";

identify::SpotCheck readSpot(Statement& s) {
  identify::SpotCheck x;
  readColumns(s, 0, x.id, x.round_id, x.case_id, x.seed, x.percent, x.drawn_by, x.drawn_on,
              x.outcome, x.new_level, x.note, x.recorded_by, x.recorded_on);
  return x;
}

/// The terms of an academic year: `2026-autumn`, `2027-spring`.
std::pair<std::string, std::string> termsOf(int year) {
  return {std::to_string(year) + "-autumn", std::to_string(year + 1) + "-spring"};
}

constexpr const char* kEnrolled =
    "SELECT p.id, COALESCE(p.rid_mask, p.student_no), p.name, e.class_name FROM enrollments e "
    "JOIN persons p ON p.id = e.person_id WHERE e.school_id = ? AND e.enroll_date <= ? AND "
    "(e.end_date IS NULL OR e.end_date >= ?) ";

}  // namespace

std::optional<identify::SchoolRef> SqlIdentificationStore::school(const std::string& code) {
  auto s = query(db_, "SELECT id, code, name, region_code FROM schools WHERE code = ?", {code});
  if (!s->next()) return std::nullopt;
  return identify::SchoolRef{s->getInt(0), s->getText(1), s->getText(2), s->getText(3)};
}

std::optional<Round> SqlIdentificationStore::round(int64_t id) {
  auto s = query(db_, std::string(kRoundColumns) + "WHERE r.id = ?", {id});
  if (!s->next()) return std::nullopt;
  return readRound(*s);
}

std::optional<Round> SqlIdentificationStore::roundOf(int64_t school_id, int academic_year) {
  auto s = query(db_, std::string(kRoundColumns) + "WHERE r.school_id = ? AND r.academic_year = ?",
                 {school_id, int64_t{academic_year}});
  if (!s->next()) return std::nullopt;
  return readRound(*s);
}

std::vector<Round> SqlIdentificationStore::rounds(const std::string& prefix, int academic_year) {
  std::vector<Round> out;
  auto s = query(db_,
                 std::string(kRoundColumns) +
                     "WHERE (s.code LIKE ? OR s.region_code LIKE ?) AND (? = 0 OR "
                     "r.academic_year = ?) ORDER BY r.academic_year DESC, s.code",
                 {prefix + "%", prefix + "%", int64_t{academic_year}, int64_t{academic_year}});
  while (s->next()) out.push_back(readRound(*s));
  return out;
}

int64_t SqlIdentificationStore::insertRound(const Round& r) {
  execute(db_,
          "INSERT INTO ident_rounds (school_id, academic_year, identification_date, status, "
          "opened_by, opened_on) VALUES (?, ?, ?, ?, ?, ?)",
          {r.school_id, int64_t{r.academic_year}, r.identification_date, r.status, r.opened_by,
           r.opened_on});
  return db_.lastInsertId();
}

bool SqlIdentificationStore::updateRound(const Round& r) {
  return execute(db_,
                 "UPDATE ident_rounds SET status = ?, submitted_by = ?, submitted_on = ?, "
                 "reviewed_by = ?, reviewed_on = ?, review_reason = ?, version = version + 1 "
                 "WHERE id = ? AND version = ?",
                 {r.status, textOrNull(r.submitted_by), textOrNull(r.submitted_on),
                  textOrNull(r.reviewed_by), textOrNull(r.reviewed_on), textOrNull(r.review_reason),
                  r.id, int64_t{r.version}}) == 1;
}

std::vector<identify::Enrolled> SqlIdentificationStore::enrolledAt(int64_t school_id,
                                                                   const Date& on) {
  std::vector<identify::Enrolled> out;
  std::map<int64_t, size_t> at;
  const std::string d = on.str();
  {
    auto s = query(db_, std::string(kEnrolled) + "ORDER BY p.id", {school_id, d, d});
    while (s->next()) {
      if (at.count(s->getInt(0))) continue;
      at[s->getInt(0)] = out.size();
      out.push_back({s->getInt(0), textOrEmpty(*s, 1), textOrEmpty(*s, 2), textOrEmpty(*s, 3), {}});
    }
  }
  auto s = query(db_,
                 "SELECT m.person_id, hs.category, hs.source, hs.source_ref, hs.valid_from, "
                 "hs.valid_to FROM enrollments e JOIN household_members m ON m.person_id = "
                 "e.person_id AND m.relation = 'student' JOIN household_status hs ON "
                 "hs.household_id = m.household_id WHERE e.school_id = ? AND e.enroll_date <= ? "
                 "AND (e.end_date IS NULL OR e.end_date >= ?) ORDER BY m.person_id, hs.id",
                 {school_id, d, d});
  while (s->next()) {
    auto it = at.find(s->getInt(0));
    auto c = domain::parseCategory(s->getText(1));
    if (it == at.end() || !c) continue;
    out[it->second].statuses.push_back(
        {*c, textOrEmpty(*s, 2), textOrEmpty(*s, 3), textOrEmpty(*s, 4), textOrEmpty(*s, 5)});
  }
  return out;
}

std::optional<identify::Enrolled> SqlIdentificationStore::enrolledStudent(
    int64_t school_id, const std::string& rid_hash, const Date& on) {
  const std::string d = on.str();
  auto s = query(db_, std::string(kEnrolled) + "AND p.rid_hash = ?", {school_id, d, d, rid_hash});
  if (!s->next()) return std::nullopt;
  return identify::Enrolled{
      s->getInt(0), textOrEmpty(*s, 1), textOrEmpty(*s, 2), textOrEmpty(*s, 3), {}};
}

int64_t SqlIdentificationStore::insertCase(const Case& c) {
  execute(db_,
          "INSERT INTO ident_cases (round_id, person_id, student, name, class_name, kind, state, "
          "category, evidence, items_enc, notes_enc, commitment_signed, commitment_date, "
          "entered_by, entered_on, effective_from, level, decided_by, decided_on, "
          "decision_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          {c.round_id,
           c.person_id,
           c.student,
           c.name,
           c.class_name,
           c.kind,
           c.state,
           textOrNull(c.category),
           textOrNull(c.evidence),
           textOrNull(c.items_enc),
           textOrNull(c.notes_enc),
           int64_t{c.commitment_signed ? 1 : 0},
           textOrNull(c.commitment_date),
           c.entered_by,
           c.entered_on,
           c.effective_from,
           textOrNull(c.level),
           textOrNull(c.decided_by),
           textOrNull(c.decided_on),
           textOrNull(c.decision_reason)});
  return db_.lastInsertId();
}

std::optional<Case> SqlIdentificationStore::loadCase(int64_t id) {
  auto s = query(db_, std::string(kCaseColumns) + "WHERE id = ?", {id});
  if (!s->next()) return std::nullopt;
  return readCase(*s);
}

std::vector<Case> SqlIdentificationStore::cases(int64_t round_id) {
  std::vector<Case> out;
  auto s = query(db_, std::string(kCaseColumns) + "WHERE round_id = ? ORDER BY class_name, id",
                 {round_id});
  while (s->next()) out.push_back(readCase(*s));
  return out;
}

bool SqlIdentificationStore::updateCase(const Case& c) {
  return execute(
             db_,
             "UPDATE ident_cases SET state = ?, score = ?, score_level = ?, proposed_level = "
             "?, panel_teacher = ?, panel_representatives = ?, panel_reason = ?, assessed_by "
             "= ?, assessed_on = ?, level = ?, decided_by = ?, decided_on = ?, "
             "decision_reason = ?, notice_id = ?, version = version + 1 WHERE id = ? AND "
             "version = ?",
             {c.state, c.score < 0 ? SqlValue(nullptr) : SqlValue(int64_t{c.score}),
              textOrNull(c.score_level), textOrNull(c.proposed_level), textOrNull(c.panel_teacher),
              textOrNull(c.panel_representatives), textOrNull(c.panel_reason),
              textOrNull(c.assessed_by), textOrNull(c.assessed_on), textOrNull(c.level),
              textOrNull(c.decided_by), textOrNull(c.decided_on), textOrNull(c.decision_reason),
              c.notice_id ? SqlValue(c.notice_id) : SqlValue(nullptr), c.id, int64_t{c.version}}) ==
         1;
}

int64_t SqlIdentificationStore::insertNotice(const identify::Notice& n) {
  execute(db_,
          "INSERT INTO ident_notices (round_id, published_by, published_on, window_ends, entries) "
          "VALUES (?, ?, ?, ?, ?)",
          {n.round_id, n.published_by, n.published_on, n.window_ends, n.entries});
  return db_.lastInsertId();
}

std::vector<identify::Notice> SqlIdentificationStore::notices(int64_t round_id) {
  std::vector<identify::Notice> out;
  auto s = query(db_,
                 "SELECT id, round_id, published_by, published_on, window_ends, entries FROM "
                 "ident_notices WHERE round_id = ? ORDER BY id",
                 {round_id});
  while (s->next())
    out.push_back({s->getInt(0), s->getInt(1), textOrEmpty(*s, 2), textOrEmpty(*s, 3),
                   textOrEmpty(*s, 4), s->getInt(5)});
  return out;
}

int64_t SqlIdentificationStore::insertObjection(const identify::Objection& o) {
  execute(db_,
          "INSERT INTO ident_objections (case_id, text, recorded_by, recorded_on) VALUES (?, ?, "
          "?, ?)",
          {o.case_id, o.text, o.recorded_by, o.recorded_on});
  return db_.lastInsertId();
}

std::optional<identify::Objection> SqlIdentificationStore::objection(int64_t id) {
  auto s = query(db_, std::string(kObjectionColumns) + "WHERE o.id = ?", {id});
  if (!s->next()) return std::nullopt;
  return readObjection(*s);
}

std::vector<identify::Objection> SqlIdentificationStore::objections(int64_t round_id) {
  std::vector<identify::Objection> out;
  auto s = query(db_,
                 std::string(kObjectionColumns) +
                     "JOIN ident_cases c ON c.id = o.case_id WHERE c.round_id = ? ORDER BY o.id",
                 {round_id});
  while (s->next()) out.push_back(readObjection(*s));
  return out;
}

void SqlIdentificationStore::resolveObjection(const identify::Objection& o) {
  if (execute(db_,
              "UPDATE ident_objections SET status = ?, new_level = ?, resolution = ?, "
              "resolved_by = ?, resolved_on = ? WHERE id = ? AND status = 'open'",
              {o.status, textOrNull(o.new_level), o.resolution, o.resolved_by, o.resolved_on,
               o.id}) != 1)
    throw Error(ErrorCode::kConflict,
                msg("store.objection_closed", {arg("objection", std::to_string(o.id))}));
}

std::vector<identify::LevelPeriod> SqlIdentificationStore::levels(int64_t person_id,
                                                                  int academic_year) {
  std::vector<identify::LevelPeriod> out;
  auto s = query(db_,
                 "SELECT l.case_id, l.level, l.valid_from, l.valid_to, (SELECT COUNT(*) FROM "
                 "ident_objections o WHERE o.case_id = l.case_id AND o.status = 'open') FROM "
                 "ident_levels l WHERE l.person_id = ? AND l.academic_year = ? AND l.status = "
                 "'in_force' ORDER BY l.valid_from",
                 {person_id, int64_t{academic_year}});
  while (s->next()) {
    identify::LevelPeriod p;
    p.case_id = s->getInt(0);
    const std::string l = s->getText(1);
    p.level = l == "none"
                  ? identify::Level::kNone
                  : stored(domain::parseDifficultyLevel(l), "ident_levels", "level", p.case_id, l);
    p.from =
        stored(Date::parse(s->getText(2)), "ident_levels", "valid_from", p.case_id, s->getText(2));
    if (!s->isNull(3)) p.to = Date::parse(s->getText(3));
    p.blocked = s->getInt(4) > 0;
    out.push_back(p);
  }
  return out;
}

void SqlIdentificationStore::setLevels(int64_t person_id, int academic_year,
                                       const std::vector<identify::LevelPeriod>& periods,
                                       const std::string& old_status) {
  execute(db_,
          "UPDATE ident_levels SET status = ? WHERE person_id = ? AND academic_year = ? AND "
          "status = 'in_force'",
          {old_status, person_id, int64_t{academic_year}});
  for (const auto& p : periods) {
    execute(db_,
            "INSERT INTO ident_levels (person_id, academic_year, case_id, level, valid_from, "
            "valid_to, status) VALUES (?, ?, ?, ?, ?, ?, 'in_force')",
            {person_id, int64_t{academic_year}, p.case_id, std::string(domain::code(p.level)),
             p.from.str(), p.to ? SqlValue(p.to->str()) : SqlValue(nullptr)});
  }
}

int64_t SqlIdentificationStore::insertSpotCheck(const identify::SpotCheck& s) {
  execute(db_,
          "INSERT INTO ident_spot_checks (round_id, case_id, seed, percent, drawn_by, drawn_on) "
          "VALUES (?, ?, ?, ?, ?, ?)",
          {s.round_id, s.case_id, s.seed, int64_t{s.percent}, s.drawn_by, s.drawn_on});
  return db_.lastInsertId();
}

std::optional<identify::SpotCheck> SqlIdentificationStore::spotCheck(int64_t id) {
  auto s = query(db_, std::string(kSpotColumns) + "WHERE id = ?", {id});
  if (!s->next()) return std::nullopt;
  return readSpot(*s);
}

std::vector<identify::SpotCheck> SqlIdentificationStore::spotChecks(int64_t round_id) {
  std::vector<identify::SpotCheck> out;
  auto s =
      query(db_, std::string(kSpotColumns) + "WHERE round_id = ? ORDER BY case_id", {round_id});
  while (s->next()) out.push_back(readSpot(*s));
  return out;
}

void SqlIdentificationStore::recordSpotCheck(const identify::SpotCheck& s) {
  if (execute(db_,
              "UPDATE ident_spot_checks SET outcome = ?, new_level = ?, note = ?, recorded_by = "
              "?, recorded_on = ? WHERE id = ? AND outcome IS NULL",
              {s.outcome, textOrNull(s.new_level), textOrNull(s.note), s.recorded_by, s.recorded_on,
               s.id}) != 1)
    throw Error(ErrorCode::kConflict,
                msg("store.spot_check_done", {arg("check", std::to_string(s.id))}));
}

int64_t SqlIdentificationStore::holdEntitlements(int64_t person_id, int academic_year,
                                                 const std::string& reason) {
  const auto [autumn, spring] = termsOf(academic_year);
  const std::string today = Date::today().str();
  const std::string where =
      " WHERE person_id = ? AND term IN (?, ?) AND status = 'eligible' AND locked = 0";
  execute(db_,
          "INSERT INTO entitlement_history (entitlement_id, version, status, amount_fen, "
          "account_id, paying_region, reason, reason_sha, policy_id, run_id, replaced_on) SELECT "
          "id, version, status, amount_fen, account_id, paying_region, reason, reason_sha, "
          "policy_id, run_id, ? FROM "
          "entitlements" +
              where,
          {today, person_id, autumn, spring});
  return execute(db_,
                 "UPDATE entitlements SET status = 'held', hold_reason = ?, version = version + "
                 "1, updated_on = ?" +
                     where,
                 {reason, today, person_id, autumn, spring});
}

std::vector<identify::Recovery> SqlIdentificationStore::paidFor(int64_t person_id,
                                                                int academic_year) {
  const auto [autumn, spring] = termsOf(academic_year);
  std::vector<identify::Recovery> out;
  auto s = query(db_,
                 "SELECT p.id, pe.amount_fen, e.programme, e.term, p.end_to_end_ref FROM "
                 "payment_entitlements pe JOIN payments p ON p.id = pe.payment_id JOIN "
                 "entitlements e ON e.id = pe.entitlement_id WHERE e.person_id = ? AND e.term IN "
                 "(?, ?) AND p.status = 'paid' ORDER BY p.id",
                 {person_id, autumn, spring});
  while (s->next()) {
    identify::Recovery r;
    readColumns(*s, 0, r.payment_id, r.amount, r.programme, r.term, r.end_to_end_ref);
    out.push_back(r);
  }
  return out;
}

void SqlIdentificationStore::insertRecoveries(const std::vector<identify::Recovery>& rs) {
  for (const auto& r : rs)
    execute(db_,
            "INSERT INTO ident_recoveries (spot_check_id, payment_id, amount_fen) VALUES (?, ?, ?)",
            {r.spot_check_id, r.payment_id, r.amount.fen()});
}

std::vector<identify::Recovery> SqlIdentificationStore::recoveries(const std::string& region_prefix,
                                                                   int academic_year) {
  std::vector<identify::Recovery> out;
  auto s = query(db_,
                 "SELECT x.spot_check_id, x.payment_id, c.student, c.name, sc.code, e.programme, "
                 "e.term, p.end_to_end_ref, x.amount_fen FROM ident_recoveries x JOIN "
                 "ident_spot_checks k ON k.id = x.spot_check_id JOIN ident_cases c ON c.id = "
                 "k.case_id JOIN ident_rounds r ON r.id = c.round_id JOIN schools sc ON sc.id = "
                 "r.school_id JOIN payments p ON p.id = x.payment_id JOIN entitlements e ON e.id "
                 "= p.entitlement_id WHERE sc.region_code LIKE ? AND r.academic_year = ? ORDER BY "
                 "sc.code, x.id",
                 {region_prefix + "%", int64_t{academic_year}});
  while (s->next()) {
    identify::Recovery r;
    readColumns(*s, 0, r.spot_check_id, r.payment_id, r.student, r.name, r.school_code, r.programme,
                r.term, r.end_to_end_ref, r.amount);
    out.push_back(r);
  }
  return out;
}

std::vector<identify::SchoolOutcome> SqlIdentificationStore::outcomes(
    const std::string& region_prefix, int academic_year) {
  std::vector<identify::SchoolOutcome> out;
  std::map<std::string, size_t> at;
  {
    auto s = query(db_,
                   "SELECT sc.code, sc.name, (SELECT COUNT(DISTINCT e.person_id) FROM enrollments "
                   "e WHERE e.school_id = sc.id AND e.enroll_date <= r.identification_date AND "
                   "(e.end_date IS NULL OR e.end_date >= r.identification_date)) FROM "
                   "ident_rounds r JOIN schools sc ON sc.id = r.school_id WHERE sc.region_code "
                   "LIKE ? AND r.academic_year = ? ORDER BY sc.code",
                   {region_prefix + "%", int64_t{academic_year}});
    while (s->next()) {
      identify::SchoolOutcome o;
      o.school_code = s->getText(0);
      o.school_name = s->getText(1);
      o.enrolled = s->getInt(2);
      at[o.school_code] = out.size();
      out.push_back(o);
    }
  }
  auto s = query(db_,
                 "SELECT sc.code, c.kind, c.level, COUNT(*) FROM ident_cases c JOIN ident_rounds "
                 "r ON r.id = c.round_id JOIN schools sc ON sc.id = r.school_id WHERE "
                 "sc.region_code LIKE ? AND r.academic_year = ? AND c.kind <> 'change' AND "
                 "c.state <> 'revoked' AND c.level IS NOT NULL GROUP BY sc.code, c.kind, c.level",
                 {region_prefix + "%", int64_t{academic_year}});
  while (s->next()) {
    auto& o = out[at[s->getText(0)]];
    const std::string l = s->getText(2);
    const auto level = l == "none"
                           ? identify::Level::kNone
                           : domain::parseDifficultyLevel(l).value_or(identify::Level::kNone);
    o.by_level[level] += s->getInt(3);
    if (s->getText(1) == "special" && level != identify::Level::kNone) o.special += s->getInt(3);
  }
  return out;
}

std::vector<identify::IdentifiedRow> SqlIdentificationStore::identified(
    const std::string& region_prefix, int academic_year) {
  std::vector<identify::IdentifiedRow> out;
  auto s = query(db_,
                 "SELECT sc.code, sc.name, sc.region_code, l.level, COALESCE(c.category, "
                 "c.kind), COUNT(DISTINCT l.person_id) FROM ident_levels l JOIN ident_cases c ON "
                 "c.id = l.case_id JOIN ident_rounds r ON r.id = c.round_id JOIN schools sc ON "
                 "sc.id = r.school_id WHERE l.status = 'in_force' AND l.valid_to IS NULL AND "
                 "l.level <> 'none' AND sc.region_code LIKE ? AND r.academic_year = ? GROUP BY "
                 "sc.code, sc.name, sc.region_code, l.level, COALESCE(c.category, c.kind) ORDER "
                 "BY sc.code, l.level",
                 {region_prefix + "%", int64_t{academic_year}});
  while (s->next())
    out.push_back(
        {s->getText(0), s->getText(1), s->getText(2), s->getText(3), s->getText(4), s->getInt(5)});
  return out;
}

}  // namespace edupay::store
