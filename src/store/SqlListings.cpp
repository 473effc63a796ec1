#include "store/SqlListings.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "rules/Engine.h"
#include "store/SqlHelpers.h"

namespace edupay::store {
namespace {

/// The first condition a decision failed: `!difficulty=not assessed ...` gives
/// `difficulty: not assessed ...`.
std::string firstFailure(const std::string& trace) {
  const size_t bang = trace.find('!');
  if (bang == std::string::npos) return trace;
  const size_t end = trace.find(';', bang);
  std::string part =
      trace.substr(bang + 1, end == std::string::npos ? std::string::npos : end - bang - 1);
  const size_t eq = part.find('=');
  if (eq != std::string::npos) part = part.substr(0, eq) + ": " + part.substr(eq + 1);
  return part;
}

}  // namespace

std::vector<SqlListings::Payee> SqlListings::batchPayees(int64_t batch_id, int64_t after_seq,
                                                         size_t limit, const std::string& search) {
  auto s = db_.prepare(
      "SELECT p.id, p.seq, p.end_to_end_ref, p.payee, p.holder_name, p.acct_mask, p.bank_code, "
      "p.amount_fen, ps.state, ps.reason_code, ps.reason_text, per.name, per.rid_mask, sc.code, "
      "sc.name, (SELECT COUNT(*) FROM payment_entitlements pe WHERE pe.payment_id = p.id) "
      "FROM payments p JOIN payment_states ps ON ps.id = p.id "
      "JOIN entitlements e ON e.id = p.entitlement_id JOIN persons per ON per.id = e.person_id "
      "LEFT JOIN schools sc ON sc.id = e.school_id "
      "WHERE p.batch_id = ? AND p.seq > ? AND (? = '' OR per.name LIKE ? OR p.holder_name LIKE ? "
      "OR sc.code LIKE ? OR sc.name LIKE ? OR p.end_to_end_ref LIKE ?) "
      "ORDER BY p.seq LIMIT ?");
  const std::string like = "%" + search + "%";
  s->bind(1, batch_id);
  s->bind(2, after_seq);
  s->bind(3, search);
  for (int i = 4; i <= 8; ++i) s->bind(i, like);
  s->bind(9, static_cast<int64_t>(limit));
  std::vector<Payee> out;
  while (s->next()) {
    Payee p;
    readColumns(*s, 0, p.payment_id, p.seq, p.reference, p.payee, p.holder, p.acct_mask,
                p.bank_code, p.amount, p.state, p.reason_code, p.reason_text);
    p.school_code = textOrEmpty(*s, 13);
    p.school_name = textOrEmpty(*s, 14);
    if (p.payee == "school") {
      p.name = p.school_name;
      p.students = std::max<int64_t>(1, s->getInt(15));
    } else {
      p.name = s->getText(11);
      p.rid_mask = textOrEmpty(*s, 12);
    }
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<std::string> SqlListings::batchSchools(int64_t batch_id) {
  auto s = query(
      db_,
      "SELECT DISTINCT sc.code FROM payments p "
      "JOIN payment_entitlements pe ON pe.payment_id = p.id "
      "JOIN entitlements e ON e.id = pe.entitlement_id JOIN schools sc ON sc.id = e.school_id "
      "WHERE p.batch_id = ? AND p.status <> 'removed' "
      "UNION SELECT DISTINCT sc.code FROM payments p "
      "JOIN entitlements e ON e.id = p.entitlement_id JOIN schools sc ON sc.id = e.school_id "
      "WHERE p.batch_id = ? AND p.status <> 'removed' ORDER BY 1",
      {batch_id, batch_id});
  std::vector<std::string> out;
  while (s->next()) out.push_back(s->getText(0));
  return out;
}

std::vector<SqlListings::Objection> SqlListings::objections(const std::string& region_prefix,
                                                            const std::string& status) {
  auto s = query(
      db_,
      "SELECT o.id, o.status, per.name, per.rid_mask, e.programme, e.term, sc.code, sc.name, "
      "e.paying_region, o.raised_on, o.recorded_by, o.text, o.resolved_by, o.resolution, "
      "o.resolved_on, (SELECT MIN(p.batch_id) FROM payments p JOIN batches b ON b.id = p.batch_id "
      " WHERE p.entitlement_id = e.id AND p.status = 'pending' "
      " AND b.status IN ('draft', 'submitted', 'approved')) "
      "FROM objections o JOIN entitlements e ON e.id = o.entitlement_id "
      "JOIN persons per ON per.id = e.person_id LEFT JOIN schools sc ON sc.id = e.school_id "
      "WHERE e.paying_region LIKE ? AND (? = '' OR o.status = ?) ORDER BY o.id DESC",
      {region_prefix + "%", status, status});
  std::vector<Objection> out;
  while (s->next()) {
    Objection o;
    readColumns(*s, 0, o.id, o.status, o.student, o.rid_mask, o.programme, o.term, o.school_code,
                o.school_name, o.region, o.raised_on, o.recorded_by, o.text, o.resolved_by,
                o.resolution, o.resolved_on, o.batch_id);
    out.push_back(std::move(o));
  }
  return out;
}

std::vector<SqlListings::School> SqlListings::schools(const std::string& region_prefix,
                                                      const std::string& stage) {
  // A school code is ten digits; a region code at most six: a school scope names one school.
  const bool one_school = region_prefix.size() == 10;
  auto s =
      query(db_,
            "SELECT sc.code, sc.name, sc.region_code, sc.stages, sc.ownership, sc.bank_code, "
            "(SELECT COUNT(DISTINCT en.person_id) FROM enrollments en WHERE en.school_id = sc.id "
            " AND en.end_date IS NULL AND en.status = 'active') "
            "FROM schools sc WHERE (? = 1 AND sc.code = ?) OR (? = 0 AND sc.region_code LIKE ?) "
            "ORDER BY sc.code",
            {int64_t{one_school}, region_prefix, int64_t{one_school}, region_prefix + "%"});
  std::vector<School> out;
  while (s->next()) {
    School x{s->getText(0), s->getText(1),      s->getText(2), s->getText(3),
             s->getText(4), textOrEmpty(*s, 5), s->getInt(6)};
    if (!stage.empty()) {
      bool teaches = false;
      size_t from = 0;
      while (from <= x.stages.size()) {
        const size_t end = std::min(x.stages.find_first_of(",;|", from), x.stages.size());
        teaches |= x.stages.substr(from, end - from) == stage;
        from = end + 1;
      }
      if (!teaches) continue;
    }
    out.push_back(std::move(x));
  }
  return out;
}

std::vector<SqlListings::Need> SqlListings::entitledBySource(const std::string& term,
                                                             const std::string& region) {
  auto s =
      query(db_,
            "SELECT programme, SUM(central_fen), SUM(provincial_fen), SUM(county_fen), COUNT(*) "
            "FROM entitlements WHERE term = ? AND paying_region = ? AND status = 'eligible' "
            "GROUP BY programme ORDER BY programme",
            {term, region});
  std::vector<Need> out;
  while (s->next()) {
    const std::string programme = s->getText(0);
    const char* sources[] = {"central", "provincial", "county"};
    for (int i = 0; i < 3; ++i) {
      const int64_t fen = s->getInt(1 + i);
      if (fen > 0) out.push_back({programme, sources[i], Money::fromFen(fen), s->getInt(4)});
    }
  }
  return out;
}

std::vector<SqlListings::DecisionCount> SqlListings::decisions(const std::string& term,
                                                               const std::string& region_prefix,
                                                               const std::string& status) {
  auto s = query(db_,
                 "SELECT e.programme, e.hold_reason, e.reason, rs.messages FROM entitlements e "
                 "LEFT JOIN reason_sentences rs ON rs.sha256 = e.reason_sha "
                 "WHERE e.term = ? AND e.paying_region LIKE ? AND e.status = ?",
                 {term, region_prefix + "%", status});
  std::map<std::tuple<std::string, std::string>, DecisionCount> counts;
  while (s->next()) {
    const bool held = status == "held" && !s->isNull(1);
    const std::string reason = s->getText(2);
    const std::string why = held ? s->getText(1) : firstFailure(reason);
    auto [it, fresh] = counts.try_emplace({s->getText(0), why});
    DecisionCount& d = it->second;
    if (fresh) {
      d.programme = s->getText(0);
      d.status = status;
      d.reason = why;
      // The sentence of the first condition not met, read once per group of equal reasons.
      for (auto& c : rules::storedChecks(reason, s->isNull(3) ? "" : s->getText(3))) {
        if (c.ok) continue;
        d.check = c.code;
        d.fact = c.message;
        break;
      }
    }
    ++d.count;
  }
  std::vector<DecisionCount> out;
  for (auto& [key, d] : counts) out.push_back(std::move(d));
  std::stable_sort(out.begin(), out.end(), [](const DecisionCount& a, const DecisionCount& b) {
    return a.count > b.count;
  });
  return out;
}

}  // namespace edupay::store
