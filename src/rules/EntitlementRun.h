#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "rules/EntitlementStore.h"
#include "rules/Policy.h"
#include "security/Users.h"

namespace edupay::rules {

struct EntitleSummary;

struct EntitleOptions {
  Term term;
  std::string region;           ///< only entitlements paid by counties under this code prefix
  bool dry_run = false;         ///< evaluate and compare, write nothing
  std::string exceptions_path;  ///< CSV of students that could not be evaluated
  size_t batch_size = 5000;
  std::function<void(int64_t students)> progress;
  /// Called inside the run's transaction just before it commits (the use case's audit event).
  std::function<void(const EntitleSummary&)> before_commit;
};

/// An entitlement in an approved or paid batch whose newly computed result differs.
struct Adjustment {
  std::string student;  ///< masked
  std::string programme;
  std::string before, after;
};

struct ProgrammeTotals {
  int64_t eligible = 0, held = 0, excluded = 0;
  Money eligible_amount, held_amount;
};

struct EntitleSummary {
  std::string term;
  std::string reference_date;
  std::string policy_name, policy_sha256;
  int64_t run_id = 0;
  int64_t students = 0;
  int64_t eligible = 0, held = 0, excluded = 0;
  Money eligible_amount, held_amount;
  int64_t inserted = 0, updated = 0, unchanged = 0;
  int64_t adjustments_total = 0;
  std::vector<Adjustment> adjustments;  ///< the first 200
  int64_t exceptions = 0;
  std::map<std::string, int64_t> exceptions_by_code;  ///< "programme: code" -> students
  std::map<std::string, ProgrammeTotals> by_programme;
  bool committed = false;
  std::string toJson() const;
};

/// Evaluates every student enrolled on the term's reference date against every programme in
/// force and writes the entitlements (one per student x programme x term). Re-runnable: unchanged
/// results are untouched; changed ones are superseded with history; a locked entitlement (in an
/// approved or paid batch) is never changed but reported as an adjustment. Streams in keyset
/// batches: memory does not grow with the number of students.
/// A real run commits in chunks of at most 2,000 students (its progress and counts recorded with
/// each), holds the lease `entitle:<term>:<region>` (Error(kConflict) while another run of the
/// same term and region goes on), and finishes with the run's summary and `before_commit` in a
/// last transaction. A run that was killed is resumed by the same command: it continues after the
/// last committed chunk and ends with the same entitlements, counts and exceptions file as an
/// uninterrupted run. The exceptions file is published after that last commit.
[[nodiscard]] EntitleSummary runEntitlements(EntitlementStore& store, const Policy& policy,
                                             int64_t policy_id, const EntitleOptions& options);

/// The entitlement run as a use case: a bureau officer, for their region (`options.region`
/// defaults to the officer's scope and must lie inside it); the run and its audit event
/// (`entitle.run`: term, region, policy and SHA-256, counts) in one transaction.
/// Error(kForbidden) for another role or a region outside the scope.
[[nodiscard]] EntitleSummary runEntitlementsAs(EntitlementStore& store,
                                               security::SecurityStore& audit,
                                               const security::User& user, const Policy& policy,
                                               int64_t policy_id, EntitleOptions options);

/// The programme codes of the policy in force; empty when none is active (what a budget file's
/// lines are checked against).
std::set<std::string> programmesInForce(EntitlementStore& store);

/// Activates a policy file as a use case: a sysadmin, or a bureau officer of a whole province
/// (scope of two digits); the activation and its audit event (`policy.activate`: name and
/// SHA-256) in one transaction. Returns the policy's id.
int64_t activatePolicyAs(EntitlementStore& store, security::SecurityStore& audit,
                         const security::User& user, const Policy& policy);

}  // namespace edupay::rules
