#pragma once

#include "disburse/Families.h"
#include "store/Database.h"
#include "store/SqlStore.h"

namespace edupay::store {

/// FamilyStore over either dialect: the public look-up reads a fixed set of statements whatever
/// it finds; complaints, their notes and links are plain rows.
class SqlFamilyStore : public SqlStore<disburse::FamilyStore> {
 public:
  explicit SqlFamilyStore(Database& db) : SqlStore(db) {}

  std::optional<int64_t> matchPerson(const disburse::LookupKey& key) override;
  std::vector<disburse::AidFact> aidFacts(int64_t person_id) override;
  std::pair<std::string, std::string> personPlace(int64_t person_id) override;
  std::string regionName(const std::string& code) override;
  std::string personMask(int64_t person_id) override;
  int64_t addComplaint(const disburse::Complaint& c) override;
  std::optional<disburse::Complaint> complaint(int64_t id) override;
  std::optional<disburse::Complaint> complaintByTracking(const std::string& tracking_hash) override;
  std::vector<disburse::Complaint> complaints(const std::string& region_prefix,
                                              const std::string& status) override;
  bool updateComplaint(const disburse::Complaint& c, int expected_version) override;
  void addNote(int64_t complaint_id, const disburse::ComplaintNote& n) override;
  std::vector<disburse::ComplaintNote> notes(int64_t complaint_id) override;
  std::vector<disburse::ComplaintLink> links(int64_t complaint_id) override;
  int64_t addLink(const disburse::ComplaintLink& l) override;
  std::vector<int64_t> holdableEntitlements(int64_t person_id) override;
  std::optional<int64_t> entitlementOf(int64_t person_id, const std::string& programme,
                                       const std::string& term) override;
  std::optional<int64_t> flagPayment(int64_t entitlement_id, const std::string& evidence,
                                     const Message& sentence) override;
  int64_t addObjection(int64_t entitlement_id, const std::string& user,
                       const std::string& text) override;
  int64_t releaseHolds(int64_t complaint_id, const std::string& user,
                       const std::string& on) override;

  /// The counties that have schools, with their names (code when the regions file names none),
  /// for the public page's choice of county.
  std::vector<std::pair<std::string, std::string>> counties();
  /// Links that point at a flag or an objection (the other way round): the complaint ids.
  std::vector<int64_t> complaintsOfFlag(int64_t flag_id);
  std::vector<int64_t> complaintsOfObjection(int64_t objection_id);

 private:
  std::vector<disburse::Complaint> selectComplaints(const std::string& where,
                                                    std::initializer_list<SqlValue> params);
};

}  // namespace edupay::store
