
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "bankfiles/Manifest.h"
#include "common/AtomicFile.h"
#include "common/BankAccountNumber.h"
#include "common/Catalogue.h"
#include "common/Csv.h"
#include "common/Error.h"
#include "common/Fault.h"
#include "common/Lease.h"
#include "common/Log.h"
#include "common/ResidentId.h"
#include "common/Retry.h"
#include "common/Term.h"
#include "common/Text.h"

#include "bankfiles/UseCaseParts.h"

namespace edupay::bankfiles {

using detail::describe;

namespace {

/// (batch, part) of a pain.001 message id `EDUPAY-B<batch>-P<part>` (PaymentFile.cpp).
std::optional<std::pair<int64_t, int>> parsePainMessageId(const std::string& id) {
  const std::string prefix = "EDUPAY-B";
  const auto p = id.find("-P", prefix.size());
  if (id.rfind(prefix, 0) != 0 || p == std::string::npos) return std::nullopt;
  const std::string batch = id.substr(prefix.size(), p - prefix.size());
  const std::string part = id.substr(p + 2);
  if (batch.empty() || part.empty() || batch.size() > 15 || part.size() > 6 ||
      !text::isAllDigits(batch) || !text::isAllDigits(part))
    return std::nullopt;
  return std::make_pair(std::stoll(batch), std::stoi(part));
}

}  // namespace

static ImportResult importResultFileAttempt(BankFileStore& store, security::SecurityStore& audit,
                                            const security::User& user, const std::string& path,
                                            std::optional<ResultKind> kind) {
  if (user.role != security::Role::kBankOperator && user.role != security::Role::kBureauOfficer) {
    throw Error(ErrorCode::kForbidden, msg("bank.import.forbidden"));
  }
  ImportResult r;
  const std::string digest = security::sha256File(path);
  const std::string base = path.substr(path.find_last_of('/') + 1);
  // One import of a file at a time: a second process waits for the first, then finds it done.
  Lease lease(store.leases(), "result:" + digest.substr(0, 32), "the import of result file " + base,
              600, 120);
  // An import killed after some of its chunks committed is resumed by the same file again.
  int64_t resumed = 0;
  if (auto id = store.resultImportByDigest(digest)) {
    if (store.resultImportFinished(*id)) {
      r.already_imported = true;
      r.import_id = *id;
      return r;
    }
    resumed = *id;
  }
  if (auto what = notAResultFile(path)) {
    throw Error(ErrorCode::kInvalidInput,
                msg("bank.file.problem", {arg("file", base), arg("problem", *what)}));
  }
  const ResultKind k = kind ? *kind : detectResultKind(path);
  const std::string today = Date::today().str();
  r.import_id = resumed;
  constexpr size_t kMaxProblems = 1000;
  int64_t more_problems = 0;
  auto fileProblem = [&](const Message& what) {
    if (r.problems.size() < kMaxProblems) {
      r.problems.push_back(path + ": " + i18n::render(what, Lang::kEn));
      r.problem_messages.push_back(what);
    } else {
      ++more_problems;
    }
  };
  auto problem = [&](const ResultLine& l, const Message& what) {
    const Message where =
        !l.from_status.empty() ? l.from_status_message
        : k == ResultKind::kPain002
            ? msg("bank.pain002.transaction", {arg("transaction", std::to_string(l.line))})
            : msg("bank.import.line", {arg("line", std::to_string(l.line))});
    fileProblem(msg("bank.import.line_problem",
                    {arg("where", where), arg("reference", l.reference), arg("problem", what)}));
  };
  // The pain.001 messages the file answers, by id (nullopt: edupay never sent it; said once).
  std::map<std::string, std::optional<SentFile>> messages;
  auto message = [&](const std::string& id) -> const std::optional<SentFile>& {
    auto it = messages.find(id);
    if (it != messages.end()) return it->second;
    std::optional<SentFile> f;
    if (const auto bp = parsePainMessageId(id)) f = store.sentFile(bp->first, bp->second);
    if (!f) {
      fileProblem(msg("bank.import.unknown_message", {arg("message", id)}));
    }
    return messages.emplace(id, f).first->second;
  };
  // Two passes over the file. The check writes nothing: every line is checked before anything
  // changes, so a refused file changes nothing. The apply pass then commits chunk by chunk (a
  // bounded write set each); the import's row says it is unfinished until the last commit, so a
  // killed import is finished by the same file again.
  bool applying = false;
  std::vector<ResultLine> chunk;
  std::vector<BankFileStore::Settlement> answers, late;
  std::vector<bool> answered;                 // by payment id: answered by a line of this file
  std::unordered_set<int64_t> unchanged_ids;  // payments this file repeats an earlier answer for
  auto firstAnswer = [&](int64_t id) {
    const auto i = static_cast<size_t>(id);
    if (i >= answered.size()) answered.resize(std::max(i + 1, answered.size() * 2));
    if (answered[i]) return false;
    answered[i] = true;
    return true;
  };
  auto count = [&](Outcome outcome, Money amount) {
    if (outcome == Outcome::kPaid) {
      ++r.paid;
      r.paid_total += amount;
    } else {
      ++r.returned;
      r.returned_total += amount;
    }
  };
  auto check = [&](const ResultLine& l, const std::optional<SentPayment>& p) {
    ++r.lines;
    if (!p) {
      problem(l, msg("bank.import.unknown_payment"));
      return;
    }
    if (user.role == security::Role::kBankOperator && user.scope != p->bank_code) {
      problem(l,
              msg("bank.import.wrong_bank", {arg("bank", p->bank_code), arg("own", user.scope)}));
      return;
    }
    if (user.role == security::Role::kBureauOfficer && !user.covers(p->paying_region)) {
      problem(l, msg("bank.import.wrong_county",
                     {arg("county", p->paying_region), arg("scope", user.scope)}));
      return;
    }
    for (const std::string* id : {&l.message_id, &l.block_id}) {
      if (id->empty()) continue;
      const auto& m = message(*id);
      if (!m) return;  // said once for the whole message
      if (p->batch_id != m->batch_id || p->seq < m->first_seq || p->seq > m->last_seq) {
        problem(l, msg("bank.import.not_in_message",
                       {arg("message", *id), arg("part", std::to_string(m->part)),
                        arg("batch", std::to_string(m->batch_id))}));
        return;
      }
    }
    if (l.amount && *l.amount != p->amount) {
      problem(l, msg("bank.import.amount_differs",
                     {arg("amount", l.amount->toYuan()), arg("sent", p->amount.toYuan())}));
      return;
    }
    if (p->status == "removed" || p->batch_status == "draft" || p->batch_status == "submitted" ||
        p->batch_status == "approved" || p->batch_status == "rejected") {
      problem(l, msg("bank.import.not_exported", {arg("batch", std::to_string(p->batch_id)),
                                                  batchStatusWords("status", p->batch_status)}));
      return;
    }
    if (resumed != 0 && (p->result_import_id == resumed || p->late_import_id == resumed)) {
      // Applied by this import before it was stopped: counted as the answer it recorded.
      if (!firstAnswer(p->id)) {
        problem(l, msg("bank.import.twice"));
      } else if (p->late_import_id == resumed) {
        ++r.returned_late;
        count(Outcome::kReturned, p->amount);
      } else {
        count(p->outcome == "paid" ? Outcome::kPaid : Outcome::kReturned, p->amount);
      }
      return;
    }
    // Money the bank paid may come back once, later, on a transaction line of its own (a
    // message refused as a whole never paid anything).
    const bool returned_late = p->outcome == "paid" && p->late_import_id == 0 &&
                               l.outcome == Outcome::kReturned && l.from_status.empty();
    if (!p->outcome.empty() && !returned_late) {
      // The bank's complete file after a partial one repeats what the partial one settled.
      const std::pair<std::string, std::string> reason{l.reason_code, l.reason_text};
      const bool agrees = p->late_import_id != 0
                              ? l.outcome == Outcome::kReturned && reason == p->late_reason
                              : (l.outcome == Outcome::kPaid && p->outcome == "paid") ||
                                    (l.outcome == Outcome::kReturned && p->outcome == "returned" &&
                                     reason == p->reason);
      if (agrees) {
        if (unchanged_ids.insert(p->id).second) {
          ++r.unchanged;
        } else {
          problem(l, msg("bank.import.twice"));
        }
      } else if (p->late_import_id != 0) {
        problem(l, msg("bank.import.returned_before"));
      } else {
        problem(l,
                msg("bank.import.contradicts",
                    {words("outcome", p->outcome == "paid" ? "支付成功" : "已退回", p->outcome)}));
      }
      return;
    }
    if (l.outcome == Outcome::kPending) {
      ++r.pending;
      return;
    }
    if (!firstAnswer(p->id)) {
      problem(l, msg("bank.import.twice"));
      return;
    }
    if (returned_late) ++r.returned_late;
    count(l.outcome, p->amount);
  };
  // The apply pass, for a file the check passed: what is not yet recorded.
  auto apply = [&](const ResultLine& l, const std::optional<SentPayment>& p) {
    if (!p || l.outcome == Outcome::kPending) return;
    if (p->result_import_id == r.import_id || p->late_import_id == r.import_id) return;
    const bool returned_late = p->outcome == "paid" && p->late_import_id == 0 &&
                               l.outcome == Outcome::kReturned && l.from_status.empty();
    if (!p->outcome.empty() && !returned_late) return;  // unchanged
    const BankFileStore::Settlement answer{p->id, l.outcome, l.reason_code, l.reason_text,
                                           l.bank_txn_id};
    (returned_late ? late : answers).push_back(answer);
  };
  auto flush = [&] {
    if (chunk.empty()) return;
    std::vector<std::string> refs;
    refs.reserve(chunk.size());
    for (const auto& l : chunk) refs.push_back(l.reference);
    const auto found = store.paymentsByReference(refs);
    answers.clear();
    late.clear();
    for (size_t i = 0; i < chunk.size(); ++i) {
      if (applying) {
        apply(chunk[i], found[i]);
      } else {
        check(chunk[i], found[i]);
      }
    }
    chunk.clear();
    if (!applying || (answers.empty() && late.empty())) return;
    auto tx = store.transaction();
    if (!answers.empty()) store.settle(answers, r.import_id, today);
    if (!late.empty()) store.returnLate(late, r.import_id, today);
    tx->commit();
    fault::point("import.chunk");
  };
  auto add = [&](ResultLine l) {
    l.reason_text = text::cutUtf8(l.reason_text, 100);
    l.reason_code = text::cutUtf8(l.reason_code, 30);
    l.bank_txn_id = text::cutUtf8(l.bank_txn_id, 60);
    chunk.push_back(std::move(l));
    if (chunk.size() >= fault::chunk(4096)) flush();
  };
  bool answered_whole = false;
  auto pass = [&] {
    const ResultSummary summary = readResultFile(path, k, add);
    flush();
    if (!applying && k == ResultKind::kPain002 && summary.message_id.empty())
      fileProblem(msg("bank.import.no_message_id"));
    for (const auto& b : summary.blocks) {
      if (b.original_id.empty()) continue;
      const auto& m = message(b.original_id);
      if (!m) continue;
      const auto id = arg("id", b.original_id), status = arg("status", b.status);
      const Message what = b.group
                               ? (b.status.empty() ? msg("bank.import.group_status.none", {id})
                                                   : msg("bank.import.group_status", {status, id}))
                               : (b.status.empty() ? msg("bank.import.block_status.none", {id})
                                                   : msg("bank.import.block_status", {status, id}));
      const std::string what_en = i18n::render(what, Lang::kEn);
      auto blockProblem = [&](const Message& problem) {
        fileProblem(
            msg("bank.import.block_problem", {arg("where", what), arg("problem", problem)}));
      };
      if (!applying && b.count && *b.count != m->count) {
        blockProblem(msg("bank.import.count_differs",
                         {arg("count", std::to_string(*b.count)), arg("sent", m->count)}));
      }
      if (!applying && b.total && *b.total != m->total) {
        blockProblem(msg("bank.import.total_differs",
                         {arg("total", b.total->toYuan()), arg("sent", m->total.toYuan())}));
      }
      if (!b.applies) continue;
      answered_whole = true;
      if (b.outcome == Outcome::kPending) {
        if (applying) continue;
        // Received or accepted, not yet paid: the payments stay at the bank.
        if (user.role == security::Role::kBankOperator && user.scope != m->bank_code) {
          blockProblem(
              msg("bank.import.wrong_bank", {arg("bank", m->bank_code), arg("own", user.scope)}));
        } else if (user.role == security::Role::kBureauOfficer && !user.covers(m->paying_region)) {
          blockProblem(msg("bank.import.wrong_county",
                           {arg("county", m->paying_region), arg("scope", user.scope)}));
        } else {
          r.pending += m->count;
        }
        continue;
      }
      // Every payment of the message or block gets this answer, as if listed line by line.
      detail::forEachExportRow(store, m->batch_id, m->first_seq, m->last_seq,
                               [&](const ExportRow& row) {
                                 add(ResultLine{.line = row.seq,
                                                .reference = row.reference,
                                                .outcome = b.outcome,
                                                .reason_code = b.reason_code,
                                                .reason_text = b.reason_text,
                                                .bank_txn_id = {},
                                                .amount = std::nullopt,
                                                .message_id = b.original_id,
                                                .block_id = {},
                                                .from_status = what_en,
                                                .from_status_message = what});
                               });
      flush();
    }
  };
  pass();
  if (r.lines == 0 && !answered_whole) fileProblem(msg("bank.import.no_lines"));
  if (more_problems) {
    const Message more = msg("bank.import.more_problems", {arg("count", more_problems)});
    r.problems.push_back(i18n::render(more, Lang::kEn));
    r.problem_messages.push_back(more);
  }
  if (!r.problems.empty()) return r;  // nothing changed
  if (resumed == 0) {
    auto tx = store.transaction();
    r.import_id = store.beginResultImport(digest, base, user.name, security::nowIso());
    tx->commit();
    fault::point("import.begun");
  }
  applying = true;
  answered = {};
  pass();

  auto tx = store.transaction();
  for (const auto& s : store.settledBy(r.import_id)) {
    const int fy = Term::parse(s.term).year();
    const std::pair<const char*, Money> shares[] = {
        {"central", s.central}, {"provincial", s.provincial}, {"county", s.county}};
    for (const auto& [source, amount] : shares) {
      if (amount.fen() == 0) continue;
      if (s.status == "returned_late") {
        store.returnBudget(s.programme, s.region, fy, source, amount);
      } else {
        store.settleBudget(s.programme, s.region, fy, source, s.status == "paid" ? amount : Money(),
                           s.status == "returned" ? amount : Money());
      }
    }
    bool seen = false;
    for (const auto& [id, st] : r.batches) seen |= id == s.batch_id;
    if (!seen) r.batches.emplace_back(s.batch_id, "");
  }
  for (auto& [id, st] : r.batches) st = store.settleBatch(id);
  store.recordReturned(r.import_id, today);
  store.finishResultImport(r.import_id, r.lines, r.paid, r.returned, r.pending);
  std::string batches_zh, batches_en;
  for (const auto& [id, st] : r.batches) {
    const auto status = batchStatusWords("status", st);
    batches_zh += (batches_zh.empty() ? "" : "、") + std::to_string(id) + "（" + status.zh + "）";
    batches_en += (batches_en.empty() ? "" : ", ") + std::to_string(id) + " " + st;
  }
  security::appendAudit(
      audit, user.name, "bank.import_result", "result:" + std::to_string(r.import_id), Message(),
      msg("audit.rec.bank.import_result",
          {arg("file", base), arg("sha256", digest), arg("paid", r.paid),
           arg("paid_total", r.paid_total.toYuan()), arg("returned", r.returned),
           arg("returned_total", r.returned_total.toYuan()), arg("returned_late", r.returned_late),
           arg("pending", r.pending), arg("unchanged", r.unchanged),
           words("batches", batches_zh.empty() ? "无" : batches_zh, batches_en)}));
  fault::point("import.before_commit");
  tx->commit();
  fault::point("import.committed");
  log::event("edupay.bankfiles", "bank result imported",
             {{"file", base},
              {"sha256", digest},
              {"paid", std::to_string(r.paid)},
              {"returned", std::to_string(r.returned)},
              {"pending", std::to_string(r.pending)},
              {"batches", batches_en},
              {"actor", user.name}});
  return r;
}

// Runs again whole after a certification conflict or a lost node (retryUnit); a result file
// already imported (found by its SHA-256) changes nothing.
ImportResult importResultFile(BankFileStore& store, security::SecurityStore& audit,
                              const security::User& user, const std::string& path,
                              std::optional<ResultKind> kind) {
  return retryUnit("bankfiles.importResultFile",
                   [&] { return importResultFileAttempt(store, audit, user, path, kind); });
}

}  // namespace edupay::bankfiles
