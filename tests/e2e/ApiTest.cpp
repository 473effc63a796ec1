#include <gtest/gtest.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/AcceptCertificateHandler.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPCookie.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <sys/stat.h>

#include <barrier>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "api/Env.h"
#include "api/Service.h"
#include "app/Cli.h"
#include "bankfiles/BankFiles.h"
#include "common/AtomicFile.h"
#include "common/Csv.h"
#include "common/Xlsx.h"
#include "security/PasswordHasher.h"
#include "store/BatchFixture.h"

namespace edupay::api {
const std::string& openApiDocument();
}

namespace edupay::testing {
namespace {

namespace fs = std::filesystem;
using security::Role;

struct Http {
  int status = 0;
  std::string body, content_type, allow, location, csp, retry_after;
  Poco::JSON::Object::Ptr json() const {
    return Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
  }
  std::string errorCode() const {
    auto o = json();
    return o->has("error") ? o->getObject("error")->getValue<std::string>("code") : "";
  }
};

/// An error answer tells people what happened in their terms: never driver text, SQL, a server
/// path or a stack trace. Every error any API test provokes goes through here.
void expectNothingInternal(const Http& h, const std::string& what) {
  if (h.status < 400) return;
  for (const char* leak : {"SQL",       "sqlite",     "SQLite",  "MySQL",           "MariaDB",
                           "mysql",     "constraint", "UNIQUE",  "Duplicate entry", "FOREIGN KEY",
                           "SELECT ",   "INSERT ",    "UPDATE ", "DELETE FROM",     " WHERE ",
                           "errno",     "/tmp/",      "/work/",  "/var/",           ".cpp",
                           "#0 ",       " 0x",        "std::",   "Poco::",          "terminate",
                           "Exception", "exception",  "what():", "backtrace",       "Assertion"}) {
    EXPECT_EQ(h.body.find(leak), std::string::npos)
        << what << ": " << h.status << " answer carries \"" << leak << "\": " << h.body;
  }
}

Http call(Poco::Net::HTTPClientSession& session, const std::string& method, const std::string& path,
          const std::string& token = "", const std::string& body = "",
          const std::string& content_type = "application/json",
          const std::string& language = "en") {
  Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!token.empty()) req.set("Authorization", "Bearer " + token);
  // These tests read the English texts; HealthReadyAndTheOneErrorShape checks the Chinese.
  if (!language.empty()) req.set("Accept-Language", language);
  if (method == "POST" || method == "PUT") {
    req.setContentType(content_type);
    req.setContentLength64(static_cast<Poco::Int64>(body.size()));
  }
  session.sendRequest(req) << body;
  Poco::Net::HTTPResponse resp;
  std::istream& in = session.receiveResponse(resp);
  Http h;
  Poco::StreamCopier::copyToString(in, h.body);
  h.status = static_cast<int>(resp.getStatus());
  h.content_type = resp.getContentType();
  h.allow = resp.get("Allow", "");
  h.location = resp.get("Location", "");
  h.csp = resp.get("Content-Security-Policy", "");
  h.retry_after = resp.get("Retry-After", "");
  expectNothingInternal(h, method + " " + path);
  return h;
}

/// The batch fixture with an exported batch, users of every role in and out of scope, and the
/// service running in-process on a free port.
class ApiTest : public BatchFixture {
 protected:
  ApiTest() {
    std::string key(security::FieldCipher::kKeyBytes, '\x01');
    writeFileAtomically(path("field.key"),
                        "edupay-field-key-v1\n" + security::base64Encode(key) + "\n");
    ::chmod(path("field.key").c_str(), 0600);
    security::SigningKey::generate(path("bureau.pem"));
    store.setPayer({"430121", "102", "6212260000000430121", "长沙县教育局学生资助专户"});
    const std::pair<const char*, std::pair<Role, const char*>> users[] = {
        {"admin", {Role::kSysadmin, "*"}},
        {"school_in", {Role::kSchoolAdmin, "4301210001"}},
        {"school_out", {Role::kSchoolAdmin, "4301990001"}},
        {"head_in", {Role::kSchoolApprover, "4301210001"}},
        {"head_out", {Role::kSchoolApprover, "4301990001"}},
        {"officer_in", {Role::kBureauOfficer, "430121"}},
        {"officer_out", {Role::kBureauOfficer, "430122"}},
        {"approver_in", {Role::kBureauApprover, "4301"}},
        {"approver_out", {Role::kBureauApprover, "4302"}},
        {"auditor_in", {Role::kAuditor, "43"}},
        {"auditor_out", {Role::kAuditor, "44"}},
        {"bank_in", {Role::kBankOperator, "102"}},
        {"bank_out", {Role::kBankOperator, "103"}},
    };
    for (const auto& [name, rs] : users) {
      security::User u;
      u.name = name;
      u.role = rs.first;
      u.scope = rs.second;
      u.password_hash = security::PasswordHasher::forTests().hash(std::string("password-") + name);
      u.created_on = u.updated_on = "2026-09-01T00:00:00+08:00";
      audit.addUser(u);
      roles[name] = rs.first;
    }
    batch = submitted();
    disburse::approveBatch(store, audit, approver1, batch);
    config.port = 0;
    config.threads = 4;
    config.db_url = f.scratch.url();
    config.key_file = path("field.key");
    config.signing_key = path("bureau.pem");
    config.files_dir = path("files");
    config.max_body_bytes = 1 << 20;
    service = std::make_unique<api::Service>(config);
    service->start();
    session = std::make_unique<Poco::Net::HTTPClientSession>("127.0.0.1", service->port());
    const auto exported =
        call("POST", "/api/v1/batches/" + std::to_string(batch) + "/export", token("officer_in"));
    EXPECT_EQ(exported.status, 200) << exported.body;
  }
  ~ApiTest() override {
    ::unsetenv("EDUPAY_NOW");
    if (service) service->stop();
  }

  std::string path(const std::string& name) const { return f.scratch.dir() + "/" + name; }

  Http call(const std::string& method, const std::string& p, const std::string& tok = "",
            const std::string& body = "", const std::string& type = "application/json") {
    return testing::call(*session, method, p, tok, body, type);
  }

  std::string token(const std::string& name) {
    auto it = tokens.find(name);
    if (it != tokens.end()) return it->second;
    const auto r = call("POST", "/api/v1/login", "",
                        "{\"name\": \"" + name + "\", \"password\": \"password-" + name + "\"}");
    EXPECT_EQ(r.status, 200) << r.body;
    return tokens[name] = r.json()->getValue<std::string>("token");
  }

  std::string fileName() {
    const auto files = store.exportedFiles(batch);
    return files.empty() ? "" : files[0].file_name;
  }

  /// Computes the entitlements of `term` (as the fixture did for 2026-autumn); the eligible count.
  int64_t entitle(const std::string& term) {
    const auto policy =
        rules::loadPolicyFile(std::string(EDUPAY_SOURCE_DIR) + "/policies/hunan.json");
    store::SqlEntitlementStore ents(*f.db);
    rules::EntitleOptions o;
    o.term = Term::parse(term);
    return rules::runEntitlements(ents, policy, policy_id, o).eligible;
  }

  /// The path of a row of the equivalence table: one for both doors, or one per variant.
  struct PathOf {
    std::function<std::string(int)> of;
    PathOf(const char* p) : PathOf(std::string(p)) {}
    PathOf(std::string p) : of([p = std::move(p)](int) { return p; }) {}
    template <typename F>
    requires std::is_invocable_r_v<std::string, F, int> PathOf(F f) : of(std::move(f)) {}
  };
  /// A row of the equivalence table: one use case through the command line and the API. Each call
  /// gets its own variant `v` (even for the command line, odd for the API): values that must
  /// differ (an account number, a file name) use it, and a row whose first door's effect would
  /// decide the second's (a batch submitted once cannot be submitted again) gives each door its
  /// own twin object by the variant's parity.
  struct UseCase {
    std::string name;
    std::function<std::vector<std::string>(int)> cli;
    std::string method;
    PathOf path;
    std::function<std::string(int)> body;
    std::string type = "application/json";
    bool job = false;  ///< the API answers 202 with a background job: its outcome is the job's
  };
  struct Tally {
    int compared = 0, done = 0;
    std::map<std::string, std::vector<std::string>> done_by;       ///< row name -> users, in order
    std::map<std::string, std::vector<std::string>> unchanged_by;  ///< done, no audit event
  };

  /// Waits for a job the API started and gives its outcome.
  std::string jobOutcome(const Http& started, const std::string& who) {
    const std::string poll = started.json()->getValue<std::string>("poll");
    for (int i = 0; i < 1200; ++i) {
      const auto j = call("GET", poll, token(who));
      if (j.status != 200) return "job status " + std::to_string(j.status);
      const auto status = j.json()->getValue<std::string>("status");
      if (status == "done") return "done";
      if (status != "running")
        return "job " + status + ": " + j.json()->optValue("error", std::string());
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return "job still running";
  }

  /// Runs every row as every user, first through the command line and then through the API on
  /// the same database, and expects the same outcome and the same audit events (action and
  /// object, by the same actor; logins aside, as the command line logs in each time).
  Tally throughBothDoors(const std::vector<UseCase>& cases, const std::vector<std::string>& users) {
    Tally t;
    for (const auto& uc : cases) {
      for (const auto& who : users) {
        const std::string what = uc.name + " as " + who;
        round += 2;
        std::vector<std::string> args = {"--db", config.db_url, "--key-file", config.key_file};
        for (auto& a : uc.cli(round)) args.push_back(a);
        args.insert(args.end(), {"--as", who});
        ::setenv("EDUPAY_PASSWORD", ("password-" + who).c_str(), 1);
        int64_t before = lastAuditSeq();
        std::ostringstream out, err;
        const std::string by_cli = cliOutcome(app::runCli(args, out, err));
        const auto cli_events = auditSince(before);
        ::unsetenv("EDUPAY_PASSWORD");
        const std::string tok = token(who);
        before = lastAuditSeq();
        const auto reply = call(uc.method, uc.path.of(round + 1), tok, uc.body(round + 1), uc.type);
        const std::string by_api =
            uc.job && reply.status == 202 ? jobOutcome(reply, who) : apiOutcome(reply.status);
        const auto api_events = auditSince(before);
        EXPECT_EQ(by_cli, by_api) << what << "\n  command line: " << err.str() << out.str()
                                  << "\n  API: " << reply.body;
        EXPECT_EQ(cli_events, api_events) << what;
        if (by_cli == "done") {
          ++t.done;
          t.done_by[uc.name].push_back(who);
          if (cli_events.empty()) {
            t.unchanged_by[uc.name].push_back(who);  // done, and nothing to change
          } else {
            EXPECT_EQ(cli_events.size(), 1u) << what << ": one audit event per change";
          }
        }
        ++t.compared;
      }
    }
    return t;
  }

  static std::string cliOutcome(int code) {
    switch (code) {
      case 0:
        return "done";
      case 1:
      case 2:
        return "invalid";
      case 3:
        return "not found";
      case 4:
        return "conflict";
      case 5:
        return "refused";
      default:
        return "exit " + std::to_string(code);
    }
  }
  static std::string apiOutcome(int status) {
    if (status >= 200 && status < 300) return "done";
    if (status == 400 || status == 422) return "invalid";
    if (status == 404) return "not found";
    if (status == 409) return "conflict";
    if (status == 403) return "refused";
    return "status " + std::to_string(status);
  }
  /// What was appended to the audit chain after `seq`, logins and migrations aside.
  std::vector<std::string> auditSince(int64_t seq) {
    std::vector<std::string> out;
    for (const auto& e : audit.auditEvents(seq, 100)) {
      if (e.action == "login" || e.action == "schema.migrate") continue;
      out.push_back(e.actor + " " + e.action + " " + e.object.substr(0, e.object.find(':')));
    }
    return out;
  }
  int64_t lastAuditSeq() { return audit.lastAudit() ? audit.lastAudit()->first : int64_t{0}; }

  api::ServiceConfig config;
  std::unique_ptr<api::Service> service;
  std::unique_ptr<Poco::Net::HTTPClientSession> session;
  std::map<std::string, std::string> tokens;
  std::map<std::string, Role> roles;
  int64_t batch = 0;
  int round = 0;  ///< the equivalence table's variant: each call its own values
};

TEST_P(ApiTest, HealthReadyAndTheOneErrorShape) {
  EXPECT_EQ(call("GET", "/health").status, 200);
  const auto ready = call("GET", "/ready");
  EXPECT_EQ(ready.status, 200);
  EXPECT_TRUE(ready.json()->getValue<bool>("ready"));
  const auto missing = call("GET", "/api/v1/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.errorCode(), "not_found");
  const auto wrong = call("DELETE", "/api/v1/batches/1");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.allow, "GET");
  const auto anonymous = call("GET", "/api/v1/me");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(anonymous.errorCode(), "unauthenticated");
  const auto bad_id = call("GET", "/api/v1/batches/abc", token("officer_in"));
  EXPECT_EQ(bad_id.status, 400);
  EXPECT_NE(bad_id.body.find("id must be a number"), std::string::npos);
  std::string deep = "{\"reason\": ";
  for (int i = 0; i < 40; ++i) deep += "[";
  const auto too_deep = call("POST", "/api/v1/batches/1/reject", token("approver_in"), deep);
  EXPECT_EQ(too_deep.status, 400);
  EXPECT_NE(too_deep.body.find("nested deeper"), std::string::npos);
  const auto big =
      call("POST", "/api/v1/results", token("bank_in"), std::string(2 << 20, 'x'), "text/plain");
  EXPECT_EQ(big.status, 413);
  for (const auto* r : {&missing, &wrong, &anonymous, &bad_id, &too_deep, &big}) {
    EXPECT_NE(r->content_type.find("application/json"), std::string::npos);
    EXPECT_TRUE(r->json()->getObject("error")->has("message")) << r->body;
    EXPECT_EQ(r->body.find("SQL"), std::string::npos) << r->body;
  }
  // The text is in the reader's language: Chinese unless the request asks for English; the code
  // and the arguments are the same either way.
  for (const auto& [language, text] : std::vector<std::pair<std::string, std::string>>{
           {"", "没有这个接口：/api/v1/nope"},
           {"zh-CN,zh;q=0.9,en;q=0.8", "没有这个接口：/api/v1/nope"},
           {"en-US,en;q=0.9", "no such endpoint: /api/v1/nope"}}) {
    const auto r = testing::call(*session, "GET", "/api/v1/nope", "", "", "", language);
    const auto error = r.json()->getObject("error");
    EXPECT_EQ(error->getValue<std::string>("message"), text) << language;
    EXPECT_EQ(error->getValue<std::string>("message_code"), "api.no_endpoint");
    EXPECT_EQ(error->getObject("args")->getValue<std::string>("path"), "/api/v1/nope");
  }
  const auto refused = testing::call(*session, "GET", "/api/v1/audit/events?lang=zh",
                                     token("bank_in"), "", "", "en");
  EXPECT_NE(
      refused.json()->getObject("error")->getValue<std::string>("message").find("银行操作员无权"),
      std::string::npos)
      << "?lang= on a link wins over the header: " << refused.body;
}

TEST_P(ApiTest, LoginLogoutLockoutAndExpiry) {
  const std::string t = token("officer_in");
  EXPECT_EQ(call("GET", "/api/v1/me", t).status, 200);
  EXPECT_EQ(call("POST", "/api/v1/logout", t).status, 200);
  EXPECT_EQ(call("GET", "/api/v1/me", t).status, 401) << "logout revokes the token";
  EXPECT_EQ(f.count("sessions", "token_hash = '" + t + "'"), 0) << "only the hash is stored";

  for (int i = 0; i < 5; ++i) {
    const auto r = call("POST", "/api/v1/login", "", R"({"name": "auditor_in", "password": "x"})");
    EXPECT_EQ(r.status, 401);
  }
  const auto locked = call("POST", "/api/v1/login", "",
                           R"({"name": "auditor_in", "password": "password-auditor_in"})");
  EXPECT_EQ(locked.status, 401);
  // Unknown, wrong, locked and disabled read the same: the lock is told to its owner by the
  // audit log and the officer's user list, not to whoever is guessing.
  const auto unknown = call("POST", "/api/v1/login", "", R"({"name": "nobody", "password": "x"})");
  const auto wrong =
      call("POST", "/api/v1/login", "", R"({"name": "officer_in", "password": "x"})");
  auto disabled_user = *audit.findUser("auditor_out");
  disabled_user.disabled = true;
  audit.updateUser(disabled_user);
  const auto disabled = call("POST", "/api/v1/login", "",
                             R"({"name": "auditor_out", "password": "password-auditor_out"})");
  for (const auto* r : {&unknown, &wrong, &disabled}) {
    EXPECT_EQ(r->status, 401);
    EXPECT_EQ(r->body, locked.body);
  }
  EXPECT_EQ(locked.body.find("locked"), std::string::npos) << locked.body;
  EXPECT_EQ(locked.body.find("auditor_in"), std::string::npos) << locked.body;
  EXPECT_EQ(testing::countAuditWords(*f.db, "login.failed", "wrong password (5), locked until"), 1);
  EXPECT_EQ(testing::countAuditWords(*f.db, "login.failed", "locked until"), 1);
  const auto failed = testing::auditWords(*f.db, "login.failed");
  EXPECT_EQ(std::count(failed.begin(), failed.end(), "disabled"), 1);

  const std::string t2 = token("approver_in");
  EXPECT_EQ(call("GET", "/api/v1/me", t2).status, 200);
  ::setenv("EDUPAY_NOW", "4070908800", 1);  // 2099-01-01, seconds since the epoch
  EXPECT_EQ(call("GET", "/api/v1/me", t2).status, 401) << "an expired session is refused";
  ::unsetenv("EDUPAY_NOW");
}

/// Sends `head` (request line and headers, no blank line) and `body` on a fresh connection and
/// returns what the service answers within `seconds` (empty when it said nothing in time).
std::string rawExchange(uint16_t port, const std::string& head, const std::string& body,
                        int seconds = 5) {
  Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", port));
  socket.setReceiveTimeout(Poco::Timespan(seconds, 0));
  const std::string out = head + "\r\n\r\n" + body;
  socket.sendBytes(out.data(), static_cast<int>(out.size()));
  std::string answer;
  char buf[4096];
  try {
    while (answer.find("\r\n\r\n") == std::string::npos) {
      const int n = socket.receiveBytes(buf, sizeof buf);
      if (n <= 0) break;
      answer.append(buf, static_cast<size_t>(n));
    }
  } catch (const Poco::Exception&) {
  }
  return answer;
}

TEST_P(ApiTest, NoBodyIsReadBeforeTheCallerIsKnownAndAllowed) {
  const uint16_t port = service->port();
  // Each request announces 64 MiB and sends 10 bytes: an answer can only come before the body.
  const std::string big = "Content-Length: 67108864\r\nContent-Type: text/csv";
  const auto anonymous =
      rawExchange(port, "POST /api/v1/rolls HTTP/1.1\r\nHost: 127.0.0.1\r\n" + big, "0123456789");
  EXPECT_EQ(anonymous.rfind("HTTP/1.1 401", 0), 0u) << anonymous;
  EXPECT_NE(anonymous.find("Connection: Close"), std::string::npos) << anonymous;
  const auto wrong_role = rawExchange(port,
                                      "POST /api/v1/rolls HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                      "Authorization: Bearer " +
                                          token("auditor_in") + "\r\n" + big,
                                      "0123456789");
  EXPECT_EQ(wrong_role.rfind("HTTP/1.1 403", 0), 0u) << wrong_role;
  const auto bad_token = rawExchange(port,
                                     "POST /api/v1/results HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                     "Authorization: Bearer " +
                                         std::string(64, 'a') + "\r\n" + big,
                                     "0123456789");
  EXPECT_EQ(bad_token.rfind("HTTP/1.1 401", 0), 0u) << bad_token;
  // Login is public, and its body is capped small: refused on the announced length alone.
  const auto huge_login = rawExchange(
      port,
      "POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      "Content-Length: 1000000",
      "{");
  EXPECT_EQ(huge_login.rfind("HTTP/1.1 413", 0), 0u) << huge_login;
  // A JSON route takes at most 64 KiB; only uploads take http.max_body_bytes.
  const auto json = call("POST", "/api/v1/batches/1/reject", token("approver_in"),
                         "{\"reason\": \"" + std::string(100 * 1024, 'x') + "\"}");
  EXPECT_EQ(json.status, 413) << json.body;
  // A small unread body is drained, so the kept-alive connection still serves the next request.
  const auto refused = call("POST", "/api/v1/rolls", "", "a,b\n1,2\n", "text/csv");
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(call("GET", "/health").status, 200);
}

TEST_P(ApiTest, UploadsAreReadAFewAtATime) {
  service->stop();
  config.max_uploads = 1;
  service = std::make_unique<api::Service>(config);
  service->start();
  session = std::make_unique<Poco::Net::HTTPClientSession>("127.0.0.1", service->port());
  tokens.clear();
  const std::string tok = token("bank_in");
  // One upload in flight: its body is announced and only half sent.
  Poco::Net::StreamSocket slow(Poco::Net::SocketAddress("127.0.0.1", service->port()));
  const std::string head =
      "POST /api/v1/results HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + tok +
      "\r\nContent-Type: text/plain\r\nContent-Length: 20\r\n\r\n0123456789";
  slow.sendBytes(head.data(), static_cast<int>(head.size()));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the service takes the slot
  Http busy;
  for (int i = 0; i < 100; ++i) {  // until the service has taken the slot
    busy = call("POST", "/api/v1/results", tok, "a result file", "text/plain");
    if (busy.status == 503) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(busy.status, 503) << busy.body;
  EXPECT_EQ(busy.errorCode(), "busy");
  EXPECT_EQ(busy.retry_after, "5");
  // A JSON request is no upload and is served meanwhile.
  EXPECT_EQ(call("GET", "/api/v1/me", tok).status, 200);
  slow.sendBytes("0123456789", 10);
  char buf[1024];
  slow.setReceiveTimeout(Poco::Timespan(10, 0));
  const int n = slow.receiveBytes(buf, sizeof buf);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buf, static_cast<size_t>(n)).rfind("HTTP/1.1 400", 0), 0u)
      << "the slow upload was read and answered: not a result file: "
      << std::string(buf, static_cast<size_t>(n));
  slow.close();
  const auto after = call("POST", "/api/v1/results", tok, "another", "text/plain");
  EXPECT_EQ(after.status, 400) << "the slot is free again: " << after.body;
  EXPECT_EQ(after.body.find(config.files_dir), std::string::npos) << "no server path";
}

TEST_P(ApiTest, LoginTakesOnlyJsonFromItsOwnOrigin) {
  const std::string body = R"({"name": "officer_in", "password": "password-officer_in"})";
  // A cross-site HTML form can post text/plain or a url-encoded form without asking.
  for (const char* type :
       {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""}) {
    const auto r = call("POST", "/api/v1/login", "", body, type);
    EXPECT_EQ(r.status, 415) << type << ": " << r.body;
    EXPECT_EQ(r.errorCode(), "unsupported_media_type");
  }
  EXPECT_EQ(call("POST", "/api/v1/login", "", body, "application/json; charset=utf-8").status, 200);
  auto withOrigin = [&](const std::string& origin) {
    Poco::Net::HTTPRequest req("POST", "/api/v1/login", Poco::Net::HTTPMessage::HTTP_1_1);
    req.setContentType("application/json");
    req.setContentLength64(static_cast<Poco::Int64>(body.size()));
    req.set("Origin", origin);
    session->sendRequest(req) << body;
    Poco::Net::HTTPResponse resp;
    std::string text;
    Poco::StreamCopier::copyToString(session->receiveResponse(resp), text);
    return std::make_pair(static_cast<int>(resp.getStatus()), text);
  };
  const std::string own = "http://127.0.0.1:" + std::to_string(service->port());
  EXPECT_EQ(withOrigin(own).first, 200);
  for (const std::string& other :
       std::vector<std::string>{"http://evil.example", "null", own + ".evil.example",
                                "https://127.0.0.1:" + std::to_string(service->port())}) {
    const auto r = withOrigin(other);
    EXPECT_EQ(r.first, 403) << other << ": " << r.second;
    EXPECT_EQ(r.second.find("\"token\""), std::string::npos);
  }
}

TEST_P(ApiTest, APasswordChangeOrDisableEndsTheUsersOtherSessions) {
  auto login = [&](const std::string& name) {
    const auto r = call("POST", "/api/v1/login", "",
                        "{\"name\": \"" + name + "\", \"password\": \"password-" + name + "\"}");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json()->getValue<std::string>("token");
  };
  const std::string phone = login("officer_in"), desk = login("officer_in");
  const std::string other = login("approver_in");
  const auto admin = *audit.findUser("admin");
  security::changeUser(audit, admin, "officer_in", "passwd", "New-password-2026");
  EXPECT_EQ(call("GET", "/api/v1/me", phone).status, 401);
  EXPECT_EQ(call("GET", "/api/v1/me", desk).status, 401);
  EXPECT_EQ(call("GET", "/api/v1/me", other).status, 200) << "other users keep theirs";
  EXPECT_EQ(call("POST", "/api/v1/login", "",
                 R"({"name": "officer_in", "password": "New-password-2026"})")
                .status,
            200);

  const std::string approver_desk = login("approver_in");
  security::changeUser(audit, admin, "approver_in", "disable");
  EXPECT_EQ(call("GET", "/api/v1/me", approver_desk).status, 401);
  security::changeUser(audit, admin, "approver_in", "enable");
  EXPECT_EQ(call("GET", "/api/v1/me", approver_desk).status, 401)
      << "enabling again does not bring old sessions back";
  EXPECT_EQ(f.count("sessions", "user_name = 'officer_in' AND revoked = 0"), 1)
      << "only the session opened after the change";
}

TEST_P(ApiTest, ConcurrentUploadsOfOneResultFileAnswerInWords) {
  std::string result = "序号|参考号|账号|金额|状态|原因码|原因|银行流水号|\r\n";
  auto s =
      f.db->prepare("SELECT seq, end_to_end_ref FROM payments WHERE batch_id = ? ORDER BY seq");
  s->bind(1, batch);
  while (s->next())
    result += std::to_string(s->getInt(0)) + "|" + s->getText(1) + "|6222|250.00|S|||T" +
              std::to_string(s->getInt(0)) + "|\r\n";
  s.reset();
  const std::string file = utf8ToGb18030(withPipeSummary(result));
  constexpr int kUploads = 4;
  service->stop();
  config.max_uploads = kUploads;  // all of them at once, none turned away as busy
  service = std::make_unique<api::Service>(config);
  service->start();
  session = std::make_unique<Poco::Net::HTTPClientSession>("127.0.0.1", service->port());
  tokens.clear();
  const std::string tok = token("bank_in");
  std::vector<Http> answers(kUploads);
  std::barrier start(kUploads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kUploads; ++i) {
    threads.emplace_back([&, i] {
      Poco::Net::HTTPClientSession own("127.0.0.1", service->port());
      start.arrive_and_wait();
      answers[static_cast<size_t>(i)] =
          testing::call(own, "POST", "/api/v1/results", tok, file, "text/plain");
    });
  }
  for (auto& t : threads) t.join();
  int applied = 0;
  for (const auto& a : answers) {
    if (a.status == 200 && !a.json()->getValue<bool>("already_imported")) ++applied;
    if (a.status == 200) continue;
    EXPECT_EQ(a.status, 409) << a.body;
    EXPECT_NE(a.body.find("already imported at"), std::string::npos) << a.body;
  }
  EXPECT_EQ(applied, 1);
  const auto detail = call("GET", "/api/v1/batches/" + std::to_string(batch), token("officer_in"));
  EXPECT_EQ(detail.json()->getValue<std::string>("status"), "settled") << detail.body;
}

TEST_P(ApiTest, OutOfScopeReadsExactlyLikeNotFound) {
  // A school in another county, a pupil of another school, a batch or payment of another county
  // or bank: the same status and the same words as an identifier that was never issued.
  auto same = [&](const Http& there, const Http& nowhere, const std::string& there_id,
                  const std::string& nowhere_id) {
    EXPECT_EQ(there.status, 404) << there.body;
    EXPECT_EQ(nowhere.status, 404) << nowhere.body;
    // The id may appear in the sentence and in its arguments.
    auto replaced = [](std::string s, const std::string& id) {
      for (auto at = s.find(id); at != std::string::npos; at = s.find(id, at + 2))
        s.replace(at, id.size(), "ID");
      return s;
    };
    EXPECT_EQ(replaced(there.body, there_id), replaced(nowhere.body, nowhere_id));
  };
  const std::string notice = R"({"programme": "compulsory_nonboarding_allowance", )"
                             R"("term": "2026-autumn", "school": ")";
  same(call("POST", "/api/v1/notices", token("officer_out"), notice + R"(4301210001"})"),
       call("POST", "/api/v1/notices", token("officer_out"), notice + R"(4301229999"})"),
       "4301210001", "4301229999");
  const std::string rid = makeId("430121", "20170315", 1);
  const std::string person =
      std::to_string(call("GET", "/api/v1/students?resident_id=" + rid, token("officer_in"))
                         .json()
                         ->getValue<int64_t>("person_id"));
  const std::string level = R"({"academic_year": "2026", "level": "none"})";
  same(call("POST", "/api/v1/students/" + person + "/difficulty", token("school_out"), level),
       call("POST", "/api/v1/students/99999/difficulty", token("school_out"), level), person,
       "99999");
  same(call("GET", "/api/v1/students/" + person, token("school_out")),
       call("GET", "/api/v1/students/99999", token("school_out")), person, "99999");
  const std::string b = std::to_string(batch);
  same(call("GET", "/api/v1/batches/" + b, token("bank_out")),
       call("GET", "/api/v1/batches/99999", token("bank_out")), b, "99999");
  same(call("POST", "/api/v1/batches/" + b + "/close", token("officer_out")),
       call("POST", "/api/v1/batches/99999/close", token("officer_out")), b, "99999");
  const std::string ref = store.exportRows(batch, 1, 1, 1).at(0).reference;
  same(call("GET", "/api/v1/payments/" + ref, token("auditor_out")),
       call("GET", "/api/v1/payments/EDU9999999999999999A1", token("auditor_out")), ref,
       "EDU9999999999999999A1");
  same(call("GET", "/api/v1/explain?term=2026-autumn&resident_id=" + rid, token("school_out")),
       call("GET",
            "/api/v1/explain?term=2026-autumn&resident_id=" + makeId("430121", "20170315", 98),
            token("school_out")),
       rid, makeId("430121", "20170315", 98));
}

TEST_P(ApiTest, ADriverConflictIsASentence) {
  // Any duplicate the store did not foresee: said in words; the driver text stays in detail().
  try {
    store::execute(*f.db,
                   "INSERT INTO result_imports (sha256, file_name, imported_by, imported_at) "
                   "VALUES ('x', 'f', 'u', '2026-01-01T00:00:00+08:00')");
    store::execute(*f.db,
                   "INSERT INTO result_imports (sha256, file_name, imported_by, imported_at) "
                   "VALUES ('x', 'f', 'u', '2026-01-01T00:00:00+08:00')");
    FAIL() << "a duplicate digest is refused";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kConflict);
    EXPECT_EQ(std::string(e.what()).find("SQL"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("UNIQUE"), std::string::npos) << e.what();
    EXPECT_FALSE(e.detail().empty()) << "the driver's words are kept for the log";
  }
}

TEST_P(ApiTest, TheBrowserSessionIsAnHttpOnlyCookieWithCsrfProtection) {
  Poco::Net::HTTPRequest login("POST", "/api/v1/login", Poco::Net::HTTPMessage::HTTP_1_1);
  const std::string body = R"({"name": "approver_in", "password": "password-approver_in"})";
  login.setContentType("application/json");
  login.setContentLength64(static_cast<Poco::Int64>(body.size()));
  session->sendRequest(login) << body;
  Poco::Net::HTTPResponse resp;
  std::string reply;
  Poco::StreamCopier::copyToString(session->receiveResponse(resp), reply);
  std::vector<Poco::Net::HTTPCookie> cookies;
  resp.getCookies(cookies);
  std::string token, csrf;
  for (const auto& c : cookies) {
    if (c.getName() == "edupay_session") {
      token = c.getValue();
      EXPECT_TRUE(c.getHttpOnly()) << "the page's scripts never see the session";
    }
    if (c.getName() == "edupay_csrf") csrf = c.getValue();
  }
  ASSERT_EQ(token.size(), 64u);
  ASSERT_FALSE(csrf.empty());
  EXPECT_NE(resp.get("Set-Cookie", "").find("SameSite=Strict"), std::string::npos);
  auto withCookie = [&](const std::string& method, const std::string& p, const std::string& x) {
    Poco::Net::HTTPRequest req(method, p, Poco::Net::HTTPMessage::HTTP_1_1);
    Poco::Net::NameValueCollection jar;
    jar.add("edupay_session", token);
    req.setCookies(jar);
    if (!x.empty()) req.set("X-CSRF-Token", x);
    req.setContentType("application/json");
    const std::string b = R"({"reason": "checked by phone"})";
    if (method == "POST") req.setContentLength64(static_cast<Poco::Int64>(b.size()));
    auto& out = session->sendRequest(req);
    if (method == "POST") out << b;
    Poco::Net::HTTPResponse r;
    std::string text;
    Poco::StreamCopier::copyToString(session->receiveResponse(r), text);
    return std::make_pair(static_cast<int>(r.getStatus()), text);
  };
  EXPECT_EQ(withCookie("GET", "/api/v1/me", "").first, 200);
  const auto forged =
      withCookie("POST", "/api/v1/batches/" + std::to_string(batch) + "/reject", "");
  EXPECT_EQ(forged.first, 403);
  EXPECT_NE(forged.second.find("X-CSRF-Token"), std::string::npos);
  EXPECT_EQ(
      withCookie("POST", "/api/v1/batches/" + std::to_string(batch) + "/reject", "0000").first,
      403);
  // With the token the request reaches the workflow (which refuses: the batch was exported).
  const auto real =
      withCookie("POST", "/api/v1/batches/" + std::to_string(batch) + "/reject", csrf);
  EXPECT_EQ(real.second.find("X-CSRF-Token"), std::string::npos) << real.second;
}

// Every route x every role x in-scope and out-of-scope objects.
TEST_P(ApiTest, TheOfficerRecordsThePayingAccountAtEachBank) {
  // What is in force: the county's account at ICBC, none yet at the other banks.
  const auto listed = call("GET", "/api/v1/payers", token("officer_in"));
  ASSERT_EQ(listed.status, 200) << listed.body;
  const auto payers = listed.json()->getArray("payers");
  ASSERT_GE(payers->size(), 5u) << listed.body;
  EXPECT_EQ(payers->getObject(0)->getValue<std::string>("bank_code"), "102");
  EXPECT_EQ(payers->getObject(0)->getValue<std::string>("account"), "6212260000000430121");
  EXPECT_FALSE(payers->getObject(0)->getValue<bool>("inherited"));
  EXPECT_EQ(payers->getObject(1)->getValue<std::string>("account"), "") << listed.body;

  // A wrong number is refused in the reader's words, and nothing is recorded.
  const auto wrong = testing::call(*session, "PUT", "/api/v1/payers/103", token("officer_in"),
                                   R"({"account": "62 abc", "name": "长沙县教育局学生资助专户"})",
                                   "application/json", "zh");
  EXPECT_EQ(wrong.status, 400) << wrong.body;
  EXPECT_NE(wrong.body.find("付款账号有误"), std::string::npos) << wrong.body;
  const auto formula = call("PUT", "/api/v1/payers/103", token("officer_in"),
                            R"({"account": "6228480000000430121", "name": "=1+1"})");
  EXPECT_EQ(formula.status, 400) << formula.body;
  EXPECT_EQ(call("PUT", "/api/v1/payers/999", token("officer_in"),
                 R"({"account": "6228480000000430121", "name": "长沙县教育局"})")
                .status,
            404);
  EXPECT_EQ(store.payer("430121", "103"), std::nullopt);

  // Recorded for the officer's county, audited with what it replaced.
  const auto set =
      call("PUT", "/api/v1/payers/103", token("officer_in"),
           R"({"account": "6228 4800 0000 0430 121", "name": "长沙县教育局学生资助专户"})");
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(set.json()->getValue<std::string>("account"), "6228480000000430121");
  EXPECT_EQ(set.json()->getValue<std::string>("region"), "430121");
  ASSERT_TRUE(store.payer("430121", "103"));
  EXPECT_EQ(store.payer("430121", "103")->name, "长沙县教育局学生资助专户");
  const auto changed = call("PUT", "/api/v1/payers/102", token("officer_in"),
                            R"({"account": "6212260000000430999", "name": "长沙县财政局专户"})");
  ASSERT_EQ(changed.status, 200) << changed.body;
  const auto events = testing::call(*session, "GET", "/api/v1/audit/events?action=bank.payer",
                                    token("auditor_in"), "", "", "zh");
  ASSERT_EQ(events.status, 200) << events.body;
  const auto list = events.json()->getArray("events");
  ASSERT_EQ(list->size(), 2u) << events.body;
  EXPECT_EQ(list->getObject(0)->getValue<std::string>("object"), "payer:430121/102");
  EXPECT_EQ(list->getObject(0)->getValue<std::string>("before"),
            "付款账户 6212***********0121（长沙县教育局学生资助专户）")
      << events.body;
  EXPECT_EQ(list->getObject(0)->getValue<std::string>("after"),
            "付款账户 6212***********0999（长沙县财政局专户）")
      << events.body;
  EXPECT_EQ(list->getObject(1)->getValue<std::string>("before"), "") << events.body;

  // Only an officer over the county records one; approvers and auditors read them.
  EXPECT_EQ(call("PUT", "/api/v1/payers/104", token("approver_in"),
                 R"({"account": "6228480000000430121", "name": "x"})")
                .status,
            403);
  EXPECT_EQ(call("PUT", "/api/v1/payers/104", token("officer_in"),
                 R"({"region": "430122", "account": "6228480000000430121", "name": "二县"})")
                .status,
            403);
  EXPECT_EQ(call("GET", "/api/v1/payers", token("approver_in")).status, 200);
  const auto other = call("GET", "/api/v1/payers", token("officer_out"));
  ASSERT_EQ(other.status, 200) << other.body;
  EXPECT_EQ(other.body.find("430121"), std::string::npos) << other.body;
}

TEST_P(ApiTest, TheWholeAuthorisationMatrix) {
  api::Router router;
  api::addRoutes(router);
  const std::string rid = makeId("430121", "20170315", 1);
  const std::string b = std::to_string(batch);
  const std::string person =
      std::to_string(call("GET", "/api/v1/students?resident_id=" + rid, token("officer_in"))
                         .json()
                         ->getValue<int64_t>("person_id"));
  const std::string reference = store.exportRows(batch, 1, 1, 1).at(0).reference;
  const auto notice = call("POST", "/api/v1/notices", token("officer_in"),
                           R"({"programme": "compulsory_nonboarding_allowance", )"
                           R"("term": "2026-autumn", "school": "4301210001"})");
  ASSERT_EQ(notice.status, 200) << notice.body;
  const std::string notice_file = notice.json()->getValue<std::string>("html");
  // A family's complaint in the county (the public page files it; no login).
  const auto filed =
      call("POST", "/api/v1/public/complaints", "",
           R"({"category": "not_paid", "text": "补助没有收到。", "county": "430121"})");
  ASSERT_EQ(filed.status, 201) << filed.body;
  const std::string complaint =
      "/api/v1/complaints/" + std::to_string(call("GET", "/api/v1/complaints", token("officer_in"))
                                                 .json()
                                                 ->getArray("complaints")
                                                 ->getObject(0)
                                                 ->getValue<int64_t>("id"));
  // A school's identification round (its special groups come in from the roster).
  const auto round = call("POST", "/api/v1/identification/rounds", token("school_in"),
                          R"({"school": "4301210001", "academic_year": 2026, )"
                          R"("identification_date": "2026-09-01"})");
  ASSERT_EQ(round.status, 200) << round.body;
  const std::string round_id = std::to_string(round.json()->getValue<int64_t>("id"));
  const auto round_detail =
      call("GET", "/api/v1/identification/rounds/" + round_id, token("school_in"));
  ASSERT_EQ(round_detail.status, 200) << round_detail.body;
  const auto round_cases = round_detail.json()->getArray("cases");
  ASSERT_TRUE(round_cases && round_cases->size() > 0) << round_detail.body;
  const std::string case_id = std::to_string(round_cases->getObject(0)->getValue<int64_t>("id"));
  std::map<std::string, std::string> concrete = {
      {"/api/v1/complaints/{id}", complaint},
      {"/api/v1/complaints/{id}/assign", complaint + "/assign"},
      {"/api/v1/complaints/{id}/notes", complaint + "/notes"},
      {"/api/v1/complaints/{id}/close", complaint + "/close"},
      {"/api/v1/complaints/{id}/actions", complaint + "/actions"},
      {"/api/v1/complaints/{id}/release", complaint + "/release"},
      {"/api/v1/schools/{code}/slips", "/api/v1/schools/4301210001/slips"},
      {"/api/v1/identification/rounds/{id}", "/api/v1/identification/rounds/" + round_id},
      {"/api/v1/identification/cases/{id}/family",
       "/api/v1/identification/cases/" + case_id + "/family"},
      {"/api/v1/identification/county", "/api/v1/identification/county?year=2026"},
      {"/api/v1/identification/report", "/api/v1/identification/report?year=2026"},
      {"/api/v1/students/{id}", "/api/v1/students/" + person},
      {"/api/v1/students/{id}/difficulty", "/api/v1/students/" + person + "/difficulty"},
      {"/api/v1/schools/{code}/entitlements",
       "/api/v1/schools/4301210001/entitlements?term=2026-autumn"},
      {"/api/v1/payments/{reference}", "/api/v1/payments/" + reference},
      {"/api/v1/notices/{file}", "/api/v1/notices/" + notice_file},
      {"/api/v1/reports", "/api/v1/reports?term=2026-autumn"},
      {"/api/v1/students", "/api/v1/students?resident_id=" + rid},
      {"/api/v1/batches/{id}", "/api/v1/batches/" + b},
      {"/api/v1/batches/{id}/files/{name}", "/api/v1/batches/" + b + "/files/" + fileName()},
      {"/api/v1/reconciliation", "/api/v1/reconciliation?term=2026-autumn"},
      {"/api/v1/schools/{code}/students", "/api/v1/schools/4301210001/students"},
      {"/api/v1/schools/{code}/account", "/api/v1/schools/4301210001/account"},
      {"/api/v1/jobs/{id}", "/api/v1/jobs/999"},
      {"/api/v1/explain", "/api/v1/explain?term=2026-autumn&resident_id=" + rid},
      {"/api/v1/decisions", "/api/v1/decisions?term=2026-autumn"},
      {"/api/v1/trace", "/api/v1/trace?student=" + rid},
  };
  // Routes whose object belongs to a county (or school, or bank): out of scope is "not found".
  const std::set<std::string> object_routes = {"/api/v1/students",
                                               "/api/v1/students/{id}",
                                               "/api/v1/batches/{id}",
                                               "/api/v1/batches/{id}/files/{name}",
                                               "/api/v1/batches/{id}/payees",
                                               "/api/v1/batches/{id}/return-to-draft",
                                               "/api/v1/schools/{code}/students",
                                               "/api/v1/schools/{code}/entitlements",
                                               "/api/v1/schools/{code}/account",
                                               "/api/v1/payments/{reference}",
                                               "/api/v1/notices/{file}",
                                               "/api/v1/explain",
                                               "/api/v1/complaints/{id}",
                                               "/api/v1/complaints/{id}/assign",
                                               "/api/v1/complaints/{id}/notes",
                                               "/api/v1/complaints/{id}/close",
                                               "/api/v1/complaints/{id}/actions",
                                               "/api/v1/complaints/{id}/release",
                                               "/api/v1/schools/{code}/slips",

                                               "/api/v1/identification/rounds/{id}",
                                               "/api/v1/identification/cases/{id}/family"};
  int checked = 0;
  for (const auto& route : router.routes()) {
    if (route.is_public || route.pattern == "/api/v1/logout") continue;
    std::string p = concrete.count(route.pattern) ? concrete[route.pattern] : route.pattern;
    for (const std::string from : {"{id}"})
      if (p.find(from) != std::string::npos) p.replace(p.find(from), from.size(), b);
    for (const auto& [name, role] : roles) {
      const bool in = name.find("_out") == std::string::npos;
      const auto r = call(route.method, p, token(name), "{\"reason\": \"checked by phone\"}");
      const std::string what =
          route.method + " " + p + " as " + name + ": " + std::to_string(r.status) + " " + r.body;
      ASSERT_NE(r.status, 401) << what;
      ASSERT_NE(r.status, 500) << what;
      if (!route.roles.empty() && !route.roles.count(role)) {
        EXPECT_EQ(r.status, 403) << what;
        EXPECT_NE(r.body.find("may not"), std::string::npos) << what;
        EXPECT_EQ(r.json()->getObject("error")->getValue<std::string>("message_code"),
                  "api.role_refused")
            << what;
      } else if (!in && object_routes.count(route.pattern)) {
        EXPECT_EQ(r.status, 404) << what;
      } else {
        EXPECT_EQ(r.body.find("may not"), std::string::npos) << what;
        if (route.method == "GET" && route.pattern != "/api/v1/jobs/{id}") {
          EXPECT_EQ(r.status, 200) << what;
          // A list for someone out of scope is empty of this county's data.
          if (!in && route.pattern != "/api/v1/me" && route.pattern != "/api/v1/audit/verify") {
            EXPECT_EQ(r.body.find("430121"), std::string::npos) << what;
          }
        }
      }
      ++checked;
    }
  }
  EXPECT_GE(checked, 150);
  // Back to draft: a bureau approver over the county, with a reason, and never once exported.
  const std::string back = "/api/v1/batches/" + b + "/return-to-draft";
  const std::string reason = R"({"reason": "the bank cannot take a payee's name"})";
  const auto exported = call("POST", back, token("approver_in"), reason);
  EXPECT_EQ(exported.status, 403) << exported.body;
  EXPECT_NE(exported.body.find("can never go back to draft"), std::string::npos) << exported.body;
  const auto outside = call("POST", back, token("approver_out"), reason);
  EXPECT_EQ(outside.status, 404) << outside.body;  // out of scope reveals nothing
  for (const char* other : {"officer_in", "auditor_in", "bank_in", "school_in", "admin"})
    EXPECT_EQ(call("POST", back, token(other), reason).status, 403) << other;
  const auto no_reason = call("POST", back, token("approver_in"), "{}");
  EXPECT_EQ(no_reason.status, 400) << no_reason.body;
  EXPECT_NE(no_reason.body.find("reason"), std::string::npos) << no_reason.body;
  // What the issue spells out, whatever the route table says.
  for (const auto& route : router.routes()) {
    if (route.method == "POST" && !route.is_public && route.pattern != "/api/v1/logout") {
      EXPECT_FALSE(route.roles.empty() || route.roles.count(Role::kAuditor))
          << "an auditor never changes anything: " << route.pattern;
      EXPECT_FALSE(route.roles.count(Role::kSysadmin))
          << "a sysadmin never touches money: " << route.pattern;
    }
  }
}

TEST_P(ApiTest, SchoolsRecordDifficultyAndSeeWhoIsEntitledAndWhy) {
  const std::string rid = makeId("430121", "20170315", 1);
  const auto found = call("GET", "/api/v1/students?resident_id=" + rid, token("school_in"));
  ASSERT_EQ(found.status, 200) << found.body;
  const std::string person = std::to_string(found.json()->getValue<int64_t>("person_id"));
  const std::string url = "/api/v1/students/" + person + "/difficulty";
  const auto rec =
      call("POST", url, token("school_in"), R"({"academic_year": "2026", "level": "especially"})");
  ASSERT_EQ(rec.status, 200) << rec.body;
  EXPECT_EQ(rec.json()->getValue<std::string>("previous"), "difficult");  // from the roll
  EXPECT_EQ(rec.json()->getValue<std::string>("level"), "especially");
  const auto again = call("GET", "/api/v1/students/" + person, token("school_in"));
  ASSERT_EQ(again.status, 200);
  EXPECT_NE(again.body.find("\"especially\""), std::string::npos) << again.body;
  EXPECT_EQ(again.body.find(rid), std::string::npos) << "the resident ID is masked";
  // Bad input names the field; another school's administrator cannot see the student.
  const auto bad =
      call("POST", url, token("school_in"), R"({"academic_year": "2026", "level": "very"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("level"), std::string::npos) << bad.body;
  EXPECT_EQ(
      call("POST", url, token("school_in"), R"({"academic_year": "26", "level": "none"})").status,
      400);
  EXPECT_EQ(call("POST", url, token("school_out"), R"({"academic_year": "2026", "level": "none"})")
                .status,
            404);
  // The school's decisions for the term, with the reason of each.
  const auto list =
      call("GET", "/api/v1/schools/4301210001/entitlements?term=2026-autumn&status=eligible",
           token("school_in"));
  ASSERT_EQ(list.status, 200) << list.body;
  const auto rows = list.json()->getArray("entitlements");
  ASSERT_EQ(rows->size(), 5u);
  EXPECT_EQ(rows->getObject(0)->getValue<std::string>("amount"), "250.00");
  EXPECT_NE(rows->getObject(0)->getValue<std::string>("reason").find("category=dibao"),
            std::string::npos);
  {
    // Each check's fact in the reader's language, from the sentences stored with the decision.
    const auto zh = call(
        "GET", "/api/v1/schools/4301210001/entitlements?term=2026-autumn&status=eligible&lang=zh",
        token("school_in"));
    ASSERT_EQ(zh.status, 200) << zh.body;
    const auto checks = zh.json()->getArray("entitlements")->getObject(0)->getArray("checks");
    ASSERT_GT(checks->size(), 2u);
    std::string facts;
    for (size_t i = 0; i < checks->size(); ++i) {
      const auto c = checks->getObject(static_cast<unsigned>(i));
      EXPECT_TRUE(c->getValue<bool>("ok"));
      EXPECT_FALSE(c->getObject("fact_message")->getValue<std::string>("code").empty());
      facts += c->getValue<std::string>("fact") + "\n";
    }
    EXPECT_NE(facts.find("低保"), std::string::npos) << facts;
    EXPECT_NE(facts.find("元"), std::string::npos) << facts;
    EXPECT_EQ(facts.find("/yr"), std::string::npos) << facts;
    EXPECT_EQ(facts.find("since"), std::string::npos) << facts;
  }
  EXPECT_EQ(list.body.find(rid), std::string::npos);
  const auto page = call("GET", "/api/v1/schools/4301210001/entitlements?term=2026-autumn&limit=2",
                         token("school_in"));
  EXPECT_EQ(page.json()->getArray("entitlements")->size(), 2u);
  EXPECT_TRUE(page.json()->has("next"));
  EXPECT_EQ(call("GET", "/api/v1/schools/4301210001/entitlements?term=2026-autumn&status=paid",
                 token("school_in"))
                .status,
            400);
  EXPECT_EQ(
      call("GET", "/api/v1/schools/4301210001/entitlements?term=2026-autumn", token("school_out"))
          .status,
      404);
  // A corrected account: a bad number is refused naming the field; a good one is recorded.
  const std::string ref = store.exportRows(batch, 1, 1, 1).at(0).reference;
  const auto wrong = call("POST", "/api/v1/accounts", token("school_in"),
                          "{\"payment\": \"" + ref +
                              "\", \"account\": \"12\", \"holder\": \"张\", \"bank_code\": "
                              "\"102551000017\"}");
  EXPECT_EQ(wrong.status, 400);
  EXPECT_NE(wrong.body.find("account"), std::string::npos) << wrong.body;
  EXPECT_EQ(call("GET", "/api/v1/returned", token("school_in")).status, 200);
  // Another school's pupil reads exactly like a payment that does not exist.
  const auto elsewhere = call("POST", "/api/v1/accounts", token("school_out"),
                              "{\"payment\": \"" + ref + "\", \"account\": \"" + card(11) +
                                  "\", \"holder\": \"张\", \"bank_code\": \"102551000017\"}");
  const std::string fake = "EDU9999999999999999A1";
  const auto nowhere = call("POST", "/api/v1/accounts", token("school_out"),
                            "{\"payment\": \"" + fake + "\", \"account\": \"" + card(11) +
                                "\", \"holder\": \"张\", \"bank_code\": \"102551000017\"}");
  EXPECT_EQ(elsewhere.status, 404) << elsewhere.body;
  EXPECT_EQ(nowhere.status, 404) << nowhere.body;
  // Every mention of the reference (the message and its arguments) is replaced.
  auto without = [](std::string body, const std::string& id) {
    for (auto at = body.find(id); at != std::string::npos; at = body.find(id, at + 3))
      body.replace(at, id.size(), "REF");
    return body;
  };
  EXPECT_EQ(without(elsewhere.body, ref), without(nowhere.body, fake));
  EXPECT_EQ(elsewhere.body.find("4301210001"), std::string::npos) << "names no school";
  const std::string rid_here = makeId("430121", "20170315", 1);
  const auto pupil = call("POST", "/api/v1/accounts", token("school_out"),
                          "{\"student\": \"" + rid_here + "\", \"account\": \"" + card(11) +
                              "\", \"holder\": \"张\", \"bank_code\": \"102551000017\"}");
  const auto no_pupil =
      call("POST", "/api/v1/accounts", token("school_out"),
           "{\"student\": \"" + makeId("430121", "20170315", 99) + "\", \"account\": \"" +
               card(11) + "\", \"holder\": \"张\", \"bank_code\": \"102551000017\"}");
  EXPECT_EQ(pupil.status, 404) << pupil.body;
  EXPECT_EQ(pupil.body, no_pupil.body);
}

TEST_P(ApiTest, ReportsTracesAndTheConsoleItself) {
  const auto rep = call("GET", "/api/v1/reports?term=2026-autumn&by=programme,stage,category",
                        token("auditor_in"));
  ASSERT_EQ(rep.status, 200) << rep.body;
  const auto row = rep.json()->getArray("rows")->getObject(0);
  EXPECT_EQ(row->getValue<std::string>("programme"), "compulsory_nonboarding_allowance");
  EXPECT_EQ(row->getValue<std::string>("stage"), "primary");
  EXPECT_EQ(row->getValue<std::string>("category"), "dibao");
  EXPECT_EQ(row->getValue<int64_t>("entitled_count"), 5);
  EXPECT_EQ(row->getValue<std::string>("entitled"), "1250.00");
  const auto csv = call("GET", "/api/v1/reports?term=2026-autumn&format=csv", token("auditor_in"));
  EXPECT_EQ(csv.status, 200);
  EXPECT_EQ(csv.body.rfind("programme,entitled_count,entitled_yuan,paid_count,paid_yuan,", 0), 0u)
      << csv.body;
  EXPECT_NE(csv.body.find("compulsory_nonboarding_allowance,5,1250.00,0,0.00,0,0.00"),
            std::string::npos)
      << csv.body;
  const auto xlsx = call("GET", "/api/v1/reports?by=term&format=xlsx", token("officer_in"));
  EXPECT_EQ(xlsx.status, 200);
  EXPECT_EQ(xlsx.body.substr(0, 2), "PK");
  EXPECT_NE(xlsx.content_type.find("spreadsheetml"), std::string::npos);
  // Read back: Chinese headers and words, the figures as numbers Excel can add up (amounts in
  // yuan, shown #,##0.00): the sheet's amounts add up to the fen total.
  writeFileAtomically(path("report.xlsx"), xlsx.body);
  const std::string sheet = xlsxToCsv(path("report.xlsx"));
  EXPECT_EQ(sheet.rfind("学期,应资助人次,应资助金额（元）,已发放人次,已发放金额（元）,", 0), 0u)
      << sheet;
  EXPECT_NE(sheet.find("\n2026年秋季学期,5,1250,0,0,0,0\n合计,5,1250,0,0,0,0\n"), std::string::npos)
      << sheet;
  const auto by_programme =
      call("GET", "/api/v1/reports?by=programme,stage&format=xlsx", token("officer_in"));
  ASSERT_EQ(by_programme.status, 200);
  writeFileAtomically(path("report2.xlsx"), by_programme.body);
  const std::string sheet2 = xlsxToCsv(path("report2.xlsx"));
  EXPECT_NE(sheet2.find("义务教育"), std::string::npos) << "programme names: " << sheet2;
  EXPECT_NE(sheet2.find("小学"), std::string::npos) << "stage names: " << sheet2;
  const auto english =
      call("GET", "/api/v1/reports?by=term&format=xlsx&lang=en", token("officer_in"));
  writeFileAtomically(path("report3.xlsx"), english.body);
  EXPECT_EQ(xlsxToCsv(path("report3.xlsx")).rfind("term,entitled_count,entitled_yuan,", 0), 0u);
  EXPECT_EQ(call("GET", "/api/v1/reports?by=colour", token("auditor_in")).status, 400);
  EXPECT_EQ(call("GET", "/api/v1/reports?term=2026-winter", token("auditor_in")).status, 400);
  EXPECT_EQ(call("GET", "/api/v1/reports?region=430122", token("officer_in")).status, 404);

  // A payment traced to its entitlement, rule, policy, roster and approvers.
  const std::string ref = store.exportRows(batch, 1, 1, 1).at(0).reference;
  const auto trace = call("GET", "/api/v1/payments/" + ref, token("auditor_in"));
  ASSERT_EQ(trace.status, 200) << trace.body;
  const auto t = trace.json();
  EXPECT_EQ(t->getObject("entitlement")->getValue<std::string>("programme"),
            "compulsory_nonboarding_allowance");
  EXPECT_EQ(t->getObject("policy")->getValue<std::string>("sha256").size(), 64u);
  EXPECT_EQ(t->getArray("household_statuses")->getObject(0)->getValue<std::string>("category"),
            "dibao");
  EXPECT_NE(trace.body.find("\"approve\""), std::string::npos) << trace.body;
  EXPECT_EQ(trace.body.find(card(1)), std::string::npos) << "the account is masked";
  EXPECT_EQ(call("GET", "/api/v1/payments/EDU-NO-SUCH", token("auditor_in")).status, 404);
  EXPECT_EQ(call("GET", "/api/v1/payments/" + ref, token("auditor_out")).status, 404);

  const auto programmes = call("GET", "/api/v1/programmes", token("school_in"));
  ASSERT_EQ(programmes.status, 200);
  EXPECT_NE(programmes.body.find("compulsory_nonboarding_allowance"), std::string::npos);

  // Building again finds nothing left to batch.
  const auto build =
      call("POST", "/api/v1/batches", token("officer_in"),
           R"({"programme": "compulsory_nonboarding_allowance", "term": "2026-autumn"})");
  EXPECT_EQ(build.status, 201) << build.body;
  EXPECT_EQ(build.json()->getValue<int64_t>("payments"), 0);

  // The console: served by the service itself, its own files only, under a strict CSP.
  const auto root = call("GET", "/");
  EXPECT_EQ(root.status, 302);
  EXPECT_EQ(root.location, "/console/");
  const auto index = call("GET", "/console/");
  EXPECT_EQ(index.status, 200);
  EXPECT_NE(index.content_type.find("text/html"), std::string::npos);
  EXPECT_NE(index.csp.find("default-src 'self'"), std::string::npos);
  EXPECT_NE(index.body.find("/console/app.js"), std::string::npos);
  EXPECT_EQ(call("GET", "/console/app.js").status, 200);
  EXPECT_EQ(call("GET", "/console/../edupay.db").status, 404);
  EXPECT_EQ(call("GET", "/console/nothing.js").status, 404);
  // The roll templates, byte for byte (the Chinese one is GBK, as Excel in China opens CSV).
  for (const char* name : {"sample.csv", "sample-gbk-zh.csv"}) {
    const auto t = call("GET", std::string("/console/templates/") + name);
    EXPECT_EQ(t.status, 200) << name;
    std::ifstream in(std::string(EDUPAY_SOURCE_DIR) + "/templates/roll/" + name, std::ios::binary);
    const std::string expected((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(t.body, expected) << name;
  }
  EXPECT_EQ(call("GET", "/console/templates/../../edupay.key").status, 404);
}

TEST_P(ApiTest, OneAddressGuessingPasswordsIsSlowedDown) {
  for (int i = 0; i < 20; ++i) {
    const auto r = call("POST", "/api/v1/login", "",
                        R"({"name": "user)" + std::to_string(i) + R"(", "password": "guess"})");
    ASSERT_EQ(r.status, 401) << r.body;
  }
  const auto r = call("POST", "/api/v1/login", "",
                      R"({"name": "approver_in", "password": "password-approver_in"})");
  EXPECT_EQ(r.status, 429) << r.body;
  EXPECT_EQ(r.errorCode(), "too_many_requests");
  EXPECT_FALSE(r.retry_after.empty());
}

TEST_P(ApiTest, ASchoolUploadsItsRollAndSeesTheRowReport) {
  // One good row of the school's own, one of another school, one with a bad ID check digit.
  RollBuilder roll;
  roll.student(41).student(43).set("school_code", "4301210002").student(45);
  std::string csv = roll.csv();
  const std::string bad_id = makeId("430121", "20170315", 45);
  csv.replace(csv.find(bad_id), bad_id.size(),
              bad_id.substr(0, 17) + (bad_id[17] == '1' ? "2" : "1"));
  const int64_t persons = f.count("persons");
  const auto rejected = call("POST", "/api/v1/rolls", token("school_in"), csv, "text/csv");
  ASSERT_EQ(rejected.status, 422) << rejected.body;
  EXPECT_NE(rejected.body.find("is not your school"), std::string::npos) << rejected.body;
  EXPECT_NE(rejected.body.find("\"line\":"), std::string::npos);
  EXPECT_EQ(f.count("persons"), persons) << "nothing was written";
  // Fixed: only the school's own, valid rows; sent as a multipart form this time.
  const std::string good = RollBuilder().student(41).student(47).csv();
  const std::string form =
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
      "filename=\"roll.csv\"\r\nContent-Type: text/csv\r\n\r\n" +
      good + "\r\n--XyZ--\r\n";
  const auto ok =
      call("POST", "/api/v1/rolls", token("school_in"), form, "multipart/form-data; boundary=XyZ");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_TRUE(ok.json()->getValue<bool>("committed"));
  // Uploaded rolls (full IDs and accounts) do not stay on the server's disk, accepted or refused;
  // the upload folder is the service's alone.
  const std::string uploads = config.files_dir + "/uploads";
  for (const auto& e : std::filesystem::directory_iterator(uploads))
    EXPECT_EQ(e.path().filename().string().rfind("roll-", 0), std::string::npos) << e.path();
  struct stat st {};
  ASSERT_EQ(::stat(uploads.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0077, 0u) << "uploads folder readable by others";
  const auto page1 = call("GET", "/api/v1/schools/4301210001/students?limit=3", token("school_in"));
  ASSERT_EQ(page1.status, 200) << page1.body;
  EXPECT_EQ(page1.json()->getArray("students")->size(), 3u);
  const std::string next = page1.json()->getValue<std::string>("next");
  const auto page2 = call("GET", next, token("school_in"));
  EXPECT_EQ(page2.json()->getArray("students")->size(), 3u);
  const auto all =
      call("GET", "/api/v1/schools/4301210001/students?limit=1000", token("school_in"));
  EXPECT_EQ(all.json()->getArray("students")->size(), 7u) << "5 students + the 2 uploaded";
  EXPECT_EQ(all.body.find(makeId("430121", "20170315", 41)), std::string::npos) << "masked";
  EXPECT_EQ(call("GET", "/api/v1/schools/4301210001/students", token("school_out")).status, 404);
}

TEST_P(ApiTest, TheOperationLogUploadHistoriesAndTraceByStudent) {
  // The school sends its roll twice: the history says who, when, which file and what it did.
  const std::string good = RollBuilder().student(41).student(47).csv();
  ASSERT_EQ(call("POST", "/api/v1/rolls", token("school_in"), good, "text/csv").status, 200);
  const std::string form =
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"一小 学籍.csv\"\r\n"
      "Content-Type: text/csv\r\n\r\n" +
      good + "\r\n--XyZ--\r\n";
  ASSERT_EQ(
      call("POST", "/api/v1/rolls", token("school_in"), form, "multipart/form-data; boundary=XyZ")
          .status,
      200);
  // A roll with a broken ID is refused: nothing is imported, and the history says so.
  const std::string broken =
      RollBuilder().student(41).student(48).set("resident_id", "430121201703150000").csv();
  const auto refused = call("POST", "/api/v1/rolls", token("school_in"), broken, "text/csv");
  EXPECT_NE(refused.status, 200) << refused.body;
  const auto rolls = call("GET", "/api/v1/uploads?kind=roll", token("school_in"));
  ASSERT_EQ(rolls.status, 200) << rolls.body;
  const auto list = rolls.json()->getArray("uploads");
  ASSERT_EQ(list->size(), 3u) << rolls.body;
  EXPECT_EQ(list->getObject(0)->getValue<std::string>("outcome"), "refused") << rolls.body;
  EXPECT_EQ(list->getObject(0)->getValue<int>("rows"), 2);
  EXPECT_EQ(list->getObject(0)->getValue<int>("rows_bad"), 1);
  EXPECT_EQ(list->getObject(0)->getValue<std::string>("school"), "4301210001");
  EXPECT_EQ(list->getObject(1)->getValue<std::string>("outcome"), "unchanged");
  EXPECT_EQ(list->getObject(1)->getValue<std::string>("file_name"), "一小_学籍.csv");
  EXPECT_EQ(list->getObject(2)->getValue<std::string>("outcome"), "imported");
  EXPECT_EQ(list->getObject(2)->getValue<int>("rows_ok"), 2);
  EXPECT_EQ(list->getObject(2)->getValue<std::string>("user"), "school_in");
  EXPECT_EQ(list->getObject(2)->getValue<std::string>("school"), "4301210001");
  // A file that is no roll at all (a PDF sent by mistake) is refused before a row is read; the
  // history names it and says why, in the reader's language.
  const std::string pdf =
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"学籍.pdf\"\r\n"
      "Content-Type: application/pdf\r\n\r\n%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 "
      "obj\n<<>>\nendobj\r\n--XyZ--\r\n";
  const auto not_roll = testing::call(*session, "POST", "/api/v1/rolls", token("school_in"), pdf,
                                      "multipart/form-data; boundary=XyZ", "zh");
  EXPECT_EQ(not_roll.status, 400) << not_roll.body;
  // Named as it was sent, never by where the server keeps it.
  EXPECT_EQ(not_roll.body.rfind(config.files_dir), std::string::npos) << not_roll.body;
  EXPECT_NE(not_roll.body.find("学籍.pdf：这是PDF 文档，不是学籍名册"), std::string::npos)
      << not_roll.body;
  EXPECT_EQ(not_roll.body.find("roll-"), std::string::npos) << "the name it was sent under";
  const auto zh_rolls =
      testing::call(*session, "GET", "/api/v1/uploads?kind=roll", token("school_in"), "", "", "zh");
  ASSERT_EQ(zh_rolls.status, 200) << zh_rolls.body;
  const auto zh_list = zh_rolls.json()->getArray("uploads");
  ASSERT_EQ(zh_list->size(), 4u) << zh_rolls.body;
  EXPECT_EQ(zh_list->getObject(0)->getValue<std::string>("outcome"), "refused");
  EXPECT_EQ(zh_list->getObject(0)->getValue<std::string>("file_name"), "学籍.pdf");
  EXPECT_EQ(zh_list->getObject(0)->getValue<std::string>("reason"),
            not_roll.json()->getObject("error")->getValue<std::string>("message"))
      << zh_rolls.body;
  EXPECT_EQ(zh_list->getObject(1)->getValue<std::string>("reason"), "");
  EXPECT_EQ(call("GET", "/api/v1/uploads", token("school_out")).json()->getArray("uploads")->size(),
            0u);
  EXPECT_EQ(call("GET", "/api/v1/uploads?kind=result", token("school_in")).status, 403);
  EXPECT_EQ(call("GET", "/api/v1/uploads?kind=budget", token("officer_in")).status, 400);

  // The bank answers; its operator sees the file in its history, another bank does not.
  std::string result = "序号|参考号|账号|金额|状态|原因码|原因|银行流水号|\r\n";
  auto s = f.db->prepare("SELECT seq, end_to_end_ref FROM payments WHERE batch_id = ?");
  s->bind(1, batch);
  while (s->next())
    result += std::to_string(s->getInt(0)) + "|" + s->getText(1) + "|6222|250.00|S|||T" +
              std::to_string(s->getInt(0)) + "|\r\n";
  s.reset();
  ASSERT_EQ(call("POST", "/api/v1/results", token("bank_in"),
                 utf8ToGb18030(withPipeSummary(result)), "text/plain")
                .status,
            200);
  const auto answered = call("GET", "/api/v1/uploads", token("bank_in"));
  ASSERT_EQ(answered.status, 200) << answered.body;
  const auto files = answered.json()->getArray("uploads");
  ASSERT_EQ(files->size(), 1u) << answered.body;
  EXPECT_EQ(files->getObject(0)->getValue<int>("paid"), 5);
  EXPECT_EQ(files->getObject(0)->getValue<std::string>("bank"), "102");
  EXPECT_EQ(call("GET", "/api/v1/uploads", token("bank_out")).json()->getArray("uploads")->size(),
            0u);

  // The operation log: filtered by user and action, with the Chinese name and before/after.
  const auto approvals =
      call("GET", "/api/v1/audit/events?action=batch.approve&user=approver1", token("auditor_in"));
  ASSERT_EQ(approvals.status, 200) << approvals.body;
  const auto events = approvals.json()->getArray("events");
  ASSERT_EQ(events->size(), 1u) << approvals.body;
  EXPECT_EQ(events->getObject(0)->getValue<std::string>("action_name"), "approve batch");
  EXPECT_EQ(events->getObject(0)->getValue<std::string>("before").rfind("submitted v", 0), 0u)
      << approvals.body;
  EXPECT_NE(events->getObject(0)->getValue<std::string>("after").find("(1/1 approvals)"),
            std::string::npos)
      << approvals.body;
  // In Chinese for a Chinese reader: the action, the states before and after, in words.
  const auto zh =
      testing::call(*session, "GET", "/api/v1/audit/events?action=batch.approve&user=approver1",
                    token("auditor_in"), "", "", "zh");
  ASSERT_EQ(zh.status, 200) << zh.body;
  const auto zh_event = zh.json()->getArray("events")->getObject(0);
  EXPECT_EQ(zh_event->getValue<std::string>("action_name"), "审批通过批次");
  EXPECT_EQ(zh_event->getValue<std::string>("before").rfind("已提交待审批，第 ", 0), 0u) << zh.body;
  EXPECT_NE(zh_event->getValue<std::string>("after").find("（已审批 1/1 人）"), std::string::npos)
      << zh.body;
  // The record as the hash chain holds it: the code and both languages' words.
  EXPECT_NE(zh_event->getValue<std::string>("after_record").find("\"audit.rec.batch.approvals\""),
            std::string::npos)
      << zh.body;
  EXPECT_EQ(events->getObject(0)->getValue<std::string>("region"), "430121");
  const auto theirs = call("GET", "/api/v1/audit/events?user=school_in", token("auditor_in"));
  for (size_t i = 0; i < theirs.json()->getArray("events")->size(); ++i)
    EXPECT_EQ(theirs.json()->getArray("events")->getObject(i)->getValue<std::string>("user"),
              "school_in");
  EXPECT_GE(theirs.json()->getArray("events")->size(), 3u) << theirs.body;  // a login, 2 rolls
  EXPECT_EQ(call("GET", "/api/v1/audit/events?action=batch", token("auditor_out"))
                .json()
                ->getArray("events")
                ->size(),
            0u);
  const auto bad = call("GET", "/api/v1/audit/events?from=2026-13-40", token("auditor_in"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("from"), std::string::npos) << bad.body;
  EXPECT_EQ(call("GET", "/api/v1/audit/events", token("officer_in")).status, 403);

  // Trace by student: by resident ID and by name, entitlements to the bank's answer, masked.
  const std::string rid = makeId("430121", "20170315", 1);
  const auto by_id = call("GET", "/api/v1/trace?student=" + rid, token("auditor_in"));
  ASSERT_EQ(by_id.status, 200) << by_id.body;
  EXPECT_EQ(by_id.body.find(rid), std::string::npos) << "masked";
  const auto students = by_id.json()->getArray("students");
  ASSERT_EQ(students->size(), 1u) << by_id.body;
  const auto student = students->getObject(0);
  const auto ents = student->getArray("entitlements");
  ASSERT_GT(ents->size(), 0u) << by_id.body;
  Poco::JSON::Array::Ptr pays;
  for (size_t i = 0; i < ents->size(); ++i) {
    if (ents->getObject(i)->getValue<std::string>("status") == "eligible")
      pays = ents->getObject(i)->getArray("payments");
  }
  ASSERT_TRUE(pays && pays->size() == 1u) << by_id.body;
  EXPECT_EQ(pays->getObject(0)->getValue<std::string>("state"), "paid");
  EXPECT_EQ(pays->getObject(0)->getObject("result")->getValue<std::string>("outcome"), "paid");
  const std::string name = student->getValue<std::string>("name");
  std::string encoded;
  Poco::URI::encode(name, "&=+?#", encoded);
  const auto by_name = call("GET", "/api/v1/trace?student=" + encoded, token("officer_in"));
  ASSERT_EQ(by_name.status, 200) << by_name.body;
  // Every pupil of the fixture is called 张三: each match is listed with its school, masked.
  const auto namesakes = by_name.json()->getArray("students");
  EXPECT_EQ(namesakes->size(), 7u) << by_name.body;
  for (size_t i = 0; i < namesakes->size(); ++i) {
    EXPECT_EQ(namesakes->getObject(i)->getValue<std::string>("resident_id").find("**"), 4u);
    EXPECT_EQ(
        namesakes->getObject(i)->getArray("schools")->getObject(0)->getValue<std::string>("name"),
        "一小");
  }
  EXPECT_EQ(call("GET", "/api/v1/trace?student=" + encoded, token("officer_out"))
                .json()
                ->getArray("students")
                ->size(),
            0u);
  EXPECT_EQ(call("GET", "/api/v1/trace?student=" + rid, token("officer_out"))
                .json()
                ->getArray("students")
                ->size(),
            0u);
  EXPECT_EQ(call("GET", "/api/v1/trace?student=", token("auditor_in")).status, 400);
}

TEST_P(ApiTest, TheEntitlementRunIsAJobWithProgress) {
  const auto started =
      call("POST", "/api/v1/entitlement-runs", token("officer_in"), R"({"term": "2026-autumn"})");
  ASSERT_EQ(started.status, 202) << started.body;
  const std::string poll = started.json()->getValue<std::string>("poll");
  Http state;
  for (int i = 0; i < 200; ++i) {
    state = call("GET", poll, token("officer_in"));
    if (state.json()->getValue<std::string>("status") != "running") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(state.json()->getValue<std::string>("status"), "done") << state.body;
  EXPECT_EQ(state.json()->getObject("result")->getValue<int>("eligible"), 5);
  EXPECT_EQ(call("GET", poll, token("approver_in")).status, 404) << "a job is its owner's";
  EXPECT_EQ(call("POST", "/api/v1/entitlement-runs", token("officer_out"),
                 R"({"term": "2026-autumn", "region": "430121"})")
                .status,
            403);
}

TEST_P(ApiTest, StoppingLetsRunningWorkFinish) {
  store::execute(*f.db, "DELETE FROM entitlement_history");
  const auto started =
      call("POST", "/api/v1/entitlement-runs", token("officer_in"), R"({"term": "2026-spring"})");
  ASSERT_EQ(started.status, 202) << started.body;
  session.reset();
  service.reset();  // stop: no new connections; the running job is waited for, not cut off
  EXPECT_GT(f.count("entitlements", "term = '2026-spring'"), 0)
      << "the entitlement run started before the stop completed";
  EXPECT_EQ(f.count("audit_events", "action = 'entitle.run'"), 1);
  service = std::make_unique<api::Service>(config);  // the fixture stops it again
  service->start();
}

TEST_P(ApiTest, StudentsAreMaskedAndScoped) {
  const std::string rid = makeId("430121", "20170315", 1);
  const auto r = call("GET", "/api/v1/students?resident_id=" + rid, token("school_in"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body.find(rid), std::string::npos) << "the full resident ID is never shown";
  EXPECT_EQ(r.body.find(card(1)), std::string::npos) << "nor the account number";
  EXPECT_NE(r.body.find("****"), std::string::npos);
  EXPECT_EQ(call("GET", "/api/v1/students?resident_id=" + rid, token("school_out")).status, 404);
  EXPECT_EQ(call("GET", "/api/v1/students?resident_id=123", token("school_in")).status, 400);
  const auto why =
      call("GET", "/api/v1/explain?term=2026-autumn&resident_id=" + rid, token("school_in"));
  ASSERT_EQ(why.status, 200) << why.body;
  EXPECT_NE(why.body.find("compulsory_nonboarding_allowance"), std::string::npos);
  EXPECT_NE(why.body.find("\"trace\""), std::string::npos);
  EXPECT_EQ(why.body.find(rid), std::string::npos);
}

TEST_P(ApiTest, TheBureauPagesThroughPayeesObjectionsAndDecisions) {
  // The approver checks the batch's payees: masked, in file order, searchable, paged.
  const std::string b = std::to_string(batch);
  const auto all = call("GET", "/api/v1/batches/" + b + "/payees", token("approver_in"));
  ASSERT_EQ(all.status, 200) << all.body;
  const auto payees = all.json()->getArray("payees");
  ASSERT_GE(payees->size(), 2u);
  for (size_t i = 0; i < payees->size(); ++i) {
    const auto p = payees->getObject(static_cast<unsigned>(i));
    EXPECT_EQ(p->getValue<int64_t>("seq"), static_cast<int64_t>(i + 1));
    EXPECT_NE(p->getValue<std::string>("resident_id").find("****"), std::string::npos);
    EXPECT_NE(p->getValue<std::string>("account").find("****"), std::string::npos);
  }
  EXPECT_EQ(all.body.find(makeId("430121", "20170315", 1)), std::string::npos);
  EXPECT_EQ(all.body.find(card(1)), std::string::npos);
  const auto first = call("GET", "/api/v1/batches/" + b + "/payees?limit=1", token("auditor_in"));
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.json()->getArray("payees")->size(), 1u);
  ASSERT_EQ(first.json()->getValue<int64_t>("next_after"), 1);
  const auto next =
      call("GET", "/api/v1/batches/" + b + "/payees?limit=1&after=1", token("auditor_in"));
  EXPECT_EQ(next.json()->getArray("payees")->getObject(0)->getValue<int64_t>("seq"), 2);
  const std::string name = payees->getObject(1)->getValue<std::string>("name");
  std::string encoded;
  Poco::URI::encode(name, "", encoded);
  const auto found =
      call("GET", "/api/v1/batches/" + b + "/payees?search=" + encoded, token("officer_in"));
  ASSERT_EQ(found.status, 200) << found.body;
  ASSERT_GE(found.json()->getArray("payees")->size(), 1u);
  EXPECT_EQ(found.json()->getArray("payees")->getObject(0)->getValue<std::string>("name"), name);
  EXPECT_EQ(call("GET", "/api/v1/batches/" + b + "/payees?limit=x", token("officer_in")).status,
            400);
  EXPECT_EQ(call("GET", "/api/v1/batches/" + b + "/payees", token("approver_out")).status, 404);

  // An objection is listed with the student masked; another county sees nothing of it.
  const std::string rid = makeId("430121", "20170315", 1);
  const auto added = call("POST", "/api/v1/objections", token("officer_in"),
                          R"({"resident_id": ")" + rid +
                              R"(", "programme": "compulsory_nonboarding_allowance", )"
                              R"("term": "2026-autumn", "text": "家长反映孩子已转学"})");
  ASSERT_EQ(added.status, 200) << added.body;
  const auto open = call("GET", "/api/v1/objections?status=open", token("officer_in"));
  ASSERT_EQ(open.status, 200) << open.body;
  const auto listed = open.json()->getArray("objections");
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->getObject(0)->getValue<std::string>("text"), "家长反映孩子已转学");
  EXPECT_EQ(listed->getObject(0)->getValue<std::string>("programme"),
            "compulsory_nonboarding_allowance");
  EXPECT_EQ(open.body.find(rid), std::string::npos);
  EXPECT_EQ(call("GET", "/api/v1/objections", token("officer_out"))
                .json()
                ->getArray("objections")
                ->size(),
            0u);
  EXPECT_EQ(call("GET", "/api/v1/objections?status=maybe", token("officer_in")).status, 400);
  EXPECT_EQ(call("GET", "/api/v1/objections?region=430122", token("officer_in")).status, 404);

  // The county's decisions that pay nothing, counted by reason.
  const auto held =
      call("GET", "/api/v1/decisions?term=2026-autumn&status=excluded", token("officer_in"));
  ASSERT_EQ(held.status, 200) << held.body;
  int64_t sum = 0;
  const auto reasons = held.json()->getArray("reasons");
  for (size_t i = 0; i < reasons->size(); ++i)
    sum += reasons->getObject(static_cast<unsigned>(i))->getValue<int64_t>("count");
  EXPECT_EQ(sum, held.json()->getValue<int64_t>("total"));
  // In Chinese each reason is the condition by name and its fact as a Chinese sentence, with the
  // sentence's code and arguments beside it; in English the same fact in English.
  const auto zh = call("GET", "/api/v1/decisions?term=2026-autumn&status=excluded&lang=zh",
                       token("officer_in"));
  ASSERT_EQ(zh.status, 200) << zh.body;
  const auto zh_reasons = zh.json()->getArray("reasons");
  ASSERT_EQ(zh_reasons->size(), reasons->size());
  for (size_t i = 0; i < zh_reasons->size(); ++i) {
    const auto r = zh_reasons->getObject(static_cast<unsigned>(i));
    const std::string text = r->getValue<std::string>("reason");
    ASSERT_TRUE(r->has("reason_message")) << text;
    EXPECT_EQ(r->getObject("reason_message")->getValue<std::string>("code").rfind("rules.", 0), 0u)
        << text;
    for (const char* english : {"none", "not ", "assessed", "hukou", "programme", "stage"})
      EXPECT_EQ(text.find(english), std::string::npos) << english << " in: " << text;
    EXPECT_NE(text.find("："), std::string::npos) << text;
  }
  const auto en = reasons->getObject(0)->getValue<std::string>("reason");
  EXPECT_EQ(en.find("："), std::string::npos) << en;
  EXPECT_EQ(
      call("GET", "/api/v1/decisions?term=2026-autumn&status=maybe", token("officer_in")).status,
      400);
  EXPECT_EQ(call("GET", "/api/v1/decisions?term=autumn", token("officer_in")).status, 400);
}

// One application: every use case is one library call that checks role and scope, writes in one
// transaction and appends one audit event; the command line and the HTTP API only parse and
// render. Each use case as each role, through both: the same outcome (done, refused, not found,
// invalid, conflict) and the same audit events.
TEST_P(ApiTest, TheCommandLineAndTheApiAreOneApplication) {
  const std::string rid = makeId("430121", "20170315", 2);
  const std::string b = std::to_string(batch);
  const std::string programme = "compulsory_nonboarding_allowance";
  auto budgetFile = [&](int v) {
    return "programme,region,fiscal_year,source,allocated\n" + programme + ",430121,2026,central," +
           std::to_string(1000000 + v) + "\n";
  };
  const std::vector<UseCase> cases = {
      {"objection add",
       [&](int v) {
         return std::vector<std::string>{
             "objection",   "add",     rid,
             "--programme", programme, "--term",
             "2026-autumn", "--text",  "家长来电反映已转学 " + std::to_string(v)};
       },
       "POST", "/api/v1/objections",
       [&](int v) {
         return R"({"resident_id": ")" + rid + R"(", "programme": ")" + programme +
                R"(", "term": "2026-autumn", "text": "家长来电反映已转学 )" + std::to_string(v) +
                R"("})";
       }},
      {"school account set",
       [&](int v) {
         return std::vector<std::string>{"school",    "account",    "set",         "4301210001",
                                         "--account", card(70 + v), "--bank-code", "102430100001"};
       },
       "PUT", "/api/v1/schools/4301210001/account",
       [&](int v) {
         return R"({"account": ")" + card(70 + v) + R"(", "bank_code": "102430100001"})";
       }},
      {"account update",
       [&](int v) {
         return std::vector<std::string>{"account",     "update",      "--student", rid,
                                         "--account",   card(80 + v),  "--holder",  "学生家长",
                                         "--bank-code", "102551000017"};
       },
       "POST", "/api/v1/accounts",
       [&](int v) {
         return R"({"student": ")" + rid + R"(", "account": ")" + card(80 + v) +
                R"(", "holder": "学生家长", "bank_code": "102551000017"})";
       }},
      {"notice publish",
       [&](int) {
         return std::vector<std::string>{"notice",      "publish",      "--term",   "2026-autumn",
                                         "--programme", programme,      "--school", "4301210001",
                                         "--out",       path("notices")};
       },
       "POST", "/api/v1/notices",
       [&](int) {
         return R"({"programme": ")" + programme +
                R"(", "term": "2026-autumn", "school": "4301210001"})";
       }},
      {"batch reject",
       [&](int) {
         return std::vector<std::string>{"batch", "reject", b, "--reason", "核实后退回重做"};
       },
       "POST", "/api/v1/batches/" + b + "/reject",
       [&](int) { return std::string(R"({"reason": "核实后退回重做"})"); }},
      {"batch close",
       [&](int) {
         return std::vector<std::string>{"batch", "close", b};
       },
       "POST", "/api/v1/batches/" + b + "/close", [&](int) { return std::string("{}"); }},
      {"budget import",
       [&](int v) {
         return std::vector<std::string>{
             "budget", "import",
             writeFile(f.scratch.dir(), "budget-" + std::to_string(v) + ".csv", budgetFile(v))};
       },
       "POST", "/api/v1/budgets", budgetFile, "text/csv"},
  };
  const auto t = throughBothDoors(cases, {"admin", "school_in", "officer_in", "officer_out",
                                          "approver_in", "auditor_in", "bank_in"});
  EXPECT_EQ(t.compared, 49);
  EXPECT_GE(t.done, 4) << "each use case is done by someone";
  EXPECT_TRUE(t.unchanged_by.empty()) << "every call that was done changed something";
}

// The batch's life through both doors: each door its own twin batch, built from the same five
// students' entitlements of another term (the command line 2026-spring, the API 2027-spring),
// so what one door did to its batch never decides what the other may do to its own.
TEST_P(ApiTest, TheBatchWorkflowIsOneApplicationThroughBothDoors) {
  auto termOf = [](int v) { return std::string(v % 2 ? "2027-spring" : "2026-spring"); };
  for (int v : {0, 1}) {
    ASSERT_EQ(entitle(termOf(v)), 5) << termOf(v);
    disburse::publishNotice(store, audit, officer, kProgramme, Term::parse(termOf(v)), "4301210001",
                            f.scratch.dir(), calendar, *Date::fromYmd(2026, 9, 14));
  }
  budget(100000000, 2027);
  auto batchOf = [&](int v) {
    return std::to_string(store::queryInt(
        *f.db, "SELECT COALESCE(MIN(id), 0) FROM batches WHERE term = '" + termOf(v) + "'"));
  };
  auto post = [](std::string what) { return [what](int) { return what; }; };
  auto transition = [&](const std::string& name, const std::string& step, std::string body,
                        std::vector<std::string> extra) -> UseCase {
    return {name,
            [&, step, extra](int v) {
              std::vector<std::string> a = {"batch", step, batchOf(v)};
              a.insert(a.end(), extra.begin(), extra.end());
              return a;
            },
            "POST", [&, step](int v) { return "/api/v1/batches/" + batchOf(v) + "/" + step; },
            post(std::move(body))};
  };
  // The bank's answer to a door's batch: every payment paid.
  auto resultOf = [&](int v) {
    std::string result = "序号|参考号|账号|金额|状态|原因码|原因|银行流水号|\r\n";
    auto s = f.db->prepare(
        "SELECT seq, end_to_end_ref, amount_fen FROM payments WHERE batch_id = ? ORDER BY seq");
    s->bind(1, std::stoll(batchOf(v)));
    while (s->next())
      result += std::to_string(s->getInt(0)) + "|" + s->getText(1) + "|6222|" +
                Money::fromFen(s->getInt(2)).toYuan() + "|S|||T" + std::to_string(s->getInt(0)) +
                "|\r\n";
    return utf8ToGb18030(withPipeSummary(result));
  };
  const std::string reason = "收款人姓名银行无法识别";
  const std::vector<UseCase> cases = {
      {"batch build",
       [&](int v) {
         return std::vector<std::string>{"batch",   "build",       "--term",
                                         termOf(v), "--programme", kProgramme};
       },
       "POST", "/api/v1/batches",
       [&](int v) {
         return R"({"programme": ")" + std::string(kProgramme) + R"(", "term": ")" + termOf(v) +
                R"("})";
       }},
      transition("batch submit", "submit", "{}", {}),
      transition("batch approve", "approve", "{}", {}),
      transition("batch return to draft", "return-to-draft", R"({"reason": ")" + reason + "\"}",
                 {"--reason", reason}),
      transition("batch submit again", "submit", "{}", {}),
      transition("batch approve again", "approve", "{}", {}),
      transition("batch export", "export", "{}",
                 {"--out", path("cli-files"), "--signing-key", config.signing_key}),
      // The API keeps an uploaded file under its digest, the command line names it: audit
      // details differ in that name only (compared here: actor, action and object).
      {"result import",
       [&](int v) {
         return std::vector<std::string>{
             "bank", "import-result",
             writeFile(f.scratch.dir(), "result-" + std::to_string(v) + ".txt", resultOf(v))};
       },
       "POST", "/api/v1/results", resultOf, "text/plain"},
      transition("batch close", "close", "{}", {}),
  };
  const auto t =
      throughBothDoors(cases, {"admin", "school_in", "auditor_in", "bank_out", "bank_in",
                               "officer_out", "officer_in", "approver_out", "approver_in"});
  EXPECT_EQ(t.compared, 9 * 9);
  const std::map<std::string, std::vector<std::string>> expected = {
      {"batch build", {"officer_out", "officer_in"}},
      {"batch submit", {"officer_in"}},
      {"batch approve", {"approver_in"}},
      {"batch return to draft", {"approver_in"}},
      {"batch submit again", {"officer_in"}},
      {"batch approve again", {"approver_in"}},
      {"batch export", {"officer_in"}},
      {"result import", {"bank_in", "officer_out", "officer_in"}},
      {"batch close", {"officer_in"}},
  };
  EXPECT_EQ(t.done_by, expected);
  // Nothing to build in another county; the same result file again changes nothing.
  const std::map<std::string, std::vector<std::string>> unchanged = {
      {"batch build", {"officer_out"}},
      {"result import", {"officer_out", "officer_in"}},
  };
  EXPECT_EQ(t.unchanged_by, unchanged);
  for (int v : {0, 1})
    EXPECT_EQ(store.loadBatch(std::stoll(batchOf(v)))->status, disburse::BatchStatus::kClosed)
        << termOf(v);
}

// The imports, the entitlement run (through the API a job, waited for), objections and the
// identification's first step through both doors.
TEST_P(ApiTest, ImportsRunsAndObjectionsAreOneApplicationThroughBothDoors) {
  RollBuilder own;
  for (int seq : {1, 3, 5, 7, 9}) own.student(seq).set("bank_account", card(seq));
  own.student(11, "李四").set("bank_account", card(11));
  RollBuilder other;
  other.student(21, "王五").set("school_code", "4301210002").set("bank_account", card(21));
  std::string roster = "resident_id,name,household_id,category,valid_from,valid_to,region\n";
  for (int seq : {1, 3, 5, 7, 9, 11}) {  // the fixture's roster and one family more
    roster += makeId("430121", "19850101", seq) + ",父" + std::to_string(seq) + ",H" +
              std::to_string(seq) + ",dibao,2020-01-01,,430121\n";
  }
  // Two objections, one for each door to resolve.
  std::vector<int64_t> objections;
  for (int seq : {1, 3})
    objections.push_back(disburse::addObjection(
        store, audit, officer,
        f.cipher.blindIndex("resident_id", makeId("430121", "20170315", seq)), kProgramme,
        Term::parse("2026-autumn"), "家长反映信息有误"));
  auto upload = [&](const std::string& name, std::vector<std::string> words,
                    std::vector<std::string> extra, const std::string& url,
                    const std::string& content) -> UseCase {
    return {
        name,
        [&, words, extra, content](int v) {
          auto a = words;
          a.push_back(writeFile(f.scratch.dir(), "upload-" + std::to_string(v) + ".csv", content));
          a.insert(a.end(), extra.begin(), extra.end());
          return a;
        },
        "POST",
        url,
        [content](int) { return content; },
        "text/csv"};
  };
  const std::vector<UseCase> cases = {
      upload("roll import (own school)", {"import", "roll"}, {}, "/api/v1/rolls", own.csv()),
      upload("roll import (another school)", {"import", "roll"}, {}, "/api/v1/rolls", other.csv()),
      upload("roster import", {"import", "roster"}, {"--source", "civil_affairs"},
             "/api/v1/rosters?source=civil_affairs", roster),
      {"entitlement run",
       [](int) {
         return std::vector<std::string>{"entitle", "--term", "2026-autumn"};
       },
       "POST", "/api/v1/entitlement-runs",
       [](int) { return std::string(R"({"term": "2026-autumn"})"); }, "application/json", true},
      {"objection resolve",
       [&](int v) {
         return std::vector<std::string>{
             "objection",     "resolve",   std::to_string(objections[v % 2]),
             "--decision",    "dismissed", "--reason",
             "核实后信息无误"};
       },
       "POST",
       [&](int v) {
         return "/api/v1/objections/" + std::to_string(objections[v % 2]) + "/resolve";
       },
       [](int) { return std::string(R"({"decision": "dismissed", "reason": "核实后信息无误"})"); }},
  };
  const auto t =
      throughBothDoors(cases, {"admin", "school_in", "school_out", "head_in", "auditor_in",
                               "bank_in", "approver_in", "officer_out", "officer_in"});
  EXPECT_EQ(t.compared, 5 * 9);
  const std::map<std::string, std::vector<std::string>> expected = {
      {"roll import (own school)", {"school_in", "officer_in"}},
      {"roll import (another school)", {"officer_in"}},
      {"roster import", {"officer_in"}},
      {"entitlement run", {"officer_out", "officer_in"}},
      {"objection resolve", {"officer_in"}},
  };
  EXPECT_EQ(t.done_by, expected);
}

// The identification of needy students, step by step through both doors: each door its own
// round (the command line the school's 2025 round, the API its 2026 round) with the same student
// applying, so that one door's step never decides the other's.
TEST_P(ApiTest, TheIdentificationIsOneApplicationThroughBothDoors) {
  RollBuilder roll;
  for (int seq : {1, 3, 5, 7, 9}) roll.student(seq).set("bank_account", card(seq));
  roll.student(11, "李四").set("bank_account", card(11)).set("claimed_categories", "");
  ASSERT_TRUE(f.import(roll.csv()).committed);
  const std::string rid = makeId("430121", "20170315", 11);
  auto yearOf = [](int v) { return std::string(v % 2 ? "2026" : "2025"); };
  auto idOf = [&](const std::string& sql) {
    return std::to_string(store::queryInt(*f.db, "SELECT COALESCE(MIN(id), 0) FROM " + sql));
  };
  auto roundOf = [&](int v) { return idOf("ident_rounds WHERE academic_year = " + yearOf(v)); };
  auto caseOf = [&](int v) {
    return idOf("ident_cases WHERE kind = 'application' AND round_id = " + roundOf(v));
  };
  auto objectionOf = [&](int v) {
    return idOf("ident_objections WHERE status = 'open' AND case_id = " + caseOf(v));
  };
  auto spotCheckOf = [&](int v) {
    return idOf("ident_spot_checks WHERE round_id = " + roundOf(v));
  };
  auto fixed = [](std::string body) { return [body](int) { return body; }; };
  // A step on a door's round, case, objection or spot check: `of` names which.
  auto step = [&](const std::string& name, std::function<std::string(int)> of,
                  std::vector<std::string> words, std::vector<std::string> extra,
                  std::string url_head, std::string url_tail, std::string body) -> UseCase {
    return {name,
            [=](int v) {
              auto a = words;
              a.push_back(of(v));
              a.insert(a.end(), extra.begin(), extra.end());
              return a;
            },
            "POST", [=](int v) { return url_head + of(v) + url_tail; }, fixed(std::move(body))};
  };
  const std::vector<UseCase> opening = {
      {"identification open",
       [&](int v) {
         return std::vector<std::string>{"identify", "open",    "--school", "4301210001",
                                         "--year",   yearOf(v), "--as-of",  yearOf(v) + "-09-01"};
       },
       "POST", "/api/v1/identification/rounds",
       [&](int v) {
         return R"({"school": "4301210001", "academic_year": )" + yearOf(v) +
                R"(, "identification_date": ")" + yearOf(v) + R"(-09-01"})";
       }},
      {"identification apply",
       [&](int v) {
         return std::vector<std::string>{
             "identify",          "apply",
             roundOf(v),          rid,
             "--members",         "5",
             "--indicators",      "serious_illness,income_below_local_min",
             "--details",         "母亲重病住院",
             "--commitment-date", yearOf(v) + "-09-03"};
       },
       "POST",
       [&](int v) { return "/api/v1/identification/rounds/" + roundOf(v) + "/applications"; },
       [&](int v) {
         return R"({"resident_id": ")" + rid +
                R"(", "members": 5, "indicators": ["serious_illness", "income_below_local_min"], )"
                R"("details": "母亲重病住院", "commitment_date": ")" +
                yearOf(v) + R"(-09-03"})";
       }},
      step("identification assess", caseOf, {"identify", "assess"},
           {"--indicators", "serious_illness,income_below_local_min", "--teacher", "王老师",
            "--representatives", "李同学,赵同学", "--level", "difficult"},
           "/api/v1/identification/cases/", "/assessment",
           R"({"indicators": ["serious_illness", "income_below_local_min"], )"
           R"("class_teacher": "王老师", "representatives": ["李同学", "赵同学"], )"
           R"("level": "difficult"})"),
      step("identification decide", caseOf, {"identify", "decide"}, {},
           "/api/v1/identification/cases/", "/decision", "{}"),
      step("identification notice", roundOf, {"identify", "notice"}, {"--out", path("notices")},
           "/api/v1/identification/rounds/", "/notice", "{}"),
      step("identification object", caseOf, {"identify", "object"}, {"--text", "同学反映家境尚可"},
           "/api/v1/identification/cases/", "/objections", R"({"text": "同学反映家境尚可"})"),
      step("identification resolve", objectionOf, {"identify", "resolve"},
           {"--decision", "dismissed", "--reason", "走访核实属实"},
           "/api/v1/identification/objections/", "/resolve",
           R"({"decision": "dismissed", "reason": "走访核实属实"})"),
      step("identification resolve the other", objectionOf, {"identify", "resolve"},
           {"--decision", "dismissed", "--reason", "走访核实属实"},
           "/api/v1/identification/objections/", "/resolve",
           R"({"decision": "dismissed", "reason": "走访核实属实"})"),
  };
  const std::vector<UseCase> filing = {
      step("identification file", roundOf, {"identify", "file"}, {},
           "/api/v1/identification/rounds/", "/file", "{}"),
      step("identification review", roundOf, {"identify", "review"}, {"--decision", "accept"},
           "/api/v1/identification/rounds/", "/review", R"({"decision": "accept"})"),
      step("identification sample", roundOf, {"identify", "sample"},
           {"--seed", "42", "--percent", "100"}, "/api/v1/identification/rounds/", "/spot-checks",
           R"({"seed": "42", "percent": 100})"),
      step("identification check", spotCheckOf, {"identify", "check"},
           {"--outcome", "confirmed", "--text", "入户核实", "--as-of", "2026-10-20"},
           "/api/v1/identification/spot-checks/", "",
           R"({"outcome": "confirmed", "note": "入户核实", "date": "2026-10-20"})"),
  };
  const std::vector<std::string> users = {"admin",       "auditor_in", "bank_in",    "approver_in",
                                          "officer_out", "officer_in", "school_out", "school_in",
                                          "head_out",    "head_in"};
  ::setenv("EDUPAY_TODAY", "2026-09-07", 1);  // the notice's window ends on 2026-09-14
  const auto t = throughBothDoors(opening, users);
  ::setenv("EDUPAY_TODAY", "2026-09-15", 1);
  const auto t2 = throughBothDoors(filing, users);
  ::unsetenv("EDUPAY_TODAY");
  EXPECT_EQ(t.compared + t2.compared, 12 * 10);
  const std::map<std::string, std::vector<std::string>> expected = {
      {"identification open", {"school_in"}},
      {"identification apply", {"school_in"}},
      {"identification assess", {"school_in"}},
      {"identification decide", {"head_in"}},  // never who entered or assessed the case
      {"identification notice", {"school_in"}},
      {"identification object", {"school_in", "head_in"}},
      {"identification resolve", {"head_in"}},
      {"identification resolve the other", {"head_in"}},
  };
  EXPECT_EQ(t.done_by, expected);
  const std::map<std::string, std::vector<std::string>> expected_filing = {
      {"identification file", {"school_in"}},
      {"identification review", {"officer_in"}},
      {"identification sample", {"officer_in"}},
      {"identification check", {"officer_in"}},
  };
  EXPECT_EQ(t2.done_by, expected_filing);
}

// A family's complaint handled by the county through both doors: two complaints of the same
// kind about two children, one for each door.
TEST_P(ApiTest, ComplaintsAreHandledAsOneApplicationThroughBothDoors) {
  ASSERT_EQ(entitle("2026-spring"), 5);  // not batched yet: a hold can still stop a payment
  std::vector<std::string> complaints;
  for (int seq : {1, 3}) {
    const auto found = call("POST", "/api/v1/public/lookup", "",
                            R"({"name": "张三", "id": ")" + makeId("430121", "20170315", seq) +
                                R"(", "birth_date": "2017-03-15"})");
    ASSERT_EQ(found.status, 200) << found.body;
    const auto filed =
        call("POST", "/api/v1/public/complaints", "",
             R"({"category": "not_paid", "text": "补助没有收到。", "complaint_ticket": ")" +
                 found.json()->getValue<std::string>("complaint_ticket") + "\"}");
    ASSERT_EQ(filed.status, 201) << filed.body;
  }
  auto s = f.db->prepare("SELECT id FROM complaints ORDER BY id");
  while (s->next()) complaints.push_back(std::to_string(s->getInt(0)));
  s.reset();
  ASSERT_EQ(complaints.size(), 2u);
  auto step = [&](const std::string& name, std::string sub, std::vector<std::string> extra,
                  std::string tail, std::string body) -> UseCase {
    return {name,
            [=](int v) {
              std::vector<std::string> a = {"complaint", sub, complaints[v % 2]};
              a.insert(a.end(), extra.begin(), extra.end());
              return a;
            },
            "POST", [=](int v) { return "/api/v1/complaints/" + complaints[v % 2] + "/" + tail; },
            [body](int) { return body; }};
  };
  const std::string programme = "compulsory_nonboarding_allowance";
  const std::vector<UseCase> cases = {
      step("complaint assign", "assign", {"--to", "officer_in"}, "assign",
           R"({"to": "officer_in"})"),
      step("complaint note", "note", {"--text", "已与家长电话核实。"}, "notes",
           R"({"text": "已与家长电话核实。"})"),
      step("complaint close", "close", {"--outcome", "confirmed", "--text", "经核实属实。"},
           "close", R"({"outcome": "confirmed", "text": "经核实属实。"})"),
      step("complaint act", "act", {"--hold", "--programme", programme, "--term", "2026-spring"},
           "actions",
           R"({"kind": "hold", "programme": ")" + programme + R"(", "term": "2026-spring"})"),
      step("complaint release", "release", {"--reason", "已补发，解除暂停"}, "release",
           R"({"reason": "已补发，解除暂停"})"),
  };
  const auto t = throughBothDoors(cases, {"admin", "school_in", "auditor_in", "bank_in",
                                          "approver_in", "officer_out", "officer_in"});
  EXPECT_EQ(t.compared, 5 * 7);
  const std::map<std::string, std::vector<std::string>> expected = {
      {"complaint assign", {"officer_in"}},  {"complaint note", {"officer_in"}},
      {"complaint close", {"officer_in"}},   {"complaint act", {"officer_in"}},
      {"complaint release", {"officer_in"}},
  };
  EXPECT_EQ(t.done_by, expected);
}

// Precision flags cleared through both doors: four households paid into one account raise
// shared-account flags on each door's own batch (2026-spring for the command line, 2027-spring
// for the API).
TEST_P(ApiTest, PrecisionFlagsAreClearedAsOneApplicationThroughBothDoors) {
  RollBuilder roll;
  for (int seq : {1, 3, 5, 7, 9}) roll.student(seq).set("bank_account", card(seq < 9 ? 1 : 9));
  ASSERT_TRUE(f.import(roll.csv()).committed);
  auto termOf = [](int v) { return std::string(v % 2 ? "2027-spring" : "2026-spring"); };
  auto flagOf = [&](int v) {
    return std::to_string(store::queryInt(
        *f.db,
        "SELECT COALESCE(MIN(f.id), 0) FROM batch_flags f JOIN batches b ON b.id = f.batch_id "
        "WHERE f.status = 'open' AND b.term = '" +
            termOf(v) + "'"));
  };
  for (int v : {0, 1}) {
    ASSERT_EQ(entitle(termOf(v)), 5) << termOf(v);
    EXPECT_GT(disburse::buildBatches(store, audit, officer, kProgramme, Term::parse(termOf(v)), "",
                                     bankfiles::holderEncodingCheck(store, layouts))
                  .flags,
              1)
        << termOf(v);
  }
  const UseCase clear = {"flag clear",
                         [&](int v) {
                           return std::vector<std::string>{"batch", "clear-flag", flagOf(v),
                                                           "--reason", "同一监护人的四个孩子"};
                         },
                         "POST", [&](int v) { return "/api/v1/flags/" + flagOf(v) + "/clear"; },
                         [](int) { return std::string(R"({"reason": "同一监护人的四个孩子"})"); }};
  UseCase again = clear;
  again.name = "another flag clear";
  const auto t = throughBothDoors({clear, again}, {"admin", "school_in", "auditor_in", "bank_in",
                                                   "approver_in", "officer_out", "officer_in"});
  EXPECT_EQ(t.compared, 2 * 7);
  const std::map<std::string, std::vector<std::string>> expected = {
      {"flag clear", {"officer_in"}}, {"another flag clear", {"officer_in"}}};
  EXPECT_EQ(t.done_by, expected);
}

TEST_P(ApiTest, AnOfficerRecordsASchoolsAccountForFeeWaiversMasked) {
  const std::string url = "/api/v1/schools/4301210001/account";
  const std::string body = R"({"account": ")" + card(77) + R"(", "bank_code": "105430110000"})";
  EXPECT_EQ(call("PUT", url, token("school_in"), body).status, 403);
  EXPECT_EQ(call("PUT", url, token("officer_out"), body).status, 404);
  EXPECT_EQ(call("PUT", url, token("officer_in"), R"({"account": "12", "bank_code": "1"})").status,
            400);
  const auto set = call("PUT", url, token("officer_in"), body);
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(set.body.find(card(77)), std::string::npos) << "the account number is never shown";
  EXPECT_NE(set.body.find("\"changed\":true"), std::string::npos) << set.body;
  const auto shown = call("GET", url, token("school_in"));
  ASSERT_EQ(shown.status, 200);
  EXPECT_NE(shown.body.find(BankAccountNumber::parse(card(77))->masked()), std::string::npos);
  EXPECT_NE(shown.body.find("\"holder\":\"一小\""), std::string::npos) << shown.body;
  EXPECT_EQ(f.count("audit_events", "action = 'school.account' AND actor = 'officer_in'"), 1);
}

TEST_P(ApiTest, ABankDownloadsItsFilesAndUploadsTheAnswer) {
  const std::string b = std::to_string(batch);
  const std::string name = fileName();
  ASSERT_FALSE(name.empty());
  const auto file = call("GET", "/api/v1/batches/" + b + "/files/" + name, token("bank_in"));
  ASSERT_EQ(file.status, 200);
  EXPECT_EQ(file.body, readFile(config.files_dir + "/" + name));
  EXPECT_EQ(
      call("GET", "/api/v1/batches/" + b + "/files/" + name + ".manifest.json", token("bank_in"))
          .status,
      200);
  EXPECT_EQ(call("GET", "/api/v1/batches/" + b + "/files/" + name, token("bank_out")).status, 404);
  EXPECT_EQ(call("GET", "/api/v1/batches/" + b + "/files/..%2Fbureau.pem", token("bank_in")).status,
            404);
  const auto listed = call("GET", "/api/v1/batches", token("bank_out"));
  EXPECT_EQ(listed.json()->getArray("batches")->size(), 0u) << "another bank's batches stay hidden";

  std::string result = "序号|参考号|账号|金额|状态|原因码|原因|银行流水号|\r\n";
  auto s =
      f.db->prepare("SELECT seq, end_to_end_ref FROM payments WHERE batch_id = ? ORDER BY seq");
  s->bind(1, batch);
  while (s->next())
    result += std::to_string(s->getInt(0)) + "|" + s->getText(1) + "|6222|250.00|S|||T" +
              std::to_string(s->getInt(0)) + "|\r\n";
  s.reset();
  const auto bad =
      call("POST", "/api/v1/results", token("bank_in"),
           utf8ToGb18030(withPipeSummary(result + "9|EDU9999999999999999A1|6222|1.00|S|||T9|\r\n")),
           "text/plain");
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_NE(bad.body.find("not a payment edupay sent"), std::string::npos);
  EXPECT_EQ(bad.body.find(f.scratch.dir()), std::string::npos) << "no server paths in answers";
  const auto ok = call("POST", "/api/v1/results", token("bank_in"),
                       utf8ToGb18030(withPipeSummary(result)), "text/plain");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.json()->getValue<int>("paid"), 5);
  const auto again = call("POST", "/api/v1/results", token("bank_in"),
                          utf8ToGb18030(withPipeSummary(result)), "text/plain");
  EXPECT_TRUE(again.json()->getValue<bool>("already_imported"));
  const auto rec = call("GET", "/api/v1/reconciliation?term=2026-autumn", token("auditor_in"));
  ASSERT_EQ(rec.status, 200) << rec.body;
  EXPECT_TRUE(rec.json()->getValue<bool>("adds_up"));
  EXPECT_EQ(
      call("GET", "/api/v1/audit/verify", token("auditor_in")).json()->getValue<bool>("intact"),
      true);
}

TEST_P(ApiTest, TheOpenApiDocumentMatchesTheRoutes) {
  api::Router router;
  api::addRoutes(router);
  std::set<std::string> routes = {"GET /health", "GET /ready", "GET /api/v1/openapi.json"};
  for (const auto& r : router.routes()) routes.insert(r.method + " " + r.pattern);
  std::set<std::string> documented;
  const auto doc =
      Poco::JSON::Parser().parse(api::openApiDocument()).extract<Poco::JSON::Object::Ptr>();
  const auto paths = doc->getObject("paths");
  for (const auto& [path, ops] : *paths) {
    for (const auto& [method, op] : *ops.extract<Poco::JSON::Object::Ptr>()) {
      std::string m = method;
      for (auto& c : m) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.insert(m + " " + path);
    }
  }
  EXPECT_EQ(routes, documented);
  const auto served = call("GET", "/api/v1/openapi.json");
  EXPECT_EQ(served.status, 200);
  EXPECT_EQ(served.body, api::openApiDocument());
}

TEST_P(ApiTest, PlainHttpOnlyOnLoopbackAndHttpsWithACertificate) {
  api::ServiceConfig c = config;
  c.address = "0.0.0.0";
  api::Service open(c);
  EXPECT_THROW(open.start(), Error);

  const std::string cert = path("tls.crt"), key = path("tls.key");
  const std::string cmd =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
      "-keyout '" +
      key + "' -out '" + cert + "' >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  c.address = "127.0.0.1";
  c.tls_certificate = cert;
  c.tls_private_key = key;
  api::Service tls(c);
  tls.start();
  Poco::Net::Context::Ptr client =
      new Poco::Net::Context(Poco::Net::Context::CLIENT_USE, "", Poco::Net::Context::VERIFY_NONE);
  Poco::Net::HTTPSClientSession https("127.0.0.1", tls.port(), client);
  const auto r = testing::call(https, "GET", "/health");
  EXPECT_EQ(r.status, 200);
  tls.stop();
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiTest, ::testing::ValuesIn(testBackends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace edupay::testing
