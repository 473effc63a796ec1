// Cluster-only tests (CTest label `galera`): edupay on a three-node MariaDB Galera cluster started
// by `scripts/galera start DIR`. They run when EDUPAY_TEST_GALERA_URL (the URL the script prints)
// and EDUPAY_TEST_GALERA_DIR (its DIR, to kill and restart nodes) are set, and are skipped
// otherwise. Each test works in its own schema; a node it kills is restarted and checked to have
// caught up before the test ends.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <barrier>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <iostream>
#include <thread>

#include "api/Service.h"
#include "bankfiles/BankFiles.h"
#include "bankfiles/Manifest.h"
#include "common/AtomicFile.h"
#include "common/Log.h"
#include "common/Retry.h"
#include "security/PasswordHasher.h"
#include "store/BatchFixture.h"

namespace edupay::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const char* galeraDir() { return std::getenv("EDUPAY_TEST_GALERA_DIR"); }

/// `url` with its host list rotated so that node `n` (1-based) comes first.
std::string nodeFirst(const std::string& url, int n) {
  const auto at = url.rfind('@');
  const auto slash = url.find('/', at);
  std::vector<std::string> hosts;
  std::string list = url.substr(at + 1, slash - at - 1);
  for (size_t pos = 0;;) {
    const auto comma = list.find(',', pos);
    hosts.push_back(list.substr(pos, comma - pos));
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  std::string rotated;
  for (size_t k = 0; k < hosts.size(); ++k) {
    rotated += (k ? "," : "") + hosts[(static_cast<size_t>(n - 1) + k) % hosts.size()];
  }
  return url.substr(0, at + 1) + rotated + url.substr(slash);
}

/// `url` naming node `n` only.
std::string nodeOnly(const std::string& url, int n) {
  const std::string first = nodeFirst(url, n);
  const auto at = first.rfind('@');
  const auto comma = first.find(',', at);
  const auto slash = first.find('/', at);
  return first.substr(0, comma) + first.substr(slash);
}

void galera(const std::string& what, int node) {
  const std::string cmd = std::string(EDUPAY_SOURCE_DIR) + "/scripts/galera " + what + " '" +
                          galeraDir() + "' " + std::to_string(node) + " >/dev/null";
  const int rc = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 0) << cmd;
}

struct Http {
  int status = 0;
  std::string body;
  Poco::JSON::Object::Ptr json() const {
    return Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
  }
};

Http call(uint16_t port, const std::string& method, const std::string& path,
          const std::string& token = "", const std::string& body = "") {
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  session.setTimeout(Poco::Timespan(120, 0));
  Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!token.empty()) req.set("Authorization", "Bearer " + token);
  if (method == "POST") {
    req.setContentType("application/json");
    req.setContentLength64(static_cast<Poco::Int64>(body.size()));
  }
  session.sendRequest(req) << body;
  Poco::Net::HTTPResponse resp;
  std::istream& in = session.receiveResponse(resp);
  Http h;
  Poco::StreamCopier::copyToString(in, h.body);
  h.status = static_cast<int>(resp.getStatus());
  return h;
}

/// The batch fixture on the cluster (its schema made through node 1), with a signing key, the
/// county's payer account at ICBC and a bank simulator standing in for the bank.
class GaleraCluster : public BatchFixture {
 protected:
  GaleraCluster() {
    security::SigningKey::generate(path("bureau.pem"));
    key.emplace(security::SigningKey::load(path("bureau.pem")));
    store.setPayer({"430121", "102", "6212260000000430121", "长沙县教育局学生资助专户"});
    budget(100000);
  }

  std::string path(const std::string& name) const { return f.scratch.dir() + "/" + name; }

  int64_t approved() {
    const int64_t id = submitted();
    disburse::approveBatch(store, audit, approver1, id);
    return id;
  }

  bankfiles::ExportResult exportThrough(store::Database& db, int64_t id, const std::string& dir) {
    store::SqlDisbursementStore s(db);
    store::SqlSecurityStore a(db);
    fs::create_directories(dir);
    return bankfiles::exportBatch(s, a, officer, id, dir, bankfiles::LayoutSet(), f.cipher, *key,
                                  "义务教育非寄宿生生活补助2026秋");
  }

  bankfiles::ImportResult importThrough(store::Database& db, const std::string& file) {
    store::SqlDisbursementStore s(db);
    store::SqlSecurityStore a(db);
    return bankfiles::importResultFile(s, a, bank_operator, file, std::nullopt);
  }

  void bank(const std::string& file, const std::string& result) {
    const std::string cmd = std::string(EDUPAY_BANKSIM) + " --in '" + file + "' --public-key '" +
                            path("bureau.pem.pub") + "' --out '" + result +
                            "' --fail-rate 0 --seed 1 --date 2026-09-25 >/dev/null 2>&1";
    const int rc = std::system(cmd.c_str());
    ASSERT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 0) << cmd;
  }

  /// Holds batch `id`'s row locked on node `n` in an open transaction, so a unit of work on that
  /// node that writes the row waits there — in the middle, files and reads done, not committed.
  std::unique_ptr<store::Database> holdBatchRow(int n, int64_t id) {
    auto db = store::openDatabase(nodeOnly(f.scratch.url(), n));
    db->begin();
    // A read first waits (wsrep_sync_wait) until the node has applied what the others
    // committed, so no replicated write aborts this lock holder.
    (void)store::queryInt(*db, "SELECT version FROM batches WHERE id = ?", {id});
    store::execute(*db, "UPDATE batches SET updated_on = updated_on WHERE id = ?", {id});
    return db;
  }

  /// Kills node `n` while `work` runs on a connection that prefers it (the work is held in the
  /// middle by a row lock on that node), and returns what the work returned.
  template <typename F>
  auto killNodeDuring(int n, int64_t batch_id, F work) {
    auto locker = holdBatchRow(n, batch_id);
    auto db = store::openDatabase(nodeFirst(f.scratch.url(), n));
    EXPECT_EQ(db->node(), store::openDatabase(nodeOnly(f.scratch.url(), n))->node());
    const std::string killed = db->node();
    auto running = std::async(std::launch::async, [&] { return work(*db); });
    EXPECT_EQ(running.wait_for(1500ms), std::future_status::timeout)
        << "the work did not wait for the row lock";
    galera("kill", n);
    auto result = running.get();
    EXPECT_NE(db->node(), killed) << "the work did not move to another node";
    locker.reset();
    return result;
  }

  /// Node `n` is started again, rejoins, and holds what the others hold.
  void restartAndCheckCaughtUp(int n, int64_t batch_id) {
    galera("restart", n);
    auto rejoined = store::openDatabase(nodeOnly(f.scratch.url(), n));
    for (const char* sql :
         {"SELECT COUNT(*) FROM audit_events", "SELECT COUNT(*) FROM payment_states",
          "SELECT COUNT(*) FROM result_imports", "SELECT COUNT(*) FROM payment_files",
          "SELECT SUM(committed_fen) + SUM(paid_fen) FROM budgets"}) {
      EXPECT_EQ(store::queryInt(*rejoined, sql), store::queryInt(*f.db, sql)) << sql;
    }
    EXPECT_EQ(store::queryInt(*rejoined, "SELECT version FROM batches WHERE id = ?", {batch_id}),
              store::queryInt(*f.db, "SELECT version FROM batches WHERE id = ?", {batch_id}));
  }

  /// Nothing exported twice, nothing settled twice, the money adds up, the chain holds.
  void expectInvariants(int64_t id, int settled) {
    EXPECT_EQ(f.count("payments", "batch_id = " + std::to_string(id)), 5);
    EXPECT_EQ(store::queryInt(*f.db, "SELECT COUNT(DISTINCT end_to_end_ref) FROM payments"), 5);
    EXPECT_EQ(f.count("audit_events", "action = 'batch.export'"), 1);
    EXPECT_EQ(f.count("payment_files", "batch_id = " + std::to_string(id)), 1);
    EXPECT_EQ(f.count("payment_states", "state = 'paid'"), settled);
    EXPECT_EQ(f.count("result_imports"), settled ? 1 : 0);
    EXPECT_EQ(store::queryInt(*f.db, "SELECT SUM(paid_fen) FROM budgets"), settled * 25000);
    for (const auto& r : store.reconcile(Term::parse("2026-autumn"), "430121")) {
      EXPECT_TRUE(r.addsUp()) << r.programme;
    }
    EXPECT_FALSE(security::verifyAudit(audit).broken.has_value());
  }

  std::optional<security::SigningKey> key;
  security::User bank_operator = user("icbc1", security::Role::kBankOperator, "102");
};

TEST_P(GaleraCluster, TwoReplicasOnTwoNodesTwoApproversRaceAndExactlyOneWins) {
  const int64_t id = submitted();
  std::string field_key(security::FieldCipher::kKeyBytes, '\x01');
  writeFileAtomically(path("field.key"),
                      "edupay-field-key-v1\n" + security::base64Encode(field_key) + "\n");
  ::chmod(path("field.key").c_str(), 0600);
  for (const char* name : {"approver_a", "approver_b"}) {
    security::User u = user(name, security::Role::kBureauApprover, "4301");
    u.password_hash = security::PasswordHasher::forTests().hash(std::string("password-") + name);
    u.created_on = u.updated_on = "2026-09-01T00:00:00+08:00";
    audit.addUser(u);
  }
  // Two replicas of the service, each served by a different node of the cluster.
  std::vector<std::unique_ptr<api::Service>> replicas;
  for (int node : {1, 2}) {
    api::ServiceConfig c;
    c.port = 0;
    c.threads = 2;
    c.db_url = nodeFirst(f.scratch.url(), node);
    c.key_file = path("field.key");
    c.files_dir = path("files");
    replicas.push_back(std::make_unique<api::Service>(c));
    replicas.back()->start();
  }
  const auto ready_a = call(replicas[0]->port(), "GET", "/ready");
  const auto ready_b = call(replicas[1]->port(), "GET", "/ready");
  ASSERT_EQ(ready_a.status, 200) << ready_a.body;
  const std::string node_a = ready_a.json()->getValue<std::string>("database_node");
  const std::string node_b = ready_b.json()->getValue<std::string>("database_node");
  EXPECT_NE(node_a, node_b) << "both replicas are served by one node";

  auto login = [&](uint16_t port, const std::string& name) {
    const auto r = call(port, "POST", "/api/v1/login", "",
                        "{\"name\": \"" + name + "\", \"password\": \"password-" + name + "\"}");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json()->getValue<std::string>("token");
  };
  const std::string token_a = login(replicas[0]->port(), "approver_a");
  const std::string token_b = login(replicas[1]->port(), "approver_b");
  std::barrier start(2);
  auto approve = [&](uint16_t port, const std::string& token) {
    start.arrive_and_wait();
    return call(port, "POST", "/api/v1/batches/" + std::to_string(id) + "/approve", token, "{}");
  };
  auto a = std::async(std::launch::async, approve, replicas[0]->port(), token_a);
  auto b = std::async(std::launch::async, approve, replicas[1]->port(), token_b);
  const Http ra = a.get(), rb = b.get();
  EXPECT_EQ((ra.status == 200) + (rb.status == 200), 1) << ra.body << "\n" << rb.body;
  EXPECT_TRUE(ra.status == 403 || ra.status == 409 || rb.status == 403 || rb.status == 409)
      << ra.status << " " << rb.status;
  for (auto& r : replicas) r->stop();
  EXPECT_EQ(f.count("batch_actions", "action = 'approve'"), 1);
  EXPECT_EQ(store.loadBatch(id)->status, disburse::BatchStatus::kApproved);
  EXPECT_EQ(store::queryInt(*f.db, "SELECT SUM(committed_fen) FROM budgets"), 5 * 25000);
  EXPECT_FALSE(security::verifyAudit(audit).broken.has_value());
}

TEST_P(GaleraCluster, ANodeKilledDuringAnExportTheExportFinishesThroughAnother) {
  const int64_t id = approved();
  const auto before = retryCounts();
  const auto r = killNodeDuring(
      3, id, [&](store::Database& db) { return exportThrough(db, id, path("out")); });
  EXPECT_GE(retryCounts().connections_lost - before.connections_lost, 1);
  ASSERT_EQ(r.paths.size(), 1u);
  EXPECT_FALSE(r.again);
  EXPECT_EQ(store.loadBatch(id)->status, disburse::BatchStatus::kExported);
  EXPECT_EQ(f.count("payment_states", "state = 'sent'"), 5);
  const auto v = bankfiles::verifyPaymentFile(r.paths[0], bankfiles::LayoutSet(),
                                              security::VerifyingKey::load(path("bureau.pem.pub")));
  EXPECT_TRUE(v.ok());
  EXPECT_EQ(v.content.total.fen(), 5 * 25000);
  expectInvariants(id, 0);
  restartAndCheckCaughtUp(3, id);
}

TEST_P(GaleraCluster, ANodeKilledDuringAResultImportTheImportFinishesThroughAnother) {
  const int64_t id = approved();
  const auto exported = exportThrough(*f.db, id, path("out"));
  ASSERT_EQ(exported.paths.size(), 1u);
  bank(exported.paths[0], path("result.txt"));
  const auto before = retryCounts();
  const auto r = killNodeDuring(
      2, id, [&](store::Database& db) { return importThrough(db, path("result.txt")); });
  EXPECT_GE(retryCounts().connections_lost - before.connections_lost, 1);
  EXPECT_FALSE(r.already_imported);
  EXPECT_EQ(r.paid, 5);
  EXPECT_EQ(store.loadBatch(id)->status, disburse::BatchStatus::kSettled);
  expectInvariants(id, 5);
  // The same file again, through the node that died and came back: nothing changes.
  restartAndCheckCaughtUp(2, id);
  auto rejoined = store::openDatabase(nodeFirst(f.scratch.url(), 2));
  EXPECT_TRUE(importThrough(*rejoined, path("result.txt")).already_imported);
  expectInvariants(id, 5);
}

TEST_P(GaleraCluster, TwoImportsOfOneResultFileOnTwoNodesOneSettlesTheOtherChangesNothing) {
  const int64_t id = approved();
  const auto exported = exportThrough(*f.db, id, path("out"));
  ASSERT_EQ(exported.paths.size(), 1u);
  bank(exported.paths[0], path("result.txt"));
  auto db1 = store::openDatabase(nodeFirst(f.scratch.url(), 1));
  auto db2 = store::openDatabase(nodeFirst(f.scratch.url(), 2));
  ASSERT_NE(db1->node(), db2->node());
  std::barrier start(2);
  auto import = [&](store::Database* db) {
    start.arrive_and_wait();
    return importThrough(*db, path("result.txt"));
  };
  auto a = std::async(std::launch::async, import, db1.get());
  auto b = std::async(std::launch::async, import, db2.get());
  const auto ra = a.get(), rb = b.get();
  EXPECT_EQ(ra.already_imported + rb.already_imported, 1);
  EXPECT_EQ(ra.paid + rb.paid, 5);
  EXPECT_EQ(store.loadBatch(id)->status, disburse::BatchStatus::kSettled);
  expectInvariants(id, 5);
}

bool clusterNamed() { return std::getenv("EDUPAY_TEST_GALERA_URL") && galeraDir(); }

// Listed whether or not a cluster is named (CTest discovers the tests once); main() reports them
// skipped when none is.
INSTANTIATE_TEST_SUITE_P(Galera, GaleraCluster, ::testing::Values(std::string("mysql")),
                         [](const auto& info) { return info.param; });

TEST(GaleraSuite, RunsOnlyAgainstAClusterStartedByScriptsGalera) {
  if (!clusterNamed()) {
    GTEST_SKIP() << "EDUPAY_TEST_GALERA_URL / EDUPAY_TEST_GALERA_DIR not set: start a cluster "
                    "with scripts/galera start DIR";
  }
  auto db = store::openDatabase(std::getenv("EDUPAY_TEST_GALERA_URL"));
  EXPECT_EQ(store::queryInt(*db,
                            "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS "
                            "WHERE VARIABLE_NAME = 'WSREP_CLUSTER_SIZE'"),
            3);
}

// Two transactions on two nodes change one row; the one certified second must fail at COMMIT,
// never seem to succeed. (Connector/C++'s Connection::commit() once reported success for a
// transaction the cluster had aborted while its client was idle: an approval answered 200 and was
// lost.)
TEST(GaleraSuite, ACommitTheClusterAbortedFailsAndIsNotLost) {
  if (!clusterNamed()) GTEST_SKIP() << "no cluster";
  const std::string url = std::getenv("EDUPAY_TEST_GALERA_URL");
  auto d0 = store::openDatabase(url);
  store::execute(*d0, "CREATE TABLE IF NOT EXISTS commit_probe (id INT PRIMARY KEY, v INT)");
  store::execute(*d0, "REPLACE INTO commit_probe VALUES (1, 0)");
  auto d1 = store::openDatabase(nodeFirst(url, 1));
  auto d2 = store::openDatabase(nodeFirst(url, 2));
  ASSERT_NE(d1->node(), d2->node());
  d1->begin();
  d2->begin();
  EXPECT_EQ(store::execute(*d1, "UPDATE commit_probe SET v = v + 1 WHERE id = 1"), 1);
  EXPECT_EQ(store::execute(*d2, "UPDATE commit_probe SET v = v + 10 WHERE id = 1"), 1);
  d1->commit();
  std::this_thread::sleep_for(300ms);  // node 2 applies node 1's write and aborts d2's
  try {
    d2->commit();
    ADD_FAILURE() << "the second commit seemed to succeed";
  } catch (const TransientError& e) {
    EXPECT_EQ(e.kind(), TransientError::Kind::kConflict);
  }
  EXPECT_EQ(store::queryInt(*d0, "SELECT v FROM commit_probe WHERE id = 1"), 1);
  store::execute(*d0, "DROP TABLE commit_probe");
}

}  // namespace
}  // namespace edupay::testing

// The cluster's URL stands in for the MariaDB the database fixtures make their schemas on.
int main(int argc, char** argv) {
  if (const char* url = std::getenv("EDUPAY_TEST_GALERA_URL")) {
    ::setenv("EDUPAY_TEST_MYSQL_URL", url, 1);
  }
  edupay::log::configureFromEnvironment("warning");
  ::testing::InitGoogleTest(&argc, argv);
  if (!edupay::testing::clusterNamed() &&
      ::testing::GTEST_FLAG(filter).find("Galera/GaleraCluster") != std::string::npos) {
    // The fixture makes its schema on the cluster: without one there is nothing to run.
    std::cout << "[  SKIPPED ] no cluster: set EDUPAY_TEST_GALERA_URL and EDUPAY_TEST_GALERA_DIR "
                 "(scripts/galera start DIR prints the URL)\n";
    return 0;
  }
  return RUN_ALL_TESTS();
}
