#pragma once

#include <Poco/JSON/Object.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "bankfiles/BankFiles.h"
#include "disburse/Batches.h"
#include "disburse/Families.h"
#include "registry/Model.h"
#include "registry/RegistryStore.h"
#include "registry/RollImporter.h"
#include "rules/Engine.h"
#include "rules/EntitlementStore.h"
#include "rules/Policy.h"
#include "store/SqlListings.h"

namespace edupay::api {

// The JSON shapes shared by the HTTP API and the CLI's --json output.
/// A message's arguments as a JSON object: counts as numbers, words in `lang`.
Poco::JSON::Object messageArgs(const Message& m, Lang lang);
/// `{code, args, text}`: the code and arguments a program reads, the text (in `lang`) a person
/// does. A literal has an empty code and no arguments.
Poco::JSON::Object messageJson(const Message& m, Lang lang);

Poco::JSON::Object batchJson(const disburse::Batch& b);
/// A precision flag: `evidence` in `lang` (a flag read back from the database: its stored text) and
/// `evidence_message` {code, args, text}.
Poco::JSON::Object flagJson(const disburse::Flag& f, Lang lang);
Poco::JSON::Object budgetJson(const disburse::BudgetLine& l);
/// Row problems of an import (line, column and its Chinese name column_zh, value, severity
/// error|warning, reason in `lang` and reason_message {code, args, text}).
Poco::JSON::Array issuesJson(const std::vector<registry::Issue>& issues, Lang lang);
/// A roll import's outcome: rows, what changed (`changes`, persons / enrollments / accounts ...),
/// the kept issues; `outcome` imported | dry_run | rejected, and `unchanged` when a committed
/// roll changed nothing (the same roll sent again).
Poco::JSON::Object rollImportJson(const registry::RollImportResult& r, bool dry_run, Lang lang);
/// A complaint as listed (no text, no contact): `overdue` as of `today`.
Poco::JSON::Object complaintJson(const disburse::Complaint& c, const Date& today);
/// A complaint with its text, contact (decrypted for those allowed, else empty), notes and links.
Poco::JSON::Object complaintDetailJson(const disburse::ComplaintDetail& d, const Date& today);
/// What a confirmed complaint's action made: `kind` and its links (entitlement, and the flag or
/// objection raised on it).
Poco::JSON::Object complaintActionJson(const disburse::ComplaintAction& a);
/// The complaint counts of a region: by category, county, outcome and days to close.
Poco::JSON::Object complaintReportJson(const disburse::ComplaintReport& r);
/// One payee line of a batch (masked), as the approver checks it.
Poco::JSON::Object payeeJson(const store::SqlListings::Payee& p);
/// A line of the returned-funds ledger (masked account; `students` covered by a school payment).
Poco::JSON::Object returnedJson(const bankfiles::BankFileStore::Returned& r);
Poco::JSON::Object objectionJson(const store::SqlListings::Objection& o);
Poco::JSON::Object schoolListJson(const store::SqlListings::School& s);
Poco::JSON::Object needJson(const store::SqlListings::Need& n);
/// A count of decisions by reason: `reason` as people read it (in `lang`), `stored_reason` as kept.
/// A county decision count's reason in `lang`: a hold's sentence, or the first condition not met
/// by its name and its fact (`困难类别：不属于规定的任何困难类别…`); `sentence` receives the
/// message when there is one.
std::string decisionReasonText(const store::SqlListings::DecisionCount& d, Lang lang,
                               std::optional<Message>* sentence = nullptr);
Poco::JSON::Object decisionCountJson(const store::SqlListings::DecisionCount& d, Lang lang);
/// A reconciliation row: counts and amounts, `adds_up`, and `check` (the check as a sentence in
/// `lang`) with `check_message` ({code, args, text}).
Poco::JSON::Object reconcileJson(const bankfiles::ReconcileRow& r, Lang lang);
/// Every programme a student got or did not get in a term, with the reason trace: check labels
/// in zh and en, each fact (`fact`, and `hold_reason`) in `lang` with its `fact_message`
/// ({code, args, text}). The API should pass `req.lang`; English when not given.
Poco::JSON::Object explainJson(const rules::Policy& policy, const Term& term, const Date& reference,
                               const rules::StudentFacts& facts,
                               const std::vector<rules::Decision>& decisions,
                               const std::vector<rules::StoredEntitlement>& stored,
                               Lang lang = Lang::kEn);
/// A student's lifelong record; `resident_id` and `acct` decide what is shown (masked unless the
/// caller may reveal).
Poco::JSON::Object studentJson(
    const registry::StudentRecord& rec, const std::string& resident_id,
    const std::function<std::string(const registry::StudentRecord::Account&)>& acct);
/// A school's basic account (masked) as recorded, or only `school` when none is.
Poco::JSON::Object schoolAccountJson(
    const std::string& code, const std::optional<registry::RegistryStore::SchoolAccountView>& a);
/// What recording a school's account did: the account as now recorded, `changed`, and
/// `released_for_reissue` (returned school payments the next build pays again). CLI and API.
Poco::JSON::Object schoolAccountChangeJson(
    const bankfiles::SchoolAccountResult& r,
    const std::optional<registry::RegistryStore::SchoolAccountView>& now);
/// The reconciliation as CSV (CLI --csv and the API's ?format=csv): counts and yuan per column.
std::vector<std::string> reconcileCsvHeader();
std::vector<std::string> reconcileCsvRow(const bankfiles::ReconcileRow& r);
/// What a result import did, with `problem_messages` (`[{code, args, text}]`, in `lang`; no file
/// paths). The `problems` texts are added by the caller: the CLI shows file paths, the API does
/// not.
Poco::JSON::Object resultImportJson(const bankfiles::ImportResult& r, Lang lang);
/// A returned payment as returnedJson, with the reason people read (bankfiles::returnReason: the
/// code's explanation in `lang`, the code beside it) as `reason` and `reason_message`.
Poco::JSON::Object returnedJson(const bankfiles::BankFileStore::Returned& r, const Message& reason,
                                Lang lang);
/// A stored reason ("code=fact; !code=fact; ...") as checks with their Chinese and English labels.
/// A stored decision's checks (rules::storedChecks of its reason line and sentences), each with
/// its label in both languages and its fact in `lang` (`fact`, and `fact_message`).
Poco::JSON::Array reasonChecksJson(const std::string& reason, const std::string& reason_messages,
                                   Lang lang);
std::string toJson(const Poco::JSON::Object& o);

}  // namespace edupay::api
