#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "api/Router.h"
#include "api/Service.h"
#include "bankfiles/Layout.h"
#include "security/FieldCipher.h"
#include "store/Database.h"
#include "store/SqlDisbursementStore.h"
#include "store/SqlEntitlementStore.h"
#include "store/SqlRegistryStore.h"
#include "store/SqlSecurityStore.h"

namespace edupay::api {

/// Database connections shared by the request threads: one per thread at most.
class ConnectionPool {
 public:
  ConnectionPool(std::string url, size_t size) : url_(std::move(url)), size_(size) {}
  class Lease {
   public:
    Lease(ConnectionPool& pool, std::unique_ptr<store::Database> db)
        : pool_(pool), db_(std::move(db)) {}
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    store::Database& db() { return *db_; }

   private:
    ConnectionPool& pool_;
    std::unique_ptr<store::Database> db_;
  };
  std::unique_ptr<Lease> acquire();

 private:
  friend class Lease;
  std::string url_;
  size_t size_;
  size_t open_ = 0;
  std::vector<std::unique_ptr<store::Database>> idle_;
  std::mutex mutex_;
  std::condition_variable cv_;
};

/// Long runs (the entitlement run) started by a request and polled by the client.
struct Job {
  int64_t id = 0;
  std::string kind, user, status = "running";  ///< running, done, failed
  std::atomic<int64_t> progress{0};
  std::string result_json, error;
};

/// The service's background jobs. A finished job is kept for `retention` so its client can read
/// the result, then forgotten; its thread is joined as soon as it has finished. Memory and threads
/// stay bounded by the jobs running plus those finished within the retention period.
class Jobs {
 public:
  explicit Jobs(std::chrono::seconds retention = std::chrono::hours(1)) : retention_(retention) {}
  ~Jobs();  ///< waits for every running job
  std::shared_ptr<Job> start(const std::string& kind, const std::string& user,
                             std::function<std::string(Job&)> work);
  /// Jobs and threads held now (for tests and /ready).
  std::pair<size_t, size_t> held();
  /// Waits until every job started so far has finished (the service's stop).
  void waitAll();
  /// A consistent copy of a job's state; nullopt when unknown.
  struct View {
    int64_t id = 0, progress = 0;
    std::string kind, user, status, result_json, error;
  };
  std::optional<View> get(int64_t id);

 private:
  struct Entry {
    std::shared_ptr<Job> job;
    std::thread thread;
    std::chrono::steady_clock::time_point finished_at{};
  };
  /// Joins finished jobs' threads and forgets jobs finished longer than `retention_` ago.
  /// REQUIRES: mutex_ held.
  void prune();
  std::chrono::seconds retention_;
  std::mutex mutex_;
  std::map<int64_t, Entry> jobs_;
  int64_t next_ = 0;
};

/// Live sessions seen in the last few seconds, so a request does not re-read its session and
/// user from the database. An entry is used only until its session's expiry and for at most
/// `kSeconds`; logout through this process drops it at once (another replica may honour a
/// revoked or disabled login for up to `kSeconds`).
class SessionCache {
 public:
  static constexpr int kSeconds = 5;
  std::optional<security::User> get(const std::string& token);
  void put(const std::string& token, const security::Session& s);
  void drop(const std::string& token);

 private:
  struct Entry {
    security::User user;
    std::string expires_at;
    std::chrono::steady_clock::time_point seen;
  };
  std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

/// Events per key within a sliding window: after `limit` events within `window_seconds` the key
/// gets 429 until the oldest event leaves the window. Failed logins per client address use one
/// (20 per 5 minutes; per-account lockout still applies: this stops one address from guessing
/// across many accounts); the families' look-ups (per address and per ID blind index) and
/// complaint filings (per address) use others. Memory stays bounded: keys whose events have all
/// left the window are dropped.
class RateLimiter {
 public:
  RateLimiter(size_t limit, int window_seconds) : limit_(limit), window_(window_seconds) {}
  /// Seconds until the key may act again; 0 when it may now.
  int retryAfter(const std::string& key);
  /// Counts one event of the key.
  void record(const std::string& key);
  /// retryAfter() and, when it is 0, record(): the check and count of one request together.
  int take(const std::string& key);

 private:
  using Queue = std::deque<std::chrono::steady_clock::time_point>;
  void prune(Queue& q, std::chrono::steady_clock::time_point now) const;
  int wait(Queue& q, std::chrono::steady_clock::time_point now) const;
  size_t limit_;
  int window_;
  std::mutex mutex_;
  std::map<std::string, Queue> events_;
};

/// School code -> county code, kept for a minute: every scope check of a student or school asks,
/// and schools do not move between counties while a request is being answered.
class SchoolRegionCache {
 public:
  static constexpr int kSeconds = 60;
  std::string get(const std::string& school, const std::function<std::string()>& load);

 private:
  struct Entry {
    std::string region;
    std::chrono::steady_clock::time_point loaded;
  };
  std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

/// What lives as long as the service: configuration, the pool, the key, the layouts, the routes.
class Runtime {
 public:
  explicit Runtime(ServiceConfig config);
  const ServiceConfig config;
  ConnectionPool pool;
  int schema_version = 0;
  std::unique_ptr<security::FieldCipher> cipher;  ///< null when no key.file is configured
  bankfiles::LayoutSet layouts;
  Router router;
  SessionCache sessions;
  RateLimiter logins{20, 300};  ///< failed logins per client address
  RateLimiter lookups_by_address, lookups_by_id, complaints_by_address;  ///< public family page
  SchoolRegionCache school_regions;
  std::atomic<int> uploads{0};  ///< upload bodies being read or handled (max: config.max_uploads)
  Jobs jobs;                    ///< last: destroyed (joined) first
};

/// One request's view: a leased connection and the stores over it.
class Env {
 public:
  explicit Env(Runtime& rt) : rt_(rt) {}
  store::Database& db();
  store::SqlRegistryStore& registry();
  store::SqlDisbursementStore& disburse();
  store::SqlSecurityStore& security();
  store::SqlEntitlementStore& entitlements();
  /// The county of a school (empty when unknown), through the service's short-lived cache.
  std::string schoolRegion(const std::string& school_code);
  /// Error(kUnavailable) when the service has no key file configured.
  const security::FieldCipher& cipher();
  Runtime& runtime() { return rt_; }

 private:
  Runtime& rt_;
  std::unique_ptr<ConnectionPool::Lease> lease_;
  std::optional<store::SqlRegistryStore> registry_;
  std::optional<store::SqlDisbursementStore> disburse_;
  std::optional<store::SqlSecurityStore> security_;
  std::optional<store::SqlEntitlementStore> entitlements_;
};

/// The browser's session cookie (HttpOnly) and the CSRF token that goes with a session: derived
/// from the session token, so only a page that could read the CSRF cookie can send it.
inline constexpr const char* kSessionCookie = "edupay_session";
inline constexpr const char* kCsrfCookie = "edupay_csrf";
std::string csrfToken(const std::string& session_token);

/// Adds every /api/v1 route to `router` (Api.cpp).
void addRoutes(Router& router);

}  // namespace edupay::api
