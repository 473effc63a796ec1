#include "disburse/Batches.h"

#include <algorithm>
#include <array>
#include <map>

#include <fstream>

#include "common/Catalogue.h"
#include "common/Csv.h"
#include "common/Error.h"
#include "common/Fault.h"
#include "common/MessageWords.h"
#include "common/Retry.h"
#include "common/Text.h"
#include "disburse/PrecisionChecks.h"

namespace edupay::disburse {
namespace {

constexpr std::array<std::pair<BatchStatus, std::string_view>, 8> kStatuses{{
    {BatchStatus::kDraft, "draft"},
    {BatchStatus::kSubmitted, "submitted"},
    {BatchStatus::kApproved, "approved"},
    {BatchStatus::kExported, "exported"},
    {BatchStatus::kSettled, "settled"},
    {BatchStatus::kPartiallySettled, "partially_settled"},
    {BatchStatus::kClosed, "closed"},
    {BatchStatus::kRejected, "rejected"},
}};

constexpr std::array<std::pair<BatchStatus, std::string_view>, 8> kStatusZh{{
    {BatchStatus::kDraft, "草稿"},
    {BatchStatus::kSubmitted, "已提交待审批"},
    {BatchStatus::kApproved, "已审批"},
    {BatchStatus::kExported, "已导出支付文件"},
    {BatchStatus::kSettled, "已全部到账"},
    {BatchStatus::kPartiallySettled, "部分到账"},
    {BatchStatus::kClosed, "已关闭"},
    {BatchStatus::kRejected, "已退回"},
}};

Message describe(const Batch& b) { return batchMessage(b); }

/// "{user}'s scope {scope} does not cover county {county}".
Message outOfScope(const Batch& b, const security::User& user) {
  return msg("batch.scope.county",
             {arg("user", user.name), arg("scope", user.scope), arg("county", b.paying_region)});
}

/// DESIGN.md §5: one account receiving for more unrelated households than this is flagged.
constexpr int kSharedAccountLimit = 3;

/// A role as refusals name it: the code in English (as the command line's --role), the word in
/// Chinese.
MessageArg roleWords(security::Role r) {
  return words("role", security::roleArg("role", r).zh, std::string(security::code(r)));
}

/// "cannot <step> {batch}: {why}".
Message refused(const char* code, const Batch& b, const Message& why) {
  return msg(code, {arg("batch", describe(b)), arg("why", why)});
}

Batch mustLoad(DisbursementStore& store, int64_t id) {
  auto b = store.loadBatch(id);
  if (!b)
    throw Error(ErrorCode::kNotFound, msg("batch.not_found", {arg("id", std::to_string(id))}));
  return *b;
}

/// A batch's state in an audit record: status, version, payments and total.
Message summary(const Batch& b) {
  return msg("audit.rec.batch",
             {statusArg("status", b.status), arg("version", std::to_string(b.version)),
              arg("payments", b.payment_count), arg("amount", b.total.toYuan())});
}

/// A batch's state after an action, with the words the actor gave.
Message summary(const Batch& b, const std::string& reason) {
  return msg("audit.rec.batch.reason", {arg("batch", summary(b)), arg("reason", reason)});
}

/// Moves `b` to `status` under the optimistic version check.
void move(DisbursementStore& store, Batch& b, BatchStatus status, int cycle) {
  if (!store.transition(b.id, b.version, status, cycle)) {
    throw Error(ErrorCode::kConflict, msg("batch.changed", {arg("batch", describe(b))}));
  }
  b.status = status;
  b.cycle = cycle;
  ++b.version;
}

/// A batch outside the scope of a user who could take `step` is not revealed: the same answer as
/// for a batch that does not exist in the user's scope (the API's and the command line's).
void hideOutOfScope(const Batch& b, const security::User& user, security::Role step) {
  if (user.role == step && !user.covers(b.paying_region))
    throw Error(ErrorCode::kNotFound, batchNotInScope(std::to_string(b.id)));
}

}  // namespace

/// A payment's status (pending, sent, paid, returned, failed, removed) in each language.
MessageArg paymentStatusArg(std::string name, const std::string& status) {
  return codeWords(std::move(name), status,
                   {{"pending", "待发放"},
                    {"sent", "已发送银行"},
                    {"paid", "已到账"},
                    {"returned", "被银行退回"},
                    {"failed", "发放失败"},
                    {"removed", "已移除"}});
}

Message batchMessage(const Batch& b) {
  return msg("batch.describe", {arg("id", std::to_string(b.id)), arg("programme", b.programme),
                                termWords("term", b.term), arg("county", b.paying_region),
                                arg("bank", b.bank_code), arg("part", std::to_string(b.part))});
}

Message batchNotInScope(const std::string& id) {
  return msg("batch.not_found_scope", {arg("id", id)});
}

MessageArg flagKindArg(std::string name, const std::string& kind) {
  static const std::map<std::string, const char*> kZh = {
      {"multi_enrollment", "多处学籍"},
      {"paid_elsewhere", "他处已发"},
      {"shared_account", "账户共用"},
      {"holder_mismatch", "户名不符"},
      {"possible_duplicate", "疑似重复学生"},
      {"implausible_age", "年龄异常"},
      {"level_not_identified", "困难等级未经认定"},
      {"school_student_inactive", "学生不在读"},
      {"school_over_roll", "人数超过在籍"},
      {"school_account_shared", "学校账户共用"},
      {"holder_unsafe_text", "户名含异常字符"},
      {"holder_not_encodable", "户名银行文件无法写入"},
      {"complaint", "投诉核实"},
  };
  const auto it = kZh.find(kind);
  return words(std::move(name), it == kZh.end() ? kind : it->second, kind);
}

MessageArg flagStatusArg(std::string name, const std::string& status) {
  return codeWords(std::move(name), status,
                   {{"open", "待核查"}, {"cleared", "已解除"}, {"removed", "已移出批次"}});
}

MessageArg batchActionArg(std::string name, const std::string& action) {
  return codeWords(std::move(name), action,
                   {{"submit", "提交"},
                    {"approve", "审批通过"},
                    {"reject", "退回"},
                    {"return_to_draft", "撤回为草稿"}});
}

MessageArg statusArg(std::string name, BatchStatus s) {
  for (const auto& [v, zh] : kStatusZh) {
    if (v == s) return words(std::move(name), std::string(zh), std::string(code(s)));
  }
  return arg(std::move(name), "?");
}

std::string_view code(BatchStatus s) {
  for (const auto& [v, c] : kStatuses) {
    if (v == s) return c;
  }
  return "?";
}

std::optional<BatchStatus> parseBatchStatus(std::string_view s) {
  for (const auto& [v, c] : kStatuses) {
    if (c == s) return v;
  }
  return std::nullopt;
}

int Batch::approvals() const {
  return static_cast<int>(std::count_if(
      actions.begin(), actions.end(),
      [this](const BatchAction& a) { return a.cycle == cycle && a.action == "approve"; }));
}

bool Batch::actedBy(const std::string& user) const {
  return std::any_of(actions.begin(), actions.end(),
                     [&](const BatchAction& a) { return a.cycle == cycle && a.user == user; });
}

int requiredApprovals(Money total, const std::vector<Threshold>& thresholds) {
  int n = 1;
  for (const auto& t : thresholds) {
    if (total.fen() >= t.min_total_fen) n = std::max(n, t.approvers);
  }
  return n;
}

BatchPlanner::BatchPlanner(std::string programme, const Term& term, std::string prepared_by,
                           std::function<int(const std::string&)> max_lines,
                           std::vector<Threshold> thresholds)
    : programme_(std::move(programme)),
      term_(term.str()),
      prepared_by_(std::move(prepared_by)),
      max_lines_(std::move(max_lines)),
      thresholds_(std::move(thresholds)) {}

std::optional<BatchPlan> BatchPlanner::close() {
  if (!current_) return std::nullopt;
  current_->batch.required_approvals = requiredApprovals(current_->batch.total, thresholds_);
  std::optional<BatchPlan> done = std::move(current_);
  current_.reset();
  return done;
}

std::optional<BatchPlan> BatchPlanner::add(Candidate c) {
  std::optional<BatchPlan> done;
  const bool same_group = current_ && current_->batch.paying_region == c.paying_region &&
                          current_->batch.bank_code == c.bank_code;
  if (!same_group || static_cast<int>(current_->payments.size()) >= max_lines_(c.bank_code)) {
    done = close();
    current_.emplace();
    current_->batch.programme = programme_;
    current_->batch.term = term_;
    current_->batch.paying_region = c.paying_region;
    current_->batch.bank_code = c.bank_code;
    current_->batch.prepared_by = prepared_by_;
  }
  Batch& b = current_->batch;
  b.total += c.amount;
  b.central += c.central;
  b.provincial += c.provincial;
  b.county += c.county;
  ++b.payment_count;
  current_->payments.push_back(std::move(c));
  return done;
}

std::optional<BatchPlan> BatchPlanner::finish() { return close(); }

std::vector<Covered> coveredBy(const Candidate& c) {
  if (!c.covers.empty()) return c.covers;
  return {{c.entitlement_id, c.amount, c.central, c.provincial, c.county}};
}

Candidate schoolPayment(std::vector<Candidate> students) {
  Candidate out = students.front();
  out.amount = out.central = out.provincial = out.county = Money();
  out.covers.clear();
  out.attempt = 1;
  for (const auto& s : students) {
    out.entitlement_id = std::min(out.entitlement_id, s.entitlement_id);
    out.amount += s.amount;
    out.central += s.central;
    out.provincial += s.provincial;
    out.county += s.county;
    out.attempt = std::max(out.attempt, s.attempt);
    out.covers.push_back({s.entitlement_id, s.amount, s.central, s.provincial, s.county});
  }
  std::sort(out.covers.begin(), out.covers.end(),
            [](const Covered& a, const Covered& b) { return a.entitlement_id < b.entitlement_id; });
  return out;
}

std::optional<Message> refuseSubmit(const Batch& b, const security::User& user) {
  if (user.role != security::Role::kBureauOfficer) {
    return msg("batch.submit.role", {arg("user", user.name), roleWords(user.role)});
  }
  if (!user.covers(b.paying_region)) return outOfScope(b, user);
  if (b.status != BatchStatus::kDraft)
    return msg("batch.submit.state", {statusArg("status", b.status)});
  return std::nullopt;
}

std::optional<Message> refuseApprove(const Batch& b, const security::User& user) {
  if (user.role != security::Role::kBureauApprover) {
    return msg("batch.approve.role", {arg("user", user.name), roleWords(user.role)});
  }
  if (!user.covers(b.paying_region)) return outOfScope(b, user);
  if (b.status != BatchStatus::kSubmitted)
    return msg("batch.approve.state", {statusArg("status", b.status)});
  if (user.name == b.prepared_by) return msg("batch.approve.maker", {arg("user", user.name)});
  if (b.actedBy(user.name)) return msg("batch.approve.already_acted", {arg("user", user.name)});
  return std::nullopt;
}

std::optional<Message> refuseReject(const Batch& b, const security::User& user,
                                    const std::string& reason) {
  if (text::countCharacters(text::trim(reason)) < 5) return msg("batch.reject.no_reason");
  // Rejecting is an approver's decision like approving, with the same guards.
  return refuseApprove(b, user);
}

std::optional<Message> refuseReturnToDraft(const Batch& b, const security::User& user) {
  if (user.role != security::Role::kBureauApprover) {
    return msg("batch.return.role", {arg("user", user.name), roleWords(user.role)});
  }
  if (!user.covers(b.paying_region)) return outOfScope(b, user);
  switch (b.status) {
    case BatchStatus::kApproved:
      return std::nullopt;
    case BatchStatus::kDraft:
    case BatchStatus::kRejected:
      return msg("batch.return.already_draft");
    case BatchStatus::kSubmitted:
      return msg("batch.return.submitted");
    default:
      return msg("batch.return.at_bank", {statusArg("status", b.status)});
  }
}

std::vector<std::string> unsafeHolderCharacters(std::string_view holder) {
  std::vector<std::string> out;
  auto add = [&](std::string_view ch) {
    if (std::find(out.begin(), out.end(), ch) == out.end()) out.emplace_back(ch);
  };
  const auto chars = text::characters(holder);
  if (!chars.empty() && chars[0].size() == 1 &&
      std::string_view("=+-@").find(chars[0][0]) != std::string_view::npos) {
    add(chars[0]);
  }
  for (const auto ch : chars) {
    const char32_t cp = text::codePoint(ch);
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) add(ch);
  }
  return out;
}

std::vector<Finding> holderFindings(const std::string& student, const std::string& holder,
                                    const std::string& bank_code,
                                    const std::optional<Unencodable>& unencodable, bool school) {
  std::vector<Finding> out;
  const std::string who_zh = school ? "学校 " : "学生 ";
  const std::string who_en = school ? "School " : "Student ";
  const auto who = [&] {
    return words("who", school ? "学校" : "学生", school ? "School" : "Student");
  };
  // The name as evidence shows it: control characters would garble a screen or a report.
  std::string shown;
  for (const auto ch : text::characters(holder)) {
    const char32_t cp = text::codePoint(ch);
    shown +=
        cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) ? "\xEF\xBF\xBD" : std::string(ch);
  }
  const auto unsafe = unsafeHolderCharacters(holder);
  if (!unsafe.empty()) {
    const std::string chars = text::describeCharacters(unsafe);
    out.push_back(
        {"holder_unsafe_text",
         who_zh + student + " 的收款户名「" + shown + "」含银行文件不应出现的字符：" + chars +
             "（控制字符，或开头的 = + - @，电子表格会当作公式）。请按银行登记的户名更正账户户名"
             "（edupay account update），并移除本笔、由下一批发放。 / " +
             who_en + student + ": the holder name \"" + shown + "\" has " + chars +
             ", which no bank file should carry (a control character, or a leading = + - @ that "
             "a spreadsheet reads as a formula). Correct the account holder to the name the bank "
             "records (edupay account update) and remove this payment; the next batch pays it.",
         msg("flag.holder_unsafe_text",
             {who(), arg("student", student), arg("holder", shown), arg("chars", chars)})});
  }
  if (unencodable && !unencodable->characters.empty()) {
    const std::string chars = text::describeCharacters(unencodable->characters);
    const std::string& enc = unencodable->encoding;
    const std::string zh = who_zh + student + " 的收款户名「" + shown + "」中的 " + chars +
                           " 无法用 " + enc + " 写入 " + bank_code + " 银行文件（格式 " +
                           unencodable->layout +
                           "）。请家长到开户行登记银行系统能接收的户名并更正账户户名，"
                           "或经银行确认能接收后填写理由解除。";
    const std::string en =
        who_en + student + ": the holder name \"" + shown + "\" has " + chars + ", which " + enc +
        " cannot write in bank " + bank_code + "'s file (layout " + unencodable->layout +
        "). Have the family's bank record a name its system takes and correct the account holder "
        "(edupay account update), or clear this flag with a reason if the bank confirms it takes "
        "the name (its layout must then write it: edupay bank set).";
    out.push_back(
        {"holder_not_encodable", zh + " / " + en,
         msg("flag.holder_not_encodable",
             {who(), arg("student", student), arg("holder", shown), arg("chars", chars),
              arg("encoding", enc), arg("bank", bank_code), arg("layout", unencodable->layout)})});
  }
  return out;
}

BuildResult buildBatches(DisbursementStore& store, security::SecurityStore& audit,
                         const security::User& user, const std::string& programme, const Term& term,
                         const std::string& region, const EncodingCheck& encodable) {
  if (user.role != security::Role::kBureauOfficer) {
    throw Error(ErrorCode::kForbidden,
                msg("batch.build.role", {arg("user", user.name), roleWords(user.role)}));
  }
  const std::string scope_region = region.empty() ? user.scope : region;
  if (!user.covers(scope_region)) {
    throw Error(ErrorCode::kForbidden,
                msg("batch.build.scope", {arg("user", user.name), arg("scope", user.scope),
                                          arg("region", scope_region)}));
  }
  BuildResult r;
  // One build of a programme, term and region at a time; each batch commits on its own (its
  // payments, flags and audit event: at most the bank's line limit of payments), so a build
  // killed half-way keeps the batches it finished and the same command again builds the rest
  // from the entitlements not yet batched, cut where an uninterrupted build would cut them.
  Lease lease(store.leases(), "build:" + term.str() + ":" + programme + ":" + scope_region,
              "the batch build of " + programme + " " + term.str() + " for region " + scope_region);
  BatchPlanner planner(
      programme, term, user.name,
      [&store](const std::string& bank) { return store.maxLines(bank); }, store.thresholds());
  auto create = [&](const BatchPlan& plan) {
    // One batch is one unit of work: after a certification conflict it is written again whole.
    int64_t flags = 0;
    const int64_t id = retryUnit("disburse.buildBatches", [&] {
      BatchPlan p = plan;
      flags = 0;
      auto tx = store.transaction();
      p.batch.created_on = security::nowIso();
      const int64_t id = store.createBatch(p);
      p.batch.id = id;
      flags += store.flagBatch(p.batch, kSharedAccountLimit);
      // What the bank's file cannot carry is found now, before two people approve the batch.
      for (size_t i = 0; i < p.payments.size(); ++i) {
        const Candidate& c = p.payments[i];
        const auto unencodable =
            encodable ? encodable(c.bank_code, c.holder) : std::optional<Unencodable>();
        if (!unencodable && unsafeHolderCharacters(c.holder).empty()) continue;
        const bool to_school = !c.covers.empty();
        for (const auto& finding :
             holderFindings(to_school ? c.school_code : store.maskedStudent(c.person_id), c.holder,
                            c.bank_code, unencodable, to_school)) {
          store.addFlag(id, static_cast<int64_t>(i + 1), finding);
          ++flags;
        }
      }
      security::appendAudit(audit, user.name, "batch.build", "batch:" + std::to_string(id),
                            Message(), summary(p.batch));
      fault::point("build.before_commit");
      tx->commit();
      return id;
    });
    fault::point("build.batch");
    lease.renew();
    const BatchPlan& p = plan;
    r.flags += flags;
    r.batch_ids.push_back(id);
    r.payments += p.batch.payment_count;
    r.total += p.batch.total;
  };
  // Group by group, page by page: memory holds one page and one batch whatever the county's size,
  // and no cursor stays open while batches are written.
  constexpr size_t kPage = 10000;
  for (const auto& [region, bank] :
       store.candidateGroups(programme, term, scope_region, r.unbankable)) {
    // Fee waivers: one payment per school, its students' entitlements summed (a county has tens
    // of schools, so the group is read whole).
    std::vector<Candidate> school;
    for (auto& c : store.schoolCandidates(programme, term, region, bank)) {
      if (!school.empty() && school.back().school_code != c.school_code) {
        if (auto done = planner.add(schoolPayment(std::move(school)))) create(std::move(*done));
        school.clear();
      }
      school.push_back(std::move(c));
    }
    if (!school.empty()) {
      if (auto done = planner.add(schoolPayment(std::move(school)))) create(std::move(*done));
    }
    int64_t after = 0;
    for (;;) {
      auto page = store.candidates(programme, term, region, bank, after, kPage);
      for (auto& c : page) {
        after = c.entitlement_id;
        if (auto done = planner.add(std::move(c))) create(std::move(*done));
      }
      if (page.size() < kPage) break;
    }
  }
  if (auto done = planner.finish()) create(std::move(*done));
  // A school without an account is named now, before anyone approves anything, never found
  // at export.
  r.without_account = store.schoolsWithoutAccount(programme, term, scope_region);
  return r;
}

Batch submitBatch(DisbursementStore& store, security::SecurityStore& audit,
                  const security::User& user, int64_t id) {
  return retryUnit("disburse.submitBatch", [&] {
    auto tx = store.transaction();
    Batch b = mustLoad(store, id);
    hideOutOfScope(b, user, security::Role::kBureauOfficer);
    if (auto why = refuseSubmit(b, user))
      throw Error(ErrorCode::kForbidden, refused("batch.submit.refused", b, *why));
    const Message before = summary(b);
    move(store, b, BatchStatus::kSubmitted, b.cycle);
    store.addAction(id, {b.cycle, user.name, "submit", "", security::nowIso()});
    security::appendAudit(audit, user.name, "batch.submit", "batch:" + std::to_string(id), before,
                          summary(b));
    tx->commit();
    return b;
  });
}

Batch approveBatch(DisbursementStore& store, security::SecurityStore& audit,
                   const security::User& user, int64_t id) {
  return retryUnit("disburse.approveBatch", [&] {
    auto tx = store.transaction();
    Batch b = mustLoad(store, id);
    hideOutOfScope(b, user, security::Role::kBureauApprover);
    if (auto why = refuseApprove(b, user))
      throw Error(ErrorCode::kForbidden, refused("batch.approve.refused", b, *why));
    int open_flags = 0;
    for (const auto& f : store.flags(id)) open_flags += f.status == "open";
    if (open_flags) {
      throw Error(ErrorCode::kForbidden,
                  refused("batch.approve.refused", b,
                          msg("batch.approve.open_flags", {arg("count", open_flags)})));
    }
    if (auto why = noticeRefusal(store, id, Date::today())) {
      throw Error(ErrorCode::kForbidden, refused("batch.approve.refused", b, *why));
    }
    const Message before = summary(b);
    store.addAction(id, {b.cycle, user.name, "approve", "", security::nowIso()});
    b.actions.push_back({b.cycle, user.name, "approve", "", security::nowIso()});
    const bool complete = b.approvals() >= b.required_approvals;
    if (complete) {
      store.commitBudget(b, Term::parse(b.term).year());
      move(store, b, BatchStatus::kApproved, b.cycle);
    } else {
      move(store, b, BatchStatus::kSubmitted,
           b.cycle);  // records the approval under the version check
    }
    security::appendAudit(
        audit, user.name, complete ? "batch.approve" : "batch.approve_partial",
        "batch:" + std::to_string(id), before,
        msg("audit.rec.batch.approvals", {arg("batch", summary(b)), arg("approvals", b.approvals()),
                                          arg("required", b.required_approvals)}));
    fault::point("approve.before_commit");
    tx->commit();
    fault::point("approve.committed");
    return b;
  });
}

Batch rejectBatch(DisbursementStore& store, security::SecurityStore& audit,
                  const security::User& user, int64_t id, const std::string& reason) {
  return retryUnit("disburse.rejectBatch", [&] {
    auto tx = store.transaction();
    Batch b = mustLoad(store, id);
    hideOutOfScope(b, user, security::Role::kBureauApprover);
    if (auto why = refuseReject(b, user, reason))
      throw Error(ErrorCode::kForbidden, refused("batch.reject.refused", b, *why));
    const Message before = summary(b);
    store.addAction(id, {b.cycle, user.name, "reject", reason, security::nowIso()});
    // Rejected goes back to draft in a new cycle: the preparer fixes it and submits again.
    move(store, b, BatchStatus::kDraft, b.cycle + 1);
    security::appendAudit(audit, user.name, "batch.reject", "batch:" + std::to_string(id), before,
                          summary(b, reason));
    tx->commit();
    return b;
  });
}

Batch returnToDraft(DisbursementStore& store, security::SecurityStore& audit,
                    const security::User& user, int64_t id, const std::string& reason) {
  return retryUnit("disburse.returnToDraft", [&] {
    const std::string why = text::cutUtf8(text::trim(reason), 500);
    if (why.empty()) {
      throw Error(ErrorCode::kInvalidInput, msg("batch.return.no_reason"));
    }
    auto tx = store.transaction();
    Batch b = mustLoad(store, id);
    hideOutOfScope(b, user, security::Role::kBureauApprover);
    if (auto refusal = refuseReturnToDraft(b, user))
      throw Error(ErrorCode::kForbidden, refused("batch.return.refused", b, *refusal));
    const Message before = summary(b);
    const std::string at = security::nowIso();
    store.releaseBudget(b, Term::parse(b.term).year());
    // The approval round ends here: the draft needs a new submit and new approvals.
    store.recordReturn(id, {b.cycle, user.name, "return_to_draft", why, at});
    b.actions.push_back({b.cycle, user.name, "return_to_draft", why, at});
    move(store, b, BatchStatus::kDraft, b.cycle + 1);
    security::appendAudit(
        audit, user.name, "batch.return_to_draft", "batch:" + std::to_string(id), before,
        msg("audit.rec.batch.returned", {arg("batch", summary(b)), arg("reason", why)}));
    tx->commit();
    return b;
  });
}

Batch removePayment(DisbursementStore& store, security::SecurityStore& audit,
                    const security::User& user, int64_t payment_id, const std::string& reason) {
  return retryUnit("disburse.removePayment", [&] {
    if (text::countCharacters(text::trim(reason)) < 10) {
      throw Error(ErrorCode::kInvalidInput, msg("payment.remove.no_reason"));
    }
    auto tx = store.transaction();
    const auto p = store.payment(payment_id);
    if (!p) {
      throw Error(ErrorCode::kNotFound,
                  msg("payment.not_found", {arg("id", std::to_string(payment_id))}));
    }
    Batch b = mustLoad(store, p->batch_id);
    if (user.role != security::Role::kBureauOfficer || !user.covers(b.paying_region)) {
      throw Error(ErrorCode::kForbidden, msg("payment.remove.role", {arg("county", b.paying_region),
                                                                     arg("batch", describe(b))}));
    }
    if (b.status != BatchStatus::kDraft) {
      throw Error(
          ErrorCode::kConflict,
          msg("payment.remove.state", {arg("batch", describe(b)), statusArg("status", b.status)}));
    }
    if (p->status != "pending")
      throw Error(ErrorCode::kConflict,
                  msg("payment.remove.not_pending", {arg("id", std::to_string(payment_id)),
                                                     paymentStatusArg("status", p->status)}));
    if (b.payment_count <= 1) {
      throw Error(ErrorCode::kConflict, msg("payment.remove.last", {arg("batch", describe(b))}));
    }
    const Message before = summary(b);
    const int required = requiredApprovals(b.total - p->amount, store.thresholds());
    if (!store.removePayment(payment_id, *p, b.version, required, user.name, reason)) {
      throw Error(ErrorCode::kConflict, msg("batch.changed", {arg("batch", describe(b))}));
    }
    b = mustLoad(store, p->batch_id);
    security::appendAudit(audit, user.name, "payment.remove",
                          "payment:" + std::to_string(payment_id), before, summary(b, reason));
    tx->commit();
    return b;
  });
}

Message flagNotInScope(const std::string& id) {
  return msg("flag.not_found_scope", {arg("id", id)});
}

Flag clearFlag(DisbursementStore& store, security::SecurityStore& audit, const security::User& user,
               int64_t flag_id, const std::string& reason) {
  return retryUnit("disburse.clearFlag", [&] {
    if (text::countCharacters(text::trim(reason)) < 10) {
      throw Error(ErrorCode::kInvalidInput, msg("flag.clear.no_reason"));
    }
    auto tx = store.transaction();
    auto f = store.flag(flag_id);
    if (!f)
      throw Error(ErrorCode::kNotFound,
                  msg("flag.not_found", {arg("id", std::to_string(flag_id))}));
    const Batch b = mustLoad(store, f->batch_id);
    if (user.role != security::Role::kBureauOfficer) {
      throw Error(ErrorCode::kForbidden, msg("flag.clear.role", {arg("county", b.paying_region),
                                                                 arg("batch", describe(b))}));
    }
    // Another county's flag is not revealed to its officers (the API's answer too).
    if (!user.covers(b.paying_region))
      throw Error(ErrorCode::kNotFound, flagNotInScope(std::to_string(flag_id)));
    if (b.status != BatchStatus::kDraft && b.status != BatchStatus::kSubmitted) {
      throw Error(ErrorCode::kConflict, msg("flag.clear.final", {arg("batch", describe(b)),
                                                                 statusArg("status", b.status)}));
    }
    store.clearFlag(flag_id, user.name, reason);
    security::appendAudit(
        audit, user.name, "flag.clear", "flag:" + std::to_string(flag_id),
        msg("audit.rec.flag",
            {flagKindArg("kind", f->kind),
             arg("evidence", i18n::renders(f->evidenceMessage()) ? f->evidenceMessage()
                                                                 : Message::literal(f->evidence))}),
        msg("audit.rec.flag.cleared", {arg("reason", reason)}));
    tx->commit();
    f->status = "cleared";
    f->cleared_by = user.name;
    f->reason = reason;
    return *f;
  });
}

}  // namespace edupay::disburse
