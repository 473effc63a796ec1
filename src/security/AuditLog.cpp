#include "security/AuditLog.h"

#include <cctype>
#include <functional>
#include <regex>

#include "common/Catalogue.h"
#include "common/Date.h"
#include "common/Error.h"
#include "common/MessageWords.h"

namespace edupay::security {
namespace {

[[noreturn]] void invalid(const char* code) { throw Error(ErrorCode::kInvalidInput, msg(code)); }

/// Events read per round trip while a page is filled with the ones the user sees.
constexpr size_t kChunk = 500;

/// The action codes the use cases write (see each appendAudit call), with the terms of the
/// national student-aid system (学生资助) for them.
struct ActionName {
  const char* code;
  const char* zh;
  const char* en;
};
const std::vector<ActionName> kActions = {
    {"login", "登录", "log in"},
    {"login.failed", "登录失败", "failed login"},
    {"logout", "退出登录", "log out"},
    {"user.add", "新增用户", "add user"},
    {"user.disable", "停用用户", "disable user"},
    {"user.enable", "启用用户", "enable user"},
    {"user.passwd", "修改密码", "change password"},
    {"schema.migrate", "数据库升级", "upgrade database"},
    {"regions.import", "导入行政区划", "import regions"},
    {"schools.import", "导入学校", "import schools"},
    {"school.account", "登记学校账户", "record school account"},
    {"roll.import", "导入学籍名册", "import roll"},
    {"roll.refused", "学籍名册被退回（未导入）", "roll refused (not imported)"},
    {"roster.import", "导入部门比对数据", "import department roster"},
    {"nominations.import", "导入推荐名单", "import nominations"},
    {"student.difficulty", "登记困难等级", "record difficulty level"},
    {"student.merge", "合并学生记录", "merge student records"},
    {"student.reveal", "查看完整证件号", "show full ID"},
    {"account.update", "更正收款账户", "correct payee account"},
    {"policy.activate", "启用资助政策", "activate policy"},
    {"entitle.run", "资格计算", "entitlement run"},
    {"notice.publish", "发布公示", "publish notice"},
    {"objection.add", "登记公示异议", "record notice objection"},
    {"objection.resolve", "处理公示异议", "resolve notice objection"},
    {"budget.import", "导入预算", "import budget"},
    {"batch.build", "生成发放批次", "build batches"},
    {"batch.submit", "提交审批", "submit for approval"},
    {"batch.approve", "审批通过批次", "approve batch"},
    {"batch.approve_partial", "批次审批（待其他审批人）",
     "approve batch (awaiting other approvers)"},
    {"batch.reject", "退回批次", "reject batch"},
    {"batch.return_to_draft", "批次退回草稿", "return batch to draft"},
    {"batch.export", "导出支付文件", "export payment file"},
    {"batch.export_again", "重新导出支付文件", "export payment file again"},
    {"batch.close", "关闭批次", "close batch"},
    {"payment.remove", "移出批次", "remove from batch"},
    {"flag.clear", "核销精准核查疑点", "clear precision flag"},
    {"bank.set", "设置银行文件格式", "set bank file layout"},
    {"bank.payer", "登记付款账户", "record payer account"},
    {"bank.import_result", "导入银行回盘", "import bank result"},
    {"family.lookup", "家庭查询", "family look-up"},
    {"complaint.file", "受理投诉举报", "file complaint"},
    {"complaint.assign", "分派投诉", "assign complaint"},
    {"complaint.note", "投诉调查记录", "complaint investigation note"},
    {"complaint.close", "办结投诉", "close complaint"},
    {"complaint.hold", "投诉：暂停发放", "complaint: hold payment"},
    {"complaint.flag", "投诉：标记疑点", "complaint: raise flag"},
    {"complaint.objection", "投诉：转为异议", "complaint: turn into objection"},
    {"complaint.release", "投诉：解除暂停", "complaint: release hold"},
    {"identify.open", "开始资助对象认定", "open identification round"},
    {"identify.apply", "受理认定申请", "accept identification application"},
    {"identify.change", "认定动态调整", "identification change"},
    {"identify.assess", "班级评议", "class panel assessment"},
    {"identify.decide", "学校认定", "school decision"},
    {"identify.notice", "认定结果校内公示", "identification notice at school"},
    {"identify.objection", "认定异议", "identification objection"},
    {"identify.objection_resolve", "处理认定异议", "resolve identification objection"},
    {"identify.file", "认定结果报送", "file identification results"},
    {"identify.review", "县级复核", "county review"},
    {"identify.spot_draw", "抽取抽查样本", "draw spot-check sample"},
    {"identify.spot_check", "抽查核实", "spot check"},
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

std::string actionName(std::string_view code, Lang lang) {
  for (const auto& a : kActions) {
    if (a.code == code) return lang == Lang::kZh ? a.zh : a.en;
  }
  return std::string(code);
}

std::vector<std::pair<std::string, std::string>> actionNames(Lang lang) {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(kActions.size());
  for (const auto& a : kActions) out.emplace_back(a.code, lang == Lang::kZh ? a.zh : a.en);
  return out;
}

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
    entry.event.before = maskedRecord(e.before);
    entry.event.after = maskedRecord(e.after);
    page.entries.push_back(std::move(entry));
  });
  return page;
}

std::string sentName(const std::string& stored) {
  static const std::regex kept(R"(^[a-z]+(-[a-z_]+)?-[0-9a-f]{16}-(.+)$)");
  std::smatch n;
  return std::regex_match(stored, n, kept) ? n[2].str() : stored;
}

std::string maskedRecord(const std::string& stored) {
  const Message m = fromStoredForm(stored);
  if (m.empty()) return "";
  // Masked word by word, not as the JSON text: there a newline is `\u000a`, which would join the
  // number after it to a word.
  return storedForm(mapWords(m, [](const std::string& text) { return maskLongNumbers(text); }));
}

std::string auditText(const std::string& stored, Lang lang) {
  const Message m = fromStoredForm(stored);
  if (m.empty()) return "";
  if (i18n::renders(m)) return maskLongNumbers(i18n::render(m, lang));
  // A message whose pattern has changed since it was recorded: its code and words, plainly.
  std::string out = m.code();
  for (const auto& a : m.args()) out += " " + a.name + "=" + (lang == Lang::kZh ? a.zh : a.en);
  return maskLongNumbers(out);
}

namespace {

/// The count argument `name` of a recorded message (0 when it has none).
int64_t count(const Message& m, const char* name) {
  const auto* a = m.arg(name);
  return a && a->number ? *a->number : 0;
}
std::string textArg(const Message& m, const char* name) {
  const auto* a = m.arg(name);
  return a ? a->en : "";
}

/// An upload's record kept as a message (appendAudit with messages); false for an older text.
bool readUploadMessage(const Message& m, UploadRecord& r) {
  if (m.isLiteral()) return false;
  r.file_name = sentName(textArg(m, "file"));
  r.sha256 = textArg(m, "sha256");
  r.rows = count(m, "rows");
  if (m.code() == "audit.rec.roll.refused") {
    r.rows_bad = count(m, "bad");
  } else if (m.code() == "audit.rec.roll.unreadable") {
    if (const auto* why = m.arg("reason")) r.reason = *why;
  } else if (m.code() == "audit.rec.roll.import") {
    r.rows_ok = count(m, "ok");
    r.rows_bad = count(m, "skipped");
    r.students_new = count(m, "students_new");
    r.students_changed = count(m, "students_changed");
    int64_t changes = 0;
    for (const char* n : {"students_new", "students_changed", "opened", "transfers",
                          "accounts_added", "accounts_replaced"})
      changes += count(m, n);
    r.unchanged = changes == 0;
  } else if (m.code() == "audit.rec.bank.import_result") {
    r.paid = count(m, "paid");
    r.paid_total = textArg(m, "paid_total");
    r.returned = count(m, "returned");
    r.returned_total = textArg(m, "returned_total");
    r.pending = count(m, "pending");
    r.unchanged_lines = count(m, "unchanged");
    r.unchanged = r.paid + r.returned == 0;
  } else {
    return false;
  }
  return true;
}

}  // namespace

void parseUploadSummary(const std::string& after, UploadRecord& r) {
  r.summary = maskedRecord(after);
  if (readUploadMessage(fromStoredForm(after), r)) return;
  static const std::regex head(R"(^(.*) sha256 ([0-9a-f]{64}): )");
  static const std::regex roll(
      R"((\d+) rows, (\d+) ok, (\d+) skipped; students (\d+) new, (\d+) changed; )"
      R"(enrollments (\d+) opened, (\d+) transfers; accounts (\d+) added, (\d+) replaced)");
  static const std::regex result(
      R"((\d+) paid \(([0-9.]+)\), (\d+) returned \(([0-9.]+); \d+ of them after being paid\), )"
      R"((\d+) pending, (\d+) unchanged)");
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
