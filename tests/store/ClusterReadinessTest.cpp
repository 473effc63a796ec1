// What a MariaDB Galera cluster needs of the schema and the store, checked on every backend:
// every table has a primary key (rows are replicated and certified by key), and no number a bank
// sees comes from AUTO_INCREMENT (a cluster spaces those by its size and offsets them by node).
#include <gtest/gtest.h>

#include <set>

#include "common/Retry.h"
#include "store/BatchFixture.h"

namespace edupay::testing {
namespace {

class ClusterReadinessTest : public BatchFixture {};

TEST_P(ClusterReadinessTest, EveryTableHasAPrimaryKey) {
  std::set<std::string> tables, keyed;
  if (f.db->dialect() == store::Dialect::kMySQL) {
    auto s = f.db->prepare(
        "SELECT t.table_name, (SELECT COUNT(*) FROM information_schema.table_constraints c "
        "WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name "
        "AND c.constraint_type = 'PRIMARY KEY') FROM information_schema.tables t "
        "WHERE t.table_schema = DATABASE() AND t.table_type = 'BASE TABLE'");
    while (s->next()) {
      tables.insert(s->getText(0));
      if (s->getInt(1) > 0) keyed.insert(s->getText(0));
    }
    // Galera replicates InnoDB tables only.
    EXPECT_EQ(store::queryInt(*f.db,
                              "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema "
                              "= DATABASE() AND table_type = 'BASE TABLE' AND engine <> 'InnoDB'"),
              0);
  } else {
    auto s = f.db->prepare(
        "SELECT m.name, (SELECT COUNT(*) FROM pragma_table_info(m.name) WHERE pk > 0) "
        "FROM sqlite_master m WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'");
    while (s->next()) {
      tables.insert(s->getText(0));
      if (s->getInt(1) > 0) keyed.insert(s->getText(0));
    }
  }
  EXPECT_GT(tables.size(), 20u);
  for (const auto& t : tables)
    EXPECT_TRUE(keyed.count(t)) << "table " << t << " has no primary key";
}

TEST_P(ClusterReadinessTest, BatchNumbersAreDenseWhateverTheAutoIncrementStep) {
  if (f.db->dialect() == store::Dialect::kMySQL) {
    // What a three-node Galera cluster sets on the second node.
    store::execute(*f.db, "SET SESSION auto_increment_increment = 3");
    store::execute(*f.db, "SET SESSION auto_increment_offset = 2");
  }
  store::execute(*f.db, "UPDATE banks SET max_lines = 2 WHERE code = '102'");
  const auto r = build();
  ASSERT_EQ(r.batch_ids.size(), 3u);
  const int64_t first = store::queryInt(*f.db, "SELECT MIN(id) FROM batches");
  EXPECT_EQ(r.batch_ids[0], first);
  EXPECT_EQ(r.batch_ids[1], first + 1);
  EXPECT_EQ(r.batch_ids[2], first + 2);
  // The references the bank sees carry the batch number.
  auto s = f.db->prepare("SELECT batch_id, seq, end_to_end_ref FROM payments ORDER BY id");
  int rows = 0;
  while (s->next()) {
    ++rows;
    const std::string batch = std::to_string(s->getInt(0));
    const std::string seq = std::to_string(s->getInt(1));
    const std::string ref = s->getText(2);
    EXPECT_EQ(ref.substr(0, 3), "EDU");
    EXPECT_EQ(ref.substr(13 - batch.size(), batch.size()), batch) << ref;
    EXPECT_EQ(ref.substr(19 - seq.size(), seq.size()), seq) << ref;
  }
  EXPECT_EQ(rows, 5);
}

TEST_P(ClusterReadinessTest, AnUnreachableHostIsPassedOverAndEveryHostNamedWhenNoneAnswers) {
  if (f.db->dialect() != store::Dialect::kMySQL) GTEST_SKIP() << "several hosts: MySQL URLs only";
  const std::string url = f.scratch.url();
  const auto at = url.rfind('@');
  // Port 1 on loopback refuses at once: the server after it serves.
  auto db = store::openDatabase(url.substr(0, at + 1) + "127.0.0.1:1," + url.substr(at + 1));
  EXPECT_NE(db->node(), "127.0.0.1:1");
  EXPECT_EQ(store::queryInt(*db, "SELECT COUNT(*) FROM batches"), 0);
  try {
    (void)store::openDatabase(url.substr(0, at + 1) + "127.0.0.1:1,127.0.0.1:2" +
                              url.substr(url.find('/', at)));
    FAIL() << "connected to nothing";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnavailable);
    EXPECT_NE(e.detail().find("127.0.0.1:1:"), std::string::npos) << e.detail();
    EXPECT_NE(e.detail().find("127.0.0.1:2:"), std::string::npos) << e.detail();
    EXPECT_EQ(e.detail().find("edupay-test"), std::string::npos) << "the password was shown";
  }
}

// A connection lost at COMMIT leaves it unknown whether the server committed; the store looks up
// the transaction's idempotency key (its audit event's hash) on a new connection.
TEST_P(ClusterReadinessTest, ACommitWhoseAnswerIsLostIsSettledByTheAuditEventsHash) {
  if (f.db->dialect() != store::Dialect::kMySQL) GTEST_SKIP() << "SQLite commits in-process";
  auto db = f.scratch.open();
  store::SqlSecurityStore a(*db);
  auto killConnection = [&] {
    // From a connection to the same server (on a cluster, the node serving `db`).
    const std::string url = f.scratch.url();
    const auto at = url.rfind('@');
    auto killer =
        store::openDatabase(url.substr(0, at + 1) + db->node() + url.substr(url.find('/', at)));
    const int64_t id = store::queryInt(*db, "SELECT CONNECTION_ID()");
    killer->executeScript("KILL CONNECTION " + std::to_string(id) + ";");
  };
  // Not committed: the event is not on file, so the unit of work must run again.
  db->begin();
  security::appendAudit(a, "officer1", "test.lost_commit", "test", "", "attempt");
  killConnection();
  try {
    db->commit();
    FAIL() << "a commit on a killed connection seemed to succeed";
  } catch (const TransientError& e) {
    EXPECT_EQ(e.kind(), TransientError::Kind::kConnectionLost);
  }
  EXPECT_EQ(f.count("audit_events", "action = 'test.lost_commit'"), 0);
  // Committed (the event is on file: the server committed, the answer was lost): success.
  db->begin();
  const std::string head =
      security::appendAudit(a, "officer1", "test.committed", "test", "", "attempt").hash;
  db->commit();
  ASSERT_FALSE(head.empty());
  db->begin();
  db->setCommitCheck("SELECT 1 FROM audit_events WHERE hash = ?", head);
  killConnection();
  EXPECT_NO_THROW(db->commit());
  // And the connection serves again.
  EXPECT_GT(store::queryInt(*db, "SELECT COUNT(*) FROM audit_events"), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, ClusterReadinessTest, ::testing::ValuesIn(testBackends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace edupay::testing
