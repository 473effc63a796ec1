#include "store/SqlFamilyStore.h"

#include <algorithm>
#include <map>

#include "common/Error.h"
#include "common/ResidentId.h"
#include "common/Text.h"
#include "store/SqlDisbursementStore.h"
#include "store/SqlHelpers.h"

namespace edupay::store {

namespace {

constexpr size_t kMaxEvidence = 500;

constexpr const char* kComplaintColumns =
    "SELECT c.id, c.tracking_hash, c.category, c.body, c.contact_enc, c.contact_mask, "
    "COALESCE(c.person_id, 0), c.region, c.status, c.assigned_to, c.filed_at, c.filed_on, "
    "c.due_on, c.outcome, c.outcome_text, c.closed_by, c.closed_on, c.version, p.rid_mask, "
    "p.student_no, (SELECT s.name FROM enrollments e JOIN schools s ON s.id = e.school_id WHERE "
    "e.person_id = c.person_id ORDER BY e.id DESC LIMIT 1) "
    "FROM complaints c LEFT JOIN persons p ON p.id = c.person_id ";

std::optional<Term> termOf(const std::string& s) {
  try {
    return Term::parse(s);
  } catch (const Error&) {
    return std::nullopt;
  }
}

}  // namespace

std::optional<int64_t> SqlFamilyStore::matchPerson(const disburse::LookupKey& key) {
  // One statement whatever was typed: an identifier that matches nothing costs what a wrong name
  // or birth date costs.
  Statement& s = cachedQuery(
      db_,
      "SELECT p.id, COALESCE(p.merged_into, 0) FROM persons p WHERE (p.rid_hash = ? OR "
      "p.student_no = ?) AND p.name = ? AND p.birth_date = ?",
      {key.rid_hash.empty() ? std::string("-") : key.rid_hash,
       key.student_no.empty() ? std::string("-") : key.student_no, key.name, key.birth_date});
  std::optional<int64_t> found;
  while (s.next()) {
    const int64_t id = s.getInt(1) ? s.getInt(1) : s.getInt(0);
    if (!found) found = id;
  }
  s.reset();
  return found;
}

std::vector<disburse::AidFact> SqlFamilyStore::aidFacts(int64_t person_id) {
  std::vector<disburse::AidFact> out;
  std::map<int64_t, size_t> at;
  {
    Statement& s = cachedQuery(
        db_,
        "SELECT e.id, e.term, e.programme, e.status, e.hold_reason, e.reason, e.payee, "
        "e.amount_fen, (SELECT COUNT(*) FROM objections o WHERE o.entitlement_id = e.id AND "
        "o.status IN ('open', 'upheld')), (SELECT COUNT(*) FROM complaint_links l WHERE "
        "l.entitlement_id = e.id AND l.kind = 'hold' AND l.status = 'open') FROM entitlements e "
        "WHERE e.person_id = ? ORDER BY e.id",
        {person_id});
    while (s.next()) {
      disburse::AidFact f;
      readColumns(s, 0, f.entitlement_id, f.term, f.programme, f.status, f.hold_reason, f.reason,
                  f.payee, f.amount);
      f.under_objection = s.getInt(8) > 0;
      f.held_by_complaint = s.getInt(9) > 0;
      at[f.entitlement_id] = out.size();
      out.push_back(std::move(f));
    }
  }
  {
    // Every payment that ever covered one of the entitlements, oldest first: the last one read
    // is the one the family asks about.
    Statement& s = cachedQuery(
        db_,
        "SELECT pe.entitlement_id, ps.state, ps.paid_on, b.name, p.acct_mask FROM "
        "payment_entitlements pe JOIN entitlements e ON e.id = pe.entitlement_id JOIN payments p "
        "ON p.id = pe.payment_id JOIN payment_states ps ON ps.id = p.id LEFT JOIN banks b ON "
        "b.code = SUBSTR(p.bank_code, 1, 3) WHERE e.person_id = ? AND p.status <> 'removed' "
        "ORDER BY p.id",
        {person_id});
    while (s.next()) {
      auto it = at.find(s.getInt(0));
      if (it == at.end()) continue;
      auto& f = out[it->second];
      f.payment_state = s.getText(1);
      f.paid_on = s.isNull(2) ? "" : s.getText(2).substr(0, 10);
      f.bank_name = textOrEmpty(s, 3);
      f.acct_mask = textOrEmpty(s, 4);
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    const auto ta = termOf(a.term), tb = termOf(b.term);
    if (ta && tb && *ta != *tb) return *ta > *tb;  // the latest term first
    return a.programme < b.programme;
  });
  return out;
}

std::pair<std::string, std::string> SqlFamilyStore::personPlace(int64_t person_id) {
  Statement& s = cachedQuery(
      db_,
      "SELECT s.region_code, s.name FROM enrollments e JOIN schools s ON s.id = e.school_id WHERE "
      "e.person_id = ? ORDER BY e.id DESC LIMIT 1",
      {person_id});
  std::pair<std::string, std::string> out;
  if (s.next()) out = {s.getText(0), s.getText(1)};
  s.reset();
  return out;
}

std::string SqlFamilyStore::regionName(const std::string& code) {
  Statement& s = cachedQuery(db_, "SELECT name FROM regions WHERE code = ?", {code});
  std::string out;
  if (s.next()) out = s.getText(0);
  s.reset();
  if (out.empty() && !code.empty()) {
    // A county named by no regions file is still known when a school is in it.
    Statement& k = cachedQuery(db_, "SELECT COUNT(*) FROM schools WHERE region_code = ?", {code});
    if (k.next() && k.getInt(0) > 0) out = code;
    k.reset();
  }
  return out;
}

std::string SqlFamilyStore::personMask(int64_t person_id) {
  auto s = query(db_, "SELECT rid_mask, student_no FROM persons WHERE id = ?", {person_id});
  if (!s->next()) return "";
  if (!s->isNull(0) && !s->getText(0).empty()) return s->getText(0);
  if (!s->isNull(1)) {
    if (auto no = StudentNumber::parse(s->getText(1))) return no->masked();
    return maskMiddle(s->getText(1), 4, 4);
  }
  return "";
}

int64_t SqlFamilyStore::addComplaint(const disburse::Complaint& c) {
  execute(db_,
          "INSERT INTO complaints (tracking_hash, category, body, contact_enc, contact_mask, "
          "person_id, region, status, filed_at, filed_on, due_on) VALUES (?, ?, ?, ?, ?, ?, ?, "
          "'open', ?, ?, ?)",
          {c.tracking_hash, c.category, c.body, textOrNull(c.contact_enc),
           textOrNull(c.contact_mask), c.person_id ? SqlValue(c.person_id) : SqlValue(nullptr),
           c.region, c.filed_at, c.filed_on, c.due_on});
  return db_.lastInsertId();
}

std::vector<disburse::Complaint> SqlFamilyStore::selectComplaints(
    const std::string& where, std::initializer_list<SqlValue> params) {
  auto s = query(db_, std::string(kComplaintColumns) + where, params);
  std::vector<disburse::Complaint> out;
  while (s->next()) {
    disburse::Complaint c;
    readColumns(*s, 0, c.id, c.tracking_hash, c.category, c.body, c.contact_enc, c.contact_mask,
                c.person_id, c.region, c.status, c.assigned_to, c.filed_at, c.filed_on, c.due_on,
                c.outcome, c.outcome_text, c.closed_by, c.closed_on, c.version);
    if (!s->isNull(18) && !s->getText(18).empty()) {
      c.student_mask = s->getText(18);
    } else if (!s->isNull(19)) {
      auto no = StudentNumber::parse(s->getText(19));
      c.student_mask = no ? no->masked() : maskMiddle(s->getText(19), 4, 4);
    }
    c.school_name = textOrEmpty(*s, 20);
    out.push_back(std::move(c));
  }
  return out;
}

std::optional<disburse::Complaint> SqlFamilyStore::complaint(int64_t id) {
  auto all = selectComplaints("WHERE c.id = ?", {id});
  if (all.empty()) return std::nullopt;
  return all[0];
}

std::optional<disburse::Complaint> SqlFamilyStore::complaintByTracking(
    const std::string& tracking_hash) {
  auto all = selectComplaints("WHERE c.tracking_hash = ?", {tracking_hash});
  if (all.empty()) return std::nullopt;
  return all[0];
}

std::vector<disburse::Complaint> SqlFamilyStore::complaints(const std::string& region_prefix,
                                                            const std::string& status) {
  const std::string prefix = region_prefix == "*" ? "" : region_prefix;
  if (status.empty())
    return selectComplaints("WHERE c.region LIKE ? ORDER BY c.due_on, c.id", {prefix + "%"});
  return selectComplaints("WHERE c.region LIKE ? AND c.status = ? ORDER BY c.due_on, c.id",
                          {prefix + "%", status});
}

bool SqlFamilyStore::updateComplaint(const disburse::Complaint& c, int expected_version) {
  return execute(db_,
                 "UPDATE complaints SET status = ?, assigned_to = ?, outcome = ?, outcome_text = "
                 "?, closed_by = ?, closed_on = ?, version = version + 1 WHERE id = ? AND "
                 "version = ?",
                 {c.status, textOrNull(c.assigned_to), textOrNull(c.outcome),
                  textOrNull(c.outcome_text), textOrNull(c.closed_by), textOrNull(c.closed_on),
                  c.id, int64_t{expected_version}}) == 1;
}

void SqlFamilyStore::addNote(int64_t complaint_id, const disburse::ComplaintNote& n) {
  execute(db_, "INSERT INTO complaint_notes (complaint_id, author, at, body) VALUES (?, ?, ?, ?)",
          {complaint_id, n.author, n.at, n.body});
}

std::vector<disburse::ComplaintNote> SqlFamilyStore::notes(int64_t complaint_id) {
  auto s = query(
      db_, "SELECT id, author, at, body FROM complaint_notes WHERE complaint_id = ? ORDER BY id",
      {complaint_id});
  std::vector<disburse::ComplaintNote> out;
  while (s->next()) out.push_back({s->getInt(0), s->getText(1), s->getText(2), s->getText(3)});
  return out;
}

std::vector<disburse::ComplaintLink> SqlFamilyStore::links(int64_t complaint_id) {
  auto s = query(
      db_,
      "SELECT l.id, l.complaint_id, l.entitlement_id, COALESCE(l.flag_id, 0), "
      "COALESCE(l.objection_id, 0), l.kind, l.status, l.created_by, l.created_on, e.term, "
      "e.programme FROM complaint_links l JOIN entitlements e ON e.id = l.entitlement_id WHERE "
      "l.complaint_id = ? ORDER BY l.id",
      {complaint_id});
  std::vector<disburse::ComplaintLink> out;
  while (s->next()) {
    disburse::ComplaintLink l;
    readColumns(*s, 0, l.id, l.complaint_id, l.entitlement_id, l.flag_id, l.objection_id, l.kind,
                l.status, l.created_by, l.created_on, l.term, l.programme);
    out.push_back(std::move(l));
  }
  return out;
}

int64_t SqlFamilyStore::addLink(const disburse::ComplaintLink& l) {
  execute(
      db_,
      "INSERT INTO complaint_links (complaint_id, kind, entitlement_id, flag_id, "
      "objection_id, status, created_by, created_on) VALUES (?, ?, ?, ?, ?, 'open', ?, ?)",
      {l.complaint_id, l.kind, l.entitlement_id,
       l.flag_id ? SqlValue(l.flag_id) : SqlValue(nullptr),
       l.objection_id ? SqlValue(l.objection_id) : SqlValue(nullptr), l.created_by, l.created_on});
  return db_.lastInsertId();
}

std::vector<int64_t> SqlFamilyStore::holdableEntitlements(int64_t person_id) {
  auto s = query(
      db_,
      "SELECT e.id FROM entitlements e WHERE e.person_id = ? AND e.status = 'eligible' AND NOT "
      "EXISTS (SELECT 1 FROM payment_entitlements pe WHERE pe.entitlement_id = e.id AND pe.live = "
      "1) AND NOT EXISTS (SELECT 1 FROM complaint_links l WHERE l.entitlement_id = e.id AND "
      "l.kind = 'hold' AND l.status = 'open') ORDER BY e.id",
      {person_id});
  std::vector<int64_t> out;
  while (s->next()) out.push_back(s->getInt(0));
  return out;
}

std::optional<int64_t> SqlFamilyStore::entitlementOf(int64_t person_id,
                                                     const std::string& programme,
                                                     const std::string& term) {
  const int64_t id = queryInt(
      db_, "SELECT id FROM entitlements WHERE person_id = ? AND programme = ? AND term = ?",
      {person_id, programme, term}, 0);
  if (!id) return std::nullopt;
  return id;
}

std::optional<int64_t> SqlFamilyStore::flagPayment(int64_t entitlement_id,
                                                   const std::string& evidence,
                                                   const Message& sentence) {
  const int64_t payment = queryInt(db_,
                                   "SELECT MAX(p.id) FROM payment_entitlements pe JOIN payments p "
                                   "ON p.id = pe.payment_id WHERE pe.entitlement_id = ? AND "
                                   "p.status IN ('pending', 'sent', 'paid')",
                                   {entitlement_id}, 0);
  if (!payment) return std::nullopt;
  execute(db_,
          "INSERT INTO batch_flags (batch_id, payment_id, kind, evidence, evidence_message) "
          "SELECT batch_id, id, 'complaint', ?, ? FROM payments WHERE id = ?",
          {text::cutUtf8(evidence, kMaxEvidence), storedForm(sentence), payment});
  return db_.lastInsertId();
}

int64_t SqlFamilyStore::addObjection(int64_t entitlement_id, const std::string& user,
                                     const std::string& text) {
  // The same row `edupay objection add` records: it holds the payment until resolved.
  return SqlDisbursementStore(db_).addObjection(entitlement_id, user, text);
}

int64_t SqlFamilyStore::releaseHolds(int64_t complaint_id, const std::string& user,
                                     const std::string& on) {
  return execute(db_,
                 "UPDATE complaint_links SET status = 'released', released_by = ?, released_on = "
                 "? WHERE complaint_id = ? AND kind = 'hold' AND status = 'open'",
                 {user, on, complaint_id});
}

std::vector<std::pair<std::string, std::string>> SqlFamilyStore::counties() {
  auto s = db_.prepare(
      "SELECT DISTINCT s.region_code, COALESCE(r.name, s.region_code) FROM schools s LEFT JOIN "
      "regions r ON r.code = s.region_code ORDER BY s.region_code");
  std::vector<std::pair<std::string, std::string>> out;
  while (s->next()) out.emplace_back(s->getText(0), s->getText(1));
  return out;
}

std::vector<int64_t> SqlFamilyStore::complaintsOfFlag(int64_t flag_id) {
  auto s = query(db_, "SELECT complaint_id FROM complaint_links WHERE flag_id = ? ORDER BY id",
                 {flag_id});
  std::vector<int64_t> out;
  while (s->next()) out.push_back(s->getInt(0));
  return out;
}

std::vector<int64_t> SqlFamilyStore::complaintsOfObjection(int64_t objection_id) {
  auto s =
      db_.prepare("SELECT complaint_id FROM complaint_links WHERE objection_id = ? ORDER BY id");
  s->bind(1, objection_id);
  std::vector<int64_t> out;
  while (s->next()) out.push_back(s->getInt(0));
  return out;
}

}  // namespace edupay::store
