// The public-notice part of SqlDisbursementStore: notice entries and publications (公示), the
// notice windows of a batch's schools and the objections (异议) raised during them.
#include <tuple>

#include "domain/Codes.h"
#include "store/SqlDisbursementStore.h"
#include "store/SqlHelpers.h"

namespace edupay::store {

std::optional<std::tuple<int64_t, std::string, std::string>> SqlDisbursementStore::school(
    const std::string& code) {
  auto s = db_.prepare("SELECT id, name, region_code FROM schools WHERE code = ?");
  s->bind(1, code);
  if (!s->next()) return std::nullopt;
  return std::make_tuple(s->getInt(0), s->getText(1), s->getText(2));
}

std::vector<disburse::NoticeEntry> SqlDisbursementStore::noticeEntries(const std::string& programme,
                                                                       const Term& term,
                                                                       int64_t school_id) {
  auto s = db_.prepare(
      "SELECT p.name, sc.name, en.stage, en.grade, en.major, en.class_name, e.programme, "
      "e.amount_fen, en.id "
      "FROM entitlements e JOIN persons p ON p.id = e.person_id "
      "JOIN enrollments en ON en.person_id = e.person_id AND en.end_date IS NULL "
      "JOIN schools sc ON sc.id = en.school_id "
      "WHERE e.term = ? AND e.programme = ? AND e.status = 'eligible' AND en.school_id = ? "
      "ORDER BY en.grade, en.class_name, p.name, e.id");
  s->bind(1, term.str());
  s->bind(2, programme);
  s->bind(3, school_id);
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
  auto s = db_.prepare(
      "SELECT sc.code, (SELECT MAX(n.window_ends) FROM notices n WHERE n.school_id = sc.id AND "
      "n.term = b.term "
      "  AND n.programme = b.programme) "
      "FROM batches b JOIN payments p ON p.batch_id = b.id JOIN entitlements e ON e.id = "
      "p.entitlement_id "
      "JOIN schools sc ON sc.id = e.school_id WHERE b.id = ? AND p.status <> 'removed' "
      "GROUP BY sc.id, sc.code, b.term, b.programme ORDER BY sc.code");
  s->bind(1, batch_id);
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
  auto s = db_.prepare(
      "SELECT e.id, e.paying_region FROM entitlements e JOIN persons p ON p.id = e.person_id "
      "WHERE p.rid_hash = ? AND e.programme = ? AND e.term = ?");
  s->bind(1, rid_hash);
  s->bind(2, programme);
  s->bind(3, term.str());
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
    throw Error(ErrorCode::kConflict, "objection " + std::to_string(id) + " is not open");
  }
}

std::optional<std::string> SqlDisbursementStore::objectionRegion(int64_t id) {
  auto s = db_.prepare(
      "SELECT e.paying_region FROM objections o JOIN entitlements e ON e.id = o.entitlement_id "
      "WHERE o.id = ?");
  s->bind(1, id);
  if (!s->next()) return std::nullopt;
  return s->getText(0);
}

}  // namespace edupay::store
