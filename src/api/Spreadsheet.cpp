#include "api/Spreadsheet.h"

#include <xlsxwriter.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "common/Error.h"

namespace edupay::api {

namespace {

/// The one place an amount leaves integer fen: an .xlsx cell holds a binary floating-point
/// number, so a yuan figure Excel can add up is the double nearest fen / 100 (IEEE division is
/// correctly rounded). Checked to read back as the same fen; the caller bounds |fen| < 2^53.
double excelYuan(int64_t fen) {
  const double yuan = static_cast<double>(fen) / 100.0;
  if (std::llround(yuan * 100.0) != fen)
    throw Error(ErrorCode::kInternal, "an amount does not read back to the fen in a workbook");
  return yuan;
}

}  // namespace

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
  lxw_format* yuan = workbook_add_format(wb);
  format_set_num_format(yuan, "#,##0.00");
  // Width in characters: a CJK character takes two; figures take their grouped length.
  std::vector<double> width(header.size(), 8);
  auto fit = [&](size_t c, const std::string& text) {
    double w = 0;
    for (size_t i = 0; i < text.size(); ++i) {
      const auto b = static_cast<unsigned char>(text[i]);
      if (b < 0x80) {
        w += 1;
      } else if (b >= 0xE0) {
        w += 2;  // a three- or four-byte sequence: CJK and wider
      }
    }
    if (c < width.size()) width[c] = std::max(width[c], std::min(w + 2, 60.0));
  };
  for (size_t c = 0; c < header.size(); ++c) {
    worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), header[c].c_str(), bold);
    fit(c, header[c]);
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
        fit(c, std::to_string(*n) + "    ");
      } else if (const auto* m = std::get_if<SheetYuan>(&rows[r][c])) {
        if (m->fen >= kExact || m->fen <= -kExact) {
          workbook_close(wb);
          std::filesystem::remove(path);
          throw Error(ErrorCode::kInvalidInput,
                      "an amount too large for Excel to hold to the fen: " +
                          std::to_string(m->fen) + " fen");
        }
        worksheet_write_number(ws, row, col, excelYuan(m->fen), yuan);
        fit(c, std::to_string(m->fen) + "     ");
      } else {
        const auto& text = std::get<std::string>(rows[r][c]);
        worksheet_write_string(ws, row, col, text.c_str(), nullptr);
        fit(c, text);
      }
    }
  }
  for (size_t c = 0; c < width.size(); ++c)
    worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), width[c],
                         nullptr);
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
