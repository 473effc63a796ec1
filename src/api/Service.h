#pragma once

#include <cstdint>
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
