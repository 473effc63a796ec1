#include <gtest/gtest.h>

#include "common/Error.h"
#include "registry/RosterImporter.h"
#include "rules/EntitlementRun.h"
#include "store/RollFixture.h"
#include "store/SqlEntitlementStore.h"

namespace edupay::testing {
namespace {

/// A registry with students imported, the Hunan policy active, and the term's run at hand.
class EntitlementRunTest : public ::testing::TestWithParam<std::string> {
 protected:
  EntitlementRunTest()
      : f(GetParam()),
        store(*f.db),
        policy(rules::loadPolicyFile(std::string(EDUPAY_SOURCE_DIR) + "/policies/hunan.json")) {
    auto tx = store.transaction();
    policy_id = store.activatePolicy(policy.name, policy.sha256, policy.resolved_json);
    tx->commit();
  }

  rules::EntitleSummary run(const std::string& term = "2026-autumn", const std::string& region = "",
                            bool dry_run = false) {
    rules::EntitleOptions o;
    o.term = Term::parse(term);
    o.region = region;
    o.dry_run = dry_run;
    o.batch_size = 2;  // several keyset batches even for a handful of students
    return rules::runEntitlements(store, policy, policy_id, o);
  }

  /// A civil-affairs roster row confirming `dibao` for the household of student `seq`.
  void roster(const std::vector<int>& seqs, const std::string& valid_to = "") {
    std::string csv = "resident_id,name,household_id,category,valid_from,valid_to,region\n";
    for (int seq : seqs) {
      csv += makeId("430121", "19850101", seq) + ",张父" + std::to_string(seq) + ",H" +
             std::to_string(seq) + ",dibao,2020-01-01," + valid_to + ",430121\n";
    }
    const auto path =
        writeFile(f.scratch.dir(), "roster" + std::to_string(rosters_++) + ".csv", csv);
    const auto r = registry::importRoster(f.store, f.cipher, path, "civil_affairs", false);
    ASSERT_TRUE(r.committed) << (r.issues.empty() ? "" : r.issues[0].text(Lang::kEn));
  }

  std::string statusOf(int seq, const std::string& programme,
                       const std::string& term = "2026-autumn") {
    auto s = f.db->prepare(
        "SELECT e.status, e.amount_fen FROM entitlements e JOIN persons p ON p.id = e.person_id "
        "WHERE p.rid_hash = ? AND e.programme = ? AND e.term = ?");
    s->bind(1, f.cipher.blindIndex("resident_id", makeId("430121", "20170315", seq)));
    s->bind(2, programme);
    s->bind(3, term);
    if (!s->next()) return "none";
    return s->getText(0) + " " + std::to_string(s->getInt(1));
  }

  RegistryFixture f;
  store::SqlEntitlementStore store;
  rules::Policy policy;
  int64_t policy_id = 0;

 private:
  int rosters_ = 0;
};

TEST_P(EntitlementRunTest, WritesOneEntitlementPerStudentProgrammeAndTerm) {
  ASSERT_TRUE(f.import(RollBuilder().student(1).student(3).student(5).csv()).committed);
  roster({1, 3, 5});
  const auto s = run();
  EXPECT_TRUE(s.committed);
  EXPECT_EQ(s.students, 3);
  EXPECT_EQ(s.eligible, 3);  // non-boarding allowance, rural dibao confirmed
  EXPECT_EQ(s.eligible_amount.fen(), 3 * 25000);
  EXPECT_EQ(f.count("entitlements"), 6);  // and the boarding allowance, excluded, with its reason
  EXPECT_EQ(statusOf(1, "compulsory_nonboarding_allowance"), "eligible 25000");
  EXPECT_EQ(statusOf(1, "compulsory_boarding_allowance"), "excluded 0");
  EXPECT_EQ(f.count("entitlements", "reason LIKE '%!boarding=day student%'"), 3);
  EXPECT_EQ(f.count("entitlements", "central_fen + provincial_fen + county_fen <> amount_fen"), 0);
}

TEST_P(EntitlementRunTest, TheDatabaseRefusesASecondEntitlementForTheSameStudentProgrammeAndTerm) {
  ASSERT_TRUE(f.import(RollBuilder().student(1).csv()).committed);
  roster({1});
  (void)run();
  try {
    store::execute(
        *f.db,
        "INSERT INTO entitlements (person_id, programme, term, status, amount_fen, central_fen, "
        "provincial_fen, county_fen, payee, paying_region, reason, policy_id, run_id, version, "
        "updated_on) "
        "SELECT person_id, programme, term, status, amount_fen, central_fen, provincial_fen, "
        "county_fen, "
        "payee, '439999', reason, policy_id, run_id, 1, updated_on FROM entitlements WHERE status "
        "= "
        "'eligible'");
    FAIL() << "a second entitlement (another region) for the same student, programme and term was "
              "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kConflict);
  }
}

TEST_P(EntitlementRunTest, ARerunWithUnchangedFactsChangesNothing) {
  ASSERT_TRUE(f.import(RollBuilder().student(1).student(3).csv()).committed);
  roster({1, 3});
  (void)run();
  const auto again = run();
  EXPECT_EQ(again.inserted, 0);
  EXPECT_EQ(again.updated, 0);
  EXPECT_EQ(again.unchanged, 4);
  EXPECT_EQ(f.count("entitlement_history"), 0);
  EXPECT_EQ(f.count("entitlements", "version <> 1"), 0);
}

TEST_P(EntitlementRunTest, AClaimNoRosterConfirmsIsHeld) {
  ASSERT_TRUE(f.import(RollBuilder().student(1).csv()).committed);
  const auto s = run();
  EXPECT_EQ(s.held, 1);
  EXPECT_EQ(statusOf(1, "compulsory_nonboarding_allowance"), "held 25000");
  EXPECT_EQ(f.count("entitlements", "hold_reason = 'claimed category not on the official roster'"),
            1);
}

TEST_P(EntitlementRunTest, PovertyExitBeforeTheReferenceDateEndsTheConfirmation) {
  ASSERT_TRUE(f.import(RollBuilder().student(1).student(3).csv()).committed);
  roster({1}, "2026-08-31");  // exited the day before the 2026-autumn reference date
  roster({3}, "2026-09-02");  // exited the day after
  (void)run();
  EXPECT_EQ(statusOf(1, "compulsory_nonboarding_allowance"), "held 25000");
  EXPECT_EQ(statusOf(3, "compulsory_nonboarding_allowance"), "eligible 25000");
}

TEST_P(EntitlementRunTest, AChangedFactSupersedesTheResultAndKeepsHistory) {
  ASSERT_TRUE(f.import(RollBuilder().student(1).csv()).committed);
  roster({1});
  (void)run();
  EXPECT_EQ(statusOf(1, "compulsory_nonboarding_allowance"), "eligible 25000");
  roster({1}, "2026-06-30");  // the household left the roster before the term
  const auto s = run();
  EXPECT_EQ(s.updated, 1);
  EXPECT_EQ(statusOf(1, "compulsory_nonboarding_allowance"), "held 25000");
  EXPECT_EQ(
      f.count("entitlement_history", "status = 'eligible' AND amount_fen = 25000 AND version = 1"),
      1);
  EXPECT_EQ(
      f.count("entitlements", "programme = 'compulsory_nonboarding_allowance' AND version = 2"), 1);
}

TEST_P(EntitlementRunTest, ALockedEntitlementIsReportedAsAnAdjustmentNotChanged) {
  ASSERT_TRUE(f.import(RollBuilder().student(1).csv()).committed);
  roster({1});
  (void)run();
  store::execute(*f.db, "UPDATE entitlements SET locked = 1 WHERE status = 'eligible'");
  roster({1}, "2026-06-30");
  const auto s = run();
  EXPECT_EQ(s.adjustments_total, 1);
  ASSERT_EQ(s.adjustments.size(), 1u);
  EXPECT_EQ(s.adjustments[0].before, "eligible 250.00");
  EXPECT_EQ(s.adjustments[0].after, "held 250.00");
  EXPECT_EQ(statusOf(1, "compulsory_nonboarding_allowance"), "eligible 25000");
}

TEST_P(EntitlementRunTest, AnEnrollmentEndingTheDayBeforeTheReferenceDateIsNotEvaluated) {
  ASSERT_TRUE(f.import(RollBuilder()
                           .student(1)
                           .set("status", "dropped")
                           .set("status_date", "2026-08-31")
                           .student(3)
                           .set("status", "dropped")
                           .set("status_date", "2026-09-02")
                           .csv())
                  .committed);
  roster({1, 3});
  const auto s = run();
  EXPECT_EQ(s.students, 1);
  EXPECT_EQ(statusOf(1, "compulsory_nonboarding_allowance"), "none");
  EXPECT_EQ(statusOf(3, "compulsory_nonboarding_allowance"), "eligible 25000");
}

TEST_P(EntitlementRunTest, AStudentWhoLeftBeforeTheReferenceDateLosesTheEntitlement) {
  ASSERT_TRUE(f.import(RollBuilder().student(1).csv()).committed);
  roster({1});
  (void)run();
  ASSERT_TRUE(
      f.import(
           RollBuilder().student(1).set("status", "dropped").set("status_date", "2026-07-15").csv())
          .committed);
  const auto s = run();
  EXPECT_EQ(s.updated, 1);  // the eligible one; the boarding allowance was already excluded
  EXPECT_EQ(statusOf(1, "compulsory_nonboarding_allowance"), "excluded 0");
  EXPECT_EQ(f.count("entitlements",
                    "programme = 'compulsory_nonboarding_allowance' AND "
                    "reason LIKE '%not enrolled on 2026-09-01%'"),
            1);
  EXPECT_EQ(f.count("entitlement_history", "status = 'eligible'"), 1);
}

TEST_P(EntitlementRunTest, ARegionRunTouchesOnlyThatRegion) {
  ASSERT_TRUE(f.import(RollBuilder().student(1).csv()).committed);
  roster({1});
  const auto other = run("2026-autumn", "4302");
  EXPECT_EQ(other.students, 0);
  EXPECT_EQ(f.count("entitlements"), 0);
  const auto mine = run("2026-autumn", "430121");
  EXPECT_EQ(mine.eligible, 1);
}

TEST_P(EntitlementRunTest, ADryRunWritesNothing) {
  ASSERT_TRUE(f.import(RollBuilder().student(1).csv()).committed);
  roster({1});
  const auto s = run("2026-autumn", "", true);
  EXPECT_EQ(s.eligible, 1);
  EXPECT_FALSE(s.committed);
  EXPECT_EQ(f.count("entitlements"), 0);
  EXPECT_EQ(f.count("entitlement_runs"), 0);
}

TEST_P(EntitlementRunTest, ARunStoppedBetweenChunksIsResumedToTheSameOutcome) {
  ASSERT_TRUE(f.import(RollBuilder().student(1).student(2).student(3).student(4).student(5).csv())
                  .committed);
  roster({1, 2, 3, 4, 5});
  // A store that fails on the second chunk's writes: the first chunk stays committed, as when
  // the process is killed between chunks.
  struct Failing : store::SqlEntitlementStore {
    using SqlEntitlementStore::SqlEntitlementStore;
    int calls = 0;
    void writeEntitlements(const Term& term, int64_t run_id, int64_t policy_id,
                           std::vector<rules::EntitlementWrite>& writes) override {
      if (++calls == 2) throw Error(ErrorCode::kUnavailable, "the connection was lost");
      SqlEntitlementStore::writeEntitlements(term, run_id, policy_id, writes);
    }
  } failing(*f.db);
  rules::EntitleOptions o;
  o.term = Term::parse("2026-autumn");
  o.batch_size = 2;
  EXPECT_THROW((void)rules::runEntitlements(failing, policy, policy_id, o), Error);
  const int64_t written = f.count("entitlements");
  EXPECT_GT(written, 0);
  EXPECT_LT(written, 10);
  EXPECT_EQ(f.count("entitlement_runs", "summary IS NULL AND progress IS NOT NULL"), 1);

  const auto s = run();  // the same command again
  EXPECT_TRUE(s.committed);
  EXPECT_EQ(s.students, 5);
  EXPECT_EQ(s.eligible, 5);
  EXPECT_EQ(s.inserted, 10) << "counted as one uninterrupted run would count them";
  EXPECT_EQ(s.unchanged, 0);
  EXPECT_EQ(f.count("entitlements"), 10);
  EXPECT_EQ(f.count("entitlement_runs"), 1) << "the stopped run was resumed, not restarted";
  EXPECT_EQ(f.count("entitlement_runs", "summary IS NULL"), 0);
}

TEST_P(EntitlementRunTest, OneRunPerTermAndRegionAtATimeByALeaseRow) {
  ASSERT_TRUE(f.import(RollBuilder().student(1).csv()).committed);
  roster({1});
  store::execute(
      *f.db,
      "INSERT INTO job_leases (name, holder, expires_at) VALUES ('entitle:2026-autumn:', "
      "'another-host:4242:0123456789abcdef', '2099-01-01T00:00:00Z')");
  try {
    (void)run();
    ADD_FAILURE() << "a second run started while the lease was held";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kConflict);
    EXPECT_NE(std::string(e.what()).find("already running"), std::string::npos) << e.what();
  }
  EXPECT_EQ(f.count("entitlements"), 0);
  // An expired lease (its holder died on another machine) is taken over.
  store::execute(*f.db, "UPDATE job_leases SET expires_at = '2020-01-01T00:00:00Z'");
  EXPECT_TRUE(run().committed);
  EXPECT_EQ(f.count("job_leases", "holder = ''"), 1) << "freed at the end";
}

TEST_P(EntitlementRunTest, RosterReimportIsIdempotentAndExitsCloseNotDelete) {
  ASSERT_TRUE(f.import(RollBuilder().student(1).csv()).committed);
  roster({1});
  const int64_t n = f.count("household_status");
  roster({1});
  EXPECT_EQ(f.count("household_status"), n);
  roster({1}, "2026-12-31");
  EXPECT_EQ(f.count("household_status"), n);
  EXPECT_EQ(f.count("household_status", "source = 'civil_affairs' AND valid_to = '2026-12-31'"), 1);
}

// Found by fuzz_roster (fuzz/regressions/roster): a line shorter than the header, with the name
// column past its end, read outside the row (the freed name of the line before, under ASan).
TEST_P(EntitlementRunTest, ARosterLineShorterThanItsHeaderIsReportedNotRead) {
  const std::string csv = "resident_id,household_id,category,valid_from,valid_to,region,name\n" +
                          makeId("430121", "19850101", 1) +
                          ",H1,dibao,2020-01-01,,430121,张父一号张父一号张父一号\n" +
                          makeId("430121", "19850101", 3) + ",H3,dibao\n";
  const auto path = writeFile(f.scratch.dir(), "short-roster.csv", csv);
  // The reader refuses the file at the short line (a file cut short), naming it; nothing past
  // the line's end is read and nothing is written.
  try {
    (void)registry::importRoster(f.store, f.cipher, path, "civil_affairs", false);
    ADD_FAILURE() << "a roster with a short line was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("line 3"), std::string::npos) << e.what();
  }
  EXPECT_EQ(f.count("household_status", "source = 'civil_affairs'"), 0);
}

TEST_P(EntitlementRunTest, ABadRosterIsRefusedWhole) {
  ASSERT_TRUE(f.import(RollBuilder().student(1).csv()).committed);
  const std::string csv =
      "resident_id,name,household_id,category,valid_from,valid_to,region\n" +
      makeId("430121", "19850101", 1) + ",张父1,H1,dibao,2020-01-01,,430121\n" +
      makeId("430121", "19850101", 3) +
      ",张父3,H3,registered_poor,2020-01-01,,430121\n";  // not a civil-affairs category
  const auto path = writeFile(f.scratch.dir(), "bad-roster.csv", csv);
  const auto r = registry::importRoster(f.store, f.cipher, path, "civil_affairs", false);
  EXPECT_FALSE(r.committed);
  ASSERT_EQ(r.rows_bad, 1);
  EXPECT_EQ(r.issues[0].line, 3);
  EXPECT_EQ(r.issues[0].column, "category");
  // Which department reports the category, in each reader's words.
  EXPECT_EQ(r.issues[0].text(Lang::kEn),
            "is not reported by the civil_affairs roster (it comes from poverty)");
  EXPECT_EQ(r.issues[0].column_zh, "困难类别");
  EXPECT_NE(r.issues[0].text(Lang::kZh).find(
                "民政部门的部门比对数据不报送该类别（该类别由乡村振兴部门报送）"),
            std::string::npos)
      << r.issues[0].text(Lang::kZh);
  EXPECT_EQ(f.count("household_status", "source = 'civil_affairs'"), 0);
}

TEST_P(EntitlementRunTest, RosterChildrenOnNoRollAreReported) {
  ASSERT_TRUE(f.import(RollBuilder().student(1).csv()).committed);
  const std::string child = makeId("430121", "20150610", 21);
  const std::string csv = "resident_id,name,household_id,category,valid_from,valid_to,region\n" +
                          child + ",失学儿,H1,dibao,2020-01-01,,430121\n";
  const auto path = writeFile(f.scratch.dir(), "roster-child.csv", csv);
  ASSERT_TRUE(registry::importRoster(f.store, f.cipher, path, "civil_affairs", false).committed);
  const auto missing = f.store.rosterChildrenNotEnrolled(*Date::fromYmd(2026, 9, 1), 6, 15);
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing[0].name, "失学儿");
  EXPECT_EQ(missing[0].categories, "dibao");
}

// Each decision's reason is stored with its sentences; a decision stored without them (before
// migration 0016) gets them from the next run, and nothing else about it changes.
TEST_P(EntitlementRunTest, ReasonsAreStoredAsSentencesAndOldOnesGetThemUnchanged) {
  ASSERT_TRUE(f.import(RollBuilder().student(1).student(3).csv()).committed);
  roster({1, 3});
  run();
  EXPECT_EQ(f.count("entitlements", "reason_sha IS NULL"), 0);
  EXPECT_EQ(f.count("entitlements e",
                    "reason LIKE '%!boarding=day student%' AND EXISTS (SELECT 1 "
                    "FROM reason_sentences rs WHERE rs.sha256 = e.reason_sha "
                    "AND rs.messages LIKE '%\"rules.fact.day_student\"%')"),
            2);
  // Each distinct reason is kept once: students with the same facts share their sentences.
  EXPECT_EQ(f.count("reason_sentences"),
            store::queryInt(*f.db, "SELECT COUNT(DISTINCT reason_sha) FROM entitlements"));
  EXPECT_LT(f.count("reason_sentences"), 4);
  // The sentences read back as the reason line says it, in English word for word.
  auto s = f.db->prepare(
      "SELECT e.reason, rs.messages FROM entitlements e JOIN reason_sentences rs ON rs.sha256 = "
      "e.reason_sha ORDER BY e.id");
  int rows = 0;
  while (s->next()) {
    const auto checks = rules::storedChecks(s->getText(0), s->getText(1));
    std::string line;
    for (const auto& c : checks)
      line += (line.empty() ? "" : "; ") + std::string(c.ok ? "" : "!") + c.code + "=" + c.fact;
    EXPECT_EQ(line, s->getText(0));
    ++rows;
  }
  EXPECT_EQ(rows, 4);

  store::execute(*f.db, "UPDATE entitlements SET reason_sha = NULL");
  const int64_t history = f.count("entitlement_history");
  const auto again = run();
  EXPECT_EQ(again.unchanged, 4);
  EXPECT_EQ(again.inserted + again.updated, 0);
  EXPECT_EQ(f.count("entitlements", "reason_sha IS NULL"), 0);
  EXPECT_EQ(f.count("entitlements", "version <> 1"), 0);
  EXPECT_EQ(f.count("entitlement_history"), history);
}

INSTANTIATE_TEST_SUITE_P(Backends, EntitlementRunTest, ::testing::ValuesIn(testBackends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace edupay::testing
