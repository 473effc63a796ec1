// The checks before approval, part of SqlDisbursementStore: precision flags (the facts the checks
// read are loaded for a whole batch set-based, a fixed number of queries whatever its size;
// disburse::decide() raises the flags; they are written, listed and cleared), public notices
// (公示), their windows and the objections (异议) raised during them.
#include <algorithm>
#include <tuple>
#include <unordered_map>

#include "common/Text.h"
#include "disburse/PrecisionChecks.h"
#include "domain/Codes.h"
#include "store/SqlDisbursementStore.h"
#include "store/SqlHelpers.h"

namespace edupay::store {
namespace {

using disburse::PaymentFacts;
using disburse::SchoolPaymentFacts;

/// batch_flags.evidence holds at most this many characters.
constexpr size_t kMaxEvidence = 500;

std::string textOr(Statement& s, int column, const char* fallback) {
  return s.isNull(column) ? fallback : s.getText(column);
}

/// The payments to persons of a batch and the entitlement and student each pays.
constexpr const char* kPersonPayments =
    "FROM payments p JOIN entitlements e ON e.id = p.entitlement_id JOIN persons st ON st.id = "
    "e.person_id ";
constexpr const char* kOfBatchToPersons = "WHERE p.batch_id = ? AND p.payee <> 'school' ";

/// What links a payment's student `st` and another record `o`.
constexpr const char* kSameHousehold =
    "EXISTS (SELECT 1 FROM household_members h1 JOIN household_members h2 ON h2.household_id = "
    "h1.household_id WHERE h1.person_id = st.id AND h2.person_id = o.id)";
constexpr const char* kSameGuardian =
    "EXISTS (SELECT 1 FROM guardians g1 JOIN guardians g2 ON g2.guardian_id = g1.guardian_id "
    "WHERE g1.student_id = st.id AND g2.student_id = o.id)";
constexpr const char* kSameAccount =
    "EXISTS (SELECT 1 FROM bank_accounts a1 JOIN bank_accounts a2 ON a2.acct_hash = "
    "a1.acct_hash WHERE a1.student_id = st.id AND a2.student_id = o.id)";

class PersonFactsLoader {
 public:
  PersonFactsLoader(Database& db, const disburse::Batch& b) : db_(db), b_(b) {}

  std::vector<PaymentFacts> load() {
    const SqlValue batch = b_.id;
    const Term term = Term::parse(b_.term);
    forEachRow(
        db_,
        std::string("SELECT p.id, p.acct_mask, a.id, (SELECT COUNT(DISTINCT "
                    "COALESCE(hm.household_id, -a2.student_id)) FROM bank_accounts a2 LEFT "
                    "JOIN household_members hm ON hm.person_id = a2.student_id AND "
                    "hm.relation = 'student' WHERE a2.acct_hash = a.acct_hash AND a2.valid_to "
                    "IS NULL), p.holder_name, st.name, st.birth_date, st.id, CASE WHEN "
                    "e.reason LIKE ? THEN 1 ELSE 0 END ") +
            kPersonPayments + "LEFT JOIN bank_accounts a ON a.id = p.account_id " +
            kOfBatchToPersons + "ORDER BY p.id",
        {std::string("%declared by the school, not identified%"), batch}, [&](Statement& s) {
          PaymentFacts f;
          f.payment_id = s.getInt(0);
          f.acct_mask = textOr(s, 1, "");
          if (!s.isNull(2)) f.account_households = s.getInt(3);
          f.holder = textOr(s, 4, "");
          f.student_name = textOr(s, 5, "");
          if (!s.isNull(6)) {
            f.birth_date = stored(Date::parse(s.getText(6)), "persons", "birth_date", s.getInt(7),
                                  s.getText(6));
          }
          f.level_declared_only = s.getInt(8) == 1;
          facts_.push_back(std::move(f));
        });
    // Enrolments overlapping the term, by school.
    forEachRow(db_,
               std::string("SELECT p.id, COUNT(DISTINCT en.school_id) ") + kPersonPayments +
                   "JOIN enrollments en ON en.person_id = e.person_id AND en.enroll_date <= ? AND "
                   "(en.end_date IS NULL OR en.end_date >= ?) " +
                   kOfBatchToPersons + "GROUP BY p.id",
               {term.lastDay().str(), term.firstDay().str(), batch},
               [&](Statement& s) { at(s.getInt(0)).schools_in_term = s.getInt(1); });
    forEachRow(db_,
               std::string("SELECT p.id, o.batch_id ") + kPersonPayments +
                   "JOIN entitlements e2 ON e2.person_id = e.person_id AND e2.programme = "
                   "e.programme AND e2.term = e.term AND e2.id <> e.id JOIN payments o ON "
                   "o.entitlement_id = e2.id AND o.status IN ('pending', 'sent', 'paid') " +
                   kOfBatchToPersons + "ORDER BY p.id, o.id",
               {batch},
               [&](Statement& s) { at(s.getInt(0)).other_batches.push_back(s.getInt(1)); });
    forEachRow(db_,
               std::string("SELECT p.id, gp.name ") + kPersonPayments +
                   "JOIN guardians g ON g.student_id = st.id JOIN persons gp ON gp.id = "
                   "g.guardian_id " +
                   kOfBatchToPersons,
               {batch},
               [&](Statement& s) { at(s.getInt(0)).guardian_names.push_back(textOr(s, 1, "")); });
    // Only records linked some way are loaded: same name and birth date alone is common.
    forEachRow(
        db_,
        std::string("SELECT p.id, COALESCE(o.rid_mask, o.student_no), ") + kSameHousehold + ", " +
            kSameGuardian + ", " + kSameAccount + " " + kPersonPayments +
            "JOIN persons o ON o.name = st.name AND o.birth_date = st.birth_date AND o.id <> "
            "st.id AND o.merged_into IS NULL JOIN entitlements e2 ON e2.person_id = o.id AND "
            "e2.programme = e.programme AND e2.term = e.term AND e2.status <> 'excluded' " +
            kOfBatchToPersons + "AND (" + kSameHousehold + " OR " + kSameGuardian + " OR " +
            kSameAccount + ") ORDER BY p.id, o.id",
        {batch}, [&](Statement& s) {
          at(s.getInt(0))
              .duplicates.push_back(
                  {textOr(s, 1, ""), s.getInt(2) != 0, s.getInt(3) != 0, s.getInt(4) != 0});
        });
    forEachRow(
        db_,
        std::string("SELECT p.id, en.stage, en.id ") + kPersonPayments +
            "JOIN enrollments en ON en.person_id = st.id AND en.end_date IS NULL " +
            kOfBatchToPersons + "ORDER BY p.id, en.id",
        {batch}, [&](Statement& s) {
          at(s.getInt(0))
              .current_stages.push_back(stored(domain::parseStage(s.getText(1)), "enrollments",
                                               "stage", s.getInt(2), s.getText(1)));
        });
    return std::move(facts_);
  }

 private:
  /// The facts of payment `id` (loaded in id order by the first query).
  PaymentFacts& at(int64_t id) {
    auto it = std::lower_bound(facts_.begin(), facts_.end(), id,
                               [](const PaymentFacts& f, int64_t v) { return f.payment_id < v; });
    if (it == facts_.end() || it->payment_id != id)
      throw Error(ErrorCode::kInternal, "payment " + std::to_string(id) + " changed while flagged");
    return *it;
  }

  Database& db_;
  const disburse::Batch& b_;
  std::vector<PaymentFacts> facts_;
};

/// The payments to schools of a batch and the school each pays (its first entitlement's school).
constexpr const char* kSchoolPayments =
    "FROM payments p JOIN entitlements e0 ON e0.id = p.entitlement_id ";
constexpr const char* kOfBatchToSchools = "WHERE p.batch_id = ? AND p.payee = 'school' ";
/// Enrolment `en` active on the reference date: enrolled by then, not ended, and any other
/// status dated later.
constexpr const char* kActiveOnRef =
    "en.enroll_date <= ? AND (en.end_date IS NULL OR en.end_date > ?) AND (en.status = 'active' "
    "OR (en.status_date IS NOT NULL AND en.status_date > ?))";

std::vector<SchoolPaymentFacts> loadSchoolFacts(Database& db, const disburse::Batch& b,
                                                const std::string& ref) {
  const SqlValue batch = b.id;
  std::vector<SchoolPaymentFacts> out;
  std::unordered_map<int64_t, size_t> index;
  forEachRow(db,
             std::string("SELECT p.id, sc.code, sc.name ") + kSchoolPayments +
                 "JOIN schools sc ON sc.id = e0.school_id " + kOfBatchToSchools + "ORDER BY p.seq",
             {batch}, [&](Statement& s) {
               index[s.getInt(0)] = out.size();
               SchoolPaymentFacts f;
               f.payment_id = s.getInt(0);
               f.school_code = s.getText(1);
               f.school_name = s.getText(2);
               out.push_back(std::move(f));
             });
  if (out.empty()) return out;
  auto at = [&](int64_t id) -> SchoolPaymentFacts& { return out.at(index.at(id)); };
  forEachRow(
      db,
      std::string("SELECT p.id, COALESCE(st.rid_mask, st.student_no), EXISTS (SELECT 1 FROM "
                  "enrollments en WHERE en.person_id = e.person_id AND en.school_id = "
                  "e0.school_id AND ") +
          kActiveOnRef + ") " + kSchoolPayments +
          "JOIN payment_entitlements pe ON pe.payment_id = p.id JOIN entitlements e ON e.id = "
          "pe.entitlement_id JOIN persons st ON st.id = e.person_id " +
          kOfBatchToSchools + "ORDER BY p.id, e.id",
      {ref, ref, ref, batch}, [&](Statement& s) {
        at(s.getInt(0)).students.push_back({textOr(s, 1, "?"), s.getInt(2) != 0});
      });
  // Live payments to the school for the programme and term, in any batch.
  std::unordered_map<int64_t, int64_t> waived;
  forEachRow(
      db,
      std::string("SELECT e.school_id, COUNT(DISTINCT e.person_id) FROM payment_entitlements "
                  "pe JOIN payments p ON p.id = pe.payment_id JOIN entitlements e ON e.id = "
                  "pe.entitlement_id WHERE pe.live = 1 AND p.payee = 'school' AND "
                  "e.programme = ? AND e.term = ? AND e.school_id IN (SELECT e0.school_id ") +
          kSchoolPayments + kOfBatchToSchools + ") GROUP BY e.school_id",
      {b.programme, b.term, batch}, [&](Statement& s) { waived[s.getInt(0)] = s.getInt(1); });
  forEachRow(db, std::string("SELECT p.id, e0.school_id ") + kSchoolPayments + kOfBatchToSchools,
             {batch}, [&](Statement& s) {
               auto it = waived.find(s.getInt(1));
               at(s.getInt(0)).waived = it == waived.end() ? 0 : it->second;
             });
  forEachRow(
      db,
      std::string("SELECT p.id, COUNT(DISTINCT en.person_id) ") + kSchoolPayments +
          "JOIN enrollments en ON en.school_id = e0.school_id " + kOfBatchToSchools +
          "AND en.stage IN (SELECT en2.stage FROM payment_entitlements pe JOIN entitlements e "
          "ON e.id = pe.entitlement_id JOIN enrollments en2 ON en2.person_id = e.person_id "
          "AND en2.school_id = e.school_id WHERE pe.payment_id = p.id) AND " +
          kActiveOnRef + " GROUP BY p.id",
      {batch, ref, ref, ref}, [&](Statement& s) { at(s.getInt(0)).on_roll = s.getInt(1); });
  forEachRow(db,
             std::string("SELECT p.id, sa.acct_mask, COUNT(DISTINCT a.student_id) ") +
                 kSchoolPayments +
                 "JOIN school_accounts sa ON sa.school_id = e0.school_id AND sa.valid_to IS NULL "
                 "JOIN bank_accounts a ON a.acct_hash = sa.acct_hash AND a.valid_to IS NULL " +
                 kOfBatchToSchools + "GROUP BY p.id, sa.acct_mask",
             {batch}, [&](Statement& s) {
               auto& f = at(s.getInt(0));
               if (!f.shared_account) f.shared_account = std::make_pair(s.getText(1), s.getInt(2));
             });
  return out;
}

constexpr const char* kFlagColumns =
    "SELECT id, batch_id, payment_id, kind, evidence, status, cleared_by, reason, "
    "evidence_message FROM batch_flags ";

disburse::Flag readFlag(Statement& s) {
  return {s.getInt(0),  s.getInt(1),  s.isNull(2) ? 0 : s.getInt(2),
          s.getText(3), s.getText(4), s.getText(5),
          s.getText(6), s.getText(7), s.isNull(8) ? std::string() : s.getText(8)};
}

}  // namespace

int64_t SqlDisbursementStore::flagBatch(const disburse::Batch& b, int shared_account_limit) {
  const Term term = Term::parse(b.term);
  disburse::CheckLimits limits{b.programme, b.term, term.referenceDate(), shared_account_limit};
  const auto decided = disburse::decide(PersonFactsLoader(db_, b).load(),
                                        loadSchoolFacts(db_, b, limits.reference.str()), limits);
  std::vector<SqlValue> flags;
  flags.reserve(decided.size() * 5);
  for (const auto& d : decided)
    appendRow(flags, b.id, d.payment_id, d.kind, text::cutUtf8(d.evidence, kMaxEvidence),
              storedForm(d.message));
  insertMany(db_,
             "INSERT INTO batch_flags (batch_id, payment_id, kind, evidence, evidence_message)", 5,
             flags);
  return static_cast<int64_t>(decided.size());
}

void SqlDisbursementStore::addFlag(int64_t batch_id, int64_t seq,
                                   const disburse::Finding& finding) {
  execute(db_,
          "INSERT INTO batch_flags (batch_id, payment_id, kind, evidence, evidence_message) "
          "SELECT batch_id, id, ?, ?, ? FROM payments WHERE batch_id = ? AND seq = ?",
          {finding.kind, text::cutUtf8(finding.evidence, kMaxEvidence), storedForm(finding.message),
           batch_id, seq});
}

std::vector<disburse::Flag> SqlDisbursementStore::flags(int64_t batch_id) {
  std::vector<disburse::Flag> out;
  forEachRow(db_, std::string(kFlagColumns) + "WHERE batch_id = ? ORDER BY id", {batch_id},
             [&](Statement& s) { out.push_back(readFlag(s)); });
  return out;
}

std::optional<disburse::Flag> SqlDisbursementStore::flag(int64_t flag_id) {
  std::optional<disburse::Flag> out;
  forEachRow(db_, std::string(kFlagColumns) + "WHERE id = ?", {flag_id},
             [&](Statement& s) { out = readFlag(s); });
  return out;
}

void SqlDisbursementStore::clearFlag(int64_t flag_id, const std::string& user,
                                     const std::string& reason) {
  if (execute(
          db_,
          "UPDATE batch_flags SET status = 'cleared', cleared_by = ?, reason = ?, cleared_at = ? "
          "WHERE id = ? AND status = 'open'",
          {user, reason, security::nowIso(), flag_id}) != 1) {
    throw Error(ErrorCode::kConflict, msg("flag.not_open", {arg("id", std::to_string(flag_id))}));
  }
}

std::optional<std::tuple<int64_t, std::string, std::string>> SqlDisbursementStore::school(
    const std::string& code) {
  auto s = query(db_, "SELECT id, name, region_code FROM schools WHERE code = ?", {code});
  if (!s->next()) return std::nullopt;
  return std::make_tuple(s->getInt(0), s->getText(1), s->getText(2));
}

std::vector<disburse::NoticeEntry> SqlDisbursementStore::noticeEntries(const std::string& programme,
                                                                       const Term& term,
                                                                       int64_t school_id) {
  auto s =
      query(db_,
            "SELECT p.name, sc.name, en.stage, en.grade, en.major, en.class_name, e.programme, "
            "e.amount_fen, en.id "
            "FROM entitlements e JOIN persons p ON p.id = e.person_id "
            "JOIN enrollments en ON en.person_id = e.person_id AND en.end_date IS NULL "
            "JOIN schools sc ON sc.id = en.school_id "
            "WHERE e.term = ? AND e.programme = ? AND e.status = 'eligible' AND en.school_id = ? "
            "ORDER BY en.grade, en.class_name, p.name, e.id",
            {term.str(), programme, school_id});
  std::vector<disburse::NoticeEntry> out;
  while (s->next()) {
    out.push_back(
        {s->getText(0), s->getText(1),
         std::string(domain::chineseLabel(stored(domain::parseStage(s->getText(2)), "enrollments",
                                                 "stage", s->getInt(8), s->getText(2)))),
         std::to_string(s->getInt(3)), s->getText(4), s->getText(5), s->getText(6),
         Money::fromFen(s->getInt(7))});
  }
  return out;
}

int64_t SqlDisbursementStore::saveNotice(const disburse::NoticeInfo& info, int64_t school_id,
                                         const std::string& sha256) {
  execute(db_,
          "INSERT INTO notices (term, programme, school_id, published_by, published_on, "
          "window_ends, entries, "
          "total_fen, sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
          {info.term, info.programme, school_id, info.published_by, info.published_on,
           info.window_ends, info.entries, info.total.fen(), sha256});
  return db_.lastInsertId();
}

std::vector<std::pair<std::string, std::string>> SqlDisbursementStore::noticeWindows(
    int64_t batch_id) {
  auto s = query(
      db_,
      "SELECT sc.code, (SELECT MAX(n.window_ends) FROM notices n WHERE n.school_id = sc.id AND "
      "n.term = b.term "
      "  AND n.programme = b.programme) "
      "FROM batches b JOIN payments p ON p.batch_id = b.id JOIN entitlements e ON e.id = "
      "p.entitlement_id "
      "JOIN schools sc ON sc.id = e.school_id WHERE b.id = ? AND p.status <> 'removed' "
      "GROUP BY sc.id, sc.code, b.term, b.programme ORDER BY sc.code",
      {batch_id});
  std::vector<std::pair<std::string, std::string>> out;
  while (s->next()) out.emplace_back(s->getText(0), s->isNull(1) ? "" : s->getText(1));
  return out;
}

int64_t SqlDisbursementStore::openObjections(int64_t batch_id) {
  return queryInt(
      db_,
      "SELECT COUNT(*) FROM objections o JOIN payment_entitlements pe ON pe.entitlement_id = "
      "o.entitlement_id JOIN payments p ON p.id = pe.payment_id WHERE p.batch_id = ? AND "
      "p.status <> 'removed' AND o.status = 'open'",
      {batch_id});
}

std::optional<std::pair<int64_t, std::string>> SqlDisbursementStore::entitlementFor(
    const std::string& rid_hash, const std::string& programme, const Term& term) {
  auto s =
      query(db_,
            "SELECT e.id, e.paying_region FROM entitlements e JOIN persons p ON p.id = e.person_id "
            "WHERE p.rid_hash = ? AND e.programme = ? AND e.term = ?",
            {rid_hash, programme, term.str()});
  if (!s->next()) return std::nullopt;
  return std::make_pair(s->getInt(0), s->getText(1));
}

int64_t SqlDisbursementStore::addObjection(int64_t entitlement_id, const std::string& user,
                                           const std::string& text) {
  execute(
      db_,
      "INSERT INTO objections (entitlement_id, raised_on, recorded_by, text) VALUES (?, ?, ?, ?)",
      {entitlement_id, Date::today().str(), user, text});
  return db_.lastInsertId();
}

void SqlDisbursementStore::resolveObjection(int64_t id, const std::string& user,
                                            const std::string& decision,
                                            const std::string& resolution) {
  if (execute(db_,
              "UPDATE objections SET status = ?, resolved_by = ?, resolution = ?, resolved_on = ? "
              "WHERE id = ? AND status = 'open'",
              {decision, user, resolution, Date::today().str(), id}) != 1) {
    throw Error(ErrorCode::kConflict, msg("objection.not_open", {arg("id", std::to_string(id))}));
  }
}

std::optional<std::string> SqlDisbursementStore::objectionRegion(int64_t id) {
  auto s = query(
      db_,
      "SELECT e.paying_region FROM objections o JOIN entitlements e ON e.id = o.entitlement_id "
      "WHERE o.id = ?",
      {id});
  if (!s->next()) return std::nullopt;
  return s->getText(0);
}

}  // namespace edupay::store
