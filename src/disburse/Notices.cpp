#include "disburse/Notices.h"

#include <sstream>

#include "common/AtomicFile.h"
#include "common/Csv.h"
#include "common/Error.h"
#include "common/Retry.h"
#include "common/Text.h"
#include "disburse/PrecisionChecks.h"
#include "security/FieldCipher.h"

namespace edupay::disburse {
namespace {}  // namespace

std::string renderNoticeHtml(const NoticeInfo& info, const std::vector<NoticeEntry>& entries) {
  std::ostringstream h;
  h << "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>"
    << text::escapeHtml(info.school_name + " 资助公示 " + info.term) << "</title>\n"
    << "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;width:100%}"
       "th,td{border:1px solid #444;padding:4px 8px;text-align:left}td.n{text-align:right}"
       "@media print{body{margin:0}}</style></head>\n<body>\n"
    << "<h1>" << text::escapeHtml(info.school_name) << " 学生资助公示 / Student aid notice</h1>\n"
    << "<p>" << text::escapeHtml(info.programme) << " · " << text::escapeHtml(info.term) << " · "
    << info.entries << " 人 / students · " << info.total.toYuanGrouped() << " 元 / yuan</p>\n"
    << "<p>公示期 / Notice period: " << text::escapeHtml(info.published_on) << " — "
    << text::escapeHtml(info.window_ends) << "（"
    << "如有异议请在公示期内向学校或县学生资助管理中心反映 / objections to the school or the "
       "county student-aid "
       "centre within the period）</p>\n"
    << "<table>\n<thead><tr><th>姓名 Name</th><th>学校 School</th><th>学段 Department</th><th>年级 "
       "Grade</th>"
       "<th>专业 Major</th><th>班级 Class</th><th>项目 Programme</th><th>金额 "
       "Amount</th></tr></thead>\n<tbody>\n";
  for (const auto& e : entries) {
    h << "<tr><td>" << text::escapeHtml(e.name) << "</td><td>" << text::escapeHtml(e.school)
      << "</td><td>" << text::escapeHtml(e.stage) << "</td><td>" << text::escapeHtml(e.grade)
      << "</td><td>" << text::escapeHtml(e.major) << "</td><td>" << text::escapeHtml(e.class_name)
      << "</td><td>" << text::escapeHtml(e.programme) << "</td><td class=\"n\">"
      << e.amount.toYuan() << "</td></tr>\n";
  }
  h << "</tbody>\n</table>\n</body></html>\n";
  return h.str();
}

std::string renderNoticeCsv(const std::vector<NoticeEntry>& entries) {
  std::ostringstream out;
  CsvWriter::Options o;
  o.utf8_bom = true;
  CsvWriter csv(out, o);
  csv.writeRow({"姓名 name", "学校 school", "学段 department", "年级 grade", "专业 major",
                "班级 class", "项目 programme", "金额 amount"});
  for (const auto& e : entries) {
    csv.writeRow({e.name, e.school, e.stage, e.grade, e.major, e.class_name, e.programme,
                  e.amount.toYuan()});
  }
  return out.str();
}

PublishResult publishNotice(NoticeStore& store, security::SecurityStore& audit,
                            const security::User& user, const std::string& programme,
                            const Term& term, const std::string& school_code,
                            const std::string& out_dir, const HolidayCalendar& calendar,
                            const Date& today, int working_days) {
  if (user.role != security::Role::kBureauOfficer && user.role != security::Role::kSchoolAdmin) {
    throw Error(ErrorCode::kForbidden, msg("notice.publish.role", {arg("user", user.name)}));
  }
  return retryUnit("disburse.publishNotice", [&] {
    auto tx = store.transaction();
    const auto school = store.school(school_code);
    // Another county's or school's reads exactly like a school that does not exist.
    const Message unknown = msg("notice.no_school", {arg("school", school_code)});
    if (!school) throw Error(ErrorCode::kNotFound, unknown);
    const auto& [school_id, school_name, region] = *school;
    const bool allowed = (user.role == security::Role::kBureauOfficer && user.covers(region)) ||
                         (user.role == security::Role::kSchoolAdmin && user.scope == school_code);
    if (!allowed) throw Error(ErrorCode::kNotFound, unknown);
    const auto entries = store.noticeEntries(programme, term, school_id);
    if (entries.empty()) {
      throw Error(ErrorCode::kNotFound, msg("notice.no_students", {arg("programme", programme),
                                                                   termWords("term", term.str()),
                                                                   arg("school", school_code)}));
    }
    PublishResult r;
    r.info.term = term.str();
    r.info.programme = programme;
    r.info.school_code = school_code;
    r.info.school_name = school_name;
    r.info.published_by = user.name;
    r.info.published_on = today.str();
    r.info.window_ends = calendar.addWorkingDays(today, working_days).str();
    r.info.entries = static_cast<int64_t>(entries.size());
    for (const auto& e : entries) r.info.total += e.amount;
    const std::string html = renderNoticeHtml(r.info, entries);
    const std::string csv = renderNoticeCsv(entries);
    const std::string base =
        out_dir + "/notice-" + term.str() + "-" + programme + "-" + school_code;
    r.html_path = base + ".html";
    r.csv_path = base + ".csv";
    // Written beside their final names first, published by rename only once the notice is
    // committed: a notice file never exists for a notice the database does not have.
    removeStaleTemps(r.html_path);
    removeStaleTemps(r.csv_path);
    AtomicFileWriter html_file(r.html_path), csv_file(r.csv_path);
    html_file.write(html);
    csv_file.write(csv);
    r.info.id = store.saveNotice(r.info, school_id, security::sha256Hex(html + csv));
    security::appendAudit(
        audit, user.name, "notice.publish", "notice:" + std::to_string(r.info.id), "",
        programme + " " + term.str() + " school " + school_code + ": " +
            std::to_string(r.info.entries) + " entries until " + r.info.window_ends);
    tx->commit();
    html_file.commit();
    csv_file.commit();
    return r;
  });
}

std::optional<Message> noticeRefusal(NoticeStore& store, int64_t batch_id, const Date& today) {
  std::string missing, open_zh, open_en;
  int missing_n = 0, open_n = 0;
  for (const auto& [school, window_ends] : store.noticeWindows(batch_id)) {
    if (window_ends.empty()) {
      if (missing_n++ < 5) missing += (missing.empty() ? "" : ", ") + school;
    } else if (window_ends >= today.str()) {
      if (open_n++ < 5) {
        open_zh += (open_zh.empty() ? "" : "，") + school + "（至 " + window_ends + "）";
        open_en += (open_en.empty() ? "" : ", ") + school + " until " + window_ends;
      }
    }
  }
  if (missing_n) return msg("notice.missing", {arg("count", missing_n), arg("schools", missing)});
  if (open_n)
    return msg("notice.window_open", {arg("count", open_n), words("schools", open_zh, open_en)});
  if (const int64_t n = store.openObjections(batch_id))
    return msg("notice.objections_open", {arg("count", n)});
  return std::nullopt;
}

int64_t addObjection(NoticeStore& store, security::SecurityStore& audit, const security::User& user,
                     const std::string& rid_hash, const std::string& programme, const Term& term,
                     const std::string& text) {
  if (user.role != security::Role::kBureauOfficer)
    throw Error(ErrorCode::kForbidden, msg("objection.add.role"));
  if (text.size() < 5) throw Error(ErrorCode::kInvalidInput, msg("objection.add.text"));
  return retryUnit("disburse.addObjection", [&] {
    auto tx = store.transaction();
    const auto ent = store.entitlementFor(rid_hash, programme, term);
    if (!ent || !user.covers(ent->second))
      throw Error(ErrorCode::kNotFound, msg("objection.no_entitlement"));
    const int64_t id = store.addObjection(ent->first, user.name, text);
    security::appendAudit(audit, user.name, "objection.add", "objection:" + std::to_string(id),
                          "entitlement:" + std::to_string(ent->first), text);
    tx->commit();
    return id;
  });
}

void resolveObjection(NoticeStore& store, security::SecurityStore& audit,
                      const security::User& user, int64_t id, const std::string& decision,
                      const std::string& reason) {
  if (user.role != security::Role::kBureauOfficer)
    throw Error(ErrorCode::kForbidden, msg("objection.resolve.role"));
  if (decision != "upheld" && decision != "dismissed")
    throw Error(ErrorCode::kInvalidInput, msg("objection.resolve.decision"));
  if (reason.size() < 5) throw Error(ErrorCode::kInvalidInput, msg("objection.resolve.reason"));
  const std::string w = std::to_string(id);
  return retryUnit("disburse.resolveObjection", [&] {
    auto tx = store.transaction();
    const auto region = store.objectionRegion(id);
    if (!region || !user.covers(*region))
      throw Error(ErrorCode::kNotFound, msg("objection.not_found", {arg("id", w)}));
    store.resolveObjection(id, user.name, decision, reason);
    security::appendAudit(audit, user.name, "objection.resolve", "objection:" + w, "open",
                          decision + ": " + reason);
    tx->commit();
  });
}

}  // namespace edupay::disburse
