#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace Poco::Net {
class HTTPServer;
}

namespace edupay::api {

/// Settings read once at start (edupayd's --config properties file or defaults).
struct ServiceConfig {
  std::string address = "127.0.0.1";        ///< http.address
  uint16_t port = 8080;                     ///< http.port (0 = any free port, for tests)
  int threads = 8;                          ///< http.threads
  std::string db_url = "sqlite:edupay.db";  ///< db.url
};

/// The HTTP service. Routes are first-match; anything unmatched gets our own JSON 404 (Poco's
/// default for a null handler would be 501). In this release it answers GET /health only.
class Service {
 public:
  explicit Service(ServiceConfig config);
  ~Service();
  /// Opens the database, applies migrations, starts listening. Throws edupay::Error.
  void start();
  void stop();
  uint16_t port() const;

 private:
  ServiceConfig config_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

}  // namespace edupay::api
