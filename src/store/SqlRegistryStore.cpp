#include "store/SqlRegistryStore.h"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "common/Error.h"
#include "common/Text.h"
#include "store/SqlHelpers.h"

namespace edupay::store {

void SqlRegistryStore::checkKeyFingerprint(const std::string& fingerprint) {
  auto stmt = db_.prepare("SELECT value FROM meta WHERE name = 'key_fingerprint'");
  if (stmt->next()) {
    const std::string stored = stmt->getText(0);
    if (stored != fingerprint) {
      throw Error(ErrorCode::kForbidden,
                  msg("store.key.wrong", {arg("fingerprint", fingerprint),
                                          arg("database", db_.describe()), arg("stored", stored)}));
    }
    return;
  }
  stmt.reset();
  execute(db_, "INSERT INTO meta (name, value) VALUES ('key_fingerprint', ?)", {fingerprint});
}

std::pair<int64_t, int64_t> SqlRegistryStore::upsertRegions(
    const std::vector<registry::Region>& regions) {
  int64_t added = 0, updated = 0;
  auto find = db_.prepare("SELECT name, parent_code, level FROM regions WHERE code = ?");
  auto ins =
      db_.prepare("INSERT INTO regions (code, name, parent_code, level) VALUES (?, ?, ?, ?)");
  auto upd = db_.prepare("UPDATE regions SET name = ?, parent_code = ?, level = ? WHERE code = ?");
  for (const auto& r : regions) {
    find->bind(1, r.code);
    if (find->next()) {
      const bool same = find->getText(0) == r.name && find->getText(1) == r.parent_code &&
                        find->getText(2) == r.level;
      find->reset();
      if (!same) {
        upd->bind(1, r.name);
        upd->bind(2, textOrNull(r.parent_code));
        upd->bind(3, r.level);
        upd->bind(4, r.code);
        upd->execute();
        ++updated;
      }
    } else {
      find->reset();
      ins->bind(1, r.code);
      ins->bind(2, r.name);
      ins->bind(3, textOrNull(r.parent_code));
      ins->bind(4, r.level);
      ins->execute();
      ++added;
    }
  }
  return {added, updated};
}

std::pair<int64_t, int64_t> SqlRegistryStore::upsertSchools(
    const std::vector<registry::School>& schools) {
  int64_t added = 0, updated = 0;
  auto find = db_.prepare(
      "SELECT id, name, region_code, stages, ownership, bank_code FROM schools WHERE code = ?");
  auto ins = db_.prepare(
      "INSERT INTO schools (code, name, region_code, stages, ownership, bank_code) VALUES (?, ?, "
      "?, ?, ?, ?)");
  auto upd = db_.prepare(
      "UPDATE schools SET name = ?, region_code = ?, stages = ?, ownership = ?, bank_code = ? "
      "WHERE id = ?");
  for (const auto& s : schools) {
    std::string stages;
    for (auto st : s.stages) {
      if (!stages.empty()) stages += ';';
      stages += domain::code(st);
    }
    const std::string ownership = s.is_public ? "public" : "private";
    find->bind(1, s.code);
    if (find->next()) {
      const int64_t id = find->getInt(0);
      const bool same = find->getText(1) == s.name && find->getText(2) == s.region_code &&
                        find->getText(3) == stages && find->getText(4) == ownership &&
                        find->getText(5) == s.bank_code;
      find->reset();
      if (!same) {
        upd->bind(1, s.name);
        upd->bind(2, s.region_code);
        upd->bind(3, stages);
        upd->bind(4, ownership);
        upd->bind(5, textOrNull(s.bank_code));
        upd->bind(6, id);
        upd->execute();
        ++updated;
      }
    } else {
      find->reset();
      ins->bind(1, s.code);
      ins->bind(2, s.name);
      ins->bind(3, s.region_code);
      ins->bind(4, stages);
      ins->bind(5, ownership);
      ins->bind(6, textOrNull(s.bank_code));
      ins->execute();
      ++added;
    }
  }
  school_ids_.clear();
  return {added, updated};
}

std::vector<registry::School> SqlRegistryStore::listSchools() {
  std::vector<registry::School> out;
  auto stmt = db_.prepare(
      "SELECT id, code, name, region_code, stages, ownership, bank_code FROM schools ORDER BY "
      "code");
  while (stmt->next()) {
    registry::School s;
    s.code = stmt->getText(1);
    s.name = stmt->getText(2);
    s.region_code = stmt->getText(3);
    for (const auto& part : text::split(stmt->getText(4), ';')) {
      if (part.empty()) continue;
      s.stages.push_back(
          stored(domain::parseStage(part), "schools", "stages", stmt->getInt(0), part));
    }
    s.is_public = stmt->getText(5) == "public";
    s.bank_code = stmt->getText(6);
    school_ids_[s.code] = stmt->getInt(0);
    out.push_back(std::move(s));
  }
  return out;
}

int64_t SqlRegistryStore::schoolId(const std::string& code) {
  auto it = school_ids_.find(code);
  if (it != school_ids_.end()) return it->second;
  const int64_t id = queryInt(db_, "SELECT id FROM schools WHERE code = ?", {code}, 0);
  if (id == 0)
    throw Error(ErrorCode::kNotFound, msg("store.school_not_registered", {arg("school", code)}));
  school_ids_[code] = id;
  return id;
}

int64_t SqlRegistryStore::beginImportRun(const std::string& kind, const std::string& file_name,
                                         const std::string& file_sha256, const Date& as_of) {
  execute(db_,
          "INSERT INTO import_runs (kind, file_name, file_sha256, as_of, started_at) VALUES (?, ?, "
          "?, ?, ?)",
          {kind, file_name, file_sha256, as_of.str(), Date::today().str()});
  return db_.lastInsertId();
}

void SqlRegistryStore::finishImportRun(int64_t run_id, int64_t total, int64_t ok, int64_t bad) {
  execute(db_, "UPDATE import_runs SET rows_total = ?, rows_ok = ?, rows_bad = ? WHERE id = ?",
          {total, ok, bad, run_id});
}

std::vector<std::string> SqlRegistryStore::replaceNominations(
    const std::string& programme, int academic_year, const std::vector<std::string>& rid_hashes) {
  std::unordered_map<std::string, int64_t> persons;
  selectIn(db_, "SELECT id, rid_hash FROM persons WHERE rid_hash", "", rid_hashes,
           [&](Statement& s) { persons[s.getText(1)] = s.getInt(0); });
  std::vector<std::string> unmatched;
  std::vector<SqlValue> values;
  std::set<int64_t> added;
  for (const auto& h : rid_hashes) {
    auto it = persons.find(h);
    if (it == persons.end()) {
      unmatched.push_back(h);
      continue;
    }
    if (added.insert(it->second).second)
      appendRow(values, programme, int64_t{academic_year}, it->second);
  }
  execute(db_, "DELETE FROM nominations WHERE programme = ? AND academic_year = ?",
          {programme, int64_t{academic_year}});
  insertMany(db_, "INSERT INTO nominations (programme, academic_year, person_id)", 3, values);
  return unmatched;
}

std::vector<registry::MissingChild> SqlRegistryStore::rosterChildrenNotEnrolled(
    const Date& reference, int min_age, int max_age) {
  // Born after (R - max_age - 1 years) and on or before (R - min_age years).
  const Date oldest = Date::fromYmd(reference.year() - max_age - 1, reference.month(),
                                    std::min(reference.day(), 28))
                          ->addDays(1);
  const Date youngest =
      *Date::fromYmd(reference.year() - min_age, reference.month(), std::min(reference.day(), 28));
  const std::string r = reference.str();
  auto stmt = db_.prepare(
      "SELECT p.rid_mask, p.name, h.code, h.hukou_region, p.birth_date, "
      " (SELECT GROUP_CONCAT(DISTINCT s.category) FROM household_status s WHERE s.household_id = "
      "h.id "
      "   AND s.source <> 'claimed' AND s.valid_from <= ? AND (s.valid_to IS NULL OR s.valid_to >= "
      "?)) "
      "FROM household_members m JOIN persons p ON p.id = m.person_id JOIN households h ON h.id = "
      "m.household_id "
      "WHERE p.birth_date >= ? AND p.birth_date <= ? "
      " AND EXISTS (SELECT 1 FROM household_status s WHERE s.household_id = m.household_id AND "
      "s.source <> 'claimed' "
      "   AND s.valid_from <= ? AND (s.valid_to IS NULL OR s.valid_to >= ?)) "
      " AND NOT EXISTS (SELECT 1 FROM enrollments e WHERE e.person_id = p.id AND e.enroll_date <= "
      "? "
      "   AND (e.end_date IS NULL OR e.end_date >= ?)) "
      "ORDER BY h.code, p.id");
  int i = 1;
  for (const auto& v : {r, r, oldest.str(), youngest.str(), r, r, r, r}) stmt->bind(i++, v);
  std::vector<registry::MissingChild> out;
  while (stmt->next()) {
    out.push_back({stmt->getText(0), stmt->getText(1), stmt->getText(2), stmt->getText(3),
                   stmt->getText(5), stmt->getText(4)});
  }
  return out;
}

std::optional<registry::StudentRecord> SqlRegistryStore::findStudent(
    const std::optional<std::string>& rid_hash, const std::string& student_no) {
  std::optional<registry::StudentRecord> rec;
  if (rid_hash) rec = studentWhere("rid_hash", *rid_hash);
  // A child recorded under the G student number alone is found by the ID inside it too.
  if (!rec && !student_no.empty()) rec = studentWhere("student_no", student_no);
  // A record merged into another answers with the record kept.
  if (rec) {
    const int64_t into = queryInt(db_, "SELECT COALESCE(merged_into, 0) FROM persons WHERE id = ?",
                                  {rec->person_id}, 0);
    if (into != 0) return studentWhere("id", into);
  }
  return rec;
}

std::optional<registry::StudentRecord> SqlRegistryStore::studentById(int64_t person_id) {
  return studentWhere("id", person_id);
}

std::optional<registry::StudentRecord> SqlRegistryStore::studentWhere(const char* column,
                                                                      const SqlValue& value) {
  // The person and their enrollments in one round trip (a look-up answers in two queries, neither
  // of which sorts: rows are put in order here, so the server builds no temporary tables).
  Statement& p = cachedQuery(
      db_,
      std::string("SELECT p.id, p.rid_mask, p.rid_enc, p.student_no, p.name, p.sex, p.birth_date, "
                  "p.ethnicity, p.hukou_region, s.code, s.name, e.stage, e.grade, e.class_name, "
                  "e.major, e.agri_major, e.boarding, e.status, e.enroll_date, e.status_date, "
                  "e.end_date, e.id FROM persons p LEFT JOIN enrollments e ON e.person_id = p.id "
                  "LEFT JOIN schools s ON s.id = e.school_id WHERE p.") +
          column + " = ?",
      {value});
  if (!p.next()) return std::nullopt;
  registry::StudentRecord rec;
  std::vector<std::pair<int64_t, registry::StudentRecord::Enrollment>> enrollments;
  readColumns(p, 0, rec.person_id, rec.rid_mask, rec.rid_enc, rec.student_no, rec.name, rec.sex,
              rec.birth_date, rec.ethnicity, rec.hukou_region);
  do {
    if (p.isNull(9)) continue;
    registry::StudentRecord::Enrollment en;
    readColumns(p, 9, en.school_code, en.school_name, en.stage, en.grade, en.class_name, en.major,
                en.agri_major, en.boarding, en.status, en.enroll_date, en.status_date, en.end_date);
    enrollments.push_back({p.getInt(21), en});
  } while (p.next());
  std::sort(enrollments.begin(), enrollments.end(), [](const auto& l, const auto& r) {
    return std::tie(l.second.enroll_date, l.first) < std::tie(r.second.enroll_date, r.first);
  });
  for (auto& [n, en] : enrollments) rec.enrollments.push_back(std::move(en));
  const SqlValue id = rec.person_id;

  // Everything else in a second round trip: one UNION ALL whose first column says what a row is
  // (h household status, d difficulty, g guardian, a account, c change). The columns of a UNION
  // share one type, so numbers travel as text; each kind is put in its order here.
  Statement& x = db_.cached(
      "SELECT 'h', CAST(COALESCE(s.id, 0) AS CHAR), h.code, h.hukou_region, s.category, "
      "s.valid_from, s.valid_to, s.source, s.source_ref, NULL, NULL FROM households h LEFT JOIN "
      "household_status s ON s.household_id = h.id WHERE h.id = (SELECT MAX(m.household_id) FROM "
      "household_members m WHERE m.person_id = ?) "
      "UNION ALL SELECT 'd', CAST(academic_year AS CHAR), level, NULL, NULL, NULL, NULL, NULL, "
      "NULL, NULL, NULL FROM difficulty_levels WHERE person_id = ? "
      "UNION ALL SELECT 'g', CAST(p.id AS CHAR), p.name, p.rid_mask, NULL, NULL, NULL, NULL, NULL, "
      "NULL, NULL FROM guardians g JOIN persons p ON p.id = g.guardian_id WHERE g.student_id = ? "
      "UNION ALL SELECT 'a', CAST(id AS CHAR), kind, owner, acct_mask, acct_enc, bank_code, "
      "holder_name, valid_from, valid_to, CAST(luhn_ok AS CHAR) FROM bank_accounts WHERE "
      "student_id = ? "
      // The field history: one index look-up per kind of entity (an OR would not use the index).
      "UNION ALL SELECT 'c', CAST(id AS CHAR), entity, field, old_value, new_value, changed_on, "
      "NULL, NULL, NULL, NULL FROM change_log WHERE entity = 'person' AND entity_id = ? "
      "UNION ALL SELECT 'c', CAST(id AS CHAR), entity, field, old_value, new_value, changed_on, "
      "NULL, NULL, NULL, NULL FROM change_log WHERE entity = 'difficulty' AND entity_id = ? "
      "UNION ALL SELECT 'c', CAST(c.id AS CHAR), c.entity, c.field, c.old_value, c.new_value, "
      "c.changed_on, NULL, NULL, NULL, NULL FROM enrollments e JOIN change_log c ON c.entity = "
      "'enrollment' AND c.entity_id = e.id WHERE e.person_id = ? "
      "UNION ALL SELECT 'c', CAST(c.id AS CHAR), c.entity, c.field, c.old_value, c.new_value, "
      "c.changed_on, NULL, NULL, NULL, NULL FROM bank_accounts b JOIN change_log c ON c.entity = "
      "'bank_account' AND c.entity_id = b.id WHERE b.student_id = ?");
  for (int i = 1; i <= 8; ++i) x.bind(i, id);
  std::vector<std::pair<int64_t, registry::StudentRecord::Status>> statuses;
  std::vector<std::pair<int64_t, registry::StudentRecord::Guardian>> guardians;
  std::vector<std::pair<int64_t, registry::StudentRecord::Account>> accounts;
  std::vector<std::pair<int64_t, registry::StudentRecord::Change>> changes;
  while (x.next()) {
    const std::string kind = x.getText(0);
    const int64_t n = std::stoll(x.getText(1));
    if (kind == "h") {
      if (!rec.household)
        rec.household = registry::StudentRecord::Household{x.getText(2), x.getText(3)};
      if (!x.isNull(4))
        statuses.push_back(
            {n, {x.getText(4), x.getText(5), x.getText(6), x.getText(7), x.getText(8)}});
    } else if (kind == "d") {
      rec.difficulty.push_back({static_cast<int>(n), x.getText(2)});
    } else if (kind == "g") {
      guardians.push_back({n, {x.getText(2), x.getText(3)}});
    } else if (kind == "a") {
      accounts.push_back({n,
                          {x.getText(2), x.getText(3), x.getText(4), x.getText(5), x.getText(6),
                           x.getText(7), x.getText(8), x.getText(9), x.getText(10) != "0"}});
    } else {
      changes.push_back(
          {n, {x.getText(2), x.getText(3), x.getText(4), x.getText(5), x.getText(6)}});
    }
  }
  auto by_date_then_id = [](const auto& l, const auto& r) {
    return std::tie(l.second.valid_from, l.first) < std::tie(r.second.valid_from, r.first);
  };
  auto by_id = [](const auto& l, const auto& r) { return l.first < r.first; };
  std::sort(statuses.begin(), statuses.end(), by_date_then_id);
  for (auto& [n, st] : statuses) rec.statuses.push_back(std::move(st));
  std::sort(rec.difficulty.begin(), rec.difficulty.end(),
            [](const auto& l, const auto& r) { return l.academic_year < r.academic_year; });
  std::sort(guardians.begin(), guardians.end(), by_id);
  for (auto& [n, g] : guardians) rec.guardians.push_back(std::move(g));
  std::sort(accounts.begin(), accounts.end(), by_date_then_id);
  for (auto& [n, acc] : accounts) rec.accounts.push_back(std::move(acc));
  std::sort(changes.begin(), changes.end(), by_id);
  for (auto& [n, ch] : changes) rec.changes.push_back(std::move(ch));
  return rec;
}

int64_t SqlRegistryStore::replaceAccount(int64_t person_id, const AccountUpdate& a) {
  std::string old_mask;
  {
    auto s = query(
        db_,
        "SELECT id, acct_mask FROM bank_accounts WHERE student_id = ? AND kind = ? AND valid_to "
        "IS NULL",
        {person_id, a.kind});
    if (s->next()) {
      const int64_t old_id = s->getInt(0);
      old_mask = s->getText(1);
      s.reset();
      execute(db_, "UPDATE bank_accounts SET valid_to = ? WHERE id = ?", {a.as_of, old_id});
      execute(db_,
              "INSERT INTO change_log (entity, entity_id, field, old_value, new_value, changed_on) "
              "VALUES ('bank_account', ?, 'valid_to', '', ?, ?)",
              {old_id, a.as_of, a.as_of});
    }
  }
  execute(db_,
          "INSERT INTO bank_accounts (student_id, owner, kind, acct_hash, acct_enc, acct_mask, "
          "bank_code, holder_name, luhn_ok, valid_from) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          {person_id, a.owner, a.kind, a.hash, a.enc, a.mask, a.bank_code, a.holder,
           int64_t{a.luhn_ok}, a.as_of});
  const int64_t id = db_.lastInsertId();
  execute(db_,
          "INSERT INTO change_log (entity, entity_id, field, old_value, new_value, changed_on) "
          "VALUES ('bank_account', ?, 'account', ?, ?, ?)",
          {id, old_mask, a.mask, a.as_of});
  return id;
}

std::string SqlRegistryStore::setDifficulty(int64_t person_id, int academic_year,
                                            const std::string& level,
                                            const std::string& school_code) {
  std::optional<std::string> previous;
  {
    auto s =
        query(db_, "SELECT level FROM difficulty_levels WHERE person_id = ? AND academic_year = ?",
              {person_id, int64_t{academic_year}});
    if (s->next()) previous = s->getText(0);
  }
  if (previous == level) return level;
  const std::string today = Date::today().str();
  if (previous) {
    execute(db_,
            "UPDATE difficulty_levels SET level = ?, school_id = (SELECT id FROM schools WHERE "
            "code = ?) WHERE person_id = ? AND academic_year = ?",
            {level, school_code, person_id, int64_t{academic_year}});
  } else {
    execute(db_,
            "INSERT INTO difficulty_levels (person_id, academic_year, level, school_id) SELECT ?, "
            "?, ?, id FROM schools WHERE code = ?",
            {person_id, int64_t{academic_year}, level, school_code});
  }
  execute(db_,
          "INSERT INTO change_log (entity, entity_id, field, old_value, new_value, changed_on) "
          "VALUES ('difficulty', ?, ?, ?, ?, ?)",
          {person_id, std::to_string(academic_year), previous.value_or("none"), level, today});
  return previous.value_or("none");
}

std::vector<registry::RegistryStore::StudentRow> SqlRegistryStore::studentsAt(
    const std::string& school_code, int64_t after_id, size_t limit) {
  auto s = query(
      db_,
      "SELECT p.id, p.name, p.rid_mask, e.stage, e.grade, e.class_name FROM enrollments e JOIN "
      "schools sc ON sc.id = e.school_id JOIN persons p ON p.id = e.person_id WHERE sc.code = ? "
      "AND e.end_date IS NULL AND p.id > ? ORDER BY p.id LIMIT ?",
      {school_code, after_id, static_cast<int64_t>(limit)});
  std::vector<StudentRow> out;
  while (s->next()) {
    StudentRow r;
    r.person_id = s->getInt(0);
    r.name = s->getText(1);
    r.rid_mask = s->isNull(2) ? "" : s->getText(2);
    r.stage = s->getText(3);
    r.grade = static_cast<int>(s->getInt(4));
    r.class_name = s->isNull(5) ? "" : s->getText(5);
    out.push_back(std::move(r));
  }
  return out;
}

std::string SqlRegistryStore::schoolRegion(const std::string& school_code) {
  Statement& s = cachedQuery(db_, "SELECT region_code FROM schools WHERE code = ?", {school_code});
  std::string region = s.next() ? s.getText(0) : "";
  s.reset();
  return region;
}

registry::RegistryStore::SchoolAccountChange SqlRegistryStore::replaceSchoolAccount(
    const std::string& school_code, const SchoolAccountUpdate& a) {
  const int64_t school_id = queryInt(db_, "SELECT id FROM schools WHERE code = ?", {school_code});
  if (school_id == 0)
    throw Error(ErrorCode::kNotFound,
                msg("store.school_not_registered", {arg("school", school_code)}));
  SchoolAccountChange r;
  {
    auto s = query(
        db_,
        "SELECT acct_hash, bank_code, holder_name FROM school_accounts WHERE school_id = ? AND "
        "valid_to IS NULL",
        {school_id});
    if (s->next() && s->getText(0) == a.hash && s->getText(1) == a.bank_code &&
        s->getText(2) == a.holder) {
      return r;
    }
  }
  execute(db_, "UPDATE school_accounts SET valid_to = ? WHERE school_id = ? AND valid_to IS NULL",
          {a.as_of, school_id});
  execute(db_,
          "INSERT INTO school_accounts (school_id, acct_hash, acct_enc, acct_mask, bank_code, "
          "holder_name, valid_from, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          {school_id, a.hash, a.enc, a.mask, a.bank_code, a.holder, a.as_of, a.recorded_by});
  r.changed = true;
  // The school's money the bank sent back waits no more: the next build pays the school again.
  r.released = execute(db_,
                       "UPDATE returned_funds SET status = 'ready' WHERE status = "
                       "'awaiting_account' AND payment_id IN (SELECT p.id FROM payments p JOIN "
                       "entitlements e ON e.id = p.entitlement_id WHERE p.payee = 'school' AND "
                       "e.school_id = ?)",
                       {school_id});
  return r;
}

std::optional<registry::RegistryStore::SchoolAccountView> SqlRegistryStore::schoolAccount(
    const std::string& school_code) {
  auto s = query(
      db_,
      "SELECT sc.code, sc.name, sc.region_code, a.acct_mask, a.bank_code, a.holder_name, "
      "a.valid_from, a.recorded_by FROM schools sc JOIN school_accounts a ON a.school_id = sc.id "
      "AND a.valid_to IS NULL WHERE sc.code = ?",
      {school_code});
  if (!s->next()) return std::nullopt;
  return SchoolAccountView{s->getText(0), s->getText(1), s->getText(2), s->getText(3),
                           s->getText(4), s->getText(5), s->getText(6), s->getText(7)};
}

}  // namespace edupay::store
