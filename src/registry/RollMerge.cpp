#include "registry/RollMerge.h"

#include <algorithm>
#include <tuple>

#include "common/Error.h"
#include "common/Term.h"
#include "registry/RollValidator.h"

namespace edupay::registry {
namespace {

std::string sexCode(Sex s) { return s == Sex::kMale ? "M" : "F"; }

std::string hukouType(const std::optional<bool>& rural) {
  if (!rural) return "";
  return *rural ? "rural" : "urban";
}

RollColumn keyColumn(const RollRecord& r) {
  return r.resident_id ? RollColumn::kResidentId : RollColumn::kStudentNo;
}

Issue sameStudentAgain(const RollRecord& r, int64_t first_line) {
  return rollIssue(r.line, keyColumn(r), r.displayKey(),
                   msg("roll.student.twice", {arg("first", std::to_string(first_line))}));
}

/// `same`: what the row shares with the record, in both languages (household, guardian, bank
/// account).
Issue possibleDuplicate(const RollRecord& r, const DuplicateCandidate& c, MessageArg same) {
  return rollIssue(r.line, keyColumn(r), r.displayKey(),
                   msg("roll.student.possible_duplicate",
                       {arg("record", std::to_string(c.id)), arg("mask", c.key_mask),
                        std::move(same), arg("line", std::to_string(r.line))}));
}

/// Appends a change row per field whose old and new values differ; true when any did.
template <size_t N>
bool compareFields(const std::pair<const char*, std::pair<std::string, std::string>> (&fields)[N],
                   const char* entity, int64_t id, std::vector<ChangeRow>& changes) {
  bool changed = false;
  for (const auto& [field, vals] : fields) {
    if (vals.first != vals.second) {
      changed = true;
      changes.push_back({entity, id, field, vals.first, vals.second});
    }
  }
  return changed;
}

/// One chunk's decisions, step by step in the order the store applies them.
class Merge {
 public:
  Merge(const RollSnapshot& on_record, const std::vector<RollRecord>& rows,
        const ImportContext& ctx)
      : s_(on_record), rows_(rows), ctx_(ctx) {}

  RollDecisions run() {
    keepFirstRowOfEachStudent();
    for (size_t i : kept_) {
      const RollRecord& r = rows_[i];
      if (!r.resident_id || s_.persons.count(r.resident_id->hash)) continue;
      if (const PersonOnRecord* p = findOnRecord(s_, r)) aliases_[r.resident_id->hash] = p;
    }
    dropStudentsAlreadyInThisRun();
    dropPossibleDuplicates();
    persons();
    households();
    claims();
    enrollments();
    difficulty();
    accounts();
    return std::move(d_);
  }

 private:
  const PersonOnRecord* find(const std::string& key) const {
    if (auto it = s_.persons.find(key); it != s_.persons.end()) return &it->second;
    auto it = aliases_.find(key);
    return it == aliases_.end() ? nullptr : it->second;
  }

  PersonRef ref(const std::string& key) const {
    if (const PersonOnRecord* p = find(key)) return {p->id, {}};  // the id is enough
    if (!pending_.count(key)) throw Error(ErrorCode::kInternal, "person vanished during import");
    return {0, key};
  }

  int64_t schoolId(const std::string& code) const {
    auto it = s_.school_ids.find(code);
    if (it == s_.school_ids.end()) {
      throw Error(ErrorCode::kNotFound, msg("roll.school.not_registered", {arg("school", code)}));
    }
    return it->second;
  }

  /// Keeps the rows for which `keep` is true, in order.
  template <typename Pred>
  void keepIf(Pred&& keep) {
    std::vector<size_t> kept;
    kept.reserve(kept_.size());
    for (size_t i : kept_) {
      if (keep(rows_[i])) kept.push_back(i);
    }
    kept_.swap(kept);
  }

  void keepFirstRowOfEachStudent() {
    std::unordered_map<std::string, int64_t> first_line;
    kept_.reserve(rows_.size());
    for (size_t i = 0; i < rows_.size(); ++i) {
      auto [it, fresh] = first_line.emplace(personKey(rows_[i]), rows_[i].line);
      if (fresh) {
        kept_.push_back(i);
      } else {
        d_.issues.push_back(sameStudentAgain(rows_[i], it->second));
      }
    }
  }

  /// Students appearing again in the same run are duplicates across chunks.
  void dropStudentsAlreadyInThisRun() {
    keepIf([&](const RollRecord& r) {
      const PersonOnRecord* p = find(personKey(r));
      if (!p || p->last_run_id != ctx_.run_id) return true;
      d_.issues.push_back(sameStudentAgain(r, p->last_line));
      return false;
    });
  }

  /// A new identifier for a child already on record (same name and birth date, and the same
  /// household, guardian or bank account) is refused: it would be paid twice.
  void dropPossibleDuplicates() {
    if (s_.candidates.empty()) return;
    std::multimap<std::pair<std::string, std::string>, const DuplicateCandidate*> by_name_birth;
    for (const auto& c : s_.candidates) by_name_birth.emplace(std::pair(c.name, c.birth_date), &c);
    keepIf([&](const RollRecord& r) {
      if (find(personKey(r))) return true;
      auto [lo, hi] = by_name_birth.equal_range({r.name, r.birth_date.str()});
      for (auto it = lo; it != hi; ++it) {
        const DuplicateCandidate& c = *it->second;
        std::optional<RollColumn> same;
        if (!r.household_code.empty() && c.households.count(r.household_code)) {
          same = RollColumn::kHouseholdId;
        } else if (r.guardian_id && c.guardians.count(r.guardian_id->hash)) {
          same = RollColumn::kGuardianName;
        } else if (r.account && c.accounts.count(r.account->hash)) {
          same = RollColumn::kBankAccount;
        }
        if (same) {
          static constexpr const char* kSameEn[] = {"household", "guardian", "bank account"};
          const char* en = *same == RollColumn::kHouseholdId    ? kSameEn[0]
                           : *same == RollColumn::kGuardianName ? kSameEn[1]
                                                                : kSameEn[2];
          d_.issues.push_back(
              possibleDuplicate(r, c, words("same", RollHeader::chineseName(*same), en)));
          return false;
        }
      }
      return true;
    });
  }

  /// New persons are added, every person on record is updated (run marker and line), and each
  /// changed field is recorded; guardians not yet known become persons too.
  void persons() {
    for (size_t i : kept_) {
      const RollRecord& r = rows_[i];
      const std::string key = personKey(r);
      const PersonOnRecord* p = find(key);
      if (!p) {
        pending_.insert(key);
        d_.persons_to_add.push_back({i, false, hukouType(r.rural_hukou)});
        ++d_.counts.persons_added;
        continue;
      }
      // A G number that is `G` + this resident ID is not kept in clear once the ID is known.
      const std::string kept_sno = p->student_no == r.derived_student_no ? "" : p->student_no;
      const std::string student_no = r.student_no.empty() ? kept_sno : r.student_no;
      const bool set_identifier = !p->has_rid && r.resident_id;
      if (set_identifier) {
        d_.changes.push_back({"person", p->id, "resident_id", "", r.resident_id->mask});
      }
      // A roll that does not say keeps what an earlier roll said.
      const std::string hukou_type = r.rural_hukou ? hukouType(r.rural_hukou) : p->hukou_type;
      const std::pair<const char*, std::pair<std::string, std::string>> fields[] = {
          {"name", {p->name, r.name}},
          {"sex", {p->sex, sexCode(r.sex)}},
          {"birth_date", {p->birth_date, r.birth_date.str()}},
          {"ethnicity", {p->ethnicity, r.ethnicity}},
          {"hukou_region", {p->hukou_region, r.hukou_region}},
          {"student_no", {p->student_no, student_no}},
          {"hukou_type", {p->hukou_type, hukou_type}},
      };
      compareFields(fields, "person", p->id, d_.changes) ? ++d_.counts.persons_updated
                                                         : ++d_.counts.persons_unchanged;
      d_.persons_to_update.push_back({p->id, i, set_identifier, student_no, hukou_type});
    }
    for (size_t i : kept_) {
      const RollRecord& r = rows_[i];
      if (!r.guardian_id || find(r.guardian_id->hash) || pending_.count(r.guardian_id->hash)) {
        continue;
      }
      pending_.insert(r.guardian_id->hash);
      d_.persons_to_add.push_back({i, true, ""});
    }
    for (size_t i : kept_) {
      const RollRecord& r = rows_[i];
      if (r.guardian_id) d_.guardian_links.push_back({ref(personKey(r)), ref(r.guardian_id->hash)});
    }
  }

  void households() {
    for (size_t i : kept_) {
      const RollRecord& r = rows_[i];
      if (r.household_code.empty() || s_.households.count(r.household_code)) continue;
      if (new_households_.emplace(r.household_code, d_.households_to_add.size()).second) {
        d_.households_to_add.push_back({r.household_code, r.hukou_region});
      }
    }
    for (size_t i : kept_) {
      const RollRecord& r = rows_[i];
      if (r.household_code.empty()) continue;
      d_.household_members.push_back({r.household_code, ref(personKey(r)), "student"});
      if (r.guardian_id) {
        d_.household_members.push_back({r.household_code, ref(r.guardian_id->hash), "guardian"});
      }
    }
  }

  /// A school speaks for its own claims: the categories its rows list for a household are opened
  /// (valid_from = the first day of the as-of date's term); its open claims no longer listed are
  /// closed (valid_to = the day before, never before they began).
  void claims() {
    // In the order of household ids, households added by this chunk last (they get the next ids).
    using Key = std::tuple<bool, int64_t, std::string>;  // (new, id or position, school)
    std::map<Key, std::pair<std::string, std::set<std::string>>> claims;  // -> (code, categories)
    for (size_t i : kept_) {
      const RollRecord& r = rows_[i];
      if (r.claimed_categories.empty()) continue;
      auto& [code, cats] = claims[householdOrder(r.household_code, r.school_code)];
      code = r.household_code;
      for (auto c : r.claimed_categories) cats.insert(std::string(domain::code(c)));
    }
    // A school's claim speaks for the term it is made in: it holds from the term's first day,
    // so a roll imported in October counts on the autumn reference date.
    const Date claim_start = Term::containing(ctx_.as_of).firstDay();
    const std::string claim_from = claim_start.str();
    const std::string day_before = claim_start.addDays(-1).str();
    for (const auto& [key, entry] : claims) {
      const auto& [is_new, household, school] = key;
      const auto& [code, cats] = entry;
      std::set<std::string> already;
      auto open = is_new ? s_.open_claims.end() : s_.open_claims.find({household, school});
      if (open != s_.open_claims.end()) {
        for (const auto& o : open->second) {
          if (cats.count(o.category)) {
            already.insert(o.category);
            continue;
          }
          const std::string valid_to = std::max(day_before, o.valid_from);
          d_.claims_to_close.push_back({o.id, valid_to});
          d_.changes.push_back({"household_status", o.id, "valid_to", "", valid_to});
          ++d_.counts.statuses_closed;
        }
      }
      for (const auto& c : cats) {
        if (already.count(c)) continue;
        d_.claims_to_open.push_back({code, c, claim_from, school});
        ++d_.counts.statuses_opened;
      }
    }
  }

  std::tuple<bool, int64_t, std::string> householdOrder(const std::string& code,
                                                        const std::string& school) const {
    if (auto it = s_.households.find(code); it != s_.households.end()) {
      return {false, it->second, school};
    }
    auto it = new_households_.find(code);
    if (it == new_households_.end()) {
      throw Error(ErrorCode::kInternal, "a claim names no household during import");
    }
    return {true, static_cast<int64_t>(it->second), school};
  }

  /// The same enrollment (school and enroll date) is updated in place; a new one closes the open
  /// one — transferred to another school, graduated on moving up a stage at the same school.
  void enrollments() {
    for (size_t i : kept_) {
      const RollRecord& r = rows_[i];
      const PersonRef person = ref(personKey(r));
      const int64_t sid = schoolId(r.school_code);
      const std::string status(domain::code(r.status));
      const std::string status_date = r.status_date ? r.status_date->str() : "";
      const std::string end_date = domain::endsEnrollment(r.status)
                                       ? (r.status_date ? *r.status_date : ctx_.as_of).str()
                                       : "";
      const std::string enroll = r.enroll_date.str();
      const EnrollmentOnRecord* latest = nullptr;
      const EnrollmentOnRecord* open = nullptr;
      if (auto it = s_.enrollments.find(person.id); person.id && it != s_.enrollments.end()) {
        for (const auto& e : it->second) {
          latest = &e;
          if (e.open) open = &e;
        }
      }
      if (latest && latest->school_id == sid && latest->enroll_date == enroll) {
        const auto& e = *latest;
        const std::pair<const char*, std::pair<std::string, std::string>> fields[] = {
            {"stage", {e.stage, std::string(domain::code(r.stage))}},
            {"grade", {std::to_string(e.grade), std::to_string(r.grade)}},
            {"class_name", {e.class_name, r.class_name}},
            {"major", {e.major, r.major}},
            {"agri_major", {std::to_string(e.agri_major), r.agri_major ? "1" : "0"}},
            {"boarding", {std::to_string(e.boarding), r.boarding ? "1" : "0"}},
            {"status", {e.status, status}},
            {"status_date", {e.status_date, status_date}},
            {"end_date", {e.end_date, end_date}},
        };
        if (compareFields(fields, "enrollment", e.id, d_.changes)) {
          d_.enrollments_to_update.push_back({{i, status, status_date, end_date}, e.id});
          ++d_.counts.enrollments_updated;
        }
        continue;
      }
      if (open) {
        if (enroll < open->enroll_date) {
          d_.issues.push_back(
              rollIssue(r.line, RollColumn::kEnrollDate, enroll,
                        msg("roll.enroll.out_of_date", {arg("since", open->enroll_date)})));
          continue;
        }
        // Same school, new enroll date: the student moved up a stage there.
        const std::string closing = open->school_id == sid ? "graduated" : "transferred";
        // The old enrollment ends the day before the new one starts: on any date the student is
        // enrolled at exactly one school.
        const std::string day_before = r.enroll_date.addDays(-1).str();
        d_.enrollments_to_close.push_back(
            {open->id, closing, enroll, std::max(day_before, open->enroll_date)});
        d_.changes.push_back({"enrollment", open->id, "status", open->status, closing});
        if (closing == "transferred") ++d_.counts.transfers;
      }
      d_.enrollments_to_open.push_back({{i, status, status_date, end_date}, person, sid});
      ++d_.counts.enrollments_opened;
    }
  }

  /// The difficulty level for the academic year. "none" is the default: only an assessment, or a
  /// change back to none, is recorded.
  void difficulty() {
    for (size_t i : kept_) {
      const RollRecord& r = rows_[i];
      PersonRef person = ref(personKey(r));
      const std::string level(domain::code(r.difficulty));
      auto it = person.id ? s_.difficulty.find(person.id) : s_.difficulty.end();
      if (it == s_.difficulty.end()) {
        if (r.difficulty == domain::DifficultyLevel::kNone) continue;
        d_.difficulty_to_add.push_back({std::move(person), level, schoolId(r.school_code)});
      } else if (it->second != level) {
        d_.changes.push_back(
            {"difficulty", person.id, std::to_string(ctx_.academic_year), it->second, level});
        d_.difficulty_to_update.push_back({std::move(person), level, schoolId(r.school_code)});
      }
    }
  }

  /// Payee accounts: one open account per student and kind; a new number replaces the old one
  /// (closed on the as-of date, kept); the same number with a new bank or holder is updated.
  void accounts() {
    const std::string as_of = ctx_.as_of.str();
    for (size_t i : kept_) {
      const RollRecord& r = rows_[i];
      if (!r.account) continue;
      PersonRef person = ref(personKey(r));
      const std::string kind(domain::code(r.account_kind));
      const std::string owner = (!r.guardian_name.empty() && r.account_holder == r.guardian_name &&
                                 r.account_holder != r.name)
                                    ? "guardian"
                                    : "student";
      auto it = person.id ? s_.accounts.find({person.id, kind}) : s_.accounts.end();
      if (it != s_.accounts.end()) {
        const auto& a = it->second;
        if (a.acct_hash == r.account->hash) {
          if (a.bank_code != r.bank_code || a.holder_name != r.account_holder || a.owner != owner) {
            if (a.bank_code != r.bank_code) {
              d_.changes.push_back({"bank_account", a.id, "bank_code", a.bank_code, r.bank_code});
            }
            if (a.holder_name != r.account_holder) {
              d_.changes.push_back(
                  {"bank_account", a.id, "holder_name", a.holder_name, r.account_holder});
            }
            d_.accounts_to_update.push_back({a.id, r.bank_code, r.account_holder, owner});
          }
          continue;
        }
        d_.accounts_to_close.push_back({a.id, as_of});
        d_.changes.push_back({"bank_account", a.id, "valid_to", "", as_of});
        ++d_.counts.accounts_replaced;
      } else {
        ++d_.counts.accounts_added;
      }
      d_.accounts_to_open.push_back({std::move(person), i, owner, kind, as_of});
    }
  }

  const RollSnapshot& s_;
  const std::vector<RollRecord>& rows_;
  const ImportContext& ctx_;
  RollDecisions d_;
  std::vector<size_t> kept_;  ///< rows still applied, in file order
  /// Resident-ID blind indexes of rows whose child is on record by the G number alone.
  std::unordered_map<std::string, const PersonOnRecord*> aliases_;
  std::set<std::string> pending_;                           ///< keys of persons this chunk adds
  std::unordered_map<std::string, size_t> new_households_;  ///< code -> position added
};

}  // namespace

std::string personKey(const RollRecord& r) {
  return r.resident_id ? r.resident_id->hash : "sno:" + r.student_no;
}

const PersonOnRecord* findOnRecord(const RollSnapshot& on_record, const RollRecord& r) {
  if (auto it = on_record.persons.find(personKey(r)); it != on_record.persons.end()) {
    return &it->second;
  }
  if (!r.resident_id) return nullptr;
  // The same child imported earlier by the G student number alone.
  auto it = on_record.persons.find("sno:" + r.derived_student_no);
  return it != on_record.persons.end() && !it->second.has_rid ? &it->second : nullptr;
}

RollLookupKeys lookupKeys(const std::vector<RollRecord>& rows) {
  RollLookupKeys keys;
  for (const auto& r : rows) {
    if (r.resident_id) {
      keys.rid_hashes.push_back(r.resident_id->hash);
      keys.student_nos.push_back(r.derived_student_no);
    } else {
      keys.student_nos.push_back(r.student_no);
    }
    if (r.guardian_id) keys.rid_hashes.push_back(r.guardian_id->hash);
  }
  return keys;
}

RollDecisions decideRollMerge(const RollSnapshot& on_record, const std::vector<RollRecord>& rows,
                              const ImportContext& ctx) {
  return Merge(on_record, rows, ctx).run();
}

}  // namespace edupay::registry
