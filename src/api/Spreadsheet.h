#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace edupay::api {

/// A cell: text, or a whole number (a count, or an amount in fen) that Excel can add up.
using SheetCell = std::variant<std::string, int64_t>;

/// A table as an Excel workbook (one sheet): a bold, frozen header row, then the rows. Written
/// with libxlsxwriter into `work_dir` and returned as bytes. Excel keeps numbers as binary
/// floating point, exact for whole numbers up to 2^53: a larger one is Error(kInvalidInput).
std::string tableXlsx(const std::string& sheet_name, const std::vector<std::string>& header,
                      const std::vector<std::vector<SheetCell>>& rows, const std::string& work_dir);

}  // namespace edupay::api
