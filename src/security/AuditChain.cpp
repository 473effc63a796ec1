#include "security/AuditChain.h"

#include "security/FieldCipher.h"

namespace edupay::security {

std::string auditHash(const AuditEvent& e) {
  std::string buf;
  auto field = [&buf](const std::string& v) {
    buf += std::to_string(v.size());
    buf += ':';
    buf += v;
    buf += ';';
  };
  field(e.prev_hash);
  field(std::to_string(e.seq));
  field(e.at);
  field(e.actor);
  field(e.action);
  field(e.object);
  field(e.before);
  field(e.after);
  return sha256Hex(buf);
}

std::optional<AuditBreak> verifyAuditChain(const std::vector<AuditEvent>& events,
                                           std::string expected_prev, int64_t expected_seq) {
  for (const auto& e : events) {
    if (e.seq != expected_seq) {
      return AuditBreak{e.seq, "expected event " + std::to_string(expected_seq) + " here, found " +
                                   std::to_string(e.seq) + " (an event was deleted or reordered)"};
    }
    if (e.prev_hash != expected_prev) {
      return AuditBreak{e.seq, "does not follow the event before it (previous hash differs)"};
    }
    if (auditHash(e) != e.hash)
      return AuditBreak{e.seq, "its content was changed after it was written"};
    expected_prev = e.hash;
    ++expected_seq;
  }
  return std::nullopt;
}

}  // namespace edupay::security
