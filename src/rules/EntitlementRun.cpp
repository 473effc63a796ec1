#include "rules/EntitlementRun.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <algorithm>
#include <memory>
#include <sstream>
#include <unordered_map>

#include "common/AtomicFile.h"
#include "common/Csv.h"
#include "common/Error.h"
#include "common/Fault.h"
#include "common/JsonWrite.h"
#include "common/Lease.h"
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
  json::set(o, "term", term, "reference_date", reference_date, "policy", policy_name,
            "policy_sha256", policy_sha256, "run_id", run_id, "students", students, "eligible",
            eligible, "held", held, "excluded", excluded, "eligible_amount",
            eligible_amount.toYuan(), "eligible_amount_fen", eligible_amount.fen(), "held_amount",
            held_amount.toYuan(), "inserted", inserted, "updated", updated, "unchanged", unchanged,
            "adjustments", adjustments_total, "exceptions", exceptions, "committed", committed);
  Poco::JSON::Object progs;
  for (const auto& [code, t] : by_programme) {
    Poco::JSON::Object p;
    json::set(p, "eligible", t.eligible, "held", t.held, "excluded", t.excluded, "eligible_amount",
              t.eligible_amount.toYuan(), "held_amount", t.held_amount.toYuan());
    progs.set(code, p);
  }
  o.set("programmes", progs);
  Poco::JSON::Object ex;
  for (const auto& [k, n] : exceptions_by_code) ex.set(k, n);
  o.set("exceptions_by_code", ex);
  Poco::JSON::Array adj;
  for (const auto& a : adjustments) {
    Poco::JSON::Object j;
    json::set(j, "student", a.student, "programme", a.programme, "before", a.before, "after",
              a.after);
    adj.add(j);
  }
  o.set("adjustment_list", adj);
  std::ostringstream s;
  Poco::JSON::Stringifier::stringify(o, s, 2);
  return s.str();
}

namespace {

/// Students per chunk of a run: each commits on its own, so no transaction writes more than a few
/// thousand rows (a student has one or two changed entitlements, each an update and a history
/// row), whatever the size of the province; a cluster certifies bounded write sets.
constexpr size_t kChunkStudents = 2000;

Poco::JSON::Object totalsJson(const ProgrammeTotals& t) {
  Poco::JSON::Object o;
  json::set(o, "eligible", t.eligible, "held", t.held, "excluded", t.excluded, "eligible_fen",
            t.eligible_amount.fen(), "held_fen", t.held_amount.fen());
  return o;
}

/// How far a run got and its counts so far: the state a resumed run continues from.
std::string progressJson(const EntitleSummary& s, int64_t after) {
  Poco::JSON::Object o;
  json::set(o, "after", after, "students", s.students, "inserted", s.inserted, "updated", s.updated,
            "unchanged", s.unchanged, "adjustments_total", s.adjustments_total, "exceptions",
            s.exceptions, "total",
            totalsJson({s.eligible, s.held, s.excluded, s.eligible_amount, s.held_amount}));
  Poco::JSON::Object progs;
  for (const auto& [code, t] : s.by_programme) progs.set(code, totalsJson(t));
  o.set("programmes", progs);
  Poco::JSON::Object ex;
  for (const auto& [k, n] : s.exceptions_by_code) ex.set(k, n);
  o.set("exceptions_by_code", ex);
  Poco::JSON::Array adj;
  for (const auto& a : s.adjustments) {
    Poco::JSON::Array j;
    j.add(a.student);
    j.add(a.programme);
    j.add(a.before);
    j.add(a.after);
    adj.add(j);
  }
  o.set("adjustments", adj);
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(o, out);
  return out.str();
}

ProgrammeTotals totalsFrom(const Poco::JSON::Object::Ptr& o) {
  ProgrammeTotals t;
  t.eligible = o->getValue<int64_t>("eligible");
  t.held = o->getValue<int64_t>("held");
  t.excluded = o->getValue<int64_t>("excluded");
  t.eligible_amount = Money::fromFen(o->getValue<int64_t>("eligible_fen"));
  t.held_amount = Money::fromFen(o->getValue<int64_t>("held_fen"));
  return t;
}

/// Restores the counts of progressJson() into `s`; returns the last person id done.
int64_t restoreProgress(const std::string& json, EntitleSummary& s) {
  const auto o = Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
  s.students = o->getValue<int64_t>("students");
  s.inserted = o->getValue<int64_t>("inserted");
  s.updated = o->getValue<int64_t>("updated");
  s.unchanged = o->getValue<int64_t>("unchanged");
  s.adjustments_total = o->getValue<int64_t>("adjustments_total");
  s.exceptions = o->getValue<int64_t>("exceptions");
  const auto t = totalsFrom(o->getObject("total"));
  s.eligible = t.eligible;
  s.held = t.held;
  s.excluded = t.excluded;
  s.eligible_amount = t.eligible_amount;
  s.held_amount = t.held_amount;
  const auto progs = o->getObject("programmes");
  for (const auto& name : progs->getNames())
    s.by_programme[name] = totalsFrom(progs->getObject(name));
  const auto ex = o->getObject("exceptions_by_code");
  for (const auto& name : ex->getNames()) s.exceptions_by_code[name] = ex->getValue<int64_t>(name);
  const auto adj = o->getArray("adjustments");
  for (size_t i = 0; i < adj->size(); ++i) {
    const auto a = adj->getArray(static_cast<unsigned>(i));
    s.adjustments.push_back({a->getElement<std::string>(0), a->getElement<std::string>(1),
                             a->getElement<std::string>(2), a->getElement<std::string>(3)});
  }
  return o->getValue<int64_t>("after");
}

}  // namespace

EntitleSummary runEntitlements(EntitlementStore& store, const Policy& policy, int64_t policy_id,
                               const EntitleOptions& options) {
  EntitleSummary summary;
  const Term& term = options.term;
  const Date reference = term.referenceDate(policy.term_config);
  summary.term = term.str();
  summary.reference_date = reference.str();
  summary.policy_name = policy.name;
  summary.policy_sha256 = policy.sha256;

  // A dry run writes nothing and commits nothing: one transaction, rolled back. A real run
  // commits chunk by chunk under a lease and resumes where a killed run of the same term and
  // region stopped.
  std::unique_ptr<StoreTransaction> dry_tx;
  std::unique_ptr<Lease> lease;
  int64_t resume_after = 0;
  if (options.dry_run) {
    dry_tx = store.transaction();
    summary.run_id = store.beginEntitlementRun(term, options.region, policy_id);
  } else {
    lease = std::make_unique<Lease>(
        store.leases(), "entitle:" + term.str() + ":" + options.region,
        "the entitlement run of " + term.str() + " for region " +
            (options.region.empty() ? std::string("(all)") : options.region));
    auto tx = store.transaction();
    if (auto open = store.openEntitlementRun(term, options.region)) {
      if (open->policy_id == policy_id) {
        summary.run_id = open->id;
        if (!open->progress.empty()) resume_after = restoreProgress(open->progress, summary);
      } else {
        // Stopped under another policy: its chunks stay as written; this run re-decides them.
        store.finishEntitlementRun(open->id, "{\"abandoned\": true}");
      }
    }
    if (summary.run_id == 0)
      summary.run_id = store.beginEntitlementRun(term, options.region, policy_id);
    tx->commit();
  }

  // The exceptions are published after the run commits; a killed run's temp file is removed.
  std::unique_ptr<AtomicFileWriter> exceptions_file;
  std::unique_ptr<CsvWriter> exceptions_csv;
  if (!options.exceptions_path.empty()) {
    removeStaleTemps(options.exceptions_path);
    exceptions_file = std::make_unique<AtomicFileWriter>(options.exceptions_path);
    CsvWriter::Options o;
    o.utf8_bom = true;
    exceptions_csv = std::make_unique<CsvWriter>(exceptions_file->stream(), o);
    exceptions_csv->writeRow({"student", "name", "school", "programme", "problem", "what to do"});
  }

  const int academic_year = term.academicYear();
  const auto in_region = [&](const std::string& paying_region) {
    return options.region.empty() || paying_region.rfind(options.region, 0) == 0;
  };

  std::vector<EntitlementWrite> writes;
  std::vector<EvaluationProblem> problems;
  TraceSentences sentences(policy, term);
  const size_t chunk = fault::chunk(std::min(options.batch_size, kChunkStudents));
  store.forEachFactBatch(
      term, reference, academic_year, options.region, chunk, [&](FactBatch& batch) {
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
            if (!old->has_reason_messages) {
              // Stored before reasons were kept as sentences: add them, change nothing else.
              EntitlementWrite w;
              w.kind = EntitlementWrite::Kind::kSentences;
              w.existing_id = old->id;
              const auto& kept = sentences.of(f, d, reason);
              w.reason_messages = kept.json;
              w.reason_sha = kept.sha256;
              if (!w.reason_sha.empty()) writes.push_back(std::move(w));
            }
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
          const auto& kept = sentences.of(f, d, reason);
          w.reason_messages = kept.json;
          w.reason_sha = kept.sha256;
          w.decision = std::move(d);
          old ? ++summary.updated : ++summary.inserted;
          writes.push_back(std::move(w));
        };

        for (const auto& f : batch.students) {
          // Done by the chunks a killed run committed (their counts are restored): only their
          // exceptions are written again, so the file is whole.
          const bool done = f.person_id <= resume_after;
          if (!done) ++summary.students;
          problems.clear();
          auto decisions = evaluate(policy, term, f, &problems, TraceMode::kRun);
          if (!done) {
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
                // Once entitled, now out of scope (e.g. a new stage): the record says why, in
                // the words of the explanation (the bulk run's short form has no sentences).
                for (auto& e : evaluate(policy, term, f, nullptr, TraceMode::kExplain)) {
                  if (e.programme == d.programme) d.trace = std::move(e.trace);
                }
                d.status = Status::kExcluded;
                d.paying_region = old->paying_region;
              }
              // Excluded decisions stop before the paying county is known: file them under the
              // school's.
              if (d.paying_region.empty()) d.paying_region = f.school_region;
              if (!in_region(d.paying_region)) continue;
              record(f, std::move(d), old);
            }
          }
          for (const auto& p : problems) {
            if (!done) {
              ++summary.exceptions;
              ++summary.exceptions_by_code[p.programme + ": " + p.code];
            }
            if (exceptions_csv)
              exceptions_csv->writeRow(
                  {f.display, f.name, f.school_code, p.programme, p.code, p.message});
          }
          if (!done && options.progress && summary.students % 100000 == 0)
            options.progress(summary.students);
        }
        // Entitlements of students no longer enrolled on the reference date.
        for (auto& [person, olds] : existing) {
          if (person <= resume_after) continue;
          for (const auto* e : olds) {
            if (!e || e->status == "excluded") continue;
            StudentFacts gone;
            gone.person_id = person;
            gone.display = "#" + std::to_string(person);
            Decision d;
            d.programme = e->programme;
            d.status = Status::kExcluded;
            d.paying_region = e->paying_region;
            d.trace.push_back({"status", false, "not enrolled on " + reference.str(),
                               msg("rules.fact.not_enrolled", {arg("date", reference.str())})});
            record(gone, std::move(d), e);
          }
        }
        if (options.dry_run) {
          if (!writes.empty()) store.writeEntitlements(term, summary.run_id, policy_id, writes);
          return;
        }
        if (batch.last_person_id <= resume_after) return;
        auto tx = store.transaction();
        if (!writes.empty()) store.writeEntitlements(term, summary.run_id, policy_id, writes);
        store.saveRunProgress(summary.run_id, progressJson(summary, batch.last_person_id));
        tx->commit();
        fault::point("entitle.chunk");
        lease->renew();
      });

  if (!options.dry_run) {
    auto tx = store.transaction();
    summary.committed = true;
    store.finishEntitlementRun(summary.run_id, summary.toJson());
    if (options.before_commit) options.before_commit(summary);
    fault::point("entitle.before_commit");
    tx->commit();
    fault::point("entitle.committed");
  } else {
    summary.run_id = 0;
  }
  // Commit, then publish.
  if (exceptions_file) exceptions_file->commit();
  return summary;
}

EntitleSummary runEntitlementsAs(EntitlementStore& store, security::SecurityStore& audit,
                                 const security::User& user, const Policy& policy,
                                 int64_t policy_id, EntitleOptions options) {
  if (user.role != security::Role::kBureauOfficer) {
    throw Error(ErrorCode::kForbidden, msg("rules.run.role"));
  }
  if (options.region.empty()) options.region = user.scope;
  if (!user.covers(options.region)) {
    throw Error(ErrorCode::kForbidden,
                msg("rules.run.scope", {arg("region", options.region), arg("scope", user.scope)}));
  }
  options.before_commit = [&](const EntitleSummary& s) {
    security::appendAudit(
        audit, user.name, "entitle.run", "term:" + s.term + " region:" + options.region, Message(),
        msg("audit.rec.entitle.run",
            {arg("policy", s.policy_name), arg("sha256", s.policy_sha256),
             arg("students", s.students), arg("eligible", s.eligible),
             arg("amount", s.eligible_amount.toYuan()), arg("held", s.held),
             arg("excluded", s.excluded), arg("inserted", s.inserted), arg("updated", s.updated),
             arg("adjustments", s.adjustments_total)}));
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

std::set<std::string> programmesInForce(EntitlementStore& store) {
  std::set<std::string> codes;
  if (const auto stored = store.activePolicy()) {
    for (const auto& p : parsePolicy(stored->content, "active policy " + stored->name).programmes)
      codes.insert(p.code);
  }
  return codes;
}

int64_t activatePolicyAs(EntitlementStore& store, security::SecurityStore& audit,
                         const security::User& user, const Policy& policy) {
  const bool province_officer =
      user.role == security::Role::kBureauOfficer && user.scope.size() <= 2;
  if (user.role != security::Role::kSysadmin && !province_officer) {
    throw Error(ErrorCode::kForbidden, msg("rules.policy.activate_role"));
  }
  return retryUnit("rules.activatePolicyAs", [&] {
    auto tx = store.transaction();
    const int64_t id = store.activatePolicy(policy.name, policy.sha256, policy.resolved_json);
    security::appendAudit(audit, user.name, "policy.activate", "policy:" + std::to_string(id),
                          Message(),
                          msg("audit.rec.policy.activate",
                              {arg("policy", policy.name), arg("sha256", policy.sha256)}));
    tx->commit();
    return id;
  });
}

}  // namespace edupay::rules
