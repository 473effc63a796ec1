// The service's shared state: database connections, sessions, background jobs, rate limits.
#include <chrono>
#include <thread>

#include "api/Env.h"
#include "common/Error.h"
#include "common/Log.h"

namespace edupay::api {

ConnectionPool::Lease::~Lease() {
  std::lock_guard lock(pool_.mutex_);
  if (db_) pool_.idle_.push_back(std::move(db_));
  pool_.cv_.notify_one();
}

std::unique_ptr<ConnectionPool::Lease> ConnectionPool::acquire() {
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [&] { return !idle_.empty() || open_ < size_; });
  if (!idle_.empty()) {
    auto db = std::move(idle_.back());
    idle_.pop_back();
    return std::make_unique<Lease>(*this, std::move(db));
  }
  ++open_;
  lock.unlock();
  try {
    return std::make_unique<Lease>(*this, store::openDatabase(url_));
  } catch (...) {
    std::lock_guard again(mutex_);
    --open_;
    cv_.notify_one();
    throw;
  }
}

std::optional<security::User> SessionCache::get(const std::string& token) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(token);
  if (it == entries_.end()) return std::nullopt;
  if (std::chrono::steady_clock::now() - it->second.seen > std::chrono::seconds(kSeconds) ||
      it->second.expires_at <= security::nowIso()) {
    entries_.erase(it);
    return std::nullopt;
  }
  return it->second.user;
}

void SessionCache::put(const std::string& token, const security::Session& s) {
  std::lock_guard lock(mutex_);
  if (entries_.size() > 100000) entries_.clear();  // bounded; entries are cheap to re-read
  entries_[token] = {s.user, s.expires_at, std::chrono::steady_clock::now()};
}

void SessionCache::drop(const std::string& token) {
  std::lock_guard lock(mutex_);
  entries_.erase(token);
}

Jobs::~Jobs() { waitAll(); }

void Jobs::waitAll() {
  std::vector<std::thread> running;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, e] : jobs_)
      if (e.thread.joinable()) running.push_back(std::move(e.thread));
  }
  for (auto& t : running) t.join();
}

void Jobs::prune() {
  const auto now = std::chrono::steady_clock::now();
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    Entry& e = it->second;
    if (e.job->status == "running") {
      ++it;
      continue;
    }
    // A finished job's thread has nothing left to do but return: joining it is immediate.
    if (e.thread.joinable()) e.thread.join();
    if (now - e.finished_at >= retention_) {
      it = jobs_.erase(it);
    } else {
      ++it;
    }
  }
}

std::pair<size_t, size_t> Jobs::held() {
  std::lock_guard lock(mutex_);
  prune();
  size_t threads = 0;
  for (const auto& [id, e] : jobs_) threads += e.thread.joinable() ? 1 : 0;
  return {jobs_.size(), threads};
}

std::shared_ptr<Job> Jobs::start(const std::string& kind, const std::string& user,
                                 std::function<std::string(Job&)> work) {
  auto job = std::make_shared<Job>();
  job->kind = kind;
  job->user = user;
  std::lock_guard lock(mutex_);
  prune();
  job->id = ++next_;
  Entry& entry = jobs_[job->id];
  entry.job = job;
  entry.thread = std::thread([job, work = std::move(work), this] {
    std::string result, error;
    try {
      result = work(*job);
    } catch (const std::exception& e) {
      error = e.what();
    }
    std::lock_guard done(mutex_);
    job->result_json = result;
    job->error = error;
    job->status = error.empty() ? "done" : "failed";
    jobs_[job->id].finished_at = std::chrono::steady_clock::now();
  });
  return job;
}

std::optional<Jobs::View> Jobs::get(int64_t id) {
  std::lock_guard lock(mutex_);
  prune();
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return std::nullopt;
  const Job& j = *it->second.job;
  return View{j.id, j.progress.load(), j.kind, j.user, j.status, j.result_json, j.error};
}

Runtime::Runtime(ServiceConfig c)
    : config(std::move(c)),
      pool(config.db_url, static_cast<size_t>(std::max(1, config.threads))),
      layouts(config.layouts_dir),
      lookups_by_address(static_cast<size_t>(std::max(1, config.lookups_per_address)), 3600),
      lookups_by_id(static_cast<size_t>(std::max(1, config.lookups_per_id)), 3600),
      complaints_by_address(static_cast<size_t>(std::max(1, config.complaints_per_address)), 3600) {
  if (!config.key_file.empty())
    cipher = std::make_unique<security::FieldCipher>(
        security::FieldCipher::loadKeyFile(config.key_file));
  addRoutes(router);
}

store::Database& Env::db() {
  if (!lease_) lease_ = rt_.pool.acquire();
  return lease_->db();
}
store::SqlRegistryStore& Env::registry() {
  if (!registry_) registry_.emplace(db());
  return *registry_;
}
store::SqlDisbursementStore& Env::disburse() {
  if (!disburse_) disburse_.emplace(db());
  return *disburse_;
}
store::SqlSecurityStore& Env::security() {
  if (!security_) security_.emplace(db());
  return *security_;
}
store::SqlEntitlementStore& Env::entitlements() {
  if (!entitlements_) entitlements_.emplace(db());
  return *entitlements_;
}
std::string SchoolRegionCache::get(const std::string& school,
                                   const std::function<std::string()>& load) {
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(school);
    if (it != entries_.end() && now - it->second.loaded < std::chrono::seconds(kSeconds))
      return it->second.region;
  }
  std::string region = load();
  if (region.empty()) return region;  // unknown schools are not remembered
  std::lock_guard lock(mutex_);
  if (entries_.size() > 100000) entries_.clear();
  entries_[school] = {region, now};
  return region;
}

std::string Env::schoolRegion(const std::string& school_code) {
  return rt_.school_regions.get(school_code, [&] { return registry().schoolRegion(school_code); });
}

const security::FieldCipher& Env::cipher() {
  if (!rt_.cipher) throw Error(ErrorCode::kUnavailable, msg("api.no_key_file"));
  return *rt_.cipher;
}

void RateLimiter::prune(Queue& q, std::chrono::steady_clock::time_point now) const {
  while (!q.empty() && now - q.front() >= std::chrono::seconds(window_)) q.pop_front();
}

int RateLimiter::wait(Queue& q, std::chrono::steady_clock::time_point now) const {
  if (q.size() < limit_) return 0;
  const auto left = std::chrono::seconds(window_) - (now - q.front());
  return std::max(1, static_cast<int>(std::chrono::ceil<std::chrono::seconds>(left).count()));
}

int RateLimiter::retryAfter(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = events_.find(key);
  if (it == events_.end()) return 0;
  const auto now = std::chrono::steady_clock::now();
  prune(it->second, now);
  if (it->second.empty()) {
    events_.erase(it);
    return 0;
  }
  return wait(it->second, now);
}

void RateLimiter::record(const std::string& key) {
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (events_.size() > 100000) {
    for (auto it = events_.begin(); it != events_.end();) {
      prune(it->second, now);
      it = it->second.empty() ? events_.erase(it) : std::next(it);
    }
  }
  auto& q = events_[key];
  prune(q, now);
  q.push_back(now);
}

int RateLimiter::take(const std::string& key) {
  if (const int w = retryAfter(key); w > 0) return w;
  record(key);
  return 0;
}

}  // namespace edupay::api
