#include "security/AuditLog.h"

#include <cctype>
#include <functional>
#include <regex>

#include "common/Date.h"
#include "common/Error.h"

namespace edupay::security {
namespace {

[[noreturn]] void invalid(const char* code) { throw Error(ErrorCode::kInvalidInput, msg(code)); }

/// Events read per round trip while a page is filled with the ones the user sees.
constexpr size_t kChunk = 500;

/// The action codes the use cases write (see each appendAudit call), with the terms of the
/// national student-aid system (学生资助) for them.
const std::vector<std::pair<std::string, std::string>> kActions = {
    {"login", "登录"},
    {"login.failed", "登录失败"},
    {"logout", "退出登录"},
    {"user.add", "新增用户"},
    {"user.disable", "停用用户"},
    {"user.enable", "启用用户"},
    {"user.passwd", "修改密码"},
    {"schema.migrate", "数据库升级"},
    {"regions.import", "导入行政区划"},
    {"schools.import", "导入学校"},
    {"school.account", "登记学校账户"},
    {"roll.import", "导入学籍名册"},
    {"roll.refused", "学籍名册被退回（未导入）"},
    {"roster.import", "导入部门比对数据"},
    {"nominations.import", "导入推荐名单"},
    {"student.difficulty", "登记困难等级"},
    {"student.merge", "合并学生记录"},
    {"student.reveal", "查看完整证件号"},
    {"account.update", "更正收款账户"},
    {"policy.activate", "启用资助政策"},
    {"entitle.run", "资格计算"},
    {"notice.publish", "发布公示"},
    {"objection.add", "登记公示异议"},
    {"objection.resolve", "处理公示异议"},
    {"budget.import", "导入预算"},
    {"batch.build", "生成发放批次"},
    {"batch.submit", "提交审批"},
    {"batch.approve", "审批通过批次"},
    {"batch.approve_partial", "批次审批（待其他审批人）"},
    {"batch.reject", "退回批次"},
    {"batch.return_to_draft", "批次退回草稿"},
    {"batch.export", "导出支付文件"},
    {"batch.export_again", "重新导出支付文件"},
    {"batch.close", "关闭批次"},
    {"payment.remove", "移出批次"},
    {"flag.clear", "核销精准核查疑点"},
    {"bank.set", "设置银行文件格式"},
    {"bank.payer", "登记付款账户"},
    {"bank.import_result", "导入银行回盘"},
    {"family.lookup", "家庭查询"},
    {"complaint.file", "受理投诉举报"},
    {"complaint.assign", "分派投诉"},
    {"complaint.note", "投诉调查记录"},
    {"complaint.close", "办结投诉"},
    {"complaint.hold", "投诉：暂停发放"},
    {"complaint.flag", "投诉：标记疑点"},
    {"complaint.objection", "投诉：转为异议"},
    {"complaint.release", "投诉：解除暂停"},
    {"identify.open", "开始资助对象认定"},
    {"identify.apply", "受理认定申请"},
    {"identify.change", "认定动态调整"},
    {"identify.assess", "班级评议"},
    {"identify.decide", "学校认定"},
    {"identify.notice", "认定结果校内公示"},
    {"identify.objection", "认定异议"},
    {"identify.objection_resolve", "处理认定异议"},
    {"identify.file", "认定结果报送"},
    {"identify.review", "县级复核"},
    {"identify.spot_draw", "抽取抽查样本"},
    {"identify.spot_check", "抽查核实"},
};

bool isDate(const std::string& s) { return s.empty() || Date::parse(s).has_value(); }

int64_t number(const std::smatch& m, size_t i) { return std::stoll(m[i].str()); }

}  // namespace

void checkAuditQuery(const AuditQuery& q) {
  if (!isDate(q.from)) invalid("audit.query.from");
  if (!isDate(q.to)) invalid("audit.query.to");
  if (!q.from.empty() && !q.to.empty() && q.from > q.to) invalid("audit.query.order");
  if (q.page < 1) invalid("audit.query.page");
  if (q.page_size < 1 || q.page_size > 200) invalid("audit.query.page_size");
}

bool seesScope(const User& u, const ObjectScope& s) {
  switch (u.role) {
    case Role::kSysadmin:
      return true;
    case Role::kSchoolAdmin:
    case Role::kSchoolApprover:
      return !s.school.empty() && s.school == u.scope;
    case Role::kBankOperator:
      return !s.bank.empty() && s.bank == u.scope;
    default:
      if (s.region.empty()) return u.role == Role::kAuditor && u.scope.size() == 2;
      // An event of a province-wide object (region 43) is not a county's.
      return s.region.size() >= u.scope.size() && u.covers(s.region);
  }
}

std::string actionName(std::string_view code) {
  for (const auto& [c, name] : kActions) {
    if (c == code) return name;
  }
  return std::string(code);
}

const std::vector<std::pair<std::string, std::string>>& actionNames() { return kActions; }

std::string maskLongNumbers(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  const auto alnum = [&](size_t k) {
    return k < text.size() && std::isalnum(static_cast<unsigned char>(text[k]));
  };
  while (i < text.size()) {
    size_t j = i;
    while (j < text.size() && (std::isdigit(static_cast<unsigned char>(text[j])) ||
                               (j > i && (text[j] == 'X' || text[j] == 'x'))))
      ++j;
    // A run of digits standing alone (not inside a hex digest or a word).
    if (j - i >= 15 && !(i > 0 && alnum(i - 1)) && !alnum(j)) {
      out.append(text.substr(i, 4));
      out.append(j - i - 8, '*');
      out.append(text.substr(j - 4, 4));
      i = j;
      continue;
    }
    if (j == i) j = i + 1;
    // Skip the rest of a word so a digest's inner digits are never read as a number.
    while (j < text.size() && alnum(j - 1) && alnum(j)) ++j;
    out.append(text.substr(i, j - i));
    i = j;
  }
  return out;
}

namespace {

/// Walks the events matching `q` newest first and hands `keep` those of page `q.page` that `user`
/// sees; true when a later page has more.
bool walkPage(AuditLogStore& store, const User& user, const AuditQuery& q,
              const std::function<void(const AuditEvent&, const ObjectScope&)>& keep) {
  const size_t skip = static_cast<size_t>(q.page - 1) * static_cast<size_t>(q.page_size);
  size_t seen = 0;
  int64_t before = INT64_MAX;
  while (true) {
    const auto events = store.searchAudit(q, before, kChunk);
    if (events.empty()) return false;
    const auto scopes = store.scopesOf(events);
    for (size_t i = 0; i < events.size(); ++i) {
      if (!seesScope(user, scopes[i])) continue;
      if (seen >= skip + static_cast<size_t>(q.page_size)) return true;
      if (seen++ >= skip) keep(events[i], scopes[i]);
    }
    if (events.size() < kChunk) return false;
    before = events.back().seq;
  }
}

}  // namespace

AuditPage auditLog(AuditLogStore& store, const User& user, const AuditQuery& q) {
  if (user.role != Role::kAuditor && user.role != Role::kSysadmin)
    throw Error(ErrorCode::kForbidden, msg("audit.readers"));
  checkAuditQuery(q);
  AuditPage page;
  page.page = q.page;
  page.page_size = q.page_size;
  page.more = walkPage(store, user, q, [&](const AuditEvent& e, const ObjectScope& s) {
    AuditEntry entry{e, s};
    entry.event.before = maskLongNumbers(e.before);
    entry.event.after = maskLongNumbers(e.after);
    page.entries.push_back(std::move(entry));
  });
  return page;
}

std::string sentName(const std::string& stored) {
  static const std::regex kept(R"(^[a-z]+(-[a-z_]+)?-[0-9a-f]{16}-(.+)$)");
  std::smatch n;
  return std::regex_match(stored, n, kept) ? n[2].str() : stored;
}

void parseUploadSummary(const std::string& after, UploadRecord& r) {
  static const std::regex head(R"(^(.*) sha256 ([0-9a-f]{64}): )");
  static const std::regex roll(
      R"((\d+) rows, (\d+) ok, (\d+) skipped; students (\d+) new, (\d+) changed; )"
      R"(enrollments (\d+) opened, (\d+) transfers; accounts (\d+) added, (\d+) replaced)");
  static const std::regex result(
      R"((\d+) paid \(([0-9.]+)\), (\d+) returned \(([0-9.]+); \d+ of them after being paid\), )"
      R"((\d+) pending, (\d+) unchanged)");
  r.summary = maskLongNumbers(after);
  std::smatch m;
  if (!std::regex_search(after, m, head)) return;
  r.file_name = sentName(m[1].str());
  r.sha256 = m[2].str();
  const std::string rest = m.suffix().str();
  static const std::regex refused(R"((\d+) rows, (\d+) with problems; nothing imported)");
  if (r.refused && std::regex_search(rest, m, refused)) {
    r.rows = number(m, 1);
    r.rows_bad = number(m, 2);
  } else if (r.kind == "roll" && std::regex_search(rest, m, roll)) {
    r.rows = number(m, 1);
    r.rows_ok = number(m, 2);
    r.rows_bad = number(m, 3);
    r.students_new = number(m, 4);
    r.students_changed = number(m, 5);
    int64_t changes = 0;
    for (size_t i = 4; i <= 9; ++i) changes += number(m, i);
    r.unchanged = changes == 0;
  } else if (r.kind == "result" && std::regex_search(rest, m, result)) {
    r.paid = number(m, 1);
    r.paid_total = m[2].str();
    r.returned = number(m, 3);
    r.returned_total = m[4].str();
    r.pending = number(m, 5);
    r.unchanged_lines = number(m, 6);
    r.unchanged = r.paid + r.returned == 0;
  }
}

std::vector<UploadRecord> uploadHistory(AuditLogStore& store, const User& user,
                                        const std::string& kind, int page, int page_size,
                                        bool* more) {
  AuditQuery q;
  if (kind == "roll") {
    q.action = "roll";  // imported and refused
  } else if (kind == "result") {
    q.action = "bank.import_result";
  } else {
    invalid("uploads.kind");
  }
  const bool school = user.role == Role::kSchoolAdmin || user.role == Role::kSchoolApprover;
  if (kind == "roll" && user.role == Role::kBankOperator)
    throw Error(ErrorCode::kForbidden, msg("uploads.bank_no_rolls"));
  if (kind == "result" && school)
    throw Error(ErrorCode::kForbidden, msg("uploads.school_no_results"));
  q.page = page;
  q.page_size = page_size;
  checkAuditQuery(q);
  std::vector<UploadRecord> out;
  const bool later = walkPage(store, user, q, [&](const AuditEvent& e, const ObjectScope& s) {
    UploadRecord r;
    r.seq = e.seq;
    r.kind = kind;
    r.at = e.at;
    r.actor = e.actor;
    r.scope = s;
    r.refused = e.action == "roll.refused";
    parseUploadSummary(e.after, r);
    out.push_back(std::move(r));
  });
  if (more) *more = later;
  return out;
}

}  // namespace edupay::security
