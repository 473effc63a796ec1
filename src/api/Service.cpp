#include "api/Service.h"

#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>

#include <mutex>

#include "common/Error.h"
#include "store/Database.h"
#include "store/Migrations.h"

namespace edupay::api {
namespace {

using Poco::Net::HTTPRequestHandler;
using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

void sendJson(HTTPServerResponse& resp, HTTPResponse::HTTPStatus status,
              const Poco::JSON::Object& body) {
  resp.setStatus(status);
  resp.setContentType("application/json; charset=utf-8");
  resp.set("Cache-Control", "no-store");
  resp.set("X-Content-Type-Options", "nosniff");
  resp.set("X-Frame-Options", "DENY");
  body.stringify(resp.send());
}

void sendError(HTTPServerResponse& resp, HTTPResponse::HTTPStatus status, const std::string& code,
               const std::string& message) {
  Poco::JSON::Object inner;
  inner.set("code", code);
  inner.set("message", message);
  Poco::JSON::Object body;
  body.set("error", inner);
  sendJson(resp, status, body);
}

/// Process liveness plus the schema version the service migrated to at start.
class HealthHandler : public HTTPRequestHandler {
 public:
  explicit HealthHandler(int schema_version) : schema_version_(schema_version) {}
  void handleRequest(HTTPServerRequest&, HTTPServerResponse& resp) override {
    Poco::JSON::Object body;
    body.set("status", "ok");
    body.set("schema_version", schema_version_);
    sendJson(resp, HTTPResponse::HTTP_OK, body);
  }

 private:
  int schema_version_;
};

class ErrorHandler : public HTTPRequestHandler {
 public:
  ErrorHandler(HTTPResponse::HTTPStatus status, std::string code, std::string message)
      : status_(status), code_(std::move(code)), message_(std::move(message)) {}
  void handleRequest(HTTPServerRequest&, HTTPServerResponse& resp) override {
    if (status_ == HTTPResponse::HTTP_METHOD_NOT_ALLOWED) resp.set("Allow", "GET");
    sendError(resp, status_, code_, message_);
  }

 private:
  HTTPResponse::HTTPStatus status_;
  std::string code_, message_;
};

class Router : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Router(int schema_version) : schema_version_(schema_version) {}
  HTTPRequestHandler* createRequestHandler(const HTTPServerRequest& req) override {
    const std::string path = req.getURI().substr(0, req.getURI().find('?'));
    if (path == "/health") {
      if (req.getMethod() != "GET") {
        return new ErrorHandler(HTTPResponse::HTTP_METHOD_NOT_ALLOWED, "method_not_allowed",
                                "use GET for /health");
      }
      return new HealthHandler(schema_version_);
    }
    return new ErrorHandler(HTTPResponse::HTTP_NOT_FOUND, "not_found", "no such endpoint: " + path);
  }

 private:
  int schema_version_;
};

}  // namespace

Service::Service(ServiceConfig config) : config_(std::move(config)) {}
Service::~Service() { stop(); }

void Service::start() {
  auto db = store::openDatabase(config_.db_url);
  const auto m = store::migrate(*db);
  auto params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(config_.threads);
  params->setKeepAlive(true);
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress(config_.address, config_.port));
  server_ = std::make_unique<Poco::Net::HTTPServer>(new Router(m.to_version), socket, params);
  server_->start();
}

void Service::stop() {
  if (server_) {
    server_->stopAll(false);
    server_.reset();
  }
}

uint16_t Service::port() const { return server_ ? server_->port() : 0; }

}  // namespace edupay::api
