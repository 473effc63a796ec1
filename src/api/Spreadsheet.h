#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace edupay::api {

/// An amount of money in fen, shown in yuan (`#,##0.00`).
struct SheetYuan {
  int64_t fen = 0;
};
/// A cell: text, a whole number (a count) or an amount that Excel can add up.
using SheetCell = std::variant<std::string, int64_t, SheetYuan>;

/// A table as an Excel workbook (one sheet): a bold, frozen header row, then the rows, columns
/// as wide as their longest cell. Written with libxlsxwriter into `work_dir` and returned as
/// bytes. Excel keeps numbers as binary floating point: a count is exact up to 2^53, an amount
/// (fen / 100, the nearest double) reads back and adds up to the fen up to 2^53 fen; beyond
/// either, Error(kInvalidInput).
std::string tableXlsx(const std::string& sheet_name, const std::vector<std::string>& header,
                      const std::vector<std::vector<SheetCell>>& rows, const std::string& work_dir);

}  // namespace edupay::api
