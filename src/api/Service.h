#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace Poco::Net {
class HTTPServer;
}

namespace edupay::api {

/// Settings read once at start (edupayd's --config properties file; README lists the keys).
struct ServiceConfig {
  std::string address = "127.0.0.1";         ///< http.address
  uint16_t port = 8080;                      ///< http.port (0 = any free port, for tests)
  int threads = 8;                           ///< http.threads (also database connections)
  size_t max_body_bytes = 64 * 1024 * 1024;  ///< http.max_body_bytes (uploads)
  int max_uploads = 2;                       ///< http.max_uploads: uploads read at once
  std::string db_url = "sqlite:edupay.db";   ///< db.url
  std::string key_file;                      ///< key.file: field-encryption key (students, export)
  std::string signing_key;                   ///< signing.key: the bureau's Ed25519 key (export)
  std::string files_dir = "bankfiles";       ///< files.dir: where exported payment files live
  std::string layouts_dir;                   ///< layouts.dir: extra bank layouts
  std::string tls_certificate;               ///< tls.certificate (PEM); HTTPS when set
  std::string tls_private_key;               ///< tls.private_key (PEM)
  int session_minutes = 30;                  ///< session.minutes
  // The families' public page (README, "Families can see and report"):
  int lookups_per_address = 30;    ///< family.lookups_per_address: look-ups per hour per address
  int lookups_per_id = 5;          ///< family.lookups_per_id: look-ups per hour per identifier
  int complaints_per_address = 5;  ///< family.complaints_per_address: filings per hour
  int lookup_min_ms = 300;      ///< family.lookup_min_ms: every look-up answers after at least this
  int complaint_due_days = 15;  ///< family.complaint_due_days: working days to settle one
  std::string contact;          ///< family.contact: whom families call when no county is set
  /// family.contact.COUNTY: whom the families of a county call (office, phone), by county code.
  std::map<std::string, std::string> county_contacts;
  std::string public_url;  ///< family.public_url: the page's address printed on slips
  /// notice.contact: where families object, printed on every notice (school and county phone
  /// or office); disburse::kDefaultNoticeContact when empty.
  std::string notice_contact;
};

class Runtime;

/// The HTTP service: a JSON API under /api/v1/ over the same library as the CLI, plus /health
/// and /ready. HTTPS when a certificate is configured; plain HTTP only on a loopback address.
class Service {
 public:
  explicit Service(ServiceConfig config);
  ~Service();
  /// Opens the database, applies migrations, starts listening. Throws edupay::Error.
  void start();
  /// Stops accepting; requests in flight finish.
  void stop();
  uint16_t port() const;

 private:
  ServiceConfig config_;
  std::shared_ptr<Runtime> runtime_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

}  // namespace edupay::api
