// The roll merge's load step: what is on record for one chunk of roll rows, in a fixed number of
// set-based look-ups (IN lists of at most kMaxBatchRows keys) whatever the chunk's size.
#include "store/SqlRegistryStore.h"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "common/Text.h"
#include "store/SqlHelpers.h"

namespace edupay::store {
namespace {

using registry::PersonOnRecord;
using registry::RollRecord;
using registry::RollSnapshot;

template <typename T>
void sortUnique(std::vector<T>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

/// Persons (students and guardians) by blind index or student number; a row carrying the
/// identifier of a record merged into another lands on the record kept.
void loadPersons(Database& db, const registry::RollLookupKeys& keys,
                 std::unordered_map<std::string, PersonOnRecord>& persons) {
  std::vector<std::pair<std::string, int64_t>> redirects;  // key -> record merged into
  auto on_row = [&](Statement& s) {
    if (!s.isNull(11)) {
      redirects.emplace_back(s.isNull(1) ? "sno:" + s.getText(2) : s.getText(1), s.getInt(11));
      return;
    }
    const PersonOnRecord p{s.getInt(0),
                           !s.isNull(1),
                           s.getText(3),
                           s.getText(4),
                           s.getText(5),
                           s.getText(6),
                           s.getText(7),
                           s.getText(2),
                           s.getText(10),
                           s.isNull(8) ? 0 : s.getInt(8),
                           s.isNull(9) ? 0 : s.getInt(9)};
    const std::string key = s.isNull(1) ? "sno:" + s.getText(2) : s.getText(1);
    persons[key] = p;
    if (!s.isNull(1) && !s.isNull(2)) persons["sno:" + s.getText(2)] = p;
  };
  const std::string cols =
      "SELECT id, rid_hash, student_no, name, sex, birth_date, ethnicity, hukou_region, "
      "last_run_id, last_line, hukou_type, merged_into FROM persons WHERE ";
  if (!keys.rid_hashes.empty()) selectIn(db, cols + "rid_hash", "", keys.rid_hashes, on_row);
  if (!keys.student_nos.empty()) selectIn(db, cols + "student_no", "", keys.student_nos, on_row);
  for (const auto& [key, into] : redirects) {
    std::vector<int64_t> id{into};
    selectIn(db, cols + "id", "", id, [&, k = key](Statement& s) {
      on_row(s);
      const std::string kept = s.isNull(1) ? "sno:" + s.getText(2) : s.getText(1);
      persons[k] = persons[kept];
    });
  }
}

/// Children on record (not rows of this same run, not merged away) with the name and birth date
/// of a row not on record, with their households, guardians and accounts.
void loadCandidates(Database& db, const std::vector<const RollRecord*>& fresh, int64_t run_id,
                    std::vector<registry::DuplicateCandidate>& out) {
  if (fresh.empty()) return;
  std::vector<std::string> names;
  std::set<std::pair<std::string, std::string>> name_birth;
  for (const auto* r : fresh) {
    names.push_back(r->name);
    name_birth.emplace(r->name, r->birth_date.str());
  }
  sortUnique(names);
  selectIn(db, "SELECT id, rid_mask, student_no, name, birth_date FROM persons WHERE name",
           " AND merged_into IS NULL AND (last_run_id IS NULL OR last_run_id <> ?)", names,
           [&](Statement& s) {
             registry::DuplicateCandidate c;
             c.id = s.getInt(0);
             c.key_mask = s.isNull(1) ? maskMiddle(s.getText(2), 4, 4) : s.getText(1);
             c.name = s.getText(3);
             c.birth_date = s.getText(4);
             if (name_birth.count({c.name, c.birth_date})) out.push_back(std::move(c));
           },
           {SqlValue(run_id)});
  if (out.empty()) return;
  std::unordered_map<int64_t, registry::DuplicateCandidate*> by_id;
  std::vector<int64_t> ids;
  for (auto& c : out) {
    by_id[c.id] = &c;
    ids.push_back(c.id);
  }
  sortUnique(ids);
  selectIn(db,
           "SELECT hm.person_id, h.code FROM household_members hm JOIN households h ON h.id = "
           "hm.household_id WHERE hm.person_id",
           "", ids, [&](Statement& s) { by_id[s.getInt(0)]->households.insert(s.getText(1)); });
  selectIn(db,
           "SELECT g.student_id, p.rid_hash FROM guardians g JOIN persons p ON p.id = "
           "g.guardian_id WHERE p.rid_hash IS NOT NULL AND g.student_id",
           "", ids, [&](Statement& s) { by_id[s.getInt(0)]->guardians.insert(s.getText(1)); });
  selectIn(db, "SELECT student_id, acct_hash FROM bank_accounts WHERE student_id", "", ids,
           [&](Statement& s) { by_id[s.getInt(0)]->accounts.insert(s.getText(1)); });
}

}  // namespace

registry::RollSnapshot SqlRegistryStore::loadRollSnapshot(const registry::ImportContext& ctx,
                                                          const std::vector<RollRecord>& rows) {
  RollSnapshot s;
  loadPersons(db_, registry::lookupKeys(rows), s.persons);
  std::vector<const RollRecord*> fresh;
  std::vector<int64_t> ids, account_ids;
  std::vector<std::string> codes;
  for (const auto& r : rows) {
    s.school_ids.emplace(r.school_code, schoolId(r.school_code));
    if (!r.household_code.empty()) codes.push_back(r.household_code);
    const PersonOnRecord* p = registry::findOnRecord(s, r);
    if (!p) {
      fresh.push_back(&r);
      continue;
    }
    ids.push_back(p->id);
    if (r.account) account_ids.push_back(p->id);
  }
  loadCandidates(db_, fresh, ctx.run_id, s.candidates);
  sortUnique(codes);
  selectIn(db_, "SELECT id, code FROM households WHERE code", "", codes,
           [&](Statement& st) { s.households[st.getText(1)] = st.getInt(0); });
  std::vector<int64_t> claiming;
  for (const auto& r : rows) {
    if (r.claimed_categories.empty()) continue;
    if (auto it = s.households.find(r.household_code); it != s.households.end()) {
      claiming.push_back(it->second);
    }
  }
  sortUnique(claiming);
  selectIn(db_,
           "SELECT id, household_id, category, source_ref, valid_from FROM household_status "
           "WHERE valid_to IS NULL AND source = 'claimed' AND household_id",
           "", claiming, [&](Statement& st) {
             s.open_claims[{st.getInt(1), st.getText(3)}].push_back(
                 {st.getInt(0), st.getText(2), st.getText(4)});
           });
  sortUnique(ids);
  selectIn(db_,
           "SELECT id, person_id, school_id, stage, grade, class_name, major, agri_major, "
           "boarding, status, enroll_date, status_date, end_date FROM enrollments WHERE person_id",
           " ORDER BY person_id, id", ids, [&](Statement& st) {
             // id, school, stage, class, major, status, enroll, status and end dates, grade,
             // agricultural major, boarding, open
             registry::EnrollmentOnRecord e{
                 st.getInt(0),  st.getInt(2),   st.getText(3),  st.getText(5),  st.getText(6),
                 st.getText(9), st.getText(10), st.getText(11), st.getText(12), st.getInt(4),
                 st.getInt(7),  st.getInt(8),   st.isNull(12)};
             s.enrollments[st.getInt(1)].push_back(std::move(e));
           });
  selectIn(db_, "SELECT person_id, level FROM difficulty_levels WHERE person_id",
           " AND academic_year = ?", ids,
           [&](Statement& st) { s.difficulty[st.getInt(0)] = st.getText(1); },
           {int64_t{ctx.academic_year}});
  sortUnique(account_ids);
  selectIn(db_,
           "SELECT id, student_id, kind, acct_hash, bank_code, holder_name, owner FROM "
           "bank_accounts WHERE valid_to IS NULL AND student_id",
           "", account_ids, [&](Statement& st) {
             s.accounts[{st.getInt(1), st.getText(2)}] = {
                 st.getInt(0), st.getText(3), st.getText(4), st.getText(5), st.getText(6)};
           });
  return s;
}

}  // namespace edupay::store
