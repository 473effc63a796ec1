#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/Message.h"

namespace edupay::security {

/// One audit event. `hash` = SHA-256 over the previous event's hash and every field of this one
/// (length-prefixed, so no two different events serialise alike): editing, deleting or
/// reordering any stored event breaks every hash after it.
struct AuditEvent {
  int64_t seq = 0;
  std::string at;      ///< ISO 8601 time, UTC+8
  std::string actor;   ///< user name, or "system"
  std::string action;  ///< e.g. batch.approve, user.add, login
  std::string object;  ///< e.g. batch:42
  std::string before;  ///< summary of the state before (no PII)
  std::string after;
  std::string prev_hash;
  std::string hash;
};

/// The hash of the chain before its first event.
inline constexpr const char* kAuditGenesis =
    "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash `event` must carry, given its prev_hash.
std::string auditHash(const AuditEvent& event);

/// Walks events in sequence order from `expected_prev` (the genesis hash, or the hash of the event
/// before the first one given). Returns the seq of the first broken event and what is wrong with
/// it, or nullopt when the chain holds.
struct AuditBreak {
  int64_t seq = 0;
  std::string problem;  ///< in English, as `problem_message` reads
  Message problem_message;
  int64_t verified = 0;  ///< events of the walk that held before it
};
std::optional<AuditBreak> verifyAuditChain(const std::vector<AuditEvent>& events,
                                           std::string expected_prev = kAuditGenesis,
                                           int64_t expected_seq = 1);

}  // namespace edupay::security
