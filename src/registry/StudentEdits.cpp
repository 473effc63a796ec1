#include "registry/StudentEdits.h"

#include "common/Error.h"
#include "domain/Codes.h"

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
    throw Error(ErrorCode::kInvalidInput,
                "level: one of none, generally, difficult, especially (got \"" + level + "\")");
  }
  if (academic_year < 2000 || academic_year > 2100)
    throw Error(ErrorCode::kInvalidInput, "academic_year: the year the school year starts in");
  auto tx = store.transaction();
  const auto rec = store.studentById(person_id);
  if (!rec) throw Error(ErrorCode::kNotFound, "no student " + std::to_string(person_id));
  const std::string school = currentSchool(*rec);
  if (!mayEditStudent(store, user, school)) {
    throw Error(ErrorCode::kNotFound, "student " + std::to_string(person_id) +
                                          " is not in your scope (school " + school + ")");
  }
  DifficultyChange c;
  c.person_id = person_id;
  c.academic_year = academic_year;
  c.level = std::string(domain::code(*parsed));
  c.previous = store.setDifficulty(person_id, academic_year, c.level, school);
  if (c.previous != c.level) {
    security::appendAudit(
        audit, user.name, "student.difficulty",
        "person " + std::to_string(person_id) + " " + std::to_string(academic_year), c.previous,
        c.level);
  }
  tx->commit();
  return c;
}

}  // namespace edupay::registry
