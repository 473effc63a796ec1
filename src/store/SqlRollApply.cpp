// The roll merge in the store: load what is on record (SqlRollLoad.cpp), decide
// (registry::decideRollMerge, no database), apply the decisions here — inserts as multi-row
// statements, updates through statements prepared once per connection.
#include "store/SqlRegistryStore.h"

#include <unordered_map>

#include "common/Error.h"
#include "store/SqlHelpers.h"

namespace edupay::store {
namespace {

using registry::RollDecisions;
using registry::RollRecord;

std::string sexCode(Sex s) { return s == Sex::kMale ? "M" : "F"; }

/// Binds `values` in order to a cached statement and runs it.
void run(Statement& stmt, std::initializer_list<SqlValue> values) {
  int i = 1;
  for (const auto& v : values) stmt.bind(i++, v);
  stmt.execute();
}

}  // namespace

registry::ApplyCounts SqlRegistryStore::applyRollChunk(const registry::ImportContext& ctx,
                                                       const std::vector<RollRecord>& rows,
                                                       std::vector<registry::Issue>& issues) {
  const registry::RollSnapshot on_record = loadRollSnapshot(ctx, rows);
  RollDecisions d = registry::decideRollMerge(on_record, rows, ctx);
  applyRollDecisions(ctx, rows, on_record, d);
  issues.insert(issues.end(), std::make_move_iterator(d.issues.begin()),
                std::make_move_iterator(d.issues.end()));
  return d.counts;
}

void SqlRegistryStore::applyRollDecisions(const registry::ImportContext& ctx,
                                          const std::vector<RollRecord>& rows,
                                          const registry::RollSnapshot& on_record,
                                          RollDecisions& d) {
  const std::string as_of = ctx.as_of.str();

  // Persons: changed or not, every student on record carries this run's marker and line.
  for (const auto& u : d.persons_to_update) {
    const RollRecord& r = rows[u.row];
    if (u.set_identifier) {
      run(db_.cached("UPDATE persons SET rid_hash = ?, rid_enc = ?, rid_mask = ?, id_document = "
                     "? WHERE id = ?"),
          {r.resident_id->hash, r.resident_id->enc, r.resident_id->mask, r.id_document, u.id});
    }
    run(db_.cached("UPDATE persons SET name = ?, sex = ?, birth_date = ?, ethnicity = ?, "
                   "hukou_region = ?, student_no = ?, last_run_id = ?, last_line = ?, hukou_type = "
                   "? WHERE id = ?"),
        {r.name, sexCode(r.sex), r.birth_date.str(), r.ethnicity, textOrNull(r.hukou_region),
         textOrNull(u.student_no), ctx.run_id, r.line, textOrNull(u.hukou_type), u.id});
  }
  std::unordered_map<std::string, int64_t> added;  // key of a person added -> id
  {
    std::vector<SqlValue> values;
    std::vector<std::string> hashes, snos;
    for (const auto& n : d.persons_to_add) {
      const RollRecord& r = rows[n.row];
      if (n.guardian) {
        // No run marker: guardians are not roll rows.
        hashes.push_back(r.guardian_id->hash);
        appendRow(values, r.guardian_id->hash, r.guardian_id->enc, r.guardian_id->mask, nullptr,
                  r.guardian_name,
                  r.guardian_sex ? SqlValue(sexCode(*r.guardian_sex)) : SqlValue(nullptr),
                  r.guardian_birth ? SqlValue(r.guardian_birth->str()) : SqlValue(nullptr), "",
                  textOrNull(r.hukou_region), nullptr, nullptr, nullptr, r.guardian_document);
        continue;
      }
      const auto& id = r.resident_id;
      id ? hashes.push_back(id->hash) : snos.push_back(r.student_no);
      appendRow(values, id ? SqlValue(id->hash) : SqlValue(nullptr),
                id ? SqlValue(id->enc) : SqlValue(nullptr),
                id ? SqlValue(id->mask) : SqlValue(nullptr), textOrNull(r.student_no), r.name,
                sexCode(r.sex), r.birth_date.str(), r.ethnicity, textOrNull(r.hukou_region),
                ctx.run_id, r.line, textOrNull(n.hukou_type),
                id ? SqlValue(r.id_document) : SqlValue(nullptr));
    }
    insertMany(db_,
               "INSERT INTO persons (rid_hash, rid_enc, rid_mask, student_no, name, sex, "
               "birth_date, ethnicity, hukou_region, last_run_id, last_line, hukou_type, "
               "id_document)",
               13, values);
    selectIn(db_, "SELECT id, rid_hash FROM persons WHERE rid_hash", "", hashes,
             [&](Statement& s) { added[s.getText(1)] = s.getInt(0); });
    selectIn(db_, "SELECT id, student_no FROM persons WHERE student_no", "", snos,
             [&](Statement& s) { added["sno:" + s.getText(1)] = s.getInt(0); });
  }
  auto person_id = [&](const registry::PersonRef& p) {
    if (p.id) return p.id;
    auto it = added.find(p.key);
    if (it == added.end()) throw Error(ErrorCode::kInternal, "person vanished during import");
    return it->second;
  };

  // Guardian links (a link already on record is left as it is, and not counted).
  {
    std::vector<SqlValue> values;
    for (const auto& l : d.guardian_links) {
      appendRow(values, person_id(l.student), person_id(l.guardian));
    }
    d.counts.guardians_added += insertMany(
        db_, std::string(db_.insertIgnore()) + " INTO guardians (student_id, guardian_id)", 2,
        values);
  }

  // Households, members and the statuses schools claim for them.
  std::unordered_map<std::string, int64_t> new_households;
  {
    std::vector<SqlValue> values;
    std::vector<std::string> codes;
    for (const auto& h : d.households_to_add) {
      appendRow(values, h.code, textOrNull(h.hukou_region));
      codes.push_back(h.code);
    }
    insertMany(db_, "INSERT INTO households (code, hukou_region)", 2, values);
    selectIn(db_, "SELECT id, code FROM households WHERE code", "", codes,
             [&](Statement& s) { new_households[s.getText(1)] = s.getInt(0); });
  }
  auto household_id = [&](const std::string& code) {
    auto it = on_record.households.find(code);
    return it != on_record.households.end() ? it->second : new_households.at(code);
  };
  {
    std::vector<SqlValue> members;
    for (const auto& m : d.household_members) {
      appendRow(members, household_id(m.household), person_id(m.person), m.relation);
    }
    insertMany(db_,
               std::string(db_.insertIgnore()) +
                   " INTO household_members (household_id, person_id, relation)",
               3, members);
  }
  for (const auto& c : d.claims_to_close) {
    run(db_.cached("UPDATE household_status SET valid_to = ? WHERE id = ?"), {c.valid_to, c.id});
  }
  {
    std::vector<SqlValue> values;
    for (const auto& c : d.claims_to_open) {
      appendRow(values, household_id(c.household), c.category, c.valid_from, "claimed",
                c.school_code, ctx.run_id);
    }
    insertMany(db_,
               "INSERT INTO household_status (household_id, category, valid_from, source, "
               "source_ref, run_id)",
               6, values);
  }

  // Enrollments.
  for (const auto& u : d.enrollments_to_update) {
    const RollRecord& r = rows[u.row];
    run(db_.cached("UPDATE enrollments SET stage = ?, grade = ?, class_name = ?, major = ?, "
                   "agri_major = ?, boarding = ?, status = ?, status_date = ?, end_date = ?, "
                   "run_id = ? WHERE id = ?"),
        {std::string(domain::code(r.stage)), int64_t{r.grade}, r.class_name, r.major,
         int64_t{r.agri_major}, int64_t{r.boarding}, u.status, textOrNull(u.status_date),
         textOrNull(u.end_date), ctx.run_id, u.id});
  }
  for (const auto& c : d.enrollments_to_close) {
    run(db_.cached("UPDATE enrollments SET status = ?, status_date = ?, end_date = ? WHERE id = ?"),
        {c.status, c.status_date, c.end_date, c.id});
  }
  {
    std::vector<SqlValue> values;
    for (const auto& o : d.enrollments_to_open) {
      const RollRecord& r = rows[o.row];
      appendRow(values, person_id(o.person), o.school_id, std::string(domain::code(r.stage)),
                int64_t{r.grade}, r.class_name, r.major, int64_t{r.agri_major}, int64_t{r.boarding},
                o.status, r.enroll_date.str(), textOrNull(o.status_date), textOrNull(o.end_date),
                ctx.run_id);
    }
    insertMany(db_,
               "INSERT INTO enrollments (person_id, school_id, stage, grade, class_name, major, "
               "agri_major, boarding, status, enroll_date, status_date, end_date, run_id)",
               13, values);
  }

  // Difficulty levels for the academic year.
  const int64_t year = ctx.academic_year;
  for (const auto& u : d.difficulty_to_update) {
    run(db_.cached("UPDATE difficulty_levels SET level = ?, school_id = ? WHERE person_id = ? AND "
                   "academic_year = ?"),
        {u.level, u.school_id, person_id(u.person), year});
  }
  {
    std::vector<SqlValue> values;
    for (const auto& a : d.difficulty_to_add) {
      appendRow(values, person_id(a.person), year, a.level, a.school_id);
    }
    insertMany(db_, "INSERT INTO difficulty_levels (person_id, academic_year, level, school_id)", 4,
               values);
  }

  // Payee accounts.
  for (const auto& u : d.accounts_to_update) {
    run(db_.cached(
            "UPDATE bank_accounts SET bank_code = ?, holder_name = ?, owner = ? WHERE id = ?"),
        {u.bank_code, u.holder_name, u.owner, u.id});
  }
  for (const auto& c : d.accounts_to_close) {
    run(db_.cached("UPDATE bank_accounts SET valid_to = ? WHERE id = ?"), {c.valid_to, c.id});
  }
  {
    std::vector<SqlValue> values;
    for (const auto& o : d.accounts_to_open) {
      const RollRecord& r = rows[o.row];
      appendRow(values, person_id(o.person), o.owner, o.kind, r.account->hash, r.account->enc,
                r.account->mask, r.bank_code, r.account_holder, int64_t{r.account_luhn_ok},
                o.valid_from);
    }
    insertMany(db_,
               "INSERT INTO bank_accounts (student_id, owner, kind, acct_hash, acct_enc, "
               "acct_mask, bank_code, holder_name, luhn_ok, valid_from)",
               10, values);
  }

  // Field history.
  {
    std::vector<SqlValue> values;
    for (const auto& c : d.changes) {
      appendRow(values, c.entity, c.entity_id, c.field, c.old_value.substr(0, 255),
                c.new_value.substr(0, 255), ctx.run_id, as_of);
    }
    insertMany(db_,
               "INSERT INTO change_log (entity, entity_id, field, old_value, new_value, run_id, "
               "changed_on)",
               7, values);
  }
}

}  // namespace edupay::store
