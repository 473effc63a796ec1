#pragma once

#include <Poco/JSON/Object.h>

#include "bankfiles/BankFiles.h"
#include "disburse/Batches.h"
#include "rules/Engine.h"
#include "rules/EntitlementStore.h"
#include "rules/Policy.h"

namespace edupay::api {

// The JSON shapes shared by the HTTP API and the CLI's --json output.
Poco::JSON::Object batchJson(const disburse::Batch& b);
Poco::JSON::Object flagJson(const disburse::Flag& f);
Poco::JSON::Object budgetJson(const disburse::BudgetLine& l);
Poco::JSON::Object reconcileJson(const bankfiles::ReconcileRow& r);
/// Every programme a student got or did not get in a term, with the reason trace (zh and en).
Poco::JSON::Object explainJson(const rules::Policy& policy, const Term& term, const Date& reference,
                               const rules::StudentFacts& facts,
                               const std::vector<rules::Decision>& decisions,
                               const std::vector<rules::StoredEntitlement>& stored);
std::string toJson(const Poco::JSON::Object& o);

}  // namespace edupay::api
