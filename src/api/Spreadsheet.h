#pragma once

#include <string>
#include <vector>

namespace edupay::api {

/// A table as an Excel workbook (one sheet): a bold, frozen header row, then the rows. Each
/// column is text, a whole number or yuan (a number shown with two decimals, so sums work in
/// Excel). Written with libxlsxwriter into `work_dir` and returned as bytes.
enum class ColumnType { kText, kCount, kYuan };
struct SheetColumn {
  std::string title;
  ColumnType type = ColumnType::kText;
};
std::string tableXlsx(const std::string& sheet_name, const std::vector<SheetColumn>& columns,
                      const std::vector<std::vector<std::string>>& rows,
                      const std::string& work_dir);

}  // namespace edupay::api
