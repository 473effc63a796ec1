#include "registry/StudentEdits.h"

#include "common/Error.h"
#include "common/ResidentId.h"
#include "common/Retry.h"
#include "common/Text.h"
#include "domain/Codes.h"
#include "registry/RollValidator.h"

namespace edupay::registry {

std::string currentSchool(const StudentRecord& rec) {
  std::string school;
  for (const auto& e : rec.enrollments)
    if (e.status == "active" || school.empty()) school = e.school_code;
  return school;
}

bool mayEditStudent(RegistryStore& store, const security::User& user, const std::string& school) {
  if (user.role == security::Role::kSchoolAdmin) return !school.empty() && user.covers(school);
  if (user.role != security::Role::kBureauOfficer) return false;
  const std::string region = store.schoolRegion(school);
  return !region.empty() && user.covers(region);
}

DifficultyChange recordDifficulty(RegistryStore& store, security::SecurityStore& audit,
                                  const security::User& user, int64_t person_id, int academic_year,
                                  const std::string& level) {
  const auto parsed = domain::parseDifficultyLevel(level);
  if (!parsed) {
    throw Error(ErrorCode::kInvalidInput, msg("student.level.invalid", {arg("value", level)}));
  }
  if (academic_year < 2000 || academic_year > 2100)
    throw Error(ErrorCode::kInvalidInput, msg("student.academic_year.invalid"));
  return retryUnit("registry.recordDifficulty", [&] {
    auto tx = store.transaction();
    const auto rec = store.studentById(person_id);
    const Message unknown = msg("student.not_in_scope", {arg("id", std::to_string(person_id))});
    if (!rec) throw Error(ErrorCode::kNotFound, unknown);
    const std::string school = currentSchool(*rec);
    if (!mayEditStudent(store, user, school)) throw Error(ErrorCode::kNotFound, unknown);
    DifficultyChange c;
    c.person_id = person_id;
    c.academic_year = academic_year;
    c.level = std::string(domain::code(*parsed));
    c.previous = store.setDifficulty(person_id, academic_year, c.level, school);
    if (c.previous != c.level) {
      const auto level = [](const std::string& code) {
        if (code.empty()) return Message();
        const auto l = domain::parseDifficultyLevel(code);
        return msg("audit.rec.status",
                   {words("status", l ? std::string(domain::chineseLabel(*l)) : code, code)});
      };
      security::appendAudit(
          audit, user.name, "student.difficulty",
          "person " + std::to_string(person_id) + " " + std::to_string(academic_year),
          level(c.previous), level(c.level));
    }
    tx->commit();
    return c;
  });
}

std::optional<StudentRecord> findByKey(RegistryStore& store, const StudentKey& key) {
  if (key.person_id) return store.studentById(key.person_id);
  return store.findStudent(key.rid_hash, key.student_no);
}

StudentKey studentKey(const security::FieldCipher& cipher, const std::string& text) {
  Message why;
  StudentKey k;
  const std::string t = text::cleanCode(text);
  if (!t.empty() && t.size() <= 12 && text::isAllDigits(t)) {
    k.person_id = std::stoll(t);  // a record number, as refusals and the console name it
    return k;
  }
  if (auto rid = ResidentId::parse(text, why)) {
    k.rid_hash = cipher.blindIndex("resident_id", rid->str());
    k.student_no = rid->studentNumber();
  } else if (auto sno = StudentNumber::parse(text)) {
    if (auto inner = sno->residentId()) k.rid_hash = cipher.blindIndex("resident_id", inner->str());
    k.student_no = sno->str();
  } else {
    throw Error(
        ErrorCode::kInvalidInput,
        msg("student.key.invalid", {arg("mask", maskMiddle(text, 4, 4)), arg("reason", why)}));
  }
  return k;
}

IdentifierMerge mergeIdentifier(RegistryStore& store, security::SecurityStore& audit,
                                const security::FieldCipher& cipher, const security::User& user,
                                const std::string& old_key, const std::string& new_id,
                                const std::string& reason) {
  if (text::cleanField(reason).empty()) {
    throw Error(ErrorCode::kInvalidInput, msg("student.merge.no_reason"));
  }
  Message why;
  std::optional<ResidentId> id = ResidentId::parse(new_id, why);
  if (!id) {
    if (auto sno = StudentNumber::parse(new_id)) id = sno->residentId();
  }
  if (!id) {
    throw Error(ErrorCode::kInvalidInput,
                msg("student.merge.new_invalid",
                    {arg("mask", maskMiddle(new_id, 4, 4)), arg("reason", why)}));
  }
  const StudentKey key = studentKey(cipher, old_key);
  return retryUnit("registry.mergeIdentifier", [&] {
    auto tx = store.transaction();
    const auto rec = findByKey(store, key);
    if (!rec) throw Error(ErrorCode::kNotFound, msg("student.merge.old_unknown"));
    const std::string school = currentSchool(*rec);
    if (!mayEditStudent(store, user, school)) {
      throw Error(ErrorCode::kNotFound, msg("student.merge.old_unknown"));
    }
    const std::string hash = cipher.blindIndex("resident_id", id->str());
    if (key.rid_hash && *key.rid_hash == hash) {
      throw Error(ErrorCode::kInvalidInput, msg("student.merge.same"));
    }
    if (auto same = store.findStudent(hash, "");
        same && same->person_id == rec->person_id && same->rid_mask != id->masked()) {
      throw Error(ErrorCode::kConflict,
                  msg("student.merge.corrected_away",
                      {arg("new", id->masked()), arg("now", same->rid_mask)}));
    }
    IdentifierMerge m;
    m.old_mask = rec->rid_mask.empty() ? maskMiddle(rec->student_no, 4, 4) : rec->rid_mask;
    m.new_mask = id->masked();
    m.document = std::string(code(id->document()));
    const std::string today = Date::today().str();
    Message what;
    if (auto other = store.findStudent(hash, ""); other && other->person_id != rec->person_id) {
      // Both identifiers have records: one child recorded twice. The record under the corrected
      // identifier is kept; the other's history moves into it.
      if (!mayEditStudent(store, user, currentSchool(*other))) {
        throw Error(ErrorCode::kNotFound, msg("student.merge.new_unknown"));
      }
      m.person_id = other->person_id;
      m.merged_person_id = rec->person_id;
      m.counts = store.mergePersons(other->person_id, rec->person_id, today);
      std::string paid_twice;
      for (const auto& p : m.counts.paid_twice) paid_twice += " " + p;
      std::vector<MessageArg> counts{arg("record", std::to_string(rec->person_id)),
                                     arg("into", std::to_string(other->person_id)),
                                     arg("enrollments", m.counts.enrollments),
                                     arg("accounts", m.counts.accounts),
                                     arg("moved", m.counts.entitlements_moved),
                                     arg("superseded", m.counts.entitlements_superseded)};
      if (!paid_twice.empty()) counts.push_back(arg("paid_twice", paid_twice));
      what = msg(
          paid_twice.empty() ? "audit.rec.student.merged" : "audit.rec.student.merged_paid_twice",
          std::move(counts));
    } else {
      m.person_id = rec->person_id;
      store.replaceIdentifier(rec->person_id,
                              Protected{hash, cipher.encrypt("resident_id", id->str()), m.new_mask},
                              m.document, today);
      what = msg("audit.rec.student.corrected");
    }
    security::appendAudit(audit, user.name, "student.merge",
                          "person " + std::to_string(m.person_id), Message::literal(m.old_mask),
                          msg("audit.rec.student.merge",
                              {arg("id", m.new_mask), arg("document", m.document),
                               arg("what", what), arg("reason", text::cleanField(reason))}));
    tx->commit();
    return m;
  });
}

}  // namespace edupay::registry
