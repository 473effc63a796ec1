// Test helper: turns a roll CSV (UTF-8 or GBK) into an .xlsx workbook the way a school's
// spreadsheet program would save it: text cells in the shared-string table, one sheet.
//   edupay-csv2xlsx IN.csv OUT.xlsx
#include <xlsxwriter.h>

#include <fstream>
#include <iostream>

#include "common/Csv.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: edupay-csv2xlsx IN.csv OUT.xlsx\n";
    return 2;
  }
  try {
    std::ifstream in(argv[1], std::ios::binary);
    edupay::CsvReader reader(in, argv[1]);
    lxw_workbook* wb = workbook_new(argv[2]);
    lxw_worksheet* ws = workbook_add_worksheet(wb, "学籍");
    std::vector<std::string> row;
    lxw_row_t r = 0;
    while (reader.next(row)) {
      for (size_t c = 0; c < row.size(); ++c)
        if (!row[c].empty())
          worksheet_write_string(ws, r, static_cast<lxw_col_t>(c), row[c].c_str(), nullptr);
      ++r;
    }
    if (workbook_close(wb) != LXW_NO_ERROR) {
      std::cerr << argv[2] << ": cannot write the workbook\n";
      return 1;
    }
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  return 0;
}
