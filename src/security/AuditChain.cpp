#include "security/AuditChain.h"

#include "common/Catalogue.h"
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
  int64_t verified = 0;
  const auto broken = [&](int64_t seq, Message why) {
    AuditBreak b{seq, i18n::render(why, Lang::kEn), why, verified};
    return b;
  };
  for (const auto& e : events) {
    if (e.seq != expected_seq) {
      return broken(
          e.seq, msg("security.audit.break.order", {arg("expected", std::to_string(expected_seq)),
                                                    arg("found", std::to_string(e.seq))}));
    }
    if (e.prev_hash != expected_prev) return broken(e.seq, msg("security.audit.break.link"));
    if (auditHash(e) != e.hash) return broken(e.seq, msg("security.audit.break.changed"));
    ++verified;
    expected_prev = e.hash;
    ++expected_seq;
  }
  return std::nullopt;
}

}  // namespace edupay::security
