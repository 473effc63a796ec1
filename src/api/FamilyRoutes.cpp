// Families can see and report: the public look-up and complaint filing (no login), the county
// officers' complaint handling, the auditors' report and the schools' printable slips.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <qrencode.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "api/Env.h"
#include "api/Handlers.h"
#include "api/Json.h"
#include "common/Error.h"
#include "common/JsonWrite.h"
#include "common/ResidentId.h"
#include "common/Text.h"
#include "disburse/Families.h"
#include "rules/Policy.h"
#include "store/SqlFamilyStore.h"

namespace edupay::api::handlers {

using Poco::JSON::Array;
using Poco::JSON::Object;
using security::Role;

namespace {

/// How long a look-up's complaint ticket lets the family file a complaint about that child.
constexpr int64_t kTicketSeconds = 2 * 3600;

Reply tooMany(int wait, const std::string& zh, const std::string& en) {
  Object err;
  err.set("code", "too_many_requests");
  err.set("message", zh + "，请 " + std::to_string((wait + 59) / 60) + " 分钟后再试 / " + en +
                         "; try again in " + std::to_string(wait) + " seconds");
  err.set("details", Object());
  Object body;
  body.set("error", err);
  Reply r = json(body, 429);
  r.headers["Retry-After"] = std::to_string(wait);
  return r;
}

/// The active policy's programme names in Chinese, and its holiday calendar.
struct PolicyView {
  std::map<std::string, std::string> names;
  HolidayCalendar holidays;
};
PolicyView activePolicy(Env& env) {
  // Parsed once per policy file (by digest): every look-up needs the programmes' names.
  static std::mutex mutex;
  static std::string sha;
  static PolicyView cached;
  const auto stored = env.entitlements().activePolicy();
  if (!stored) return {};
  std::lock_guard lock(mutex);
  if (stored->sha256 != sha) {
    const auto policy = rules::parsePolicy(stored->content, "active policy");
    PolicyView v;
    for (const auto& p : policy.programmes) v.names[p.code] = p.name_zh;
    v.holidays = policy.holidays;
    cached = std::move(v);
    sha = stored->sha256;
  }
  return cached;
}

std::string termZh(const std::string& term) {
  const auto dash = term.find('-');
  if (dash == std::string::npos) return term;
  const std::string season = term.substr(dash + 1);
  return term.substr(0, dash) + "年" +
         (season == "autumn"   ? "秋季学期"
          : season == "spring" ? "春季学期"
                               : season);
}

std::string contactFor(const ServiceConfig& c, const std::string& region) {
  auto it = c.county_contacts.find(region);
  if (it != c.county_contacts.end()) return it->second;
  return c.contact;
}

/// The "no record" answer: the same status and bytes for a mismatch on any field and for a
/// child who is not on record.
Reply noRecord(const ServiceConfig& c) {
  Object o;
  o.set("found", false);
  o.set(
      "message",
      "没有查到记录。请核对孩子的姓名、身份证号（或学籍号）和出生日期后再试；仍有疑问请联系孩子"
      "就读的学校或县（市、区）学生资助管理中心。 / No record: check the name, ID and birth date, "
      "or ask the school.");
  o.set("contact", c.contact);
  return json(o);
}

std::string ticketFor(Env& env, int64_t person_id) {
  const int64_t until = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count() +
                        kTicketSeconds;
  return env.cipher().encrypt("complaint_ticket",
                              std::to_string(person_id) + "|" + std::to_string(until));
}

/// The child a look-up's ticket names; Error(kInvalidInput) when it is not ours or has expired.
int64_t ticketPerson(Env& env, const std::string& ticket) {
  std::string plain;
  try {
    plain = env.cipher().decrypt("complaint_ticket", ticket);
  } catch (const Error&) {
    throw Error(
        ErrorCode::kInvalidInput,
        "查询凭据无效，请重新查询后再投诉 / the look-up ticket is not valid: look up again");
  }
  const auto bar = plain.find('|');
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  if (bar == std::string::npos || std::stoll(plain.substr(bar + 1)) < now)
    throw Error(ErrorCode::kInvalidInput, msg("family.lookup_expired"));
  return std::stoll(plain.substr(0, bar));
}

store::SqlFamilyStore familyStore(Env& env) { return store::SqlFamilyStore(env.db()); }

/// The page's address as a QR code: an SVG symbol `#qr` (black modules on white, 4-module quiet
/// zone) drawn once per page and used by every slip; "" when the address is too long to encode.
std::string familySlipSymbol(const std::string& url) {
  QRcode* qr = QRcode_encodeString(url.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (!qr) return "";
  const int w = qr->width, size = w + 8;
  std::string path;
  for (int y = 0; y < w; ++y)
    for (int x = 0; x < w; ++x)
      if (qr->data[y * w + x] & 1)
        path += "M" + std::to_string(x + 4) + " " + std::to_string(y + 4) + "h1v1h-1z";
  QRcode_free(qr);
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"0\" height=\"0\" "
         "style=\"position:absolute\"><symbol id=\"qr\" viewBox=\"0 0 " +
         std::to_string(size) + " " + std::to_string(size) +
         "\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path fill=\"#000\" "
         "shape-rendering=\"crispEdges\" d=\"" +
         path + "\"/></symbol></svg>";
}

/// One slip's QR code: the page's symbol.
constexpr const char* kSlipCode =
    "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr\" width=\"40mm\" height=\"40mm\" "
    "role=\"img\" aria-label=\"查询网址二维码\"><use href=\"#qr\"/></svg>";

}  // namespace

Reply publicLookup(const Request& req, Env& env) {
  const auto started = std::chrono::steady_clock::now();
  const auto& cfg = env.runtime().config;
  if (const int wait = env.runtime().lookups_by_address.take(req.client))
    return tooMany(wait, "本网络地址查询次数过多", "too many look-ups from this address");
  const auto o = bodyObject(req);
  const std::string name = field(o, "name", false), id = field(o, "id", false),
                    birth = field(o, "birth_date", false);
  if (text::trim(name).empty() || text::trim(id).empty() || text::trim(birth).empty())
    throw Error(ErrorCode::kInvalidInput, msg("family.lookup_fields"));
  const std::string code = text::toUpper(text::cleanCode(id));
  if (!ResidentId::parse(code) && !StudentNumber::parse(code))
    throw Error(ErrorCode::kInvalidInput, msg("family.lookup_id"));
  if (!Date::parseLenient(text::cleanCode(birth)))
    throw Error(ErrorCode::kInvalidInput, msg("family.lookup_birth"));
  const auto key = disburse::lookupKey(env.cipher(), name, id, birth);
  if (key) {
    if (const int wait = env.runtime().lookups_by_id.take(key->key_hash))
      return tooMany(wait, "这个证件号查询次数过多", "too many look-ups of this identifier");
  }
  const auto policy = activePolicy(env);
  store::SqlFamilyStore fs(env.db());
  const auto record = disburse::lookupAid(fs, env.security(), key, policy.names);
  Reply reply;
  if (!record) {
    reply = noRecord(cfg);
  } else {
    Object out;
    out.set("found", true);
    out.set("school", record->school_name);
    out.set("county", record->region_name);
    Array terms;
    std::string current;
    Object term;
    Array lines;
    auto flush = [&] {
      if (current.empty()) return;
      term.set("programmes", lines);
      terms.add(term);
      term = Object();
      lines = Array();
    };
    for (const auto& l : record->lines) {
      if (l.term != current) {
        flush();
        current = l.term;
        term.set("term", l.term);
        term.set("term_zh", termZh(l.term));
      }
      Object x;
      json::set(x, "programme", l.programme, "programme_name", l.programme_name, "decision",
                l.decision, "reason", l.reason_zh, "amount", l.amount.toYuan(), "paid", l.paid,
                "payment", l.payment_zh, "paid_on", l.paid_on, "bank", l.bank_name, "account_last4",
                l.account_last4);
      lines.add(x);
    }
    flush();
    out.set("terms", terms);
    Object contact;
    contact.set("school", record->school_name);
    const std::string county = contactFor(cfg, record->region);
    contact.set("county", !county.empty()               ? county
                          : record->region_name.empty() ? std::string()
                                                        : record->region_name + "学生资助管理中心");
    out.set("contact", contact);
    out.set("complaint_ticket", ticketFor(env, record->person_id));
    reply = json(out);
  }
  // Same time whatever was found: every look-up answers after at least lookup_min_ms.
  std::this_thread::sleep_until(started + std::chrono::milliseconds(cfg.lookup_min_ms));
  return reply;
}

Reply publicCounties(const Request&, Env& env) {
  Array arr;
  for (const auto& [code, name] : familyStore(env).counties()) {
    Object o;
    o.set("code", code);
    o.set("name", name);
    arr.add(o);
  }
  Object o;
  o.set("counties", arr);
  return json(o);
}

Reply publicFileComplaint(const Request& req, Env& env) {
  const auto& cfg = env.runtime().config;
  if (const int wait = env.runtime().complaints_by_address.take(req.client))
    return tooMany(wait, "本网络地址提交投诉次数过多", "too many complaints from this address");
  const auto o = bodyObject(req);
  disburse::ComplaintInput in;
  in.category = field(o, "category", false);
  in.body = field(o, "text", false);
  in.contact_name = field(o, "contact_name", false);
  in.contact_phone = field(o, "contact_phone", false);
  in.region = field(o, "county", false);
  const std::string ticket = field(o, "complaint_ticket", false);
  if (!ticket.empty()) in.person_id = ticketPerson(env, ticket);
  const auto policy = activePolicy(env);
  auto fs = familyStore(env);
  const auto filed = disburse::fileComplaint(fs, env.security(), env.cipher(), in, policy.holidays,
                                             Date::today(), cfg.complaint_due_days);
  Object out;
  out.set("tracking_code", filed.tracking_code);
  out.set("due_on", filed.due_on);
  out.set("contact", contactFor(cfg, filed.region));
  out.set("message",
          "投诉已受理。请记下查询码，凭查询码查看办理进度和结果。 / Filed: keep the "
          "tracking code to see the outcome.");
  return json(out, 201);
}

Reply publicComplaintStatus(const Request& req, Env& env) {
  // Tracking codes are 80 random bits; the address limit keeps guessing pointless anyway.
  if (const int wait = env.runtime().lookups_by_address.take(req.client))
    return tooMany(wait, "本网络地址查询次数过多", "too many look-ups from this address");
  auto fs = familyStore(env);
  const auto c = disburse::complaintByCode(fs, req.param("code"));
  if (!c) throw Error(ErrorCode::kNotFound, msg("family.no_tracking_code"));
  Object o;
  o.set("category", c->category);
  o.set("category_zh", disburse::complaintCategoryZh(c->category));
  o.set("status", c->status);
  o.set("status_zh", c->status == "closed"     ? "已办结"
                     : c->status == "assigned" ? "正在核查"
                                               : "已受理，待分派");
  o.set("filed_on", c->filed_on);
  o.set("due_on", c->due_on);
  o.set("outcome", c->outcome);
  o.set("outcome_zh", c->outcome == "confirmed"       ? "经核实，反映的问题属实"
                      : c->outcome == "not_confirmed" ? "经核实，反映的问题不属实"
                      : c->outcome == "referred"      ? "已转交有关部门办理"
                                                      : "");
  o.set("outcome_text", c->outcome_text);
  o.set("closed_on", c->closed_on);
  return json(o);
}

Reply listComplaints(const Request& req, Env& env) {
  auto fs = familyStore(env);
  const Date today = Date::today();
  Array arr;
  for (const auto& c : disburse::listComplaints(fs, *req.user, req.queryOr("status"), today))
    arr.add(complaintJson(c, today));
  Object o;
  o.set("complaints", arr);
  return json(o);
}

Reply showComplaint(const Request& req, Env& env) {
  auto fs = familyStore(env);
  const Date today = Date::today();
  const auto d = disburse::showComplaint(fs, env.runtime().cipher.get(), *req.user, req.id("id"));
  Object o = complaintDetailJson(d, today);
  return json(o);
}

Reply assignComplaint(const Request& req, Env& env) {
  const auto o = bodyObject(req);
  auto fs = familyStore(env);
  const auto c =
      disburse::assignComplaint(fs, env.security(), *req.user, req.id("id"), field(o, "to", false));
  return json(complaintJson(c, Date::today()));
}

Reply noteComplaint(const Request& req, Env& env) {
  const auto o = bodyObject(req);
  auto fs = familyStore(env);
  const auto n =
      disburse::noteComplaint(fs, env.security(), *req.user, req.id("id"), field(o, "text", false));
  Object out;
  out.set("author", n.author);
  out.set("at", n.at);
  out.set("text", n.body);
  return json(out, 201);
}

Reply closeComplaint(const Request& req, Env& env) {
  const auto o = bodyObject(req);
  auto fs = familyStore(env);
  const auto c =
      disburse::closeComplaint(fs, env.security(), *req.user, req.id("id"),
                               field(o, "outcome", false), field(o, "text", false), Date::today());
  return json(complaintJson(c, Date::today()));
}

Reply actOnComplaint(const Request& req, Env& env) {
  const auto o = bodyObject(req);
  auto fs = familyStore(env);
  const auto a =
      disburse::actOnComplaint(fs, env.security(), *req.user, req.id("id"), field(o, "kind", false),
                               field(o, "programme", false), field(o, "term", false));
  return json(complaintActionJson(a), 201);
}

Reply releaseComplaintHolds(const Request& req, Env& env) {
  const auto o = bodyObject(req);
  auto fs = familyStore(env);
  const int64_t n = disburse::releaseComplaintHolds(fs, env.security(), *req.user, req.id("id"),
                                                    field(o, "reason", false));
  Object out;
  out.set("released", n);
  return json(out);
}

Reply complaintReport(const Request& req, Env& env) {
  auto fs = familyStore(env);
  const Date today = Date::today();
  const auto r =
      disburse::complaintReport(disburse::listComplaints(fs, *req.user, "", today), today);
  const Object o = complaintReportJson(r);
  return json(o);
}

Reply familySlips(const Request& req, Env& env) {
  const std::string code = req.param("code");
  if (!seesSchool(*req.user, env, code))
    throw Error(ErrorCode::kNotFound, msg("scope.no_school", {arg("school", code)}));
  const auto& cfg = env.runtime().config;
  // The page's address only: nothing in the link names or identifies the child.
  const std::string url = cfg.public_url.empty() ? std::string(req.tls ? "https://" : "http://") +
                                                       req.host + "/console/family.html"
                                                 : cfg.public_url;
  std::string school_name = code;
  for (const auto& s : env.registry().listSchools())
    if (s.code == code) school_name = s.name;
  std::string html =
      "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>学生资助查询告知单 "
      "- " +
      text::escapeHtml(school_name) +
      "</title><style>body{font-family:sans-serif;margin:0}.slip{border:1px dashed #555;"
      "margin:8mm;padding:6mm;page-break-inside:avoid;break-inside:avoid}.slip h2{margin:0 0 "
      "4mm;font-size:16pt}.url{font-family:monospace;font-size:14pt;word-break:break-all}"
      "@media print{.slip{page-break-after:always}}</style></head><body>";
  const std::string symbol = familySlipSymbol(url);
  html += symbol;
  int64_t after = 0;
  for (;;) {
    const auto rows = env.registry().studentsAt(code, after, 500);
    for (const auto& r : rows) {
      html += "<section class=\"slip\"><h2>学生资助查询告知单</h2><p>学生：" +
              text::escapeHtml(r.name) + "　学校：" + text::escapeHtml(school_name) + "　班级：" +
              text::escapeHtml(r.class_name) +
              "</p><p>家长可以在手机上打开下面的网址，输入孩子的姓名、身份证号（或学籍号）和出生"
              "日期，查看孩子每学期享受的资助项目、金额和是否已发放到账；发现应发未发、发到别人"
              "账户、金额不对、学校收费等问题，可以在同一页面投诉或举报，凭查询码查看办理结果。"
              "</p><p class=\"url\">" +
              text::escapeHtml(url) + "</p>" + (symbol.empty() ? "" : kSlipCode) +
              "<p>查询不需要登录，网址里不含孩子的任何信息。学校和教育部门不会通过短信或电话"
              "索要银行卡密码。</p></section>";
      after = r.person_id;
    }
    if (rows.size() < 500) break;
  }
  html += "</body></html>";
  Reply r;
  r.content_type = "text/html; charset=utf-8";
  r.headers["Content-Disposition"] = "inline; filename=\"slips-" + code + ".html\"";
  r.headers["Content-Security-Policy"] =
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:";
  r.body = html;
  return r;
}

}  // namespace edupay::api::handlers
