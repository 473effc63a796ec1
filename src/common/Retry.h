#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "common/Error.h"

namespace edupay {

/// A failure after which running the whole unit of work again, from its first read, may succeed:
/// nothing of the failed attempt was committed. Thrown by the store for
/// - kConflict: a deadlock or a cluster's certification failure (MySQL error 1213, SQLSTATE 40001,
///   "wsrep aborted transaction"), a lock wait timeout (1205), or two writers taking the same
///   audit sequence number at once;
/// - kConnectionLost: the connection to the server was lost inside a transaction, the node is not
///   ready (1047 "WSREP has not yet prepared node for application use"), or it was lost at COMMIT
///   and re-reading the transaction's idempotency key on another node showed it did not commit.
/// It is an Error (code kConflict or kUnavailable), so code that does not retry sees what it saw
/// before.
class TransientError : public Error {
 public:
  enum class Kind { kConflict, kConnectionLost };
  TransientError(Kind kind, ErrorCode code, Message message, std::string detail)
      : Error(code, std::move(message), std::move(detail)), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

/// How often and how patiently a unit of work is retried.
struct RetryPolicy {
  int max_attempts = 6;                         ///< the first run included
  std::chrono::milliseconds first_backoff{10};  ///< doubled after every failure, with jitter
  std::chrono::milliseconds max_backoff{2000};
};

/// Retries seen by this process since it started (all units), for logs, tests and benchmarks.
struct RetryCounts {
  int64_t conflicts = 0;         ///< attempts ended by a deadlock / certification failure
  int64_t connections_lost = 0;  ///< attempts ended by a lost connection or a node not ready
  int64_t gave_up = 0;           ///< units that failed after max_attempts
};
RetryCounts retryCounts();

namespace detail {
/// Logs the failed attempt (logger "edupay.retry", notice level: unit, attempt, kind, the
/// driver's detail) and sleeps the backoff; rethrows when the attempts are used up.
void afterTransientFailure(std::string_view unit, int attempt, const TransientError& e,
                           const RetryPolicy& policy);
/// Logs that `unit` succeeded after `attempts` attempts.
void afterRetriedSuccess(std::string_view unit, int attempts);
}  // namespace detail

/// Runs one unit of work — a use case's reads, writes, audit event and commit — and runs it again
/// from the start when it fails with a TransientError, up to policy.max_attempts times, with
/// exponential backoff and jitter between attempts; every retry is logged through
/// log::event("edupay.retry", ...). Any other exception passes through at once.
///
/// REQUIRES: `unit` opens its own transaction and has no effect outside the database before its
/// commit (files are written after it, from its result), so running it again is safe. A lost
/// connection at COMMIT is resolved by the store before it reaches here: it reconnects (to another
/// node of a cluster) and re-reads the transaction's idempotency key — the hash of the audit event
/// every state change writes in its transaction — and either reports success (the commit
/// happened) or throws TransientError(kConnectionLost) (it did not).
template <typename F>
auto retryUnit(std::string_view unit, F&& work, const RetryPolicy& policy = {})
    -> std::invoke_result_t<F&> {
  for (int attempt = 1;; ++attempt) {
    try {
      if constexpr (std::is_void_v<std::invoke_result_t<F&>>) {
        work();
        if (attempt > 1) detail::afterRetriedSuccess(unit, attempt);
        return;
      } else {
        auto result = work();
        if (attempt > 1) detail::afterRetriedSuccess(unit, attempt);
        return result;
      }
    } catch (const TransientError& e) {
      detail::afterTransientFailure(unit, attempt, e, policy);
    }
  }
}

}  // namespace edupay
