#include "common/Retry.h"

#include <algorithm>
#include <atomic>
#include <random>
#include <thread>

#include "common/Log.h"

namespace edupay {
namespace {

std::atomic<int64_t> g_conflicts{0};
std::atomic<int64_t> g_connections_lost{0};
std::atomic<int64_t> g_gave_up{0};

}  // namespace

RetryCounts retryCounts() {
  return {g_conflicts.load(), g_connections_lost.load(), g_gave_up.load()};
}

namespace detail {

void afterTransientFailure(std::string_view unit, int attempt, const TransientError& e,
                           const RetryPolicy& policy) {
  const bool conflict = e.kind() == TransientError::Kind::kConflict;
  (conflict ? g_conflicts : g_connections_lost).fetch_add(1);
  const char* kind = conflict ? "conflict" : "connection_lost";
  if (attempt >= policy.max_attempts) {
    g_gave_up.fetch_add(1);
    log::event("edupay.retry", "unit gave up",
               {{"unit", std::string(unit)},
                {"attempts", std::to_string(attempt)},
                {"kind", kind},
                {"detail", e.detail()}});
    throw;
  }
  log::event("edupay.retry", "unit retried",
             {{"unit", std::string(unit)},
              {"attempt", std::to_string(attempt)},
              {"kind", kind},
              {"detail", e.detail()}});
  // Exponential backoff with full jitter, so two writers that collided do not collide again.
  thread_local std::minstd_rand rng{std::random_device{}()};
  const auto cap = std::min<int64_t>(policy.max_backoff.count(), policy.first_backoff.count()
                                                                     << std::min(attempt - 1, 16));
  std::uniform_int_distribution<int64_t> pick(cap / 2, std::max<int64_t>(cap, 1));
  std::this_thread::sleep_for(std::chrono::milliseconds(pick(rng)));
}

void afterRetriedSuccess(std::string_view unit, int attempts) {
  log::event("edupay.retry", "unit succeeded after retry",
             {{"unit", std::string(unit)}, {"attempts", std::to_string(attempts)}});
}

}  // namespace detail
}  // namespace edupay
