#include "api/Spreadsheet.h"

#include <xlsxwriter.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "common/Error.h"

namespace edupay::api {

std::string tableXlsx(const std::string& sheet_name, const std::vector<SheetColumn>& columns,
                      const std::vector<std::vector<std::string>>& rows,
                      const std::string& work_dir) {
  std::filesystem::create_directories(work_dir);
  std::random_device rd;
  const std::string path = (std::filesystem::path(work_dir) /
                            ("report-" + std::to_string(rd()) + std::to_string(rd()) + ".xlsx"))
                               .string();
  lxw_workbook_options options = {};
  std::string tmpdir = work_dir;
  options.tmpdir = tmpdir.data();
  lxw_workbook* wb = workbook_new_opt(path.c_str(), &options);
  if (!wb) throw Error(ErrorCode::kUnavailable, "cannot create a workbook in " + work_dir);
  lxw_worksheet* ws = workbook_add_worksheet(wb, sheet_name.c_str());
  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  lxw_format* yuan = workbook_add_format(wb);
  format_set_num_format(yuan, "#,##0.00");
  for (size_t c = 0; c < columns.size(); ++c) {
    worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), columns[c].title.c_str(), bold);
    worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c),
                         columns[c].type == ColumnType::kText ? 22 : 16, nullptr);
  }
  worksheet_freeze_panes(ws, 1, 0);
  for (size_t r = 0; r < rows.size(); ++r) {
    const auto row = static_cast<lxw_row_t>(r + 1);
    for (size_t c = 0; c < rows[r].size() && c < columns.size(); ++c) {
      const std::string& v = rows[r][c];
      const auto col = static_cast<lxw_col_t>(c);
      if (columns[c].type != ColumnType::kText && !v.empty()) {
        // Counts and yuan amounts are exact decimal strings from Money / integers; a double
        // holds them exactly up to 2^53 fen.
        worksheet_write_number(ws, row, col, std::stod(v),
                               columns[c].type == ColumnType::kYuan ? yuan : nullptr);
      } else {
        worksheet_write_string(ws, row, col, v.c_str(), nullptr);
      }
    }
  }
  const lxw_error err = workbook_close(wb);
  if (err != LXW_NO_ERROR) {
    std::filesystem::remove(path);
    throw Error(ErrorCode::kUnavailable,
                std::string("cannot write the workbook: ") + lxw_strerror(err));
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  std::filesystem::remove(path);
  return bytes.str();
}

}  // namespace edupay::api
