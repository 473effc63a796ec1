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
        out.emplace(r, std::make_pair(std::to_string(c.id) + " " + c.key_mask, evidence));
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
             [&] {
               const std::string& rec = it->second.first;  // "record-number masked-id"
               const std::string number = rec.substr(0, rec.find(' '));
               const std::string mask = rec.substr(rec.find(' ') + 1);
               const std::string& same = it->second.second;
               return "may be the child already on record as record " + number + " (" + mask +
                      "): same name and birth date, same " + same +
                      "; paying both would pay one child twice. If this ID is a correction, a "
                      "bureau officer or the school's administrator gives that record the "
                      "corrected ID — `edupay student merge " +
                      number + " NEW-ID --reason ... --as USER`, NEW-ID being the ID on line " +
                      std::to_string(r->line) +
                      " — and the file is imported again; if they are two children, correct the "
                      "name or birth date that is wrong (可能与已有学生记录 " +
                      number + "（" + mask + "）重复：姓名、出生日期相同且" + same +
                      "相同。如本行是更正后的证件号，请由学校管理员或教育局经办人把记录 " + number +
                      " 更正为本行证件号（edupay student "
                      "merge），然后重新导入；如确为两名学生，请更正"
                      "有误的姓名或出生日期)";
             }(),
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

}  // namespace edupay::store
