// `edupay complaint ...`: the county officer's side of the families' complaint channel.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <unistd.h>

#include <sstream>

#include "api/Json.h"
#include "app/Cli.h"
#include "app/CliContext.h"
#include "common/Error.h"
#include "common/Text.h"
#include "disburse/Families.h"
#include "store/SqlFamilyStore.h"

namespace edupay::app {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

int64_t complaintId(Context& c) {
  const std::string& w = c.word(2, "complaint id");
  if (!text::isAllDigits(w) || w.size() > 15)
    throw Error(ErrorCode::kInvalidInput, msg("complaint.cli.not_an_id", {arg("value", w)}));
  return std::stoll(w);
}

MessageArg categoryArg(const std::string& category) {
  return words("category", disburse::complaintCategoryZh(category),
               category + " (" + disburse::complaintCategoryZh(category) + ")");
}

MessageArg statusArg(const std::string& status) {
  return disburse::complaintStatusArg("status", status);
}

MessageArg outcomeArg(std::string name, const std::string& outcome) {
  return disburse::complaintOutcomeArg(std::move(name), outcome);
}

/// An optional part of a line: the sentence `code` with `args`, or nothing.
MessageArg part(const char* name, bool present, const char* code, std::vector<MessageArg> args) {
  return arg(name, present ? msg(code, std::move(args)) : Message::literal(""));
}

/// What a complaint led to: `hold programme term entitlement N [flag F] [objection O]`.
Message linkMessage(const disburse::ComplaintLink& l) {
  const char* zh = l.kind == "hold"        ? "暂停发放"
                   : l.kind == "flag"      ? "标记疑点"
                   : l.kind == "objection" ? "提出异议"
                                           : l.kind.c_str();
  // Read back, a link names its programme and term; just made by `act`, only the entitlement.
  return msg(
      "complaint.cli.link",
      {words("kind", zh, l.kind),
       arg("what", l.programme.empty() ? Message::literal("")
                                       : msg("complaint.cli.link.what",
                                             {arg("programme", l.programme), arg("term", l.term)})),
       arg("entitlement", std::to_string(l.entitlement_id)),
       part("flag", l.flag_id != 0, "complaint.cli.link.flag",
            {arg("flag", std::to_string(l.flag_id))}),
       part("objection", l.objection_id != 0, "complaint.cli.link.objection",
            {arg("objection", std::to_string(l.objection_id))})});
}

void printLine(Context& c, const disburse::Complaint& x, const Date& today) {
  c.out() << c.text(msg("complaint.cli.line",
                        {arg("id", std::to_string(x.id)), categoryArg(x.category),
                         arg("county", x.region), statusArg(x.status),
                         part("assigned", !x.assigned_to.empty(), "complaint.cli.line.assigned",
                              {arg("user", x.assigned_to)}),
                         arg("filed", x.filed_on), arg("due", x.due_on),
                         part("overdue", x.overdue(today), "complaint.cli.line.overdue", {}),
                         part("outcome", !x.outcome.empty(), "complaint.cli.line.outcome",
                              {outcomeArg("outcome", x.outcome)}),
                         part("student", !x.student_mask.empty(), "complaint.cli.line.student",
                              {arg("student", x.student_mask)})}))
          << "\n";
}

int report(Context& c, store::SqlFamilyStore& fs, const security::User& user) {
  const Date today = Date::today();
  const auto r = disburse::complaintReport(disburse::listComplaints(fs, user, "", today), today);
  if (c.json()) {
    const Object o = api::complaintReportJson(r);
    c.out() << toJson(o) << "\n";
    return kExitOk;
  }
  const auto n = [](auto v) { return std::to_string(v); };
  c.out() << c.text(msg("complaint.cli.report",
                        {arg("total", n(r.total)), arg("open", n(r.open)),
                         arg("overdue", n(r.overdue)), arg("closed", n(r.closed))}))
          << "\n";
  for (const auto& [k, v] : r.by_category)
    c.out() << c.text(msg("complaint.cli.report.category", {categoryArg(k), arg("count", n(v))}))
            << "\n";
  for (const auto& [k, v] : r.by_county)
    c.out() << c.text(msg("complaint.cli.report.county", {arg("county", k), arg("count", n(v))}))
            << "\n";
  for (const auto& [k, v] : r.by_outcome)
    c.out() << c.text(msg("complaint.cli.report.outcome",
                          {outcomeArg("outcome", k), arg("count", n(v))}))
            << "\n";
  for (const auto& [k, v] : r.days_to_close)
    c.out() << c.text(msg("complaint.cli.report.days", {arg("days", k), arg("count", n(v))}))
            << "\n";
  if (r.closed) {
    std::ostringstream mean;
    mean << r.mean_days_to_close;
    c.out() << c.text(msg("complaint.cli.report.mean",
                          {arg("mean", mean.str()), arg("max", n(r.max_days_to_close))}))
            << "\n";
  }
  return kExitOk;
}

}  // namespace

int cmdComplaint(Context& c) {
  const std::string sub = c.args().words.size() > 1 ? c.args().words[1] : "";
  store::SqlFamilyStore fs(c.db());
  const Date today = Date::today();
  if (sub != "list" && sub != "show" && sub != "assign" && sub != "note" && sub != "close" &&
      sub != "act" && sub != "release" && sub != "report")
    throw Error(ErrorCode::kInvalidInput, msg("complaint.cli.usage"));
  const auto user = c.actingUser();
  if (sub == "report") return report(c, fs, user);
  if (sub == "list") {
    const auto all = disburse::listComplaints(fs, user, c.args().get("status"), today);
    if (c.json()) {
      Array arr;
      for (const auto& x : all) arr.add(api::complaintJson(x, today));
      Object o;
      o.set("complaints", arr);
      c.out() << toJson(o) << "\n";
    } else {
      for (const auto& x : all) printLine(c, x, today);
      if (all.empty()) c.out() << c.text(msg("complaint.cli.none")) << "\n";
    }
    return kExitOk;
  }
  const int64_t id = complaintId(c);
  if (sub == "show") {
    // Officers read the contact in clear when the key is at hand; masked otherwise.
    const security::FieldCipher* key =
        ::access(c.keyPath().c_str(), R_OK) == 0 ? &c.cipher() : nullptr;
    const auto d = disburse::showComplaint(fs, key, user, id);
    if (c.json()) {
      Object o = api::complaintDetailJson(d, today);
      c.out() << toJson(o) << "\n";
    } else {
      printLine(c, d.complaint, today);
      c.out() << c.text(msg("complaint.cli.text", {arg("text", d.complaint.body)})) << "\n";
      if (!d.contact.empty())
        c.out() << c.text(msg("complaint.cli.contact", {arg("contact", d.contact)})) << "\n";
      for (const auto& n : d.notes)
        c.out() << c.text(msg("complaint.cli.note",
                              {arg("at", n.at), arg("user", n.author), arg("text", n.body)}))
                << "\n";
      if (!d.complaint.outcome_text.empty())
        c.out() << c.text(
                       msg("complaint.cli.outcome_text", {arg("text", d.complaint.outcome_text)}))
                << "\n";
      for (const auto& l : d.links)
        c.out() << "  " << c.text(linkMessage(l)) << " (" << l.status << ")\n";
    }
    return kExitOk;
  }
  Object o;
  o.set("id", id);
  if (sub == "assign") {
    const auto x = disburse::assignComplaint(fs, c.security(), user, id, c.args().get("to"));
    o = api::complaintJson(x, today);
    if (!c.json())
      c.out() << c.text(msg("complaint.cli.assigned",
                            {arg("id", std::to_string(id)), arg("user", x.assigned_to)}))
              << "\n";
  } else if (sub == "note") {
    const auto n = disburse::noteComplaint(fs, c.security(), user, id, c.args().get("text"));
    o.set("note", n.body);
    o.set("at", n.at);
    if (!c.json())
      c.out() << c.text(msg("complaint.cli.noted", {arg("id", std::to_string(id))})) << "\n";
  } else if (sub == "close") {
    const auto x = disburse::closeComplaint(fs, c.security(), user, id, c.args().get("outcome"),
                                            c.args().get("text"), today);
    o = api::complaintJson(x, today);
    if (!c.json())
      c.out() << c.text(msg("complaint.cli.closed",
                            {arg("id", std::to_string(id)), outcomeArg("outcome", x.outcome)}))
              << "\n";
  } else if (sub == "act") {
    std::string kind = c.args().has("hold")        ? "hold"
                       : c.args().has("flag")      ? "flag"
                       : c.args().has("objection") ? "objection"
                                                   : c.args().get("kind");
    const auto a = disburse::actOnComplaint(fs, c.security(), user, id, kind,
                                            c.args().get("programme"), c.args().get("term"));
    o = api::complaintActionJson(a);
    for (const auto& l : a.links) {
      if (!c.json())
        c.out() << c.text(msg("complaint.cli.acted",
                              {arg("id", std::to_string(id)), arg("link", linkMessage(l))}))
                << "\n";
    }
  } else {
    const int64_t n =
        disburse::releaseComplaintHolds(fs, c.security(), user, id, c.args().get("reason"));
    o.set("released", n);
    if (!c.json())
      c.out() << c.text(msg("complaint.cli.released",
                            {arg("id", std::to_string(id)), arg("count", std::to_string(n))}))
              << "\n";
  }
  if (c.json()) c.out() << toJson(o) << "\n";
  return kExitOk;
}

}  // namespace edupay::app
