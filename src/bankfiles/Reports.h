#pragma once

#include <string>
#include <vector>

#include "bankfiles/BankFiles.h"

namespace edupay::bankfiles {

/// The dimensions a report can be broken down by.
enum class Dimension { kTerm, kProgramme, kRegion, kStage, kCategory };
std::optional<Dimension> parseDimension(const std::string& s);
std::string_view code(Dimension d);

/// One line of a report: the values of the chosen dimensions, student-times entitled and paid,
/// amounts entitled, paid and returned.
struct ReportRow {
  std::vector<std::string> keys;
  int64_t entitled_n = 0, paid_n = 0, returned_n = 0;
  Money entitled, paid, returned;
};
struct Report {
  std::vector<Dimension> by;
  std::vector<ReportRow> rows;  ///< sorted by keys
  ReportRow total;              ///< keys empty
};

/// The school stage and the qualifying household category of a decision, read from its stored
/// reason ("stage=primary; ...; category=dibao (civil_affairs); ..."). Category is the roster
/// category when one qualified, "difficulty:LEVEL" when the difficulty level did, else "none".
std::string stageOfReason(const std::string& reason);
std::string categoryOfReason(const std::string& reason);

/// Bureau staff and auditors: entitled, paid and returned, broken down by `by` (at least one
/// dimension), for `term` (every term when empty) in `region` (the user's own region when
/// empty; a region outside the user's scope is Error(kNotFound)).
Report buildReport(BankFileStore& store, const security::User& user, const std::string& term,
                   const std::string& region, const std::vector<Dimension>& by);

/// The figures of a report row, in column order: name and whether it is an amount (in fen).
struct ReportFigure {
  const char* name;
  bool money;
  int64_t (*value)(const ReportRow&);
};
const std::vector<ReportFigure>& reportFigures();

/// CSV (RFC 4180, UTF-8) of a report: one column per dimension, then the figures (counts, and
/// amounts in yuan as `NAME_yuan`), then a total row.
std::string reportCsv(const Report& r);

}  // namespace edupay::bankfiles
