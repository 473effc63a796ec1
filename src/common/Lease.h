#pragma once

#include <string>

namespace edupay {

/// Where leases live (implemented in src/store over the `job_leases` table). A lease is taken and
/// renewed by a conditional UPDATE in autocommit, never by a named lock, a table lock or a locking
/// read (none of which a Galera cluster shares between its nodes), so it holds across the nodes
/// of a cluster and outlives no connection.
class LeaseStore {
 public:
  virtual ~LeaseStore() = default;
  /// The current holder of lease `name` and when it expires ("" and "" when free or unknown).
  virtual std::pair<std::string, std::string> leaseHolder(const std::string& name) = 0;
  /// Gives `name` to `holder` until `expires_at` (UTC `YYYY-MM-DDTHH:MM:SSZ`) when it is free,
  /// expired at `now`, already held by `holder`, or held by `stale_holder` (a process known to be
  /// dead; empty for none). Returns whether `holder` now holds it.
  virtual bool takeLease(const std::string& name, const std::string& holder, const std::string& now,
                         const std::string& expires_at, const std::string& stale_holder) = 0;
  /// Frees `name` if `holder` holds it.
  virtual void releaseLease(const std::string& name, const std::string& holder) = 0;
};

/// Exclusive work (one entitlement run per term and region, one export of a batch): held while
/// the object lives, renewed by renew(), freed on destruction. A lease whose holder was killed is
/// taken over at once when that process ran on this host and no longer runs, otherwise when it
/// expires. Must not be taken inside an open transaction.
class Lease {
 public:
  /// Takes the lease for `seconds`, waiting up to `wait_seconds` for its holder to finish;
  /// Error(kConflict) naming the work and who holds it (and until when) when it stays taken.
  Lease(LeaseStore& store, std::string name, std::string what, int seconds = 600,
        int wait_seconds = 0);
  ~Lease();
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  /// Extends the lease; Error(kConflict) when it was lost meanwhile (expired and taken over).
  void renew();
  const std::string& holder() const { return holder_; }

 private:
  LeaseStore& store_;
  std::string name_, what_, holder_;
  int seconds_;
};

/// `host:pid:random`: a new holder's name (unique per call; host and pid say whether it still
/// runs).
std::string leaseHolderId();

/// UTC now plus `seconds` as `YYYY-MM-DDTHH:MM:SSZ`.
std::string utcIso(int seconds_from_now = 0);

}  // namespace edupay
