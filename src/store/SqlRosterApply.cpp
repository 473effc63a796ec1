// Official rosters (poverty monitoring, civil affairs, disabled persons' federation) applied to
// the registry: persons, households and the statuses each source reports.
#include "store/SqlRegistryStore.h"

#include <algorithm>
#include <set>
#include <tuple>
#include <unordered_map>

#include "store/SqlHelpers.h"

namespace edupay::store {

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

}  // namespace edupay::store
