#pragma once

#include "identify/Identify.h"
#include "store/Database.h"
#include "store/SqlStore.h"

namespace edupay::store {

/// IdentificationStore over either dialect (schemas/*/0015_identification.sql).
class SqlIdentificationStore : public SqlStore<identify::IdentificationStore> {
 public:
  explicit SqlIdentificationStore(Database& db) : SqlStore(db) {}

  std::optional<identify::SchoolRef> school(const std::string& code) override;
  std::optional<identify::Round> round(int64_t id) override;
  std::optional<identify::Round> roundOf(int64_t school_id, int academic_year) override;
  std::vector<identify::Round> rounds(const std::string& prefix, int academic_year) override;
  int64_t insertRound(const identify::Round& r) override;
  bool updateRound(const identify::Round& r) override;
  std::vector<identify::Enrolled> enrolledAt(int64_t school_id, const Date& on) override;
  std::optional<identify::Enrolled> enrolledStudent(int64_t school_id, const std::string& rid_hash,
                                                    const Date& on) override;
  int64_t insertCase(const identify::Case& c) override;
  std::optional<identify::Case> loadCase(int64_t id) override;
  std::vector<identify::Case> cases(int64_t round_id) override;
  bool updateCase(const identify::Case& c) override;
  int64_t insertNotice(const identify::Notice& n) override;
  std::vector<identify::Notice> notices(int64_t round_id) override;
  int64_t insertObjection(const identify::Objection& o) override;
  std::optional<identify::Objection> objection(int64_t id) override;
  std::vector<identify::Objection> objections(int64_t round_id) override;
  void resolveObjection(const identify::Objection& o) override;
  std::vector<identify::LevelPeriod> levels(int64_t person_id, int academic_year) override;
  void setLevels(int64_t person_id, int academic_year,
                 const std::vector<identify::LevelPeriod>& periods,
                 const std::string& old_status) override;
  int64_t insertSpotCheck(const identify::SpotCheck& s) override;
  std::optional<identify::SpotCheck> spotCheck(int64_t id) override;
  std::vector<identify::SpotCheck> spotChecks(int64_t round_id) override;
  void recordSpotCheck(const identify::SpotCheck& s) override;
  int64_t holdEntitlements(int64_t person_id, int academic_year,
                           const std::string& reason) override;
  std::vector<identify::Recovery> paidFor(int64_t person_id, int academic_year) override;
  void insertRecoveries(const std::vector<identify::Recovery>& r) override;
  std::vector<identify::Recovery> recoveries(const std::string& region_prefix,
                                             int academic_year) override;
  std::vector<identify::SchoolOutcome> outcomes(const std::string& region_prefix,
                                                int academic_year) override;
  std::vector<identify::IdentifiedRow> identified(const std::string& region_prefix,
                                                  int academic_year) override;

 private:
};

}  // namespace edupay::store
