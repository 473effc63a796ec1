#include "store/SqlEntitlementStore.h"

#include <unordered_set>

#include <algorithm>
#include <limits>
#include <set>
#include <unordered_map>

#include "common/Error.h"
#include "store/SqlHelpers.h"

namespace edupay::store {
namespace {

constexpr const char* kStudentColumns =
    "e.person_id, e.id, e.school_id, s.code, s.region_code, e.stage, e.grade, e.status, "
    "e.enroll_date, "
    "e.end_date, e.boarding, e.agri_major, e.major, COALESCE(p.rid_mask, p.student_no), p.name, "
    "p.birth_date, "
    "COALESCE((SELECT h.hukou_region FROM household_members m JOIN households h ON h.id = "
    "m.household_id "
    "  WHERE m.person_id = e.person_id AND m.relation = 'student' ORDER BY h.id DESC LIMIT 1), "
    "p.hukou_region), "
    "p.hukou_type, e.status_date "
    "FROM enrollments e JOIN schools s ON s.id = e.school_id JOIN persons p ON p.id = e.person_id ";

/// The student query, written so that both planners walk enrollments in person order and stop
/// after LIMIT rows (MariaDB would otherwise start from schools and sort every enrollment per
/// batch).
std::string studentSelect(Dialect d) {
  return std::string(d == Dialect::kMySQL ? "SELECT STRAIGHT_JOIN " : "SELECT ") + kStudentColumns;
}

/// Reads one student row. A status recorded with a date after `reference` (a drop-out or
/// suspension that happened later) did not yet hold then: the student was active.
rules::StudentFacts readStudent(Statement& s, const std::string& reference) {
  rules::StudentFacts f;
  readColumns(s, 0, f.person_id, f.enrollment_id, f.school_id, f.school_code, f.school_region);
  f.stage = stored(domain::parseStage(s.getText(5)), "enrollments", "stage", f.enrollment_id,
                   s.getText(5));
  f.grade = static_cast<int>(s.getInt(6));
  f.status = stored(domain::parseEnrollmentStatus(s.getText(7)), "enrollments", "status",
                    f.enrollment_id, s.getText(7));
  f.enroll_date = stored(Date::parse(s.getText(8)), "enrollments", "enroll_date", f.enrollment_id,
                         s.getText(8));
  if (!s.isNull(9)) f.end_date = Date::parse(s.getText(9));
  readColumns(s, 10, f.boarding, f.agri_major, f.major, f.display, f.name);
  f.birth_date =
      stored(Date::parse(s.getText(15)), "persons", "birth_date", f.person_id, s.getText(15));
  f.hukou_region = s.getText(16);
  const std::string hukou_type = s.getText(17);
  if (hukou_type == "rural") f.rural_hukou = true;
  if (hukou_type == "urban") f.rural_hukou = false;
  if (!s.isNull(18) && s.getText(18) > reference) f.status = domain::EnrollmentStatus::kActive;
  return f;
}

rules::StoredEntitlement readEntitlement(Statement& s) {
  rules::StoredEntitlement e;
  readColumns(s, 0, e.id, e.person_id, e.programme, e.status, e.amount_fen, e.account_id,
              e.paying_region, e.reason, e.version, e.locked, e.has_reason_messages);
  return e;
}

constexpr const char* kEntitlementColumns =
    "SELECT id, person_id, programme, status, amount_fen, account_id, paying_region, reason, "
    "version, locked, CASE WHEN reason_sha IS NULL THEN 0 ELSE 1 END "
    "FROM entitlements ";

}  // namespace

std::optional<rules::StoredPolicy> SqlEntitlementStore::activePolicy() {
  auto s = db_.prepare(
      "SELECT id, name, sha256, content, activated_on FROM policies ORDER BY active_seq DESC LIMIT "
      "1");
  if (!s->next()) return std::nullopt;
  return rules::StoredPolicy{s->getInt(0), s->getText(1), s->getText(2), s->getText(3),
                             s->getText(4)};
}

int64_t SqlEntitlementStore::activatePolicy(const std::string& name, const std::string& sha256,
                                            const std::string& content) {
  const int64_t seq = queryInt(db_, "SELECT MAX(active_seq) FROM policies") + 1;
  const int64_t id = queryInt(db_, "SELECT id FROM policies WHERE sha256 = ?", {sha256}, 0);
  if (id != 0) {
    execute(db_, "UPDATE policies SET active_seq = ?, activated_on = ? WHERE id = ?",
            {seq, Date::today().str(), id});
    return id;
  }
  execute(db_,
          "INSERT INTO policies (name, sha256, content, activated_on, active_seq) VALUES (?, ?, ?, "
          "?, ?)",
          {name, sha256, content, Date::today().str(), seq});
  return db_.lastInsertId();
}

std::optional<int64_t> SqlEntitlementStore::personIdByHash(const std::string& rid_hash) {
  const int64_t id = queryInt(db_, "SELECT id FROM persons WHERE rid_hash = ?", {rid_hash}, 0);
  if (id == 0) return std::nullopt;
  return id;
}

void SqlEntitlementStore::fillFacts(std::vector<rules::StudentFacts>& students, int64_t lo,
                                    int64_t hi, const Date& reference, int academic_year) {
  std::unordered_map<int64_t, rules::StudentFacts*> by_id;
  for (auto& s : students) by_id[s.person_id] = &s;
  auto each = [&](const std::string& sql, std::initializer_list<SqlValue> params, auto&& fn) {
    Statement& st = db_.cached(sql);
    int i = 1;
    for (const auto& p : params) st.bind(i++, p);
    while (st.next()) {
      auto it = by_id.find(st.getInt(0));
      if (it != by_id.end()) fn(*it->second, st);
    }
    st.reset();
  };
  const std::string r = reference.str();
  each(
      "SELECT m.person_id, hs.category, hs.source, hs.source_ref, hs.valid_from, hs.valid_to "
      "FROM household_members m JOIN household_status hs ON hs.household_id = m.household_id "
      "WHERE m.relation = 'student' AND m.person_id BETWEEN ? AND ? AND hs.valid_from <= ? "
      "AND (hs.valid_to IS NULL OR hs.valid_to >= ?) ORDER BY m.person_id, hs.id",
      {lo, hi, r, r}, [](rules::StudentFacts& f, Statement& st) {
        if (auto c = domain::parseCategory(st.getText(1))) {
          f.statuses.push_back({*c, st.getText(2), st.getText(3), st.getText(4), st.getText(5)});
        }
      });
  each(
      "SELECT person_id, level FROM difficulty_levels WHERE person_id BETWEEN ? AND ? AND "
      "academic_year = ?",
      {lo, hi, int64_t{academic_year}}, [](rules::StudentFacts& f, Statement& st) {
        f.difficulty = domain::parseDifficultyLevel(st.getText(1));
      });
  // The identification in force on the reference date (资助对象认定), filed by the school (a round
  // the county sent back is not in force), with what explain shows behind it.
  each(
      "SELECT l.person_id, l.case_id, l.level, l.valid_from, c.kind, c.category, c.score, "
      "c.proposed_level, c.decided_by, n.published_on, n.window_ends, (SELECT COUNT(*) FROM "
      "ident_objections o WHERE o.case_id = l.case_id AND o.status = 'open'), (SELECT "
      "MAX(k.outcome) FROM ident_spot_checks k WHERE k.case_id = l.case_id), r.status "
      "FROM ident_levels l JOIN ident_cases c ON c.id = l.case_id JOIN ident_rounds r ON r.id = "
      "c.round_id LEFT JOIN ident_notices n ON n.id = c.notice_id WHERE l.person_id BETWEEN ? AND "
      "? AND l.academic_year = ? AND l.status = 'in_force' AND r.status IN ('submitted', "
      "'accepted') AND l.valid_from <= ? AND (l.valid_to IS NULL OR l.valid_to >= ?)",
      {lo, hi, int64_t{academic_year}, r, r}, [](rules::StudentFacts& f, Statement& st) {
        rules::StudentFacts::Identification id;
        id.id = st.getInt(1);
        const std::string level = st.getText(2);
        id.level = level == "none" ? domain::DifficultyLevel::kNone
                                   : stored(domain::parseDifficultyLevel(level), "ident_levels",
                                            "level", id.id, level);
        id.from = st.getText(3);
        const std::string kind = st.getText(4);
        std::string d = kind == "special"
                            ? "special group " + st.getText(5) + ", no application"
                            : "score " + (st.isNull(6) ? std::string("-") : st.getText(6)) +
                                  ", class panel proposed " + st.getText(7) + ", decided by " +
                                  st.getText(8) +
                                  (kind == "change" ? ", change during the year" : "");
        if (!st.isNull(9)) d += ", notice " + st.getText(9) + ".." + st.getText(10);
        if (!st.isNull(12)) d += ", spot check " + st.getText(12);
        d += ", round " + st.getText(13);
        id.detail = std::move(d);
        id.blocked = st.getInt(11) > 0;
        f.identification = std::move(id);
      });
  {
    std::set<int64_t> schools;
    Statement& st = cachedQuery(
        db_,
        "SELECT school_id FROM ident_rounds WHERE academic_year = ? AND status IN ('submitted', "
        "'accepted')",
        {int64_t{academic_year}});
    while (st.next()) schools.insert(st.getInt(0));
    st.reset();
    for (auto& f : students) f.school_identified = schools.count(f.school_id) > 0;
  }
  each(
      "SELECT student_id, id, kind, owner FROM bank_accounts WHERE student_id BETWEEN ? AND ? AND "
      "valid_to IS NULL "
      "ORDER BY student_id, id",
      {lo, hi}, [](rules::StudentFacts& f, Statement& st) {
        f.accounts.push_back({st.getInt(1),
                              stored(domain::parseAccountKind(st.getText(2)), "bank_accounts",
                                     "kind", st.getInt(1), st.getText(2)),
                              st.getText(3)});
      });
  each(
      "SELECT person_id, programme FROM nominations WHERE person_id BETWEEN ? AND ? AND "
      "academic_year = ?",
      {lo, hi, int64_t{academic_year}},
      [](rules::StudentFacts& f, Statement& st) { f.nominations.insert(st.getText(1)); });
}

void SqlEntitlementStore::forEachFactBatch(const Term& term, const Date& reference,
                                           int academic_year, const std::string& region_prefix,
                                           size_t batch_size,
                                           const std::function<void(rules::FactBatch&)>& fn) {
  const std::string r = reference.str();
  const std::string region_filter =
      region_prefix.empty() ? "" : " AND (s.region_code LIKE ? OR p.hukou_region LIKE ?)";
  const std::string sql =
      studentSelect(db_.dialect()) +
      "WHERE e.person_id > ? AND e.enroll_date <= ? AND (e.end_date IS NULL OR e.end_date >= ?)" +
      region_filter + " ORDER BY e.person_id LIMIT ?";
  // The planner would otherwise walk the whole term through a (term, ...) index for every batch:
  // quadratic in the number of students. The unique key leads with person_id.
  const std::string hint = db_.dialect() == Dialect::kSQLite ? "INDEXED BY entitlements_once "
                                                             : "FORCE INDEX (entitlements_once) ";
  const std::string existing_sql =
      std::string(kEntitlementColumns) + hint + "WHERE term = ? AND person_id BETWEEN ? AND ?" +
      (region_prefix.empty() ? "" : " AND paying_region LIKE ?") + " ORDER BY person_id";
  int64_t after = 0;
  for (;;) {
    rules::FactBatch batch;
    {
      Statement& st = db_.cached(sql);
      int i = 1;
      st.bind(i++, after);
      st.bind(i++, r);
      st.bind(i++, r);
      if (!region_prefix.empty()) {
        st.bind(i++, region_prefix + "%");
        st.bind(i++, region_prefix + "%");
      }
      st.bind(i++, static_cast<int64_t>(batch_size));
      while (st.next()) {
        auto f = readStudent(st, r);
        // Ordering by person alone lets both databases stop after LIMIT rows of the index; two
        // enrollments open on one date cannot both be current: keep the later one.
        if (!batch.students.empty() && batch.students.back().person_id == f.person_id) {
          if (batch.students.back().enroll_date <= f.enroll_date)
            batch.students.back() = std::move(f);
        } else {
          batch.students.push_back(std::move(f));
        }
      }
      st.reset();
    }
    const bool last = batch.students.size() < batch_size;
    batch.first_person_id = after + 1;
    batch.last_person_id =
        last ? std::numeric_limits<int64_t>::max() : batch.students.back().person_id;
    if (!last) {
      // The LIMIT may have cut a person's rows in two: leave that person to the next batch.
      const int64_t cut = batch.students.back().person_id;
      if (batch.students.size() > 1) {
        batch.students.pop_back();
        batch.last_person_id = cut - 1;
      }
    }
    if (!batch.students.empty()) {
      fillFacts(batch.students, batch.first_person_id, batch.last_person_id, reference,
                academic_year);
    }
    {
      Statement& st = db_.cached(existing_sql);
      int i = 1;
      st.bind(i++, term.str());
      st.bind(i++, batch.first_person_id);
      st.bind(i++, batch.last_person_id);
      if (!region_prefix.empty()) st.bind(i++, region_prefix + "%");
      while (st.next()) batch.existing.push_back(readEntitlement(st));
      st.reset();
    }
    fn(batch);
    if (last) break;
    after = batch.last_person_id;
  }
}

std::optional<rules::StudentFacts> SqlEntitlementStore::studentFacts(int64_t person_id,
                                                                     const Date& reference,
                                                                     int academic_year) {
  const std::string r = reference.str();
  auto st = query(db_,
                  studentSelect(db_.dialect()) +
                      "WHERE e.person_id = ? AND e.enroll_date <= ? AND (e.end_date IS NULL OR "
                      "e.end_date >= ?) "
                      "ORDER BY e.enroll_date DESC LIMIT 1",
                  {person_id, r, r});
  if (!st->next()) return std::nullopt;
  std::vector<rules::StudentFacts> one{readStudent(*st, r)};
  st.reset();
  fillFacts(one, person_id, person_id, reference, academic_year);
  return one.front();
}

std::vector<SchoolEntitlement> SqlEntitlementStore::schoolEntitlements(
    const std::string& school_code, const Term& term, const std::string& status, int64_t after,
    size_t limit) {
  auto st =
      query(db_,
            "SELECT e.id, e.person_id, p.name, p.rid_mask, e.programme, e.status, e.reason, "
            "e.hold_reason, e.amount_fen, rs.messages FROM entitlements e JOIN schools sc ON "
            "sc.id = e.school_id LEFT JOIN reason_sentences rs ON rs.sha256 = e.reason_sha "
            "JOIN persons p ON p.id = e.person_id WHERE sc.code = ? AND e.term = ? AND (? = '' OR "
            "e.status = ?) AND e.id > ? ORDER BY e.id LIMIT ?",
            {school_code, term.str(), status, status, after, static_cast<int64_t>(limit)});
  std::vector<SchoolEntitlement> out;
  while (st->next()) {
    SchoolEntitlement e;
    readColumns(*st, 0, e.id, e.person_id, e.name, e.rid_mask, e.programme, e.status, e.reason);
    e.hold_reason = st->isNull(7) ? "" : st->getText(7);
    e.amount = Money::fromFen(st->getInt(8));
    e.reason_messages = st->isNull(9) ? "" : st->getText(9);
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<rules::StoredEntitlement> SqlEntitlementStore::entitlementsOf(int64_t person_id,
                                                                          const Term& term) {
  auto st = query(
      db_, std::string(kEntitlementColumns) + "WHERE person_id = ? AND term = ? ORDER BY programme",
      {person_id, term.str()});
  std::vector<rules::StoredEntitlement> out;
  while (st->next()) out.push_back(readEntitlement(*st));
  return out;
}

int64_t SqlEntitlementStore::beginEntitlementRun(const Term& term, const std::string& region,
                                                 int64_t policy_id) {
  execute(db_,
          "INSERT INTO entitlement_runs (term, region, policy_id, started_on) VALUES (?, ?, ?, ?)",
          {term.str(), region, policy_id, Date::today().str()});
  return db_.lastInsertId();
}

void SqlEntitlementStore::finishEntitlementRun(int64_t run_id, const std::string& summary_json) {
  execute(db_, "UPDATE entitlement_runs SET summary = ? WHERE id = ?", {summary_json, run_id});
}

std::optional<rules::EntitlementStore::OpenRun> SqlEntitlementStore::openEntitlementRun(
    const Term& term, const std::string& region) {
  auto s = query(
      db_,
      "SELECT id, policy_id, progress FROM entitlement_runs WHERE term = ? AND region = ? AND "
      "summary IS NULL ORDER BY id DESC LIMIT 1",
      {term.str(), region});
  if (!s->next()) return std::nullopt;
  return OpenRun{s->getInt(0), s->getInt(1), s->isNull(2) ? "" : s->getText(2)};
}

void SqlEntitlementStore::saveRunProgress(int64_t run_id, const std::string& progress_json) {
  execute(db_, "UPDATE entitlement_runs SET progress = ? WHERE id = ?", {progress_json, run_id});
}

void SqlEntitlementStore::writeEntitlements(const Term& term, int64_t run_id, int64_t policy_id,
                                            std::vector<rules::EntitlementWrite>& writes) {
  const std::string today = Date::today().str();
  std::vector<SqlValue> inserts;
  Statement& history = db_.cached(
      "INSERT INTO entitlement_history (entitlement_id, version, status, amount_fen, account_id, "
      "paying_region, reason, reason_sha, policy_id, run_id, replaced_on) SELECT id, "
      "version, status, amount_fen, account_id, paying_region, reason, reason_sha, "
      "policy_id, run_id, ? FROM entitlements WHERE id = ?");
  Statement& update = db_.cached(
      "UPDATE entitlements SET status = ?, amount_fen = ?, central_fen = ?, provincial_fen = ?, "
      "county_fen = ?, "
      "payee = ?, account_id = ?, paying_region = ?, school_id = ?, hold_reason = ?, reason = ?, "
      "reason_sha = ?, policy_id = ?, "
      "run_id = ?, version = version + 1, updated_on = ? WHERE id = ? AND locked = 0");
  const std::string term_str = term.str();
  inserts.reserve(writes.size() * 19);
  // Each distinct reason's sentences once, under their key, before the rows that name them.
  std::unordered_set<std::string> kept;
  for (const auto& w : writes) {
    if (w.reason_sha.empty() || !kept.insert(w.reason_sha).second) continue;
    keepReasonSentences(db_, w.reason_sha, w.reason_messages);
  }
  for (auto& w : writes) {
    auto& d = w.decision;
    if (w.kind == rules::EntitlementWrite::Kind::kSentences) {
      Statement& fill =
          db_.cached("UPDATE entitlements SET reason_sha = ? WHERE id = ? AND reason_sha IS NULL");
      fill.bind(1, w.reason_sha);
      fill.bind(2, w.existing_id);
      fill.execute();
      continue;
    }
    const SqlValue account = d.account_id ? SqlValue(d.account_id) : SqlValue(nullptr);
    const SqlValue school = w.school_id ? SqlValue(w.school_id) : SqlValue(nullptr);
    if (w.kind == rules::EntitlementWrite::Kind::kInsert) {
      appendRow(inserts, w.person_id, std::move(d.programme), term_str,
                std::string(rules::code(d.status)), d.amount.fen(), d.central.fen(),
                d.provincial.fen(), d.county.fen(), std::string(rules::code(d.payee)), account,
                std::move(d.paying_region), school, textOrNull(d.hold_reason), std::move(w.reason),
                textOrNull(w.reason_sha), policy_id, run_id, int64_t{1}, today);
      continue;
    }
    history.bind(1, today);
    history.bind(2, w.existing_id);
    history.execute();
    int i = 1;
    update.bind(i++, std::string(rules::code(d.status)));
    update.bind(i++, d.amount.fen());
    update.bind(i++, d.central.fen());
    update.bind(i++, d.provincial.fen());
    update.bind(i++, d.county.fen());
    update.bind(i++, std::string(rules::code(d.payee)));
    update.bind(i++, account);
    update.bind(i++, d.paying_region);
    update.bind(i++, school);
    update.bind(i++, textOrNull(d.hold_reason));
    update.bind(i++, w.reason);
    update.bind(i++, textOrNull(w.reason_sha));
    update.bind(i++, policy_id);
    update.bind(i++, run_id);
    update.bind(i++, today);
    update.bind(i++, w.existing_id);
    if (update.execute() != 1) {
      throw Error(ErrorCode::kConflict,
                  "entitlement " + std::to_string(w.existing_id) +
                      " was locked by a batch while the run was computing; run again");
    }
  }
  insertMany(db_,
             "INSERT INTO entitlements (person_id, programme, term, status, amount_fen, "
             "central_fen, provincial_fen, "
             "county_fen, payee, account_id, paying_region, school_id, hold_reason, reason, "
             "reason_sha, policy_id, run_id, version, updated_on)",
             19, inserts);
}

void keepReasonSentences(Database& db, const std::string& sha256, const std::string& messages) {
  Statement& keep = db.cached(std::string(db.insertIgnore()) +
                              " INTO reason_sentences (sha256, messages) VALUES (?, ?)");
  keep.bind(1, sha256);
  keep.bind(2, messages);
  keep.execute();
}

}  // namespace edupay::store
