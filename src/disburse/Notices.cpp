#include "disburse/Notices.h"

#include <sstream>

#include "common/AtomicFile.h"
#include "common/Csv.h"
#include "common/Error.h"
#include "common/Retry.h"
#include "common/Term.h"
#include "common/Text.h"
#include "disburse/PrecisionChecks.h"
#include "domain/Codes.h"
#include "security/FieldCipher.h"

namespace edupay::disburse {

namespace {

/// 2026-09-14 → 「2026年9月14日（星期一）」.
std::string dayZh(const std::string& iso) {
  static const char* kWeekdays[] = {"一", "二", "三", "四", "五", "六", "日"};
  const auto d = Date::parse(iso);
  if (!d) return iso;
  return std::to_string(d->year()) + "年" + std::to_string(d->month()) + "月" +
         std::to_string(d->day()) + "日（星期" + kWeekdays[d->weekday()] + "）";
}

/// 2026-autumn → 「2026年秋季学期」.
std::string termZh(const std::string& code) {
  try {
    const Term t = Term::parse(code);
    return std::to_string(t.year()) +
           (t.season() == Term::Season::kAutumn ? "年秋季学期" : "年春季学期");
  } catch (const Error&) {
    return code;
  }
}

std::string stageZh(const std::string& code) {
  const auto s = domain::parseStage(code);
  return s ? std::string(domain::chineseLabel(*s)) : code;
}

}  // namespace

std::string renderNoticeHtml(const NoticeInfo& info, const std::vector<NoticeEntry>& entries) {
  const std::string programme = info.programme_name.empty() ? info.programme : info.programme_name;
  const std::string title = info.school_name + " " + termZh(info.term) + " " + programme + " 公示";
  std::string contact = info.contact.empty() ? kDefaultNoticeContact : info.contact;
  if (contact.rfind("请", 0) == 0)
    contact.erase(0, std::string("请").size());  // 「请在公示期内请向」
  std::ostringstream h;
  h << "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>"
    << text::escapeHtml(title) << "</title>\n"
    << "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;width:100%}"
       "th,td{border:1px solid #444;padding:4px 8px;text-align:left}td.n{text-align:right}"
       "p.sign{text-align:right;margin-top:2em}@media print{body{margin:0}}</style></head>\n"
       "<body>\n"
    << "<h1>" << text::escapeHtml(title) << "</h1>\n"
    << "<p>根据学生资助政策规定，现将本校" << text::escapeHtml(termZh(info.term))
    << text::escapeHtml(programme) << "拟资助学生名单予以公示：共 " << info.entries
    << " 人，资助金额合计 " << info.total.toYuanGrouped() << " 元。</p>\n"
    << "<p>公示期：" << text::escapeHtml(dayZh(info.published_on)) << "至"
    << text::escapeHtml(dayZh(info.window_ends)) << "。</p>\n"
    << "<p>如对名单有异议，请在公示期内" << text::escapeHtml(contact)
    << "。为保护学生隐私，本公示只列姓名、学校、班级和资助金额。</p>\n"
    << "<table>\n<thead><tr><th>序号</th><th>姓名</th><th>学校</th><th>学段</th><th>年级</th>"
       "<th>专业</th><th>班级</th><th>资助项目</th><th>金额（元）</th></tr></thead>\n<tbody>\n";
  int n = 0;
  for (const auto& e : entries) {
    h << "<tr><td class=\"n\">" << ++n << "</td><td>" << text::escapeHtml(e.name) << "</td><td>"
      << text::escapeHtml(e.school) << "</td><td>" << text::escapeHtml(stageZh(e.stage))
      << "</td><td>" << text::escapeHtml(e.grade) << "</td><td>" << text::escapeHtml(e.major)
      << "</td><td>" << text::escapeHtml(e.class_name) << "</td><td>" << text::escapeHtml(programme)
      << "</td><td class=\"n\">" << e.amount.toYuan() << "</td></tr>\n";
  }
  h << "</tbody>\n</table>\n<p class=\"sign\">" << text::escapeHtml(info.school_name) << "<br>"
    << text::escapeHtml(dayZh(info.published_on)) << "</p>\n</body></html>\n";
  return h.str();
}

std::string renderNoticeCsv(const std::vector<NoticeEntry>& entries,
                            const std::string& programme_name) {
  std::ostringstream out;
  CsvWriter::Options o;
  o.utf8_bom = true;
  CsvWriter csv(out, o);
  csv.writeRow({"姓名", "学校", "学段", "年级", "专业", "班级", "资助项目", "金额（元）"});
  for (const auto& e : entries) {
    csv.writeRow({e.name, e.school, stageZh(e.stage), e.grade, e.major, e.class_name,
                  programme_name.empty() ? e.programme : programme_name, e.amount.toYuan()});
  }
  return out.str();
}

PublishResult publishNotice(NoticeStore& store, security::SecurityStore& audit,
                            const security::User& user, const std::string& programme,
                            const Term& term, const std::string& school_code,
                            const std::string& out_dir, const HolidayCalendar& calendar,
                            const Date& today, int working_days, const NoticeWording& wording) {
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
    r.info.programme_name = wording.programme_name;
    r.info.contact = wording.contact;
    r.info.entries = static_cast<int64_t>(entries.size());
    for (const auto& e : entries) r.info.total += e.amount;
    const std::string html = renderNoticeHtml(r.info, entries);
    const std::string csv = renderNoticeCsv(entries, wording.programme_name);
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
        audit, user.name, "notice.publish", "notice:" + std::to_string(r.info.id), Message(),
        msg("audit.rec.notice.publish",
            {arg("programme", programme), arg("term", term.str()), arg("school", school_code),
             arg("entries", r.info.entries), arg("until", r.info.window_ends)}));
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
  if (text::countCharacters(text::trim(text)) < 5)
    throw Error(ErrorCode::kInvalidInput, msg("objection.add.text"));
  return retryUnit("disburse.addObjection", [&] {
    auto tx = store.transaction();
    const auto ent = store.entitlementFor(rid_hash, programme, term);
    if (!ent || !user.covers(ent->second))
      throw Error(ErrorCode::kNotFound, msg("objection.no_entitlement"));
    const int64_t id = store.addObjection(ent->first, user.name, text);
    security::appendAudit(
        audit, user.name, "objection.add", "objection:" + std::to_string(id),
        msg("audit.rec.objection.entitlement", {arg("id", std::to_string(ent->first))}),
        Message::literal(text));
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
  if (text::countCharacters(text::trim(reason)) < 5)
    throw Error(ErrorCode::kInvalidInput, msg("objection.resolve.reason"));
  const std::string w = std::to_string(id);
  return retryUnit("disburse.resolveObjection", [&] {
    auto tx = store.transaction();
    const auto region = store.objectionRegion(id);
    if (!region || !user.covers(*region))
      throw Error(ErrorCode::kNotFound, msg("objection.not_found", {arg("id", w)}));
    store.resolveObjection(id, user.name, decision, reason);
    security::appendAudit(
        audit, user.name, "objection.resolve", "objection:" + w, msg("audit.rec.objection.open"),
        msg("audit.rec.objection.resolved",
            {words("decision", decision == "upheld" ? "异议成立" : "异议不成立", decision),
             arg("reason", reason)}));
    tx->commit();
  });
}

}  // namespace edupay::disburse
