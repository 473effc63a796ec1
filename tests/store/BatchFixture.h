#pragma once

// Five eligible students in county 430121 with the term's entitlements computed, a budget, and
// the users of a county: shared by the batch workflow and the bank-file end-to-end tests.

#include <gtest/gtest.h>

#include <functional>

#include "bankfiles/BankFiles.h"
#include "common/BankAccountNumber.h"
#include "common/Error.h"
#include "common/Money.h"
#include "common/Text.h"
#include "disburse/Batches.h"
#include "registry/RosterImporter.h"
#include "rules/EntitlementRun.h"
#include "store/RollFixture.h"
#include "store/SqlDisbursementStore.h"
#include "store/SqlEntitlementStore.h"
#include "store/SqlSecurityStore.h"

namespace edupay::testing {

/// A Luhn-valid 19-digit card number, different for each `seq`.
inline std::string card(int seq) {
  std::string digits = "622202123456780" + std::to_string(1000 + seq);
  for (char c = '0'; c <= '9'; ++c) {
    if (BankAccountNumber::luhn(digits + c)) return digits + c;
  }
  return digits + "0";
}

/// A pipe-result body (UTF-8 lines) with the 汇总 line the bank ends it with (templates/banks/
/// README.md, "Results"): paid count and amount, failed count and amount, from the lines.
inline std::string withPipeSummary(const std::string& body) {
  int64_t paid = 0, failed = 0;
  Money paid_total, failed_total;
  for (const auto& line : text::split(body, '\n')) {
    const auto f = text::split(line, '|');
    if (f.size() < 5 || f[0].rfind("序号", 0) == 0) continue;
    if (f[4] == "S") {
      ++paid;
      paid_total += Money::parseYuan(f[3]);
    } else if (f[4] == "E") {
      ++failed;
      failed_total += Money::parseYuan(f[3]);
    }
  }
  return body + "汇总|" + std::to_string(paid) + "|" + paid_total.toYuan() + "|" +
         std::to_string(failed) + "|" + failed_total.toYuan() + "|\r\n";
}

inline security::User user(const std::string& name, security::Role role, const std::string& scope) {
  security::User u;
  u.name = name;
  u.role = role;
  u.scope = scope;
  return u;
}

/// Five eligible students (non-boarding allowance, 250.00 each, ICBC cards) in county 430121,
/// with the term's entitlements computed.
class BatchFixture : public ::testing::TestWithParam<std::string> {
 protected:
  BatchFixture() : f(GetParam()), store(*f.db), audit(*f.db) {
    RollBuilder roll;
    std::string roster = "resident_id,name,household_id,category,valid_from,valid_to,region\n";
    for (int seq : {1, 3, 5, 7, 9}) {
      roll.student(seq).set("bank_account", card(seq));
      roster += makeId("430121", "19850101", seq) + ",父" + std::to_string(seq) + ",H" +
                std::to_string(seq) + ",dibao,2020-01-01,,430121\n";
    }
    EXPECT_TRUE(f.import(roll.csv()).committed);
    const auto path = writeFile(f.scratch.dir(), "roster.csv", roster);
    EXPECT_TRUE(registry::importRoster(f.store, f.cipher, path, "civil_affairs", false).committed);
    const auto policy =
        rules::loadPolicyFile(std::string(EDUPAY_SOURCE_DIR) + "/policies/hunan.json");
    store::SqlEntitlementStore ents(*f.db);
    {
      auto tx = ents.transaction();
      policy_id = ents.activatePolicy(policy.name, policy.sha256, policy.resolved_json);
      tx->commit();
    }
    rules::EntitleOptions o;
    o.term = Term::parse("2026-autumn");
    EXPECT_EQ(rules::runEntitlements(ents, policy, policy_id, o).eligible, 5);
    budget(100000000);
    calendar = policy.holidays;
  }

  /// Publishes the school's notice on `day` (its objection window is 5 working days).
  disburse::PublishResult publish(const Date& day) {
    return disburse::publishNotice(store, audit, officer, kProgramme, Term::parse("2026-autumn"),
                                   "4301210001", f.scratch.dir(), calendar, day);
  }

  /// Builds, publishes the notice well in the past and submits: ready for approvers.
  int64_t submitted() {
    const int64_t id = build().batch_ids.at(0);
    publish(*Date::fromYmd(2026, 9, 14));
    disburse::submitBatch(store, audit, officer, id);
    return id;
  }

  void budget(int64_t yuan_each, int fiscal_year = 2026) {
    std::vector<disburse::BudgetLine> lines;
    for (const char* source : {"central", "provincial", "county"}) {
      disburse::BudgetLine l;
      l.programme = kProgramme;
      l.region = "430121";
      l.fiscal_year = fiscal_year;
      l.source = source;
      l.allocated = Money::fromYuan(yuan_each);
      lines.push_back(l);
    }
    store.importBudget(lines);
  }

  disburse::BuildResult build() {
    return disburse::buildBatches(store, audit, officer, kProgramme, Term::parse("2026-autumn"), "",
                                  bankfiles::holderEncodingCheck(store, layouts));
  }
  std::string refusal(const std::function<void()>& action) {
    try {
      action();
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }

  static constexpr const char* kProgramme = "compulsory_nonboarding_allowance";
  RegistryFixture f;
  store::SqlDisbursementStore store;
  store::SqlSecurityStore audit;
  int64_t policy_id = 0;
  HolidayCalendar calendar;
  bankfiles::LayoutSet layouts;  ///< the built-in bank layouts
  security::User officer = user("officer1", security::Role::kBureauOfficer, "430121");
  security::User approver1 = user("approver1", security::Role::kBureauApprover, "4301");
  security::User approver2 = user("approver2", security::Role::kBureauApprover, "430121");
};

}  // namespace edupay::testing
