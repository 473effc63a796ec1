#include "api/Service.h"

#include <Poco/JSON/Object.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <regex>

#include "api/Env.h"
#include "api/Json.h"
#include "common/Catalogue.h"
#include "common/Error.h"
#include "common/Log.h"
#include "common/MessageWords.h"
#include "common/Text.h"
#include "rules/Policy.h"
#include "store/Migrations.h"
#include "store/SqlEntitlementStore.h"

namespace edupay::api {

const std::string& openApiDocument();  // OpenApi.cpp (generated from schemas/json/openapi.json)
// WebEmbedded.cpp (generated from templates/web): the browser console's files by name.
const std::vector<std::pair<std::string, std::string>>& webAssets();
const std::vector<std::pair<std::string, std::string>>& rollTemplates();

namespace {

using Poco::Net::HTTPRequestHandler;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

/// The one map from library errors to HTTP statuses.
int statusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidInput:
      return 400;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kForbidden:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

/// The error shape: `code` (the failure's kind), `message` (the text in the request's language),
/// and for a catalogue message `message_code` and its `args`.
Reply errorReply(int status, const std::string& code, const Message& message, Lang lang) {
  Poco::JSON::Object inner;
  inner.set("code", code);
  inner.set("message", i18n::render(message, lang));
  if (!message.isLiteral()) {
    inner.set("message_code", message.code());
    inner.set("args", messageArgs(message, lang));
  }
  inner.set("details", Poco::JSON::Object());
  Poco::JSON::Object body;
  body.set("error", inner);
  Reply r;
  r.status = status;
  r.body = toJson(body);
  return r;
}

std::atomic<uint64_t> g_request_seq{0};

/// Every request goes through here: body limit, routing (own 404 / 405), authentication,
/// the route's roles, the handler; every exception becomes the JSON error shape, never a stack
/// trace or SQL. Logs request id, route, status and duration — never bodies, queries or tokens.
class ApiHandler : public HTTPRequestHandler {
 public:
  explicit ApiHandler(std::shared_ptr<Runtime> rt) : rt_(std::move(rt)) {}

  void handleRequest(HTTPServerRequest& hreq, HTTPServerResponse& hresp) override {
    const auto started = std::chrono::steady_clock::now();
    Request req;
    req.request_id = std::to_string(++g_request_seq);
    req.method = hreq.getMethod();
    req.lang = langFromAcceptLanguage(hreq.get("Accept-Language", ""));
    const std::string uri = hreq.getURI();
    const auto q = uri.find('?');
    req.path = uri.substr(0, q);
    std::string route = "-";
    Reply reply;
    try {
      if (q != std::string::npos) req.query = parseQuery(uri.substr(q + 1));
      // `?lang=en` for a link the browser follows itself (a download), which sends no header.
      if (const auto l = req.query.find("lang"); l != req.query.end())
        req.lang = parseLang(l->second).value_or(req.lang);
      reply = dispatch(hreq, req, route);
    } catch (const Error& e) {
      const int status = statusFor(e.code());
      reply = errorReply(status, errorCodeName(e.code()),
                         status == 500 ? msg("api.internal", {arg("request", req.request_id)})
                                       : withoutServerPaths(e.message()),
                         req.lang);
      if (status == 500 || !e.detail().empty())
        std::cerr << "request " << req.request_id << ": " << e.what()
                  << (e.detail().empty() ? "" : " (" + e.detail() + ")") << "\n";
    } catch (const std::exception& e) {
      std::cerr << "request " << req.request_id << ": " << e.what() << "\n";
      reply = errorReply(500, "internal", msg("api.internal", {arg("request", req.request_id)}),
                         req.lang);
    }
    settleUnreadBody(hreq, hresp);
    send(hresp, reply, req.request_id);
    const auto ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    // The route's pattern, never the path (it may carry an ID) nor the query or body.
    log::event("edupay.api.access", "request",
               {{"id", req.request_id},
                {"method", req.method},
                {"route", route},
                {"status", std::to_string(reply.status)},
                {"ms", std::to_string(static_cast<int64_t>(ms))}});
  }

 private:
  Reply dispatch(HTTPServerRequest& hreq, Request& req, std::string& route_name) {
    if (req.path == "/health" && req.method == "GET") {
      route_name = "/health";
      Poco::JSON::Object o;
      o.set("status", "ok");
      Reply r;
      r.body = toJson(o);
      return r;
    }
    if (req.path == "/ready" && req.method == "GET") {
      route_name = "/ready";
      Env env(*rt_);
      const int current = store::currentSchemaVersion(env.db());
      const int latest = store::latestSchemaVersion(env.db().dialect());
      Poco::JSON::Object o;
      o.set("database", "reachable");
      // Which server (cluster node) this replica's connection is served by, for operators.
      if (const std::string node = env.db().node(); !node.empty()) o.set("database_node", node);
      o.set("schema_version", current);
      o.set("ready", current == latest);
      Reply r;
      r.status = current == latest ? 200 : 503;
      r.body = toJson(o);
      return r;
    }
    if (req.path == "/api/v1/openapi.json" && req.method == "GET") {
      route_name = "/api/v1/openapi.json";
      Reply r;
      r.body = openApiDocument();
      return r;
    }
    if (req.method == "GET" && (req.path == "/" || req.path.rfind("/console/", 0) == 0)) {
      route_name = "/console/";
      return consoleAsset(req.path);
    }
    if (req.path == "/health" || req.path == "/ready" || req.path == "/api/v1/openapi.json") {
      Reply r = errorReply(
          405, "method_not_allowed",
          msg("api.method_not_allowed", {arg("allow", "GET"), arg("path", req.path)}), req.lang);
      r.headers["Allow"] = "GET";
      return r;
    }
    const auto m = rt_->router.match(req.method, req.path);
    if (!m.route) {
      if (!m.allowed.empty()) {
        std::string allow;
        for (const auto& a : m.allowed) allow += (allow.empty() ? "" : ", ") + a;
        Reply r = errorReply(
            405, "method_not_allowed",
            msg("api.method_not_allowed", {arg("allow", allow), arg("path", req.path)}), req.lang);
        r.headers["Allow"] = allow;
        return r;
      }
      return errorReply(404, "not_found", msg("api.no_endpoint", {arg("path", req.path)}),
                        req.lang);
    }
    route_name = m.route->pattern;
    req.params = m.params;
    req.content_type = hreq.getContentType();
    req.tls = !rt_->config.tls_certificate.empty();
    req.client = hreq.clientAddress().host().toString();
    req.host = hreq.getHost();
    // Nothing of the body is read before the caller is known and allowed: an anonymous or
    // unauthorised upload costs a header's worth of memory, whatever it claims to carry.
    Env env(*rt_);
    if (m.route->is_public) {
      if (auto refused = checkPublicPost(hreq, req)) return *refused;
    } else {
      authenticate(hreq, req, env, *m.route);
    }
    const bool has_body = req.method == "POST" || req.method == "PUT";
    if (!has_body) return m.route->handler(req, env);
    const size_t limit = m.route->upload      ? rt_->config.max_body_bytes
                         : m.route->max_body  ? m.route->max_body
                         : m.route->is_public ? kLoginBodyBytes
                                              : kJsonBodyBytes;
    const int64_t length = hreq.getContentLength64();
    if (length > static_cast<int64_t>(limit)) {
      // A known caller gets the answer rather than a reset connection: read (a bounded amount
      // of) what they are sending. Anyone else is answered at once and the connection closed.
      if (!m.route->is_public) drain(hreq, 4 * limit);
      return tooLarge(limit, req.lang);
    }
    UploadSlot slot(*rt_, m.route->upload);
    if (!slot.held()) {
      Reply r = errorReply(
          503, "busy", msg("api.uploads_busy", {arg("count", rt_->config.max_uploads)}), req.lang);
      r.headers["Retry-After"] = "5";
      return r;
    }
    if (!readBody(hreq, req, limit)) return tooLarge(limit, req.lang);
    return m.route->handler(req, env);
  }

  /// Library messages name the files they read (the CLI's user chose them); an upload is kept
  /// under the service's own path and name (KIND-DIGEST-NAME), and named to its sender by the
  /// name it was sent under.
  std::string withoutServerPaths(std::string message) const {
    std::string dir = rt_->config.files_dir;
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    dir += "/uploads/";
    for (auto at = message.find(dir); at != std::string::npos; at = message.find(dir, at))
      message.erase(at, dir.size());
    // The name it is kept under (KIND-DIGEST-NAME) read as the name it was sent under (NAME).
    static const std::regex kept("(^|[^A-Za-z0-9_])[a-z]+(-[a-z_]+)?-[0-9a-f]{16}-");
    message = std::regex_replace(message, kept, "$1");
    return message;
  }
  Message withoutServerPaths(const Message& m) const {
    return mapWords(m, [this](const std::string& text) { return withoutServerPaths(text); });
  }

  static Reply tooLarge(size_t limit, Lang lang) {
    return errorReply(413, "too_large", msg("api.too_large", {arg("bytes", limit)}), lang);
  }

  /// One of the service's few upload slots, held while an upload is read and handled; `wanted`
  /// false holds none and always succeeds.
  class UploadSlot {
   public:
    UploadSlot(Runtime& rt, bool wanted) : rt_(rt) {
      if (!wanted) return;
      int now = rt_.uploads.load();
      while (now < std::max(1, rt_.config.max_uploads))
        if (rt_.uploads.compare_exchange_weak(now, now + 1)) {
          taken_ = true;
          return;
        }
      refused_ = true;
    }
    ~UploadSlot() {
      if (taken_) --rt_.uploads;
    }
    UploadSlot(const UploadSlot&) = delete;
    UploadSlot& operator=(const UploadSlot&) = delete;
    bool held() const { return !refused_; }

   private:
    Runtime& rt_;
    bool taken_ = false, refused_ = false;
  };

  /// Login and the families' page, the public POSTs: a JSON body only (a cross-site form can send
  /// text/plain or form encodings without asking, never application/json), and when the browser
  /// names the page's origin it must be this service's own (login CSRF).
  static std::optional<Reply> checkPublicPost(HTTPServerRequest& hreq, const Request& req) {
    if (req.method != "POST") return std::nullopt;
    std::string media = text::trim(req.content_type.substr(0, req.content_type.find(';')));
    for (auto& c : media) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (media != "application/json")
      return errorReply(415, "unsupported_media_type", msg("api.json_only"), req.lang);
    if (hreq.has("Origin")) {
      const std::string own = std::string(req.tls ? "https://" : "http://") + hreq.getHost();
      if (hreq.get("Origin") != own)
        throw Error(ErrorCode::kForbidden, msg("api.cross_site", {arg("origin", own)}));
    }
    return std::nullopt;
  }

  /// Sets req.token and req.user, or throws: 401 without a live session, 403 when the route's
  /// roles do not include the user's or a cookie request lacks its CSRF token.
  void authenticate(HTTPServerRequest& hreq, Request& req, Env& env, const Route& route) {
    const std::string auth = hreq.get("Authorization", "");
    bool by_cookie = false;
    if (auth.rfind("Bearer ", 0) == 0) {
      req.token = auth.substr(7);
    } else {
      // The browser console: the session is an HttpOnly cookie, and every state-changing
      // request must carry the CSRF token the page read from its (non-HttpOnly) cookie.
      Poco::Net::NameValueCollection cookies;
      hreq.getCookies(cookies);
      req.token = cookies.get(kSessionCookie, "");
      by_cookie = !req.token.empty();
    }
    if (by_cookie && req.method != "GET" && hreq.get("X-CSRF-Token", "") != csrfToken(req.token))
      throw Error(ErrorCode::kForbidden, msg("api.csrf"));
    if (!req.token.empty()) {
      req.user = rt_->sessions.get(req.token);
      if (!req.user) {
        if (auto live = security::findLiveSession(env.security(), req.token)) {
          rt_->sessions.put(req.token, *live);
          req.user = live->user;
        }
      }
    }
    if (!req.user) throw Error(ErrorCode::kUnauthenticated, msg("api.login_first"));
    if (!route.roles.empty() && !route.roles.count(req.user->role)) {
      throw Error(ErrorCode::kForbidden,
                  msg("api.role_refused", {security::roleArg("role", req.user->role),
                                           words("action", "此操作", route.summary)}));
    }
  }

  void drain(HTTPServerRequest& hreq, size_t at_most) {
    std::istream& in = hreq.stream();
    char buf[65536];
    size_t read = 0;
    while (in && read < at_most) {
      in.read(buf, sizeof buf);
      read += static_cast<size_t>(in.gcount());
    }
    body_consumed_ = !in;
  }

  /// False when the body (also a chunked one, without a length) exceeds `limit`.
  bool readBody(HTTPServerRequest& hreq, Request& req, size_t limit) {
    std::istream& in = hreq.stream();
    char buf[65536];
    while (in) {
      in.read(buf, sizeof buf);
      req.body.append(buf, static_cast<size_t>(in.gcount()));
      if (req.body.size() > limit) return false;
    }
    body_consumed_ = true;
    return true;
  }

  /// A body the answer did not need: a small one is read and dropped so the connection can serve
  /// the next request; a large or unknown one is not read at all, and the connection is closed.
  void settleUnreadBody(HTTPServerRequest& hreq, HTTPServerResponse& hresp) {
    if (body_consumed_) return;
    const int64_t length = hreq.getContentLength64();
    const bool chunked = hreq.getChunkedTransferEncoding();
    if (!chunked && length == 0) return;
    if (!chunked && length < 0 &&
        (hreq.getMethod() == "GET" || hreq.getMethod() == "HEAD" || hreq.getMethod() == "DELETE"))
      return;
    if (!chunked && length > 0 && length <= static_cast<int64_t>(kJsonBodyBytes)) {
      drain(hreq, kJsonBodyBytes);
      if (body_consumed_) return;
    }
    hresp.setKeepAlive(false);
  }

  /// The browser console: `/` goes to `/console/`, which is index.html; other names are the
  /// embedded files of templates/web (nothing else can be named).
  static Reply consoleAsset(const std::string& path) {
    Reply r;
    if (path == "/") {
      r.status = 302;
      r.headers["Location"] = "/console/";
      r.content_type = "text/plain; charset=utf-8";
      r.body = "/console/";
      return r;
    }
    const std::string name = path == "/console/" ? "index.html" : path.substr(9);
    // The roll templates (templates/roll) to download: the sample roll in UTF-8 with English
    // headers, in GBK with Chinese headers and words, and the schools and regions samples.
    if (name.rfind("templates/", 0) == 0) {
      for (const auto& [file, body] : rollTemplates()) {
        if (name.substr(10) != file) continue;
        const bool gbk = file.find("gbk") != std::string::npos;
        r.content_type = gbk ? "text/csv; charset=gbk" : "text/csv; charset=utf-8";
        r.headers["Content-Disposition"] = "attachment; filename=\"" + file + "\"";
        r.body = body;
        return r;
      }
    }
    for (const auto& [file, body] : webAssets()) {
      if (file != name) continue;
      const auto ext = file.substr(file.find_last_of('.') + 1);
      r.content_type = ext == "html"  ? "text/html; charset=utf-8"
                       : ext == "js"  ? "text/javascript; charset=utf-8"
                       : ext == "css" ? "text/css; charset=utf-8"
                       : ext == "svg" ? "image/svg+xml"
                                      : "application/octet-stream";
      r.body = body;
      // Only the console's own files run; nothing from anywhere else is loaded.
      r.headers["Content-Security-Policy"] =
          "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
      r.headers["Referrer-Policy"] = "no-referrer";
      return r;
    }
    return errorReply(404, "not_found", msg("api.no_page", {arg("path", path)}), Lang::kZh);
  }

  static void send(HTTPServerResponse& resp, const Reply& r, const std::string& request_id) {
    resp.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(r.status));
    resp.setContentType(r.content_type);
    resp.set("Cache-Control", "no-store");
    resp.set("X-Content-Type-Options", "nosniff");
    resp.set("X-Frame-Options", "DENY");
    resp.set("X-Request-Id", request_id);
    for (const auto& [k, v] : r.headers) resp.set(k, v);
    for (const auto& c : r.cookies) resp.add("Set-Cookie", c);
    resp.setContentLength64(static_cast<Poco::Int64>(r.body.size()));
    resp.send().write(r.body.data(), static_cast<std::streamsize>(r.body.size()));
  }

  std::shared_ptr<Runtime> rt_;
  bool body_consumed_ = false;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(std::shared_ptr<Runtime> rt) : rt_(std::move(rt)) {}
  HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override {
    return new ApiHandler(rt_);
  }

 private:
  std::shared_ptr<Runtime> rt_;
};

bool isLoopback(const std::string& address) {
  return address == "127.0.0.1" || address == "::1" || address == "localhost";
}

}  // namespace

Service::Service(ServiceConfig config) : config_(std::move(config)) {}
Service::~Service() { stop(); }

void Service::start() {
  const bool tls = !config_.tls_certificate.empty();
  if (!tls && !isLoopback(config_.address)) {
    throw Error(ErrorCode::kForbidden,
                "plain HTTP is only served on a loopback address; configure tls.certificate and "
                "tls.private_key to listen on " +
                    config_.address);
  }
  {
    auto db = store::openDatabase(config_.db_url);
    store::migrate(*db);
    // Messages name programmes by the names of the policy in force.
    if (const auto p = store::SqlEntitlementStore(*db).activePolicy())
      rules::nameProgrammes(p->content);
  }
  runtime_ = std::make_shared<Runtime>(config_);
  if (runtime_->cipher) {
    Env env(*runtime_);
    env.registry().checkKeyFingerprint(runtime_->cipher->fingerprint());
  }
  auto params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(config_.threads);
  params->setMaxQueued(256);
  params->setKeepAlive(true);
  const Poco::Net::SocketAddress addr(config_.address, config_.port);
  if (tls) {
    Poco::Net::Context::Ptr context = new Poco::Net::Context(
        Poco::Net::Context::SERVER_USE, config_.tls_private_key, config_.tls_certificate, "",
        Poco::Net::Context::VERIFY_NONE, 9, false, "HIGH:!aNULL:!MD5:!RC4");
    context->disableProtocols(Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
                              Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
    Poco::Net::SecureServerSocket socket(addr, 64, context);
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(runtime_), socket, params);
  } else {
    Poco::Net::ServerSocket socket(addr);
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(runtime_), socket, params);
  }
  server_->start();
}

void Service::stop() {
  if (server_) {
    server_->stopAll(false);
    server_.reset();
  }
  // A request thread may still hold the runtime when the server stops; the jobs it started are
  // waited for here, so a stop never returns while an entitlement run is still writing.
  if (runtime_) runtime_->jobs.waitAll();
}

uint16_t Service::port() const { return server_ ? server_->port() : 0; }

}  // namespace edupay::api
