#include "rules/EntitlementRun.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include <memory>
#include <sstream>
#include <unordered_map>

#include "common/AtomicFile.h"
#include "common/Csv.h"
#include "common/Error.h"
#include "common/Log.h"
#include "common/Retry.h"

namespace edupay::rules {
namespace {

bool sameResult(const StoredEntitlement& e, const Decision& d, const std::string& reason) {
  return e.status == code(d.status) && e.amount_fen == d.amount.fen() &&
         e.account_id == d.account_id && e.paying_region == d.paying_region && e.reason == reason;
}

std::string describe(const std::string& status, int64_t fen) {
  return status + " " + Money::fromFen(fen).toYuan();
}

}  // namespace

std::string EntitleSummary::toJson() const {
  Poco::JSON::Object o;
  o.set("term", term);
  o.set("reference_date", reference_date);
  o.set("policy", policy_name);
  o.set("policy_sha256", policy_sha256);
  o.set("run_id", run_id);
  o.set("students", students);
  o.set("eligible", eligible);
  o.set("held", held);
  o.set("excluded", excluded);
  o.set("eligible_amount", eligible_amount.toYuan());
  o.set("eligible_amount_fen", eligible_amount.fen());
  o.set("held_amount", held_amount.toYuan());
  o.set("inserted", inserted);
  o.set("updated", updated);
  o.set("unchanged", unchanged);
  o.set("adjustments", adjustments_total);
  o.set("exceptions", exceptions);
  o.set("committed", committed);
  Poco::JSON::Object progs;
  for (const auto& [code, t] : by_programme) {
    Poco::JSON::Object p;
    p.set("eligible", t.eligible);
    p.set("held", t.held);
    p.set("excluded", t.excluded);
    p.set("eligible_amount", t.eligible_amount.toYuan());
    p.set("held_amount", t.held_amount.toYuan());
    progs.set(code, p);
  }
  o.set("programmes", progs);
  Poco::JSON::Object ex;
  for (const auto& [k, n] : exceptions_by_code) ex.set(k, n);
  o.set("exceptions_by_code", ex);
  Poco::JSON::Array adj;
  for (const auto& a : adjustments) {
    Poco::JSON::Object j;
    j.set("student", a.student);
    j.set("programme", a.programme);
    j.set("before", a.before);
    j.set("after", a.after);
    adj.add(j);
  }
  o.set("adjustment_list", adj);
  std::ostringstream s;
  Poco::JSON::Stringifier::stringify(o, s, 2);
  return s.str();
}

EntitleSummary runEntitlements(EntitlementStore& store, const Policy& policy, int64_t policy_id,
                               const EntitleOptions& options) {
  EntitleSummary summary;
  const Term& term = options.term;
  const Date reference = term.referenceDate(policy.term_config);
  summary.term = term.str();
  summary.reference_date = reference.str();
  summary.policy_name = policy.name;
  summary.policy_sha256 = policy.sha256;

  std::unique_ptr<AtomicFileWriter> exceptions_file;
  std::unique_ptr<CsvWriter> exceptions_csv;
  if (!options.exceptions_path.empty()) {
    exceptions_file = std::make_unique<AtomicFileWriter>(options.exceptions_path);
    CsvWriter::Options o;
    o.utf8_bom = true;
    exceptions_csv = std::make_unique<CsvWriter>(exceptions_file->stream(), o);
    exceptions_csv->writeRow({"student", "name", "school", "programme", "problem", "what to do"});
  }

  auto tx = store.transaction();
  summary.run_id = store.beginEntitlementRun(term, options.region, policy_id);
  const int academic_year = term.academicYear();
  const auto in_region = [&](const std::string& paying_region) {
    return options.region.empty() || paying_region.rfind(options.region, 0) == 0;
  };

  std::vector<EntitlementWrite> writes;
  std::vector<EvaluationProblem> problems;
  store.forEachFactBatch(
      term, reference, academic_year, options.region, options.batch_size, [&](FactBatch& batch) {
        writes.clear();
        std::unordered_map<int64_t, std::vector<const StoredEntitlement*>> existing;
        for (const auto& e : batch.existing) existing[e.person_id].push_back(&e);

        auto record = [&](const StudentFacts& f, Decision d, const StoredEntitlement* old) {
          const std::string reason = d.reason();
          auto& totals = summary.by_programme[d.programme];
          switch (d.status) {
            case Status::kEligible:
              ++summary.eligible;
              ++totals.eligible;
              summary.eligible_amount += d.amount;
              totals.eligible_amount += d.amount;
              break;
            case Status::kHeld:
              ++summary.held;
              ++totals.held;
              summary.held_amount += d.amount;
              totals.held_amount += d.amount;
              break;
            default:
              ++summary.excluded;
              ++totals.excluded;
          }
          if (old && sameResult(*old, d, reason)) {
            ++summary.unchanged;
            return;
          }
          if (old && old->locked) {
            ++summary.adjustments_total;
            if (summary.adjustments.size() < 200) {
              summary.adjustments.push_back(
                  {f.display, d.programme, describe(old->status, old->amount_fen),
                   describe(std::string(code(d.status)), d.amount.fen())});
            }
            return;
          }
          EntitlementWrite w;
          w.kind = old ? EntitlementWrite::Kind::kUpdate : EntitlementWrite::Kind::kInsert;
          w.existing_id = old ? old->id : 0;
          w.person_id = f.person_id;
          w.school_id = f.school_id;
          w.reason = reason;
          w.decision = std::move(d);
          old ? ++summary.updated : ++summary.inserted;
          writes.push_back(std::move(w));
        };

        for (const auto& f : batch.students) {
          ++summary.students;
          problems.clear();
          auto decisions = evaluate(policy, term, f, &problems, TraceMode::kRun);
          auto& olds = existing[f.person_id];
          for (auto& d : decisions) {
            const StoredEntitlement* old = nullptr;
            for (auto*& e : olds) {
              if (e && e->programme == d.programme) {
                old = e;
                e = nullptr;  // consumed
              }
            }
            if (d.status == Status::kNotApplicable) {
              if (!old || old->status == "excluded") continue;
              // Once entitled, now out of scope (e.g. a new stage): the record says why.
              d.status = Status::kExcluded;
              d.paying_region = old->paying_region;
            }
            // Excluded decisions stop before the paying county is known: file them under the
            // school's.
            if (d.paying_region.empty()) d.paying_region = f.school_region;
            if (!in_region(d.paying_region)) continue;
            record(f, std::move(d), old);
          }
          for (const auto& p : problems) {
            ++summary.exceptions;
            ++summary.exceptions_by_code[p.programme + ": " + p.code];
            if (exceptions_csv)
              exceptions_csv->writeRow(
                  {f.display, f.name, f.school_code, p.programme, p.code, p.message});
          }
          if (options.progress && summary.students % 100000 == 0)
            options.progress(summary.students);
        }
        // Entitlements of students no longer enrolled on the reference date.
        for (auto& [person, olds] : existing) {
          for (const auto* e : olds) {
            if (!e || e->status == "excluded") continue;
            StudentFacts gone;
            gone.person_id = person;
            gone.display = "#" + std::to_string(person);
            Decision d;
            d.programme = e->programme;
            d.status = Status::kExcluded;
            d.paying_region = e->paying_region;
            d.trace.push_back({"status", false, "not enrolled on " + reference.str()});
            record(gone, std::move(d), e);
          }
        }
        if (!writes.empty()) store.writeEntitlements(term, summary.run_id, policy_id, writes);
      });

  if (exceptions_file) exceptions_file->commit();
  if (!options.dry_run) {
    summary.committed = true;
    store.finishEntitlementRun(summary.run_id, summary.toJson());
    if (options.before_commit) options.before_commit(summary);
    tx->commit();
  } else {
    summary.run_id = 0;
  }
  return summary;
}

EntitleSummary runEntitlementsAs(EntitlementStore& store, security::SecurityStore& audit,
                                 const security::User& user, const Policy& policy,
                                 int64_t policy_id, EntitleOptions options) {
  if (user.role != security::Role::kBureauOfficer) {
    throw Error(ErrorCode::kForbidden,
                "entitlements are computed by a bureau officer (资助资格由教育局经办人计算)");
  }
  if (options.region.empty()) options.region = user.scope;
  if (!user.covers(options.region)) {
    throw Error(ErrorCode::kForbidden, "region " + options.region + " is outside your scope " +
                                           user.scope + " (不在您的管辖范围内)");
  }
  options.before_commit = [&](const EntitleSummary& s) {
    security::appendAudit(
        audit, user.name, "entitle.run", "term:" + s.term + " region:" + options.region, "",
        "policy " + s.policy_name + " sha256 " + s.policy_sha256 + ": " +
            std::to_string(s.students) + " students, " + std::to_string(s.eligible) +
            " eligible (" + s.eligible_amount.toYuan() + " yuan), " + std::to_string(s.held) +
            " held, " + std::to_string(s.excluded) + " excluded; " + std::to_string(s.inserted) +
            " new, " + std::to_string(s.updated) + " changed, " +
            std::to_string(s.adjustments_total) + " adjustments");
  };
  // A run is resumable, so a certification conflict or a lost node just runs it again.
  const auto s = retryUnit("rules.runEntitlements",
                           [&] { return runEntitlements(store, policy, policy_id, options); });
  log::event("edupay.rules", s.committed ? "entitlement run committed" : "entitlement run (dry)",
             {{"term", s.term},
              {"region", options.region},
              {"policy_sha256", s.policy_sha256},
              {"students", std::to_string(s.students)},
              {"eligible", std::to_string(s.eligible)},
              {"eligible_fen", std::to_string(s.eligible_amount.fen())},
              {"actor", user.name}});
  return s;
}

int64_t activatePolicyAs(EntitlementStore& store, security::SecurityStore& audit,
                         const security::User& user, const Policy& policy) {
  const bool province_officer =
      user.role == security::Role::kBureauOfficer && user.scope.size() <= 2;
  if (user.role != security::Role::kSysadmin && !province_officer) {
    throw Error(ErrorCode::kForbidden,
                "a policy is activated by a sysadmin or a provincial bureau officer "
                "(资助政策由系统管理员或省级经办人启用)");
  }
  return retryUnit("rules.activatePolicyAs", [&] {
    auto tx = store.transaction();
    const int64_t id = store.activatePolicy(policy.name, policy.sha256, policy.resolved_json);
    security::appendAudit(audit, user.name, "policy.activate", "policy:" + std::to_string(id), "",
                          policy.name + " sha256 " + policy.sha256);
    tx->commit();
    return id;
  });
}

}  // namespace edupay::rules
