// Budget allocations (预算指标): the file a bureau officer imports, and the import use case.
#include <filesystem>
#include <fstream>

#include "common/Catalogue.h"
#include "common/Csv.h"
#include "common/Error.h"
#include "common/Retry.h"
#include "common/Text.h"
#include "disburse/Batches.h"
#include "security/FieldCipher.h"

namespace edupay::disburse {

namespace {

/// "central funds of {programme} in {county} for {year}".
Message budgetLine(const Batch& b, const std::string& source, int fiscal_year) {
  return msg("budget.line",
             {fundingSourceArg("source", source), arg("programme", b.programme),
              arg("county", b.paying_region), arg("year", std::to_string(fiscal_year))});
}

}  // namespace

MessageArg fundingSourceArg(std::string name, const std::string& source) {
  const char* zh = source == "central"      ? "中央"
                   : source == "provincial" ? "省级"
                   : source == "county"     ? "县级"
                                            : source.c_str();
  return words(std::move(name), zh, source);
}

Message budgetMissing(const Batch& b, const std::string& source, int fiscal_year) {
  return msg("budget.missing", {arg("line", budgetLine(b, source, fiscal_year))});
}

Message budgetShort(const Batch& b, const std::string& source, int fiscal_year, Money left,
                    Money needed) {
  return msg("budget.short",
             {arg("line", budgetLine(b, source, fiscal_year)),
              arg("short", (needed - left).toYuanGrouped()), arg("left", left.toYuanGrouped()),
              arg("needed", needed.toYuanGrouped())});
}

Message budgetBooksDisagree(const Batch& b, const std::string& source, int fiscal_year,
                            Money amount) {
  return msg("budget.books_disagree",
             {arg("line", budgetLine(b, source, fiscal_year)), arg("id", std::to_string(b.id)),
              arg("amount", amount.toYuanGrouped())});
}

std::vector<BudgetLine> readBudgetFile(const security::User& user, const std::string& file,
                                       const std::set<std::string>& programmes) {
  CsvFile opened(file);
  CsvReader& csv = opened.reader();
  std::vector<std::string> row = opened.header();
  const std::vector<std::string> expected = {"programme", "region", "fiscal_year", "source",
                                             "allocated"};
  for (size_t i = 0; i < expected.size(); ++i) {
    if (i >= row.size() || text::trim(row[i]) != expected[i]) {
      throw Error(ErrorCode::kInvalidInput, msg("budget.file.header", {arg("file", file)}));
    }
  }
  std::vector<BudgetLine> lines;
  // Every bad line, in both languages (the refusal names them all).
  std::string errors_zh, errors_en;
  auto bad = [&](const Message& problem) {
    const Message line =
        msg("budget.file.line",
            {arg("file", file), arg("line", std::to_string(csv.line())), arg("problem", problem)});
    errors_zh += "\n  " + i18n::render(line, Lang::kZh);
    errors_en += "\n  " + i18n::render(line, Lang::kEn);
  };
  while (csv.next(row)) {
    if (row.size() < 5) {
      bad(msg("budget.file.columns"));
      continue;
    }
    BudgetLine l;
    l.programme = text::trim(row[0]);
    if (!programmes.empty() && !programmes.count(l.programme))
      bad(msg("budget.file.programme", {arg("programme", l.programme)}));
    l.region = text::trim(row[1]);
    l.source = text::trim(row[3]);
    if (!user.covers(l.region))
      bad(msg("budget.file.scope", {arg("region", l.region), arg("user", user.name)}));
    if (l.source != "central" && l.source != "provincial" && l.source != "county")
      bad(msg("budget.file.source"));
    if (!text::isAllDigits(text::trim(row[2])) || text::trim(row[2]).size() != 4) {
      bad(msg("budget.file.year"));
    } else {
      l.fiscal_year = std::stoi(text::trim(row[2]));
    }
    try {
      l.allocated = Money::parseYuan(row[4]);
    } catch (const Error& e) {
      bad(msg("budget.file.allocated", {arg("problem", e.message())}));
    }
    lines.push_back(l);
  }
  if (!errors_en.empty()) {
    throw Error(ErrorCode::kInvalidInput,
                msg("budget.file.refused", {words("lines", errors_zh, errors_en)}));
  }
  return lines;
}

size_t importBudgetFile(DisbursementStore& store, security::SecurityStore& audit,
                        const security::User& user, const std::string& file,
                        const std::set<std::string>& programmes) {
  return retryUnit("disburse.importBudgetFile", [&] {
    if (user.role != security::Role::kBureauOfficer) {
      throw Error(ErrorCode::kForbidden, msg("budget.import.role"));
    }
    const auto lines = readBudgetFile(user, file, programmes);
    const std::string digest = security::sha256File(file);
    auto tx = store.transaction();
    store.importBudget(lines);
    security::appendAudit(audit, user.name, "budget.import", "budget:" + user.scope, Message(),
                          msg("audit.rec.budget.import",
                              {arg("file", std::filesystem::path(file).filename().string()),
                               arg("sha256", digest), arg("lines", lines.size())}));
    tx->commit();
    return lines.size();
  });
}

}  // namespace edupay::disburse
