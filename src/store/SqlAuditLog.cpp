#include "store/SqlAuditLog.h"

#include <map>

#include "store/SqlHelpers.h"

namespace edupay::store {
namespace {

/// `s` for a LIKE pattern with `!` as the escape character.
std::string likeEscaped(const std::string& s) {
  std::string out;
  for (const char ch : s) {
    if (ch == '%' || ch == '_' || ch == '!') out += '!';
    out += ch;
  }
  return out;
}

/// How the database says where an object lives: one query per kind of object, each row
/// (key, region, school, bank). An object it does not find keeps the actor's scope.
struct ScopeQuery {
  const char* kind;
  bool numeric;
  const char* head;
  const char* tail;
};
const ScopeQuery kScopeQueries[] = {
    {"batch", true, "SELECT id, paying_region, NULL, bank_code FROM batches WHERE id", ""},
    {"payment", true,
     "SELECT p.id, b.paying_region, NULL, b.bank_code FROM payments p JOIN batches b ON b.id = "
     "p.batch_id WHERE p.id",
     ""},
    {"flag", true,
     "SELECT f.id, b.paying_region, NULL, b.bank_code FROM batch_flags f JOIN batches b ON b.id = "
     "f.batch_id WHERE f.id",
     ""},
    // A result file's answers: first answers (payment_results) and returns after a payment was
    // answered paid (payment_returns, a file that only returns money late).
    {"result", true,
     "SELECT r.import_id, MIN(b.paying_region), NULL, MIN(b.bank_code) FROM (SELECT import_id, "
     "payment_id FROM payment_results UNION ALL SELECT import_id, payment_id FROM "
     "payment_returns) r JOIN payments p ON p.id = r.payment_id JOIN batches b ON b.id = "
     "p.batch_id WHERE r.import_id",
     " GROUP BY r.import_id"},
    {"school", false, "SELECT code, region_code, code, NULL FROM schools WHERE code", ""},
    {"notice", true,
     "SELECT n.id, s.region_code, s.code, NULL FROM notices n JOIN schools s ON s.id = "
     "n.school_id WHERE n.id",
     ""},
    {"objection", true,
     "SELECT o.id, e.paying_region, NULL, NULL FROM objections o JOIN entitlements e ON e.id = "
     "o.entitlement_id WHERE o.id",
     ""},
    {"complaint", true, "SELECT id, region, NULL, NULL FROM complaints WHERE id", ""},
    {"person", true,
     "SELECT e.person_id, s.region_code, s.code, NULL FROM enrollments e JOIN schools s ON s.id = "
     "e.school_id WHERE e.person_id",
     " ORDER BY e.id"},
    {"ident_round", true,
     "SELECT r.id, s.region_code, s.code, NULL FROM ident_rounds r JOIN schools s ON s.id = "
     "r.school_id WHERE r.id",
     ""},
    {"ident_case", true,
     "SELECT c.id, s.region_code, s.code, NULL FROM ident_cases c JOIN ident_rounds r ON r.id = "
     "c.round_id JOIN schools s ON s.id = r.school_id WHERE c.id",
     ""},
    {"ident_objection", true,
     "SELECT o.id, s.region_code, s.code, NULL FROM ident_objections o JOIN ident_cases c ON c.id "
     "= o.case_id JOIN ident_rounds r ON r.id = c.round_id JOIN schools s ON s.id = r.school_id "
     "WHERE o.id",
     ""},
    {"spot_check", true,
     "SELECT k.id, s.region_code, s.code, NULL FROM ident_spot_checks k JOIN ident_rounds r ON "
     "r.id = k.round_id JOIN schools s ON s.id = r.school_id WHERE k.id",
     ""},
};

/// The kind and key of an event's object (`batch:42`, `person 7 2026`, `term:T region:R`), or
/// the region it names itself (`region:R`, `schools:R`, `payer:R/BANK`).
struct ObjectRef {
  std::string kind, key;
  security::ObjectScope named;
};
ObjectRef parseObject(const security::AuditEvent& e) {
  ObjectRef r;
  const std::string& o = e.object;
  const auto cut = o.find_first_of(": ");
  if (cut == std::string::npos) return r;
  r.kind = o.substr(0, cut);
  r.key = o.substr(cut + 1);
  if (const auto sp = r.key.find(' '); sp != std::string::npos && r.kind == "person")
    r.key = r.key.substr(0, sp);
  if (r.kind == "objection" && e.action.rfind("identify.", 0) == 0) r.kind = "ident_objection";
  if (r.kind == "region" || (r.kind == "schools" && r.key != "*")) r.named.region = r.key;
  if (r.kind == "term") {
    if (const auto at = o.find(" region:"); at != std::string::npos)
      r.named.region = o.substr(at + 8);
  }
  if (r.kind == "payer") {
    const auto slash = r.key.find('/');
    r.named.region = r.key.substr(0, slash);
    if (slash != std::string::npos) r.named.bank = r.key.substr(slash + 1);
  }
  if (r.kind == "bank") r.named.bank = r.key;
  return r;
}

bool isNumber(const std::string& s) {
  return !s.empty() && s.size() < 19 && s.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

std::vector<security::AuditEvent> SqlAuditLog::searchAudit(const security::AuditQuery& q,
                                                           int64_t before_seq, size_t limit) {
  std::string sql =
      "SELECT seq, at, actor, action, object, before_state, after_state, prev_hash, hash FROM "
      "audit_events WHERE seq < ?";
  std::vector<SqlValue> params{before_seq};
  if (!q.user.empty()) {
    sql += " AND actor = ?";
    params.emplace_back(q.user);
  }
  // A code with a dot is one action; a word alone its family (`batch`: batch.*).
  if (!q.action.empty()) {
    sql += q.action.find('.') != std::string::npos
               ? " AND action = ?"
               : " AND (action = ? OR action LIKE ? ESCAPE '!')";
    params.emplace_back(q.action);
    if (q.action.find('.') == std::string::npos) params.emplace_back(likeEscaped(q.action) + ".%");
  }
  // `batch:42` is that object; `batch` every object of the kind.
  if (!q.object.empty()) {
    const bool kind = q.object.find_first_of(": ") == std::string::npos;
    sql += kind ? " AND (object = ? OR object LIKE ? ESCAPE '!' OR object LIKE ? ESCAPE '!')"
                : " AND object = ?";
    params.emplace_back(q.object);
    if (kind) {
      params.emplace_back(likeEscaped(q.object) + ":%");
      params.emplace_back(likeEscaped(q.object) + " %");
    }
  }
  if (!q.from.empty()) {
    sql += " AND at >= ?";
    params.emplace_back(q.from);
  }
  if (!q.to.empty()) {
    sql += " AND at <= ?";  // every time of that day sorts before `DAYT99`
    params.emplace_back(q.to + "T99");
  }
  sql += " ORDER BY seq DESC LIMIT ?";
  params.emplace_back(static_cast<int64_t>(limit));
  Statement& s = db_.cached(sql);
  int p = 1;
  for (const auto& v : params) s.bind(p++, v);
  std::vector<security::AuditEvent> out;
  while (s.next()) {
    out.push_back({s.getInt(0), s.getText(1), s.getText(2), s.getText(3), s.getText(4),
                   s.getText(5), s.getText(6), s.getText(7), s.getText(8)});
  }
  s.reset();
  return out;
}

std::vector<security::ObjectScope> SqlAuditLog::scopesOf(
    const std::vector<security::AuditEvent>& events) {
  std::vector<ObjectRef> refs;
  std::map<std::string, std::vector<std::string>> keys;  // kind -> keys
  std::vector<std::string> actors;
  for (const auto& e : events) {
    refs.push_back(parseObject(e));
    keys[refs.back().kind].push_back(refs.back().key);
    actors.push_back(e.actor);
  }
  std::map<std::pair<std::string, std::string>, security::ObjectScope> found;
  const auto row = [&](const std::string& kind) {
    return [&, kind](Statement& s) {
      found[{kind, s.getText(0)}] = {s.isNull(1) ? "" : s.getText(1),
                                     s.isNull(2) ? "" : s.getText(2),
                                     s.isNull(3) ? "" : s.getText(3)};
    };
  };
  for (const auto& q : kScopeQueries) {
    auto it = keys.find(q.kind);
    if (it == keys.end()) continue;
    if (q.numeric) {
      std::vector<int64_t> ids;
      for (const auto& k : it->second)
        if (isNumber(k)) ids.push_back(std::stoll(k));
      selectIn(db_, q.head, q.tail, ids, row(q.kind));
    } else {
      selectIn(db_, q.head, q.tail, it->second, row(q.kind));
    }
  }
  // A user's own scope: for events about a user (`user:NAME`, logins), and for objects the
  // database cannot place, the acting user's.
  if (auto it = keys.find("user"); it != keys.end())
    actors.insert(actors.end(), it->second.begin(), it->second.end());
  std::map<std::string, security::ObjectScope> by_actor;
  selectIn(db_,
           "SELECT u.name, u.role, u.scope, s.region_code FROM users u LEFT JOIN schools s ON "
           "s.code = u.scope WHERE u.name",
           "", actors, [&](Statement& s) {
             const std::string role = s.getText(1), scope = s.getText(2);
             security::ObjectScope o;
             if (role == "school_admin" || role == "school_approver") {
               o.school = scope;
               o.region = s.isNull(3) ? "" : s.getText(3);
             } else if (role == "bank_operator") {
               o.bank = scope;
             } else if (role != "sysadmin") {
               o.region = scope;
             }
             by_actor[s.getText(0)] = o;
           });
  std::vector<security::ObjectScope> out;
  for (size_t i = 0; i < events.size(); ++i) {
    security::ObjectScope o = refs[i].named;
    if (auto f = found.find({refs[i].kind, refs[i].key}); f != found.end()) o = f->second;
    if (refs[i].kind == "user") {
      if (auto u = by_actor.find(refs[i].key); u != by_actor.end()) o = u->second;
    }
    if (o.region.empty() && o.school.empty() && o.bank.empty()) {
      if (auto a = by_actor.find(events[i].actor); a != by_actor.end()) o = a->second;
    }
    out.push_back(std::move(o));
  }
  return out;
}

std::vector<int64_t> SqlAuditLog::findPersons(const std::string& name, const std::string& rid_hash,
                                              const std::string& student_no, size_t limit) {
  Statement& s = cachedQuery(
      db_,
      "SELECT id FROM persons WHERE name = ? OR rid_hash = ? OR student_no = ? ORDER BY id LIMIT "
      "?",
      {name.empty() ? SqlValue(nullptr) : SqlValue(name), textOrNull(rid_hash),
       textOrNull(student_no), static_cast<int64_t>(limit)});
  std::vector<int64_t> out;
  while (s.next()) out.push_back(s.getInt(0));
  s.reset();
  return out;
}

std::optional<bankfiles::TracedStudent> SqlAuditLog::traceStudent(int64_t person_id) {
  auto p = query(db_, "SELECT name, rid_mask, student_no FROM persons WHERE id = ?", {person_id});
  if (!p->next()) return std::nullopt;
  bankfiles::TracedStudent t;
  t.person_id = person_id;
  t.name = p->getText(0);
  t.rid_mask = p->isNull(1) ? "" : p->getText(1);
  t.student_no = p->isNull(2) ? "" : p->getText(2);
  auto s = query(
      db_,
      "SELECT s.code, s.name, s.region_code, e.status FROM enrollments e JOIN schools s ON s.id = "
      "e.school_id WHERE e.person_id = ? ORDER BY e.id",
      {person_id});
  while (s->next())
    t.schools.push_back({s->getText(0), s->getText(1), s->getText(2), s->getText(3)});
  // Columns in the order of the structs' fields.
  auto e =
      query(db_,
            "SELECT id, programme, term, status, paying_region, COALESCE(hold_reason, ''), reason, "
            "updated_on, amount_fen FROM entitlements WHERE person_id = ? ORDER BY term, programme",
            {person_id});
  std::map<int64_t, size_t> index;
  while (e->next()) {
    index[e->getInt(0)] = t.entitlements.size();
    t.entitlements.push_back({e->getInt(0),
                              e->getText(1),
                              e->getText(2),
                              e->getText(3),
                              e->getText(4),
                              e->getText(5),
                              e->getText(6),
                              e->getText(7),
                              Money::fromFen(e->getInt(8)),
                              {}});
  }
  auto q = query(
      db_,
      "SELECT pe.entitlement_id, p.end_to_end_ref, ps.state, p.bank_code, p.holder_name, "
      "p.acct_mask, p.payee, b.status, p.batch_id, p.attempt, p.amount_fen, pe.amount_fen, "
      "CASE WHEN ps.import_id IS NOT NULL THEN ps.state END, ps.reason_code, ps.reason_text, "
      "ps.settled_on, i.file_name FROM payment_entitlements pe JOIN entitlements x ON x.id = "
      "pe.entitlement_id JOIN payments p ON p.id = pe.payment_id JOIN payment_states ps ON ps.id "
      "= p.id JOIN batches b ON b.id = p.batch_id LEFT JOIN result_imports i ON i.id = "
      "ps.import_id WHERE x.person_id = ? ORDER BY p.id",
      {person_id});
  const auto text = [&](int c) { return q->isNull(c) ? std::string() : q->getText(c); };
  while (q->next()) {
    auto it = index.find(q->getInt(0));
    if (it == index.end()) continue;
    t.entitlements[it->second].payments.push_back(
        {text(1), text(2), text(3), text(4), text(5), text(6), text(7), q->getInt(8), q->getInt(9),
         Money::fromFen(q->getInt(10)), Money::fromFen(q->getInt(11)), text(12), text(13), text(14),
         text(15), text(16)});
  }
  return t;
}

}  // namespace edupay::store
