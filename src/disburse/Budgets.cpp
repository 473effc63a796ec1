// Budget allocations (预算指标): the file a bureau officer imports, and the import use case.
#include <filesystem>
#include <fstream>

#include "common/Csv.h"
#include "common/Error.h"
#include "common/Retry.h"
#include "common/Text.h"
#include "disburse/Batches.h"
#include "security/FieldCipher.h"

namespace edupay::disburse {

std::vector<BudgetLine> readBudgetFile(const security::User& user, const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(ErrorCode::kNotFound, file + ": cannot open the file; check the path");
  CsvReader csv(in, file);
  std::vector<std::string> row;
  if (!csv.next(row)) throw Error(ErrorCode::kInvalidInput, file + ": the file is empty");
  csv.expectHeader(row);
  const std::vector<std::string> expected = {"programme", "region", "fiscal_year", "source",
                                             "allocated"};
  for (size_t i = 0; i < expected.size(); ++i) {
    if (i >= row.size() || text::trim(row[i]) != expected[i]) {
      throw Error(
          ErrorCode::kInvalidInput,
          file + ": line 1: the header must be programme,region,fiscal_year,source,allocated");
    }
  }
  std::vector<BudgetLine> lines;
  std::string errors;
  while (csv.next(row)) {
    if (row.size() < 5) {
      errors += "\n  " + file + ": line " + std::to_string(csv.line()) + ": needs 5 columns";
      continue;
    }
    BudgetLine l;
    l.programme = text::trim(row[0]);
    l.region = text::trim(row[1]);
    l.source = text::trim(row[3]);
    const std::string where = "\n  " + file + ": line " + std::to_string(csv.line()) + ": ";
    if (!user.covers(l.region))
      errors += where + "region " + l.region + " is outside " + user.name + "'s scope";
    if (l.source != "central" && l.source != "provincial" && l.source != "county") {
      errors += where + "source must be central, provincial or county";
    }
    if (!text::isAllDigits(text::trim(row[2])) || text::trim(row[2]).size() != 4) {
      errors += where + "fiscal_year must be a year";
    } else {
      l.fiscal_year = std::stoi(text::trim(row[2]));
    }
    try {
      l.allocated = Money::parseYuan(row[4]);
    } catch (const Error& e) {
      errors += where + "allocated: " + e.what();
    }
    lines.push_back(l);
  }
  if (!errors.empty())
    throw Error(ErrorCode::kInvalidInput,
                "the budget file is refused; nothing was imported:" + errors);
  return lines;
}

size_t importBudgetFile(DisbursementStore& store, security::SecurityStore& audit,
                        const security::User& user, const std::string& file) {
  return retryUnit("disburse.importBudgetFile", [&] {
    if (user.role != security::Role::kBureauOfficer) {
      throw Error(ErrorCode::kForbidden, "only a bureau officer imports budgets");
    }
    const auto lines = readBudgetFile(user, file);
    const std::string digest = security::sha256File(file);
    auto tx = store.transaction();
    store.importBudget(lines);
    security::appendAudit(audit, user.name, "budget.import", "budget:" + user.scope, "",
                          std::filesystem::path(file).filename().string() + " sha256 " + digest +
                              ": " + std::to_string(lines.size()) + " lines");
    tx->commit();
    return lines.size();
  });
}

}  // namespace edupay::disburse
