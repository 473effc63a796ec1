#include "api/Spreadsheet.h"

#include <xlsxwriter.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "common/Error.h"

namespace edupay::api {

std::string tableXlsx(const std::string& sheet_name, const std::vector<std::string>& header,
                      const std::vector<std::vector<SheetCell>>& rows,
                      const std::string& work_dir) {
  constexpr int64_t kExact = int64_t{1} << 53;  // whole numbers Excel holds exactly
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
  lxw_format* grouped = workbook_add_format(wb);
  format_set_num_format(grouped, "#,##0");
  for (size_t c = 0; c < header.size(); ++c) {
    worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), header[c].c_str(), bold);
    worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), 18, nullptr);
  }
  worksheet_freeze_panes(ws, 1, 0);
  for (size_t r = 0; r < rows.size(); ++r) {
    const auto row = static_cast<lxw_row_t>(r + 1);
    for (size_t c = 0; c < rows[r].size(); ++c) {
      const auto col = static_cast<lxw_col_t>(c);
      if (const auto* n = std::get_if<int64_t>(&rows[r][c])) {
        if (*n >= kExact || *n <= -kExact) {
          workbook_close(wb);
          std::filesystem::remove(path);
          throw Error(ErrorCode::kInvalidInput,
                      "a figure too large for Excel to hold exactly: " + std::to_string(*n));
        }
        worksheet_write_number(ws, row, col, static_cast<double>(*n), grouped);
      } else {
        worksheet_write_string(ws, row, col, std::get<std::string>(rows[r][c]).c_str(), nullptr);
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
