// `edupay complaint ...`: the county officer's side of the families' complaint channel.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <unistd.h>

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

void printLine(std::ostream& out, const disburse::Complaint& x, const Date& today) {
  out << "complaint " << x.id << "  " << x.category << " ("
      << disburse::complaintCategoryZh(x.category) << ")  county " << x.region << "  " << x.status
      << (x.assigned_to.empty() ? "" : " to " + x.assigned_to) << "  filed " << x.filed_on
      << "  due " << x.due_on << (x.overdue(today) ? "  OVERDUE" : "")
      << (x.outcome.empty() ? "" : "  outcome " + x.outcome)
      << (x.student_mask.empty() ? "" : "  student " + x.student_mask) << "\n";
}

int report(Context& c, store::SqlFamilyStore& fs, const security::User& user) {
  const Date today = Date::today();
  const auto r = disburse::complaintReport(disburse::listComplaints(fs, user, "", today), today);
  if (c.json()) {
    const Object o = api::complaintReportJson(r);
    c.out() << toJson(o) << "\n";
    return kExitOk;
  }
  c.out() << "complaints " << r.total << ": open " << r.open << " (overdue " << r.overdue
          << "), closed " << r.closed << "\n";
  for (const auto& [k, v] : r.by_category)
    c.out() << "  category " << k << " (" << disburse::complaintCategoryZh(k) << "): " << v << "\n";
  for (const auto& [k, v] : r.by_county) c.out() << "  county " << k << ": " << v << "\n";
  for (const auto& [k, v] : r.by_outcome) c.out() << "  outcome " << k << ": " << v << "\n";
  for (const auto& [k, v] : r.days_to_close)
    c.out() << "  closed in " << k << " days: " << v << "\n";
  if (r.closed)
    c.out() << "  days to close: mean " << r.mean_days_to_close << ", max " << r.max_days_to_close
            << "\n";
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
      for (const auto& x : all) printLine(c.out(), x, today);
      if (all.empty()) c.out() << "no complaints\n";
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
      printLine(c.out(), d.complaint, today);
      c.out() << "  text: " << d.complaint.body << "\n";
      if (!d.contact.empty()) c.out() << "  contact: " << d.contact << "\n";
      for (const auto& n : d.notes)
        c.out() << "  note " << n.at << " " << n.author << ": " << n.body << "\n";
      if (!d.complaint.outcome_text.empty())
        c.out() << "  outcome text: " << d.complaint.outcome_text << "\n";
      for (const auto& l : d.links)
        c.out() << "  " << l.kind << " " << l.programme << " " << l.term << " entitlement "
                << l.entitlement_id << (l.flag_id ? " flag " + std::to_string(l.flag_id) : "")
                << (l.objection_id ? " objection " + std::to_string(l.objection_id) : "") << " ("
                << l.status << ")\n";
    }
    return kExitOk;
  }
  Object o;
  o.set("id", id);
  if (sub == "assign") {
    const auto x = disburse::assignComplaint(fs, c.security(), user, id, c.args().get("to"));
    o = api::complaintJson(x, today);
    if (!c.json()) c.out() << "complaint " << id << " assigned to " << x.assigned_to << "\n";
  } else if (sub == "note") {
    const auto n = disburse::noteComplaint(fs, c.security(), user, id, c.args().get("text"));
    o.set("note", n.body);
    o.set("at", n.at);
    if (!c.json()) c.out() << "complaint " << id << ": note added\n";
  } else if (sub == "close") {
    const auto x = disburse::closeComplaint(fs, c.security(), user, id, c.args().get("outcome"),
                                            c.args().get("text"), today);
    o = api::complaintJson(x, today);
    if (!c.json()) c.out() << "complaint " << id << " closed: " << x.outcome << "\n";
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
        c.out() << "complaint " << id << ": " << kind << " entitlement " << l.entitlement_id
                << (l.flag_id ? " flag " + std::to_string(l.flag_id) : "")
                << (l.objection_id ? " objection " + std::to_string(l.objection_id) : "") << "\n";
    }
  } else {
    const int64_t n =
        disburse::releaseComplaintHolds(fs, c.security(), user, id, c.args().get("reason"));
    o.set("released", n);
    if (!c.json()) c.out() << "complaint " << id << ": " << n << " hold(s) released\n";
  }
  if (c.json()) c.out() << toJson(o) << "\n";
  return kExitOk;
}

}  // namespace edupay::app
