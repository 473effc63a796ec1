#include "store/SqlRegistryStore.h"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "common/Error.h"
#include "common/Term.h"
#include "common/Text.h"
#include "store/SqlHelpers.h"

namespace edupay::store {
namespace {

using registry::ApplyCounts;
using registry::Issue;
using registry::RollRecord;

std::string sexCode(Sex s) { return s == Sex::kMale ? "M" : "F"; }
std::string hukouType(const std::optional<bool>& rural) {
  if (!rural) return "";
  return *rural ? "rural" : "urban";
}

struct ExistingPerson {
  int64_t id = 0;
  bool has_rid = false;  ///< false for a person known so far by a student number only
  std::string name, sex, birth_date, ethnicity, hukou_region, student_no, hukou_type;
  int64_t last_run_id = 0;
  int64_t last_line = 0;
};

struct ExistingEnrollment {
  int64_t id = 0;
  int64_t school_id = 0;
  std::string stage, class_name, major, status, enroll_date, status_date, end_date;
  int64_t grade = 0, agri_major = 0, boarding = 0;
};

struct ExistingAccount {
  int64_t id = 0;
  std::string kind, acct_hash, bank_code, holder_name, owner;
};

struct ChangeRow {
  std::string entity;
  int64_t entity_id;
  std::string field, old_value, new_value;
};

std::string personKey(const RollRecord& r) {
  return r.resident_id ? r.resident_id->hash : "sno:" + r.student_no;
}

}  // namespace

std::unique_ptr<registry::StoreTransaction> SqlRegistryStore::transaction() {
  return std::make_unique<SqlStoreTransaction>(db_);
}

void SqlRegistryStore::checkKeyFingerprint(const std::string& fingerprint) {
  auto stmt = db_.prepare("SELECT value FROM meta WHERE name = 'key_fingerprint'");
  if (stmt->next()) {
    const std::string stored = stmt->getText(0);
    if (stored != fingerprint) {
      throw Error(ErrorCode::kForbidden, "the key file (fingerprint " + fingerprint +
                                             ") is not the key this database " + db_.describe() +
                                             " was written with (fingerprint " + stored +
                                             "); pass the right --key-file or EDUPAY_KEY_FILE");
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
      if (auto st = domain::parseStage(part)) s.stages.push_back(*st);
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
  if (id == 0) throw Error(ErrorCode::kNotFound, "school " + code + " is not registered");
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

void SqlRegistryStore::replaceIdentifier(int64_t person_id, const registry::Protected& id,
                                         const std::string& document, const std::string& today) {
  if (queryInt(db_, "SELECT COUNT(*) FROM persons WHERE rid_hash = ? AND id <> ?",
               {id.hash, person_id}) > 0) {
    throw Error(ErrorCode::kConflict, "the new identifier already belongs to another record");
  }
  auto old = db_.prepare("SELECT rid_mask, student_no FROM persons WHERE id = ?");
  old->bind(1, person_id);
  if (!old->next()) throw Error(ErrorCode::kNotFound, "no person " + std::to_string(person_id));
  const std::string old_mask = old->isNull(0) ? maskMiddle(old->getText(1), 4, 4) : old->getText(0);
  old.reset();
  // A G number is the old identifier in clear: it goes with it.
  execute(db_,
          "UPDATE persons SET rid_hash = ?, rid_enc = ?, rid_mask = ?, id_document = ?, "
          "student_no = CASE WHEN student_no LIKE 'G%' THEN NULL ELSE student_no END WHERE id = ?",
          {id.hash, id.enc, id.mask, document, person_id});
  execute(db_,
          "INSERT INTO change_log (entity, entity_id, field, old_value, new_value, changed_on) "
          "VALUES ('person', ?, 'resident_id', ?, ?, ?)",
          {person_id, old_mask, id.mask, today});
}

registry::MergeCounts SqlRegistryStore::mergePersons(int64_t keep, int64_t lose,
                                                     const std::string& today) {
  registry::MergeCounts c;
  const std::string K = std::to_string(keep), L = std::to_string(lose);
  if (queryInt(db_,
               "SELECT COUNT(*) FROM enrollments WHERE end_date IS NULL AND person_id IN (?, ?)",
               {keep, lose}) > 1) {
    throw Error(ErrorCode::kConflict,
                "both records have an open enrollment; the school whose enrollment is wrong "
                "closes it with its roll first (两条记录都有在读学籍，请先由学籍有误的学校更正)");
  }
  c.enrollments =
      execute(db_, "UPDATE enrollments SET person_id = ? WHERE person_id = ?", {keep, lose});
  execute(db_,
          std::string(db_.insertIgnore()) +
              " INTO household_members (household_id, person_id, relation) SELECT household_id, ?, "
              "relation FROM household_members WHERE person_id = ?",
          {keep, lose});
  execute(db_, "DELETE FROM household_members WHERE person_id = ?", {lose});
  execute(db_,
          std::string(db_.insertIgnore()) +
              " INTO guardians (student_id, guardian_id) SELECT ?, guardian_id FROM guardians "
              "WHERE student_id = ? AND guardian_id <> ?",
          {keep, lose, keep});
  execute(db_, "DELETE FROM guardians WHERE student_id = ?", {lose});
  // An open account of a kind the kept record also has open is closed: one open per kind.
  std::set<std::string> open_kinds;
  {
    auto s =
        db_.prepare("SELECT kind FROM bank_accounts WHERE student_id = ? AND valid_to IS NULL");
    s->bind(1, keep);
    while (s->next()) open_kinds.insert(s->getText(0));
  }
  for (const auto& kind : open_kinds) {
    execute(db_,
            "UPDATE bank_accounts SET valid_to = CASE WHEN valid_from > ? THEN valid_from ELSE ? "
            "END WHERE student_id = ? AND kind = ? AND valid_to IS NULL",
            {today, today, lose, kind});
  }
  c.accounts =
      execute(db_, "UPDATE bank_accounts SET student_id = ? WHERE student_id = ?", {keep, lose});
  // Levels and nominations the kept record lacks move; the kept record's own stay.
  std::set<int64_t> years;
  {
    auto s = db_.prepare("SELECT academic_year FROM difficulty_levels WHERE person_id = ?");
    s->bind(1, keep);
    while (s->next()) years.insert(s->getInt(0));
  }
  {
    std::vector<int64_t> move;
    auto s = db_.prepare("SELECT academic_year FROM difficulty_levels WHERE person_id = ?");
    s->bind(1, lose);
    while (s->next()) {
      if (!years.count(s->getInt(0))) move.push_back(s->getInt(0));
    }
    s.reset();
    for (int64_t y : move) {
      execute(
          db_,
          "UPDATE difficulty_levels SET person_id = ? WHERE person_id = ? AND academic_year = ?",
          {keep, lose, y});
    }
  }
  execute(db_,
          std::string(db_.insertIgnore()) +
              " INTO nominations (programme, academic_year, person_id) SELECT programme, "
              "academic_year, ? FROM nominations WHERE person_id = ?",
          {keep, lose});
  execute(db_, "DELETE FROM nominations WHERE person_id = ?", {lose});

  // Entitlements: one per child, programme and term; nothing may be paid twice.
  struct Ent {
    int64_t id = 0;
    std::string programme, term;
    bool locked = false, live = false;
  };
  auto load = [&](int64_t person) {
    std::map<std::pair<std::string, std::string>, Ent> out;
    auto s = db_.prepare(
        // Live: covered by a live payment, to the student or to the school.
        "SELECT e.id, e.programme, e.term, e.locked, (SELECT COUNT(*) FROM payment_entitlements "
        "pe WHERE pe.entitlement_id = e.id AND pe.live = 1) FROM entitlements e WHERE "
        "e.person_id = ?");
    s->bind(1, person);
    while (s->next()) {
      Ent e{s->getInt(0), s->getText(1), s->getText(2), s->getInt(3) != 0, s->getInt(4) > 0};
      out[{e.programme, e.term}] = e;
    }
    return out;
  };
  const auto kept = load(keep);
  const auto lost = load(lose);
  auto supersede = [&](const Ent& e) {
    if (e.locked) {
      throw Error(ErrorCode::kConflict,
                  "the entitlement " + e.programme + " " + e.term +
                      " to be superseded is in a batch; remove it from the batch first");
    }
    execute(db_,
            "INSERT INTO entitlement_history (entitlement_id, version, status, amount_fen, "
            "account_id, paying_region, reason, policy_id, run_id, replaced_on) SELECT id, "
            "version, status, amount_fen, account_id, paying_region, reason, policy_id, run_id, ? "
            "FROM entitlements WHERE id = ?",
            {today, e.id});
    execute(db_,
            "UPDATE entitlements SET status = 'excluded', amount_fen = 0, central_fen = 0, "
            "provincial_fen = 0, county_fen = 0, hold_reason = NULL, reason = ?, version = "
            "version + 1, updated_on = ? WHERE id = ?",
            {"merged: the same child as record " + K + ", which holds this programme and term",
             today, e.id});
    ++c.entitlements_superseded;
  };
  for (const auto& [key, e] : lost) {
    auto k = kept.find(key);
    if (k == kept.end()) {
      execute(db_, "UPDATE entitlements SET person_id = ? WHERE id = ?", {keep, e.id});
      ++c.entitlements_moved;
    } else if (!e.live) {
      supersede(e);
    } else if (!k->second.live) {
      supersede(k->second);  // the paid one stays, on the merged record that points here
    } else {
      c.paid_twice.push_back(key.first + " " + key.second);
    }
  }
  execute(db_, "UPDATE persons SET merged_into = ? WHERE id = ?", {keep, lose});
  execute(db_,
          "INSERT INTO change_log (entity, entity_id, field, old_value, new_value, changed_on) "
          "VALUES ('person', ?, 'merged_from', '', ?, ?)",
          {keep, L, today});
  return c;
}

std::map<const RollRecord*, std::pair<std::string, std::string>>
SqlRegistryStore::possibleDuplicates(const std::vector<const RollRecord*>& fresh, int64_t run_id) {
  std::map<const RollRecord*, std::pair<std::string, std::string>> out;
  if (fresh.empty()) return out;
  std::vector<std::string> names;
  for (const auto* r : fresh) names.push_back(r->name);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  struct Candidate {
    int64_t id;
    std::string key_mask, name, birth_date;
    std::set<std::string> households, guardians, accounts;
  };
  std::unordered_map<int64_t, Candidate> candidates;
  std::multimap<std::pair<std::string, std::string>, int64_t> by_name_birth;
  // Records of this same file are rows of the file (checked as such), not "on record".
  selectIn(db_, "SELECT id, rid_mask, student_no, name, birth_date FROM persons WHERE name",
           " AND merged_into IS NULL AND (last_run_id IS NULL OR last_run_id <> ?)", names,
           [&](Statement& s) {
             Candidate c;
             c.id = s.getInt(0);
             c.key_mask = s.isNull(1) ? maskMiddle(s.getText(2), 4, 4) : s.getText(1);
             c.name = s.getText(3);
             c.birth_date = s.getText(4);
             by_name_birth.emplace(std::make_pair(c.name, c.birth_date), c.id);
             candidates.emplace(c.id, std::move(c));
           },
           {SqlValue(run_id)});
  std::vector<int64_t> ids;
  for (const auto* r : fresh) {
    auto [lo, hi] = by_name_birth.equal_range({r->name, r->birth_date.str()});
    for (auto it = lo; it != hi; ++it) ids.push_back(it->second);
  }
  if (ids.empty()) return out;
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  selectIn(db_,
           "SELECT hm.person_id, h.code FROM household_members hm JOIN households h ON h.id = "
           "hm.household_id WHERE hm.person_id",
           "", ids, [&](Statement& s) { candidates[s.getInt(0)].households.insert(s.getText(1)); });
  selectIn(db_,
           "SELECT g.student_id, p.rid_hash FROM guardians g JOIN persons p ON p.id = "
           "g.guardian_id WHERE p.rid_hash IS NOT NULL AND g.student_id",
           "", ids, [&](Statement& s) { candidates[s.getInt(0)].guardians.insert(s.getText(1)); });
  selectIn(db_, "SELECT student_id, acct_hash FROM bank_accounts WHERE student_id", "", ids,
           [&](Statement& s) { candidates[s.getInt(0)].accounts.insert(s.getText(1)); });
  for (const auto* r : fresh) {
    auto [lo, hi] = by_name_birth.equal_range({r->name, r->birth_date.str()});
    for (auto it = lo; it != hi; ++it) {
      const Candidate& c = candidates[it->second];
      std::string evidence;
      if (!r->household_code.empty() && c.households.count(r->household_code)) {
        evidence = "household (户编号)";
      } else if (r->guardian_id && c.guardians.count(r->guardian_id->hash)) {
        evidence = "guardian (监护人)";
      } else if (r->account && c.accounts.count(r->account->hash)) {
        evidence = "bank account (银行账号)";
      }
      if (!evidence.empty()) {
        out.emplace(r, std::make_pair(c.key_mask, evidence));
        break;
      }
    }
  }
  return out;
}

ApplyCounts SqlRegistryStore::applyRollChunk(const registry::ImportContext& ctx,
                                             const std::vector<RollRecord>& input,
                                             std::vector<Issue>& issues) {
  ApplyCounts counts;
  const std::string as_of = ctx.as_of.str();
  std::vector<ChangeRow> changes;

  // 1. Drop rows whose student appeared earlier in this chunk.
  std::vector<const RollRecord*> rows;
  rows.reserve(input.size());
  {
    std::unordered_map<std::string, int64_t> first_line;
    for (const auto& r : input) {
      auto [it, fresh] = first_line.emplace(personKey(r), r.line);
      if (!fresh) {
        issues.push_back({r.line, r.resident_id ? "resident_id" : "student_no", r.displayKey(),
                          "the same student is already on line " + std::to_string(it->second) +
                              " of this file; keep one row per student",
                          false});
        continue;
      }
      rows.push_back(&r);
    }
  }

  // 2. Existing persons (students and guardians) by blind index or student number.
  std::unordered_map<std::string, ExistingPerson> persons;  // key: rid hash or "sno:..."
  auto load_persons = [&](const std::vector<std::string>& hashes,
                          const std::vector<std::string>& snos) {
    std::vector<std::pair<std::string, int64_t>> redirects;  // key -> record merged into
    auto on_row = [&](Statement& s) {
      if (!s.isNull(11)) {
        redirects.emplace_back(s.isNull(1) ? "sno:" + s.getText(2) : s.getText(1), s.getInt(11));
        return;
      }
      ExistingPerson p;
      p.id = s.getInt(0);
      p.name = s.getText(3);
      p.sex = s.getText(4);
      p.birth_date = s.getText(5);
      p.ethnicity = s.getText(6);
      p.hukou_region = s.getText(7);
      p.student_no = s.getText(2);
      p.last_run_id = s.isNull(8) ? 0 : s.getInt(8);
      p.last_line = s.isNull(9) ? 0 : s.getInt(9);
      p.hukou_type = s.getText(10);
      p.has_rid = !s.isNull(1);
      const std::string key = s.isNull(1) ? "sno:" + s.getText(2) : s.getText(1);
      persons[key] = p;
      if (!s.isNull(1) && !s.isNull(2)) persons["sno:" + s.getText(2)] = p;
    };
    const char* cols =
        "SELECT id, rid_hash, student_no, name, sex, birth_date, ethnicity, hukou_region, "
        "last_run_id, "
        "last_line, hukou_type, merged_into FROM persons WHERE ";
    if (!hashes.empty()) selectIn(db_, std::string(cols) + "rid_hash", "", hashes, on_row);
    if (!snos.empty()) selectIn(db_, std::string(cols) + "student_no", "", snos, on_row);
    // A row carrying the identifier of a record merged into another lands on the record kept.
    for (const auto& [key, into] : redirects) {
      std::vector<int64_t> id{into};
      selectIn(db_, std::string(cols) + "id", "", id, [&, k = key](Statement& s) {
        on_row(s);
        const std::string kept = s.isNull(1) ? "sno:" + s.getText(2) : s.getText(1);
        persons[k] = persons[kept];
      });
    }
  };
  {
    std::vector<std::string> hashes, snos;
    for (const auto* r : rows) {
      if (r->resident_id) {
        hashes.push_back(r->resident_id->hash);
        // The same child imported earlier by the G student number alone.
        snos.push_back(r->derived_student_no);
      } else {
        snos.push_back(r->student_no);
      }
      if (r->guardian_id) hashes.push_back(r->guardian_id->hash);
    }
    load_persons(hashes, snos);
    for (const auto* r : rows) {
      if (!r->resident_id || persons.count(r->resident_id->hash)) continue;
      auto it = persons.find("sno:" + r->derived_student_no);
      if (it != persons.end() && !it->second.has_rid) persons[r->resident_id->hash] = it->second;
    }
  }

  // 3. Students appearing again in the same run are duplicates across chunks.
  {
    std::vector<const RollRecord*> kept;
    kept.reserve(rows.size());
    for (const auto* r : rows) {
      auto it = persons.find(personKey(*r));
      if (it != persons.end() && it->second.last_run_id == ctx.run_id) {
        issues.push_back({r->line, r->resident_id ? "resident_id" : "student_no", r->displayKey(),
                          "the same student is already on line " +
                              std::to_string(it->second.last_line) +
                              " of this file; keep one row per student",
                          false});
        continue;
      }
      kept.push_back(r);
    }
    rows.swap(kept);
  }

  // 3b. A new identifier for a child already on record (same name and birth date, and the same
  //     household, guardian or bank account) is refused: it would be paid twice.
  {
    std::vector<const RollRecord*> fresh;
    for (const auto* r : rows) {
      if (!persons.count(personKey(*r))) fresh.push_back(r);
    }
    const auto suspects = possibleDuplicates(fresh, ctx.run_id);
    if (!suspects.empty()) {
      std::vector<const RollRecord*> kept;
      for (const auto* r : rows) {
        auto it = suspects.find(r);
        if (it == suspects.end()) {
          kept.push_back(r);
          continue;
        }
        issues.push_back(
            {r->line, r->resident_id ? "resident_id" : "student_no", r->displayKey(),
             "may be the child already on record as " + it->second.first +
                 " (same name and birth "
                 "date, same " +
                 it->second.second +
                 "); paying both would pay one child twice. If "
                 "this is a corrected ID, first give the record on file the corrected ID: "
                 "`edupay student merge OLD-ID NEW-ID --reason ... --as USER`, then import "
                 "again; if they are two children, correct the name or birth date that is wrong "
                 "(可能与已有学生重复：姓名、出生日期相同且" +
                 it->second.second + "相同；如为更正后的证件号，请合并两条记录)",
             false});
      }
      rows.swap(kept);
    }
  }

  // 4. Insert new persons, update changed ones.
  {
    std::vector<SqlValue> values;
    std::vector<std::string> new_hashes, new_snos;
    std::set<std::string> pending;
    Statement& upd = db_.cached(
        "UPDATE persons SET name = ?, sex = ?, birth_date = ?, ethnicity = ?, hukou_region = ?, "
        "student_no = ?, last_run_id = ?, last_line = ?, hukou_type = ? WHERE id = ?");
    for (const auto* r : rows) {
      const std::string key = personKey(*r);
      auto it = persons.find(key);
      if (it == persons.end()) {
        pending.insert(key);
        if (r->resident_id) {
          new_hashes.push_back(r->resident_id->hash);
        } else {
          new_snos.push_back(r->student_no);
        }
        appendRow(values, r->resident_id ? SqlValue(r->resident_id->hash) : SqlValue(nullptr),
                  r->resident_id ? SqlValue(r->resident_id->enc) : SqlValue(nullptr),
                  r->resident_id ? SqlValue(r->resident_id->mask) : SqlValue(nullptr),
                  textOrNull(r->student_no), r->name, sexCode(r->sex), r->birth_date.str(),
                  r->ethnicity, textOrNull(r->hukou_region), ctx.run_id, r->line,
                  textOrNull(hukouType(r->rural_hukou)),
                  r->resident_id ? SqlValue(r->id_document) : SqlValue(nullptr));
        ++counts.persons_added;
        continue;
      }
      const ExistingPerson& p = it->second;
      // A G number that is `G` + this resident ID is not kept in clear once the ID is known.
      const std::string kept_sno = p.student_no == r->derived_student_no ? "" : p.student_no;
      const std::string student_no = r->student_no.empty() ? kept_sno : r->student_no;
      if (!p.has_rid && r->resident_id) {
        Statement& key = db_.cached(
            "UPDATE persons SET rid_hash = ?, rid_enc = ?, rid_mask = ?, id_document = ? WHERE id "
            "= "
            "?");
        key.bind(1, r->resident_id->hash);
        key.bind(2, r->resident_id->enc);
        key.bind(3, r->resident_id->mask);
        key.bind(4, r->id_document);
        key.bind(5, p.id);
        key.execute();
        changes.push_back({"person", p.id, "resident_id", "", r->resident_id->mask});
      }
      // A roll that does not say keeps what an earlier roll said.
      const std::string hukou_type = r->rural_hukou ? hukouType(r->rural_hukou) : p.hukou_type;
      const std::pair<const char*, std::pair<std::string, std::string>> fields[] = {
          {"name", {p.name, r->name}},
          {"sex", {p.sex, sexCode(r->sex)}},
          {"birth_date", {p.birth_date, r->birth_date.str()}},
          {"ethnicity", {p.ethnicity, r->ethnicity}},
          {"hukou_region", {p.hukou_region, r->hukou_region}},
          {"student_no", {p.student_no, student_no}},
          {"hukou_type", {p.hukou_type, hukou_type}},
      };
      bool changed = false;
      for (const auto& [field, vals] : fields) {
        if (vals.first != vals.second) {
          changed = true;
          changes.push_back({"person", p.id, field, vals.first, vals.second});
        }
      }
      changed ? ++counts.persons_updated : ++counts.persons_unchanged;
      upd.bind(1, r->name);
      upd.bind(2, sexCode(r->sex));
      upd.bind(3, r->birth_date.str());
      upd.bind(4, r->ethnicity);
      upd.bind(5, textOrNull(r->hukou_region));
      upd.bind(6, textOrNull(student_no));
      upd.bind(7, ctx.run_id);
      upd.bind(8, r->line);
      upd.bind(9, textOrNull(hukou_type));
      upd.bind(10, p.id);
      upd.execute();
    }
    // Guardians not yet known become persons too (no run marker: they are not roll rows).
    for (const auto* r : rows) {
      if (!r->guardian_id || persons.count(r->guardian_id->hash) ||
          pending.count(r->guardian_id->hash)) {
        continue;
      }
      pending.insert(r->guardian_id->hash);
      new_hashes.push_back(r->guardian_id->hash);
      appendRow(values, r->guardian_id->hash, r->guardian_id->enc, r->guardian_id->mask, nullptr,
                r->guardian_name,
                r->guardian_sex ? SqlValue(sexCode(*r->guardian_sex)) : SqlValue(nullptr),
                r->guardian_birth ? SqlValue(r->guardian_birth->str()) : SqlValue(nullptr), "",
                textOrNull(r->hukou_region), nullptr, nullptr, nullptr, r->guardian_document);
    }
    insertMany(
        db_,
        "INSERT INTO persons (rid_hash, rid_enc, rid_mask, student_no, name, sex, birth_date, "
        "ethnicity, hukou_region, last_run_id, last_line, hukou_type, id_document)",
        13, values);
    load_persons(new_hashes, new_snos);
  }
  auto person_id = [&](const std::string& key) {
    auto it = persons.find(key);
    if (it == persons.end()) throw Error(ErrorCode::kInternal, "person vanished during import");
    return it->second.id;
  };

  // 5. Guardian links.
  {
    std::vector<SqlValue> values;
    for (const auto* r : rows) {
      if (r->guardian_id) {
        appendRow(values, person_id(personKey(*r)), person_id(r->guardian_id->hash));
      }
    }
    counts.guardians_added += insertMany(
        db_, std::string(db_.insertIgnore()) + " INTO guardians (student_id, guardian_id)", 2,
        values);
  }

  // 6. Households, members and the statuses schools claim for them.
  std::unordered_map<std::string, int64_t> households;
  {
    std::vector<std::string> codes;
    for (const auto* r : rows) {
      if (!r->household_code.empty()) codes.push_back(r->household_code);
    }
    std::sort(codes.begin(), codes.end());
    codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
    auto load = [&] {
      selectIn(db_, "SELECT id, code FROM households WHERE code", "", codes,
               [&](Statement& s) { households[s.getText(1)] = s.getInt(0); });
    };
    load();
    std::vector<SqlValue> values;
    std::set<std::string> added;
    for (const auto* r : rows) {
      if (r->household_code.empty() || households.count(r->household_code)) continue;
      if (added.insert(r->household_code).second) {
        appendRow(values, r->household_code, textOrNull(r->hukou_region));
      }
    }
    if (!values.empty()) {
      insertMany(db_, "INSERT INTO households (code, hukou_region)", 2, values);
      load();
    }
    std::vector<SqlValue> members;
    for (const auto* r : rows) {
      if (r->household_code.empty()) continue;
      const int64_t hh = households.at(r->household_code);
      appendRow(members, hh, person_id(personKey(*r)), "student");
      if (r->guardian_id) appendRow(members, hh, person_id(r->guardian_id->hash), "guardian");
    }
    insertMany(db_,
               std::string(db_.insertIgnore()) +
                   " INTO household_members (household_id, person_id, relation)",
               3, members);

    // A school speaks for its own claims: the categories its rows list for a household are opened
    // (valid_from = as-of date); its open claims no longer listed are closed (valid_to).
    std::map<std::pair<int64_t, std::string>, std::set<std::string>>
        claims;  // (hh, school) -> cats
    for (const auto* r : rows) {
      if (r->claimed_categories.empty()) continue;
      auto& set = claims[{households.at(r->household_code), r->school_code}];
      for (auto c : r->claimed_categories) set.insert(std::string(domain::code(c)));
    }
    if (!claims.empty()) {
      std::vector<int64_t> ids;
      for (const auto& [k, v] : claims) ids.push_back(k.first);
      struct Open {
        int64_t id;
        std::string category, valid_from;
      };
      std::map<std::pair<int64_t, std::string>, std::vector<Open>> open;
      selectIn(
          db_,
          "SELECT id, household_id, category, source_ref, valid_from FROM household_status "
          "WHERE valid_to IS NULL AND source = 'claimed' AND household_id",
          "", ids, [&](Statement& s) {
            open[{s.getInt(1), s.getText(3)}].push_back({s.getInt(0), s.getText(2), s.getText(4)});
          });
      std::vector<SqlValue> inserts;
      Statement& close = db_.cached("UPDATE household_status SET valid_to = ? WHERE id = ?");
      // A school's claim speaks for the term it is made in: it holds from the term's first day,
      // so a roll imported in October counts on the autumn reference date.
      const Date claim_start = Term::containing(ctx.as_of).firstDay();
      const std::string claim_from = claim_start.str();
      const std::string day_before = claim_start.addDays(-1).str();
      for (const auto& [key, cats] : claims) {
        std::set<std::string> already;
        for (const auto& o : open[key]) {
          if (cats.count(o.category)) {
            already.insert(o.category);
          } else {
            close.bind(1, std::max(day_before, o.valid_from));
            close.bind(2, o.id);
            close.execute();
            changes.push_back(
                {"household_status", o.id, "valid_to", "", std::max(day_before, o.valid_from)});
            ++counts.statuses_closed;
          }
        }
        for (const auto& c : cats) {
          if (already.count(c)) continue;
          appendRow(inserts, key.first, c, claim_from, "claimed", key.second, ctx.run_id);
          ++counts.statuses_opened;
        }
      }
      insertMany(db_,
                 "INSERT INTO household_status (household_id, category, valid_from, source, "
                 "source_ref, run_id)",
                 6, inserts);
    }
  }

  // 7. Enrollments: update the same enrollment in place, close the old one on a transfer or a
  //    move to the next stage, open the new one.
  {
    std::vector<int64_t> ids;
    for (const auto* r : rows) ids.push_back(person_id(personKey(*r)));
    std::unordered_map<int64_t, ExistingEnrollment> latest, open;
    selectIn(db_,
             "SELECT id, person_id, school_id, stage, grade, class_name, major, agri_major, "
             "boarding, status, "
             "enroll_date, status_date, end_date FROM enrollments WHERE person_id",
             " ORDER BY person_id, id", ids, [&](Statement& s) {
               ExistingEnrollment e;
               e.id = s.getInt(0);
               e.school_id = s.getInt(2);
               e.stage = s.getText(3);
               e.grade = s.getInt(4);
               e.class_name = s.getText(5);
               e.major = s.getText(6);
               e.agri_major = s.getInt(7);
               e.boarding = s.getInt(8);
               e.status = s.getText(9);
               e.enroll_date = s.getText(10);
               e.status_date = s.getText(11);
               e.end_date = s.getText(12);
               const int64_t pid = s.getInt(1);
               latest[pid] = e;
               if (s.isNull(12)) open[pid] = e;
             });
    Statement& upd = db_.cached(
        "UPDATE enrollments SET stage = ?, grade = ?, class_name = ?, major = ?, agri_major = ?, "
        "boarding = ?, "
        "status = ?, status_date = ?, end_date = ?, run_id = ? WHERE id = ?");
    Statement& close =
        db_.cached("UPDATE enrollments SET status = ?, status_date = ?, end_date = ? WHERE id = ?");
    std::vector<SqlValue> inserts;
    for (const auto* r : rows) {
      const int64_t pid = person_id(personKey(*r));
      const int64_t sid = schoolId(r->school_code);
      const std::string status(domain::code(r->status));
      const std::string status_date = r->status_date ? r->status_date->str() : "";
      const std::string end_date = domain::endsEnrollment(r->status)
                                       ? (r->status_date ? *r->status_date : ctx.as_of).str()
                                       : "";
      const std::string enroll = r->enroll_date.str();
      auto lt = latest.find(pid);
      if (lt != latest.end() && lt->second.school_id == sid && lt->second.enroll_date == enroll) {
        const auto& e = lt->second;
        const std::pair<const char*, std::pair<std::string, std::string>> fields[] = {
            {"stage", {e.stage, std::string(domain::code(r->stage))}},
            {"grade", {std::to_string(e.grade), std::to_string(r->grade)}},
            {"class_name", {e.class_name, r->class_name}},
            {"major", {e.major, r->major}},
            {"agri_major", {std::to_string(e.agri_major), r->agri_major ? "1" : "0"}},
            {"boarding", {std::to_string(e.boarding), r->boarding ? "1" : "0"}},
            {"status", {e.status, status}},
            {"status_date", {e.status_date, status_date}},
            {"end_date", {e.end_date, end_date}},
        };
        bool changed = false;
        for (const auto& [field, vals] : fields) {
          if (vals.first != vals.second) {
            changed = true;
            changes.push_back({"enrollment", e.id, field, vals.first, vals.second});
          }
        }
        if (changed) {
          upd.bind(1, std::string(domain::code(r->stage)));
          upd.bind(2, int64_t{r->grade});
          upd.bind(3, r->class_name);
          upd.bind(4, r->major);
          upd.bind(5, int64_t{r->agri_major});
          upd.bind(6, int64_t{r->boarding});
          upd.bind(7, status);
          upd.bind(8, textOrNull(status_date));
          upd.bind(9, textOrNull(end_date));
          upd.bind(10, ctx.run_id);
          upd.bind(11, e.id);
          upd.execute();
          ++counts.enrollments_updated;
        }
        continue;
      }
      if (auto op = open.find(pid); op != open.end()) {
        const auto& e = op->second;
        if (enroll < e.enroll_date) {
          issues.push_back({r->line, "enroll_date", enroll,
                            "the student has a newer enrollment (since " + e.enroll_date +
                                ") at another school; this row is out of date",
                            false});
          continue;
        }
        // Same school, new enroll date: the student moved up a stage there.
        const std::string closing_status = e.school_id == sid ? "graduated" : "transferred";
        // The old enrollment ends the day before the new one starts: on any date the student
        // is enrolled at exactly one school.
        const std::string day_before = r->enroll_date.addDays(-1).str();
        close.bind(1, closing_status);
        close.bind(2, enroll);
        close.bind(3, std::max(day_before, e.enroll_date));
        close.bind(4, e.id);
        close.execute();
        changes.push_back({"enrollment", e.id, "status", e.status, closing_status});
        if (closing_status == "transferred") ++counts.transfers;
      }
      appendRow(inserts, pid, sid, std::string(domain::code(r->stage)), int64_t{r->grade},
                r->class_name, r->major, int64_t{r->agri_major}, int64_t{r->boarding}, status,
                enroll, textOrNull(status_date), textOrNull(end_date), ctx.run_id);
      ++counts.enrollments_opened;
    }
    insertMany(db_,
               "INSERT INTO enrollments (person_id, school_id, stage, grade, class_name, major, "
               "agri_major, "
               "boarding, status, enroll_date, status_date, end_date, run_id)",
               13, inserts);
  }

  // 8. Difficulty level for the academic year.
  {
    std::vector<int64_t> ids;
    for (const auto* r : rows) ids.push_back(person_id(personKey(*r)));
    std::unordered_map<int64_t, std::string> existing;
    selectIn(db_, "SELECT person_id, level FROM difficulty_levels WHERE person_id",
             " AND academic_year = ?", ids,
             [&](Statement& s) { existing[s.getInt(0)] = s.getText(1); },
             {int64_t{ctx.academic_year}});
    Statement& upd = db_.cached(
        "UPDATE difficulty_levels SET level = ?, school_id = ? WHERE person_id = ? AND "
        "academic_year = ?");
    std::vector<SqlValue> inserts;
    for (const auto* r : rows) {
      const int64_t pid = person_id(personKey(*r));
      const std::string level(domain::code(r->difficulty));
      auto it = existing.find(pid);
      if (it == existing.end()) {
        // "none" is the default: only an assessment, or a change back to none, is recorded.
        if (r->difficulty == domain::DifficultyLevel::kNone) continue;
        appendRow(inserts, pid, int64_t{ctx.academic_year}, level, schoolId(r->school_code));
      } else if (it->second != level) {
        changes.push_back(
            {"difficulty", pid, std::to_string(ctx.academic_year), it->second, level});
        upd.bind(1, level);
        upd.bind(2, schoolId(r->school_code));
        upd.bind(3, pid);
        upd.bind(4, int64_t{ctx.academic_year});
        upd.execute();
      }
    }
    insertMany(db_, "INSERT INTO difficulty_levels (person_id, academic_year, level, school_id)", 4,
               inserts);
  }

  // 9. Payee accounts: one open account per student and kind; a new number replaces the old one.
  {
    std::vector<int64_t> ids;
    for (const auto* r : rows) {
      if (r->account) ids.push_back(person_id(personKey(*r)));
    }
    std::map<std::pair<int64_t, std::string>, ExistingAccount> existing;
    selectIn(
        db_,
        "SELECT id, student_id, kind, acct_hash, bank_code, holder_name, owner FROM bank_accounts "
        "WHERE valid_to IS NULL AND student_id",
        "", ids, [&](Statement& s) {
          existing[{s.getInt(1), s.getText(2)}] = {s.getInt(0),  s.getText(2), s.getText(3),
                                                   s.getText(4), s.getText(5), s.getText(6)};
        });
    Statement& close = db_.cached("UPDATE bank_accounts SET valid_to = ? WHERE id = ?");
    Statement& upd = db_.cached(
        "UPDATE bank_accounts SET bank_code = ?, holder_name = ?, owner = ? WHERE id = ?");
    std::vector<SqlValue> inserts;
    for (const auto* r : rows) {
      if (!r->account) continue;
      const int64_t pid = person_id(personKey(*r));
      const std::string kind(domain::code(r->account_kind));
      const std::string owner =
          (!r->guardian_name.empty() && r->account_holder == r->guardian_name &&
           r->account_holder != r->name)
              ? "guardian"
              : "student";
      auto it = existing.find({pid, kind});
      if (it != existing.end()) {
        const auto& a = it->second;
        if (a.acct_hash == r->account->hash) {
          if (a.bank_code != r->bank_code || a.holder_name != r->account_holder ||
              a.owner != owner) {
            if (a.bank_code != r->bank_code)
              changes.push_back({"bank_account", a.id, "bank_code", a.bank_code, r->bank_code});
            if (a.holder_name != r->account_holder) {
              changes.push_back(
                  {"bank_account", a.id, "holder_name", a.holder_name, r->account_holder});
            }
            upd.bind(1, r->bank_code);
            upd.bind(2, r->account_holder);
            upd.bind(3, owner);
            upd.bind(4, a.id);
            upd.execute();
          }
          continue;
        }
        close.bind(1, as_of);
        close.bind(2, a.id);
        close.execute();
        changes.push_back({"bank_account", a.id, "valid_to", "", as_of});
        ++counts.accounts_replaced;
      } else {
        ++counts.accounts_added;
      }
      appendRow(inserts, pid, owner, kind, r->account->hash, r->account->enc, r->account->mask,
                r->bank_code, r->account_holder, int64_t{r->account_luhn_ok}, as_of);
    }
    insertMany(db_,
               "INSERT INTO bank_accounts (student_id, owner, kind, acct_hash, acct_enc, "
               "acct_mask, bank_code, "
               "holder_name, luhn_ok, valid_from)",
               10, inserts);
  }

  // 10. Field history.
  {
    std::vector<SqlValue> values;
    for (const auto& c : changes) {
      appendRow(values, c.entity, c.entity_id, c.field, c.old_value.substr(0, 255),
                c.new_value.substr(0, 255), ctx.run_id, as_of);
    }
    insertMany(db_,
               "INSERT INTO change_log (entity, entity_id, field, old_value, new_value, run_id, "
               "changed_on)",
               7, values);
  }
  return counts;
}

registry::RosterCounts SqlRegistryStore::applyRoster(const std::string& source, int64_t run_id,
                                                     const std::vector<registry::RosterRow>& rows) {
  registry::RosterCounts counts;
  const std::string today = Date::today().str();
  // Persons.
  std::unordered_map<std::string, int64_t> persons;
  std::vector<std::string> hashes;
  for (const auto& r : rows) hashes.push_back(r.rid_hash);
  auto load_persons = [&] {
    selectIn(db_, "SELECT id, rid_hash FROM persons WHERE rid_hash", "", hashes,
             [&](Statement& s) { persons[s.getText(1)] = s.getInt(0); });
  };
  load_persons();
  {
    std::vector<SqlValue> values;
    std::set<std::string> added;
    for (const auto& r : rows) {
      if (persons.count(r.rid_hash) || !added.insert(r.rid_hash).second) continue;
      appendRow(values, r.rid_hash, r.rid_enc, r.rid_mask, r.name, textOrNull(r.sex),
                textOrNull(r.birth_date), r.region);
      ++counts.persons_added;
    }
    if (!values.empty()) {
      insertMany(
          db_,
          "INSERT INTO persons (rid_hash, rid_enc, rid_mask, name, sex, birth_date, hukou_region)",
          7, values);
      load_persons();
    }
  }
  // Households and members.
  std::unordered_map<std::string, int64_t> households;
  std::vector<std::string> codes;
  for (const auto& r : rows) codes.push_back(r.household_code);
  std::sort(codes.begin(), codes.end());
  codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
  auto load_households = [&] {
    selectIn(db_, "SELECT id, code FROM households WHERE code", "", codes,
             [&](Statement& s) { households[s.getText(1)] = s.getInt(0); });
  };
  load_households();
  {
    std::vector<SqlValue> values;
    std::set<std::string> added;
    for (const auto& r : rows) {
      if (households.count(r.household_code) || !added.insert(r.household_code).second) continue;
      appendRow(values, r.household_code, r.region);
      ++counts.households_added;
    }
    if (!values.empty()) {
      insertMany(db_, "INSERT INTO households (code, hukou_region)", 2, values);
      load_households();
    }
    std::vector<SqlValue> members;
    for (const auto& r : rows)
      appendRow(members, households.at(r.household_code), persons.at(r.rid_hash), "member");
    insertMany(db_,
               std::string(db_.insertIgnore()) +
                   " INTO household_members (household_id, person_id, relation)",
               3, members);
  }
  // Statuses: (household, category, source, valid_from) identifies one; valid_to may change.
  std::vector<int64_t> ids;
  for (const auto& [code, id] : households) ids.push_back(id);
  std::map<std::tuple<int64_t, std::string, std::string>, std::pair<int64_t, std::string>> existing;
  selectIn(db_,
           "SELECT id, household_id, category, valid_from, valid_to FROM household_status WHERE "
           "household_id",
           " AND source = ?", ids,
           [&](Statement& s) {
             existing[{s.getInt(1), s.getText(2), s.getText(3)}] = {s.getInt(0), s.getText(4)};
           },
           {source});
  std::vector<SqlValue> inserts;
  std::vector<SqlValue> changes;
  Statement& upd = db_.cached("UPDATE household_status SET valid_to = ?, run_id = ? WHERE id = ?");
  std::set<std::tuple<int64_t, std::string, std::string>> done;
  for (const auto& r : rows) {
    const int64_t hh = households.at(r.household_code);
    const auto key = std::make_tuple(hh, r.category, r.valid_from);
    if (!done.insert(key).second) continue;
    auto it = existing.find(key);
    if (it == existing.end()) {
      appendRow(inserts, hh, r.category, r.valid_from, textOrNull(r.valid_to), source, r.region,
                run_id);
      ++counts.statuses_added;
    } else if (it->second.second != r.valid_to) {
      upd.bind(1, textOrNull(r.valid_to));
      upd.bind(2, run_id);
      upd.bind(3, it->second.first);
      upd.execute();
      appendRow(changes, "household_status", it->second.first, "valid_to", it->second.second,
                r.valid_to, run_id, today);
      ++counts.statuses_changed;
    } else {
      ++counts.statuses_unchanged;
    }
  }
  insertMany(db_,
             "INSERT INTO household_status (household_id, category, valid_from, valid_to, source, "
             "source_ref, run_id)",
             7, inserts);
  insertMany(
      db_,
      "INSERT INTO change_log (entity, entity_id, field, old_value, new_value, run_id, changed_on)",
      7, changes);
  return counts;
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
  Statement& p = db_.cached(
      std::string("SELECT p.id, p.rid_mask, p.rid_enc, p.student_no, p.name, p.sex, p.birth_date, "
                  "p.ethnicity, p.hukou_region, s.code, s.name, e.stage, e.grade, e.class_name, "
                  "e.major, e.agri_major, e.boarding, e.status, e.enroll_date, e.status_date, "
                  "e.end_date, e.id FROM persons p LEFT JOIN enrollments e ON e.person_id = p.id "
                  "LEFT JOIN schools s ON s.id = e.school_id WHERE p.") +
      column + " = ?");
  p.bind(1, value);
  if (!p.next()) return std::nullopt;
  registry::StudentRecord rec;
  std::vector<std::pair<int64_t, registry::StudentRecord::Enrollment>> enrollments;
  rec.person_id = p.getInt(0);
  rec.rid_mask = p.getText(1);
  rec.rid_enc = p.getText(2);
  rec.student_no = p.getText(3);
  rec.name = p.getText(4);
  rec.sex = p.getText(5);
  rec.birth_date = p.getText(6);
  rec.ethnicity = p.getText(7);
  rec.hukou_region = p.getText(8);
  do {
    if (p.isNull(9)) continue;
    registry::StudentRecord::Enrollment en;
    en.school_code = p.getText(9);
    en.school_name = p.getText(10);
    en.stage = p.getText(11);
    en.grade = static_cast<int>(p.getInt(12));
    en.class_name = p.getText(13);
    en.major = p.getText(14);
    en.agri_major = p.getInt(15) != 0;
    en.boarding = p.getInt(16) != 0;
    en.status = p.getText(17);
    en.enroll_date = p.getText(18);
    en.status_date = p.getText(19);
    en.end_date = p.getText(20);
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
    auto s = db_.prepare(
        "SELECT id, acct_mask FROM bank_accounts WHERE student_id = ? AND kind = ? AND valid_to "
        "IS NULL");
    s->bind(1, person_id);
    s->bind(2, a.kind);
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
    auto s = db_.prepare(
        "SELECT level FROM difficulty_levels WHERE person_id = ? AND academic_year = ?");
    s->bind(1, person_id);
    s->bind(2, int64_t{academic_year});
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
  auto s = db_.prepare(
      "SELECT p.id, p.name, p.rid_mask, e.stage, e.grade, e.class_name FROM enrollments e JOIN "
      "schools sc ON sc.id = e.school_id JOIN persons p ON p.id = e.person_id WHERE sc.code = ? "
      "AND e.end_date IS NULL AND p.id > ? ORDER BY p.id LIMIT ?");
  s->bind(1, school_code);
  s->bind(2, after_id);
  s->bind(3, static_cast<int64_t>(limit));
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
  Statement& s = db_.cached("SELECT region_code FROM schools WHERE code = ?");
  s.bind(1, school_code);
  std::string region = s.next() ? s.getText(0) : "";
  s.reset();
  return region;
}

registry::RegistryStore::SchoolAccountChange SqlRegistryStore::replaceSchoolAccount(
    const std::string& school_code, const SchoolAccountUpdate& a) {
  const int64_t school_id = queryInt(db_, "SELECT id FROM schools WHERE code = ?", {school_code});
  if (school_id == 0) throw Error(ErrorCode::kNotFound, "no school " + school_code);
  SchoolAccountChange r;
  {
    auto s = db_.prepare(
        "SELECT acct_hash, bank_code, holder_name FROM school_accounts WHERE school_id = ? AND "
        "valid_to IS NULL");
    s->bind(1, school_id);
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
  auto s = db_.prepare(
      "SELECT sc.code, sc.name, sc.region_code, a.acct_mask, a.bank_code, a.holder_name, "
      "a.valid_from, a.recorded_by FROM schools sc JOIN school_accounts a ON a.school_id = sc.id "
      "AND a.valid_to IS NULL WHERE sc.code = ?");
  s->bind(1, school_code);
  if (!s->next()) return std::nullopt;
  return SchoolAccountView{s->getText(0), s->getText(1), s->getText(2), s->getText(3),
                           s->getText(4), s->getText(5), s->getText(6), s->getText(7)};
}

}  // namespace edupay::store
