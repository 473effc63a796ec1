#pragma once

#include <Poco/JSON/Object.h>

#include "bankfiles/BankFiles.h"
#include "disburse/Batches.h"

namespace edupay::api {

// The JSON shapes shared by the HTTP API and the CLI's --json output.
Poco::JSON::Object batchJson(const disburse::Batch& b);
Poco::JSON::Object flagJson(const disburse::Flag& f);
Poco::JSON::Object budgetJson(const disburse::BudgetLine& l);
Poco::JSON::Object reconcileJson(const bankfiles::ReconcileRow& r);
std::string toJson(const Poco::JSON::Object& o);

}  // namespace edupay::api
