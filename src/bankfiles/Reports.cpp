#include "bankfiles/Reports.h"

#include <map>
#include <sstream>

#include "common/CodeTable.h"
#include "common/Csv.h"
#include "common/Error.h"

namespace edupay::bankfiles {

namespace {

/// The fact of check `code` in a stored reason, or empty.
std::string fact(const std::string& reason, const std::string& code) {
  size_t pos = 0;
  while (pos < reason.size()) {
    size_t end = reason.find("; ", pos);
    if (end == std::string::npos) end = reason.size();
    std::string_view part(reason.data() + pos, end - pos);
    if (!part.empty() && part.front() == '!') part.remove_prefix(1);
    if (part.size() > code.size() && part.substr(0, code.size()) == code &&
        part[code.size()] == '=')
      return std::string(part.substr(code.size() + 1));
    pos = end + 2;
  }
  return {};
}

std::string firstWord(const std::string& s) { return s.substr(0, s.find(' ')); }

}  // namespace

namespace {
constexpr std::array<CodeName<Dimension>, 5> kDimensions{{{Dimension::kTerm, "term"},
                                                          {Dimension::kProgramme, "programme"},
                                                          {Dimension::kRegion, "region"},
                                                          {Dimension::kStage, "stage"},
                                                          {Dimension::kCategory, "category"}}};
}  // namespace

std::optional<Dimension> parseDimension(const std::string& s) { return parseIn(kDimensions, s); }

std::string_view code(Dimension d) { return codeIn(kDimensions, d); }

std::string stageOfReason(const std::string& reason) {
  const std::string s = firstWord(fact(reason, "stage"));
  return s.empty() ? "unknown" : s;
}

std::string categoryOfReason(const std::string& reason) {
  // "dibao (civil_affairs ...)" or "dibao@rural (...)": the category is the code before either.
  std::string c = firstWord(fact(reason, "category"));
  c = c.substr(0, c.find('@'));
  if (!c.empty()) return c;
  const std::string d = fact(reason, "difficulty");
  if (!d.empty()) {
    const auto sp = d.find_last_of(' ');
    return "difficulty:" + (sp == std::string::npos ? d : d.substr(sp + 1));
  }
  return "none";
}

Report buildReport(BankFileStore& store, const security::User& user, const std::string& term,
                   const std::string& region, const std::vector<Dimension>& by) {
  using security::Role;
  if (user.role != Role::kBureauOfficer && user.role != Role::kBureauApprover &&
      user.role != Role::kAuditor) {
    throw Error(ErrorCode::kForbidden, msg("bank.report.forbidden"));
  }
  if (by.empty()) throw Error(ErrorCode::kInvalidInput, msg("bank.report.no_dimension"));
  const std::string t = term.empty() ? std::string() : Term::parse(term).str();
  const std::string where = region.empty() ? user.scope : region;
  if (!user.covers(where))
    throw Error(ErrorCode::kNotFound, msg("bank.report.out_of_scope", {arg("region", where)}));
  Report out;
  out.by = by;
  std::map<std::vector<std::string>, ReportRow> rows;
  std::vector<std::string> keys(by.size());
  store.reportFacts(t, where, [&](const BankFileStore::ReportFact& f) {
    for (size_t i = 0; i < by.size(); ++i) {
      switch (by[i]) {
        case Dimension::kTerm:
          keys[i] = f.term;
          break;
        case Dimension::kProgramme:
          keys[i] = f.programme;
          break;
        case Dimension::kRegion:
          keys[i] = f.region;
          break;
        case Dimension::kStage:
          keys[i] = stageOfReason(f.reason);
          break;
        case Dimension::kCategory:
          keys[i] = categoryOfReason(f.reason);
          break;
      }
    }
    for (ReportRow* r : {&rows[keys], &out.total}) {
      r->entitled_n += 1;
      r->entitled += Money::fromFen(f.amount_fen);
      if (f.paid_fen > 0) r->paid_n += 1;
      r->paid += Money::fromFen(f.paid_fen);
      r->returned_n += f.returned_n;
      r->returned += Money::fromFen(f.returned_fen);
    }
  });
  for (auto& [k, r] : rows) {
    r.keys = k;
    out.rows.push_back(std::move(r));
  }
  return out;
}

const std::vector<ReportFigure>& reportFigures() {
  static const std::vector<ReportFigure> kAll = {
      {"entitled_count", false, [](const ReportRow& r) { return r.entitled_n; }},
      {"entitled", true, [](const ReportRow& r) { return r.entitled.fen(); }},
      {"paid_count", false, [](const ReportRow& r) { return r.paid_n; }},
      {"paid", true, [](const ReportRow& r) { return r.paid.fen(); }},
      {"returned_count", false, [](const ReportRow& r) { return r.returned_n; }},
      {"returned", true, [](const ReportRow& r) { return r.returned.fen(); }},
  };
  return kAll;
}

std::string reportCsv(const Report& r) {
  std::ostringstream out;
  CsvWriter w(out);
  std::vector<std::string> header;
  for (auto d : r.by) header.emplace_back(code(d));
  for (const auto& f : reportFigures())
    header.push_back(std::string(f.name) + (f.money ? "_yuan" : ""));
  w.writeRow(header);
  auto line = [&](std::vector<std::string> cells, const ReportRow& x) {
    cells.resize(r.by.size());
    for (const auto& f : reportFigures()) {
      const int64_t v = f.value(x);
      cells.push_back(f.money ? Money::fromFen(v).toYuan() : std::to_string(v));
    }
    w.writeRow(cells);
  };
  for (const auto& row : r.rows) line(row.keys, row);
  line({"total"}, r.total);
  return out.str();
}

}  // namespace edupay::bankfiles
