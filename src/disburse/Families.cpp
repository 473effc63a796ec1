#include "disburse/Families.h"

#include <algorithm>
#include <array>

#include "common/Error.h"
#include "common/MessageWords.h"
#include "common/ResidentId.h"
#include "common/Retry.h"
#include "common/Text.h"
#include "disburse/PrecisionChecks.h"

namespace edupay::disburse {

namespace {

using security::Role;

/// A refusal a person can act on (messages/disburse.json).
[[noreturn]] void invalid(Message m) { throw Error(ErrorCode::kInvalidInput, std::move(m)); }

Role requireCountyStaff(const security::User& user) {
  if (user.role != Role::kBureauOfficer && user.role != Role::kBureauApprover &&
      user.role != Role::kAuditor)
    throw Error(ErrorCode::kForbidden, msg("complaint.staff_only"));
  return user.role;
}

/// What only a bureau officer does to a complaint, in each language.
MessageArg officerStep(const std::string& what) {
  static const std::pair<const char*, const char*> kZh[] = {
      {"assigns complaints", "分派投诉"},
      {"adds notes to complaints", "填写投诉核查记录"},
      {"closes complaints", "办结投诉"},
      {"acts on complaints", "对投诉采取处理措施"},
      {"releases holds", "解除因投诉暂停的发放"}};
  for (const auto& [en, zh] : kZh)
    if (what == en) return words("what", zh, en);
  return arg("what", what);
}

void requireOfficer(const security::User& user, const std::string& what) {
  if (user.role != Role::kBureauOfficer)
    throw Error(ErrorCode::kForbidden, msg("complaint.officer_only", {officerStep(what)}));
}

/// The complaint `id` if `user` covers its county; Error(kNotFound) otherwise (out of scope reads
/// exactly like not found).
Complaint inScope(FamilyStore& store, const security::User& user, int64_t id) {
  auto c = store.complaint(id);
  if (!c || !user.covers(c->region))
    throw Error(ErrorCode::kNotFound, msg("complaint.not_found", {arg("id", std::to_string(id))}));
  return *c;
}

/// Free text typed by a person: valid UTF-8, no control characters but line breaks and tabs,
/// trimmed, between `min` and `max` characters.
std::string checkedText(const std::string& raw, size_t min, size_t max, const std::string& field_zh,
                        const std::string& field_en) {
  const auto field = words("field", field_zh, field_en);
  if (!text::isValidUtf8(raw)) invalid(msg("complaint.text.utf8", {field}));
  std::string t = text::trim(raw);
  for (auto ch : text::characters(t)) {
    const char32_t cp = text::codePoint(ch);
    if ((cp < 0x20 && cp != '\n' && cp != '\t') || (cp >= 0x7f && cp < 0xa0))
      invalid(msg("complaint.text.control", {field}));
  }
  const size_t n = text::characters(t).size();
  if (n < min) invalid(msg("complaint.text.short", {field, arg("min", std::to_string(min))}));
  if (n > max) invalid(msg("complaint.text.long", {field, arg("max", std::to_string(max))}));
  return t;
}

int64_t daysBetween(const std::string& from, const std::string& to) {
  const auto a = Date::parse(from.substr(0, 10));
  const auto b = Date::parse(to.substr(0, 10));
  if (!a || !b) return 0;
  return b->daysSinceEpoch() - a->daysSinceEpoch();
}

}  // namespace

namespace {

struct CategoryName {
  ComplaintCategory category;
  const char* code;
  const char* zh;
};
constexpr std::array<CategoryName, 6> kCategories{{
    {ComplaintCategory::kNotPaid, "not_paid", "应发未发"},
    {ComplaintCategory::kWrongAccount, "wrong_account", "发到了别人的账户"},
    {ComplaintCategory::kAmountWrong, "amount_wrong", "金额不对"},
    {ComplaintCategory::kIneligiblePaid, "ineligible_paid", "不符合条件的人领取了资助"},
    {ComplaintCategory::kSchoolCharged, "school_charged", "学校收取或截留费用"},
    {ComplaintCategory::kOther, "other", "其他"},
}};

}  // namespace

std::optional<ComplaintCategory> parseComplaintCategory(const std::string& s) {
  for (const auto& c : kCategories)
    if (s == c.code) return c.category;
  return std::nullopt;
}

std::string complaintCategoryCode(ComplaintCategory category) {
  for (const auto& c : kCategories)
    if (c.category == category) return c.code;
  return "other";
}

std::string complaintCategoryZh(const std::string& code) {
  for (const auto& c : kCategories)
    if (code == c.code) return c.zh;
  return code;
}

MessageArg complaintStatusArg(std::string name, const std::string& status) {
  return codeWords(std::move(name), status,
                   {{"open", "待处理"}, {"assigned", "核查中"}, {"closed", "已办结"}});
}

MessageArg complaintOutcomeArg(std::string name, const std::string& outcome) {
  return codeWords(std::move(name), outcome,
                   {{"confirmed", "属实"}, {"not_confirmed", "不属实"}, {"referred", "已转办"}});
}

bool Complaint::overdue(const Date& today) const {
  return status != "closed" && !due_on.empty() && due_on < today.str();
}

std::string newTrackingCode() {
  static const char* kAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";  // 32: no 0/O, 1/I
  const std::string hex = security::randomSecret();                   // 256 random bits
  std::string out;
  for (size_t i = 0; i < 16; ++i) {
    // Two hex digits (8 bits) per character, of which 5 are used: 80 bits in all.
    const int v = std::stoi(hex.substr(i * 2, 2), nullptr, 16) & 31;
    if (i && i % 4 == 0) out += '-';
    out += kAlphabet[v];
  }
  return out;
}

std::string trackingHash(const std::string& code) {
  std::string c;
  for (char ch : code) {
    if (ch == '-' || ch == ' ') continue;
    c += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  return security::sha256Hex("edupay-complaint:" + c);
}

static FiledComplaint fileComplaintAttempt(FamilyStore& store, security::SecurityStore& audit,
                                           const security::FieldCipher& cipher,
                                           const ComplaintInput& in,
                                           const HolidayCalendar& calendar, const Date& today,
                                           int working_days) {
  const auto category = parseComplaintCategory(in.category);
  if (!category) invalid(msg("complaint.category"));
  Complaint c;
  c.category = complaintCategoryCode(*category);
  c.body = checkedText(in.body, 5, kComplaintMaxChars, "投诉内容", "text");
  const std::string name =
      in.contact_name.empty() ? "" : checkedText(in.contact_name, 1, 30, "联系人姓名", "name");
  std::string phone;
  for (char ch : text::cleanCode(in.contact_phone)) {
    if (ch == ' ' || ch == '-') continue;
    if (!(std::isdigit(static_cast<unsigned char>(ch)) || (ch == '+' && phone.empty())))
      invalid(msg("complaint.phone.digits"));
    phone += ch;
  }
  if (!phone.empty() && (phone.size() < 7 || phone.size() > 16))
    invalid(msg("complaint.phone.length"));
  if (!name.empty() || !phone.empty()) {
    c.contact_enc = cipher.encrypt("complaint_contact", name + "\n" + phone);
    std::string mask;
    if (!name.empty()) mask = std::string(text::characters(name)[0]) + "*";
    if (!phone.empty()) mask += (mask.empty() ? "" : " ") + maskMiddle(phone, 3, 2);
    c.contact_mask = mask;
  }
  auto tx = store.transaction();
  if (in.person_id) {
    c.person_id = in.person_id;
    c.region = store.personPlace(in.person_id).first;
    if (c.region.empty()) invalid(msg("complaint.child_no_county"));
  } else {
    const std::string region = text::cleanCode(in.region);
    if (region.size() != 6 || !text::isAllDigits(region) || store.regionName(region).empty())
      invalid(msg("complaint.region"));
    c.region = region;
  }
  FiledComplaint out;
  out.tracking_code = newTrackingCode();
  c.tracking_hash = trackingHash(out.tracking_code);
  c.filed_at = security::nowIso();
  c.filed_on = today.str();
  c.due_on = calendar.addWorkingDays(today, working_days).str();
  out.id = store.addComplaint(c);
  out.region = c.region;
  out.due_on = c.due_on;
  // The filing is audited without its words or contact: the complaint row keeps those.
  security::appendAudit(
      audit, kPublicActor, "complaint.file", "complaint:" + std::to_string(out.id), Message(),
      msg(c.person_id ? "audit.rec.complaint.file_lookup" : "audit.rec.complaint.file",
          {words("category", complaintCategoryZh(c.category), c.category), arg("region", c.region),
           arg("due", c.due_on)}));
  tx->commit();
  return out;
}

std::optional<Complaint> complaintByCode(FamilyStore& store, const std::string& code) {
  if (code.size() < 16 || code.size() > 40) return std::nullopt;
  return store.complaintByTracking(trackingHash(code));
}

std::vector<Complaint> listComplaints(FamilyStore& store, const security::User& user,
                                      const std::string& status, const Date& today) {
  requireCountyStaff(user);
  if (!status.empty() && status != "open" && status != "assigned" && status != "closed")
    throw Error(ErrorCode::kInvalidInput, msg("complaint.status_filter"));
  auto all = store.complaints(user.scope, status == "open" ? "" : status);
  if (status == "open") std::erase_if(all, [](const Complaint& c) { return c.status == "closed"; });
  std::stable_sort(all.begin(), all.end(), [&](const Complaint& a, const Complaint& b) {
    const bool ao = a.overdue(today), bo = b.overdue(today);
    if (ao != bo) return ao;
    const bool ac = a.status == "closed", bc = b.status == "closed";
    if (ac != bc) return !ac;
    if (a.due_on != b.due_on) return a.due_on < b.due_on;
    return a.id < b.id;
  });
  return all;
}

ComplaintDetail showComplaint(FamilyStore& store, const security::FieldCipher* cipher,
                              const security::User& user, int64_t id) {
  requireCountyStaff(user);
  ComplaintDetail d;
  d.complaint = inScope(store, user, id);
  d.notes = store.notes(id);
  d.links = store.links(id);
  d.contact = d.complaint.contact_mask;
  if (cipher && user.role == Role::kBureauOfficer && !d.complaint.contact_enc.empty()) {
    auto plain = cipher->decrypt("complaint_contact", d.complaint.contact_enc);
    std::replace(plain.begin(), plain.end(), '\n', ' ');
    d.contact = text::trim(plain);
  }
  return d;
}

namespace {

/// An officer's action on one complaint of their county, as one unit (retried whole after a
/// certification conflict or a lost node): the role, one transaction, the complaint in scope;
/// `act(complaint)` checks, changes and writes the audit event. Returns what `act` returns.
template <typename Act>
auto officerAction(FamilyStore& store, const security::User& user, int64_t id, const char* unit,
                   const char* what, Act&& act) {
  return retryUnit(unit, [&] {
    requireOfficer(user, what);
    auto tx = store.transaction();
    Complaint c = inScope(store, user, id);
    auto out = act(c);
    tx->commit();
    return out;
  });
}

/// "complaint {id} {why}", `why` one of complaint.why.*.
[[noreturn]] void complaintConflict(int64_t id, const char* why) {
  throw Error(ErrorCode::kConflict,
              msg("complaint.conflict", {arg("id", std::to_string(id)), arg("why", msg(why))}));
}

void save(FamilyStore& store, Complaint& c) {
  if (!store.updateComplaint(c, c.version)) complaintConflict(c.id, "complaint.why.changed");
  ++c.version;
}

std::string object(int64_t id) { return "complaint:" + std::to_string(id); }

}  // namespace

Complaint assignComplaint(FamilyStore& store, security::SecurityStore& audit,
                          const security::User& user, int64_t id, const std::string& assignee) {
  return officerAction(
      store, user, id, "disburse.assignComplaint", "assigns complaints", [&](Complaint& c) {
        if (c.status == "closed") complaintConflict(id, "complaint.why.closed");
        const auto who = audit.findUser(assignee);
        if (!who || who->disabled || who->role != Role::kBureauOfficer || !who->covers(c.region))
          throw Error(ErrorCode::kInvalidInput,
                      msg("complaint.assign.not_officer",
                          {arg("county", c.region), arg("assignee", assignee)}));
        const Message before =
            c.assigned_to.empty()
                ? msg("audit.rec.status", {complaintStatusArg("status", c.status)})
                : msg("audit.rec.complaint.status_with",
                      {complaintStatusArg("status", c.status), arg("user", c.assigned_to)});
        c.status = "assigned";
        c.assigned_to = assignee;
        save(store, c);
        security::appendAudit(audit, user.name, "complaint.assign", object(id), before,
                              msg("audit.rec.complaint.assigned", {arg("user", assignee)}));
        return c;
      });
}

ComplaintNote noteComplaint(FamilyStore& store, security::SecurityStore& audit,
                            const security::User& user, int64_t id, const std::string& body) {
  return officerAction(store, user, id, "disburse.noteComplaint", "adds notes to complaints",
                       [&](const Complaint& c) {
                         ComplaintNote n;
                         n.body = checkedText(body, 2, kNoteMaxChars, "核查记录", "note");
                         n.author = user.name;
                         n.at = security::nowIso();
                         if (c.status == "closed") complaintConflict(id, "complaint.why.closed");
                         store.addNote(id, n);
                         security::appendAudit(audit, user.name, "complaint.note", object(id),
                                               Message(),
                                               Message::literal(text::cutUtf8(n.body, 200)));
                         return n;
                       });
}

Complaint closeComplaint(FamilyStore& store, security::SecurityStore& audit,
                         const security::User& user, int64_t id, const std::string& outcome,
                         const std::string& text_in, const Date& today) {
  return officerAction(
      store, user, id, "disburse.closeComplaint", "closes complaints", [&](Complaint& c) {
        if (outcome != "confirmed" && outcome != "not_confirmed" && outcome != "referred")
          throw Error(ErrorCode::kInvalidInput, msg("complaint.outcome"));
        const std::string words =
            checkedText(text_in, 5, kNoteMaxChars, "处理结果说明", "outcome text");
        if (c.status == "closed") complaintConflict(id, "complaint.why.already_closed");
        const Message before = msg("audit.rec.status", {complaintStatusArg("status", c.status)});
        c.status = "closed";
        c.outcome = outcome;
        c.outcome_text = words;
        c.closed_by = user.name;
        c.closed_on = today.str();
        save(store, c);
        security::appendAudit(
            audit, user.name, "complaint.close", object(id), before,
            msg("audit.rec.complaint.closed", {complaintOutcomeArg("outcome", outcome),
                                               arg("words", text::cutUtf8(words, 200))}));
        return c;
      });
}

namespace {

/// The links a confirmed complaint's action makes: a hold on each open entitlement of the child,
/// or a flag on / an objection to the payment of one programme and term.
std::vector<ComplaintLink> actionLinks(FamilyStore& store, const security::User& user,
                                       const Complaint& c, const std::string& kind,
                                       const std::string& programme, const std::string& term) {
  const std::string w = std::to_string(c.id);
  ComplaintLink base;
  base.complaint_id = c.id;
  base.kind = kind;
  base.created_by = user.name;
  base.created_on = Date::today().str();
  std::vector<ComplaintLink> links;
  if (kind == "hold") {
    for (int64_t e : store.holdableEntitlements(c.person_id)) {
      ComplaintLink l = base;
      l.entitlement_id = e;
      l.id = store.addLink(l);
      links.push_back(l);
    }
    if (links.empty())
      throw Error(ErrorCode::kNotFound, msg("complaint.hold.nothing_open", {arg("id", w)}));
    return links;
  }
  if (programme.empty() || term.empty())
    throw Error(ErrorCode::kInvalidInput,
                msg("complaint.act.programme_term",
                    {words("kind", kind == "flag" ? "标记疑点" : "提出异议", kind)}));
  const Term t = Term::parse(term);
  const auto e = store.entitlementOf(c.person_id, programme, t.str());
  if (!e)
    throw Error(ErrorCode::kNotFound,
                msg("complaint.act.no_entitlement",
                    {arg("id", w), arg("programme", programme), termWords("term", t.str())}));
  const std::string evidence = "投诉 #" + w + "（" + complaintCategoryZh(c.category) +
                               "）经核实属实 / complaint " + w +
                               " confirmed: " + text::cutUtf8(c.outcome_text, 150);
  ComplaintLink l = base;
  l.entitlement_id = *e;
  if (kind == "flag") {
    const auto flag = store.flagPayment(
        *e, evidence,
        msg("flag.complaint",
            {arg("id", w), words("category", complaintCategoryZh(c.category), c.category),
             arg("outcome", text::cutUtf8(c.outcome_text, 150))}));
    if (!flag)
      throw Error(ErrorCode::kNotFound,
                  msg("complaint.flag.no_payment",
                      {arg("programme", programme), termWords("term", t.str())}));
    l.flag_id = *flag;
  } else {
    l.objection_id = store.addObjection(*e, user.name, evidence);
  }
  l.id = store.addLink(l);
  links.push_back(l);
  return links;
}

}  // namespace

ComplaintAction actOnComplaint(FamilyStore& store, security::SecurityStore& audit,
                               const security::User& user, int64_t id, const std::string& kind,
                               const std::string& programme, const std::string& term) {
  return officerAction(
      store, user, id, "disburse.actOnComplaint", "acts on complaints", [&](const Complaint& c) {
        if (kind != "hold" && kind != "flag" && kind != "objection")
          throw Error(ErrorCode::kInvalidInput, msg("complaint.action"));
        if (c.status != "closed" || c.outcome != "confirmed")
          complaintConflict(id, "complaint.why.not_confirmed");
        if (!c.person_id) complaintConflict(id, "complaint.why.no_child");
        ComplaintAction out;
        out.kind = kind;
        out.links = actionLinks(store, user, c, kind, programme, term);
        // The objects it touched, as the log names them (entitlement:12 flag:3), in both languages.
        std::string links;
        for (const auto& l : out.links)
          links += " entitlement:" + std::to_string(l.entitlement_id) +
                   (l.flag_id ? " flag:" + std::to_string(l.flag_id) : "") +
                   (l.objection_id ? " objection:" + std::to_string(l.objection_id) : "");
        security::appendAudit(audit, user.name, "complaint." + kind, object(id), Message(),
                              msg(kind == "hold"   ? "audit.rec.complaint.action.hold"
                                  : kind == "flag" ? "audit.rec.complaint.action.flag"
                                                   : "audit.rec.complaint.action.objection",
                                  {arg("links", links)}));
        return out;
      });
}

int64_t releaseComplaintHolds(FamilyStore& store, security::SecurityStore& audit,
                              const security::User& user, int64_t id, const std::string& reason) {
  return officerAction(
      store, user, id, "disburse.releaseComplaintHolds", "releases holds", [&](const Complaint&) {
        const std::string why = checkedText(reason, 5, 500, "解除原因", "reason");
        const int64_t n = store.releaseHolds(id, user.name, Date::today().str());
        if (n == 0) complaintConflict(id, "complaint.why.holds_nothing");
        security::appendAudit(audit, user.name, "complaint.release", object(id),
                              msg("audit.rec.complaint.held", {arg("count", n)}),
                              msg("audit.rec.complaint.released", {arg("reason", why)}));
        return n;
      });
}

ComplaintReport complaintReport(const std::vector<Complaint>& complaints, const Date& today) {
  ComplaintReport r;
  int64_t days_sum = 0;
  for (const auto& c : complaints) {
    ++r.total;
    ++r.by_category[c.category];
    ++r.by_county[c.region];
    if (c.status != "closed") {
      ++r.open;
      r.overdue += c.overdue(today);
      continue;
    }
    ++r.closed;
    ++r.by_outcome[c.outcome];
    const int64_t d = daysBetween(c.filed_on, c.closed_on);
    days_sum += d;
    r.max_days_to_close = std::max(r.max_days_to_close, d);
    ++r.days_to_close[d <= 5 ? "0-5" : d <= 15 ? "6-15" : d <= 30 ? "16-30" : "31+"];
  }
  if (r.closed)
    r.mean_days_to_close = static_cast<double>(days_sum) / static_cast<double>(r.closed);
  return r;
}

// Each use case runs again whole after a certification conflict or a lost node (retryUnit): its
// checks and its one transaction; nothing it does outside the database comes before the commit.
FiledComplaint fileComplaint(FamilyStore& store, security::SecurityStore& audit,
                             const security::FieldCipher& cipher, const ComplaintInput& in,
                             const HolidayCalendar& calendar, const Date& today, int working_days) {
  return retryUnit("disburse.fileComplaint", [&] {
    return fileComplaintAttempt(store, audit, cipher, in, calendar, today, working_days);
  });
}

}  // namespace edupay::disburse
