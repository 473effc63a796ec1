// The .xlsx reader behind roll uploads: workbooks written by libxlsxwriter (as a spreadsheet
// program would save them) come back as CSV whose line N is sheet row N.
#include <Poco/DateTime.h>
#include <Poco/Path.h>
#include <Poco/Zip/Compress.h>
#include <gtest/gtest.h>
#include <xlsxwriter.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/Catalogue.h"
#include "common/Error.h"
#include "common/ResidentId.h"
#include "common/Xlsx.h"

namespace edupay {
namespace {

class XlsxTest : public ::testing::Test {
 protected:
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("edupay-xlsx-" + std::to_string(::getpid()));
  void SetUp() override { std::filesystem::create_directories(dir); }
  void TearDown() override { std::filesystem::remove_all(dir); }
  std::string path(const std::string& name) { return (dir / name).string(); }
};

TEST_F(XlsxTest, ReadsTheFirstSheetWithStringsNumbersGapsAndQuoting) {
  const std::string file = path("roll.xlsx");
  lxw_workbook* wb = workbook_new(file.c_str());
  lxw_worksheet* roll = workbook_add_worksheet(wb, "学籍");
  lxw_worksheet* other = workbook_add_worksheet(wb, "notes");
  worksheet_write_string(roll, 0, 0, "resident_id", nullptr);
  worksheet_write_string(roll, 0, 1, "name", nullptr);
  worksheet_write_string(roll, 0, 3, "grade", nullptr);
  worksheet_write_string(roll, 1, 0, "43012120100101001X", nullptr);
  worksheet_write_string(roll, 1, 1, "张三, \"小名\"", nullptr);
  worksheet_write_number(roll, 1, 3, 3, nullptr);
  // Row 3 is empty; row 4 has a boolean and a value far to the right.
  worksheet_write_boolean(roll, 3, 0, 1, nullptr);
  worksheet_write_string(roll, 3, 27, "AB", nullptr);
  worksheet_write_string(other, 0, 0, "not the roll", nullptr);
  ASSERT_EQ(workbook_close(wb), LXW_NO_ERROR);

  ASSERT_TRUE(looksLikeXlsx(file));
  const std::string csv = xlsxToCsv(file);
  const std::string expected =
      "resident_id,name,,grade\n"
      "43012120100101001X,\"张三, \"\"小名\"\"\",,3\n"
      "\n"
      "TRUE" +
      std::string(27, ',') + "AB\n";
  EXPECT_EQ(csv, expected);
}

TEST_F(XlsxTest, RefusesWhatIsNotAWorkbookNamingTheFile) {
  const std::string csv = path("roll.csv");
  std::ofstream(csv) << "resident_id,name\n";
  EXPECT_FALSE(looksLikeXlsx(csv));

  const std::string broken = path("broken.xlsx");
  std::ofstream(broken, std::ios::binary) << "PK\x03\x04 this is no zip archive";
  EXPECT_TRUE(looksLikeXlsx(broken));
  try {
    xlsxToCsv(broken);
    FAIL() << "a damaged workbook was read";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
    EXPECT_NE(std::string(e.what()).find(broken), std::string::npos) << e.what();
  }
  EXPECT_THROW(xlsxToCsv(path("missing.xlsx")), Error);
}

TEST_F(XlsxTest, AWordDocumentIsNamedAsNoWorkbookInTheReadersLanguage) {
  // A .docx is a zip archive too: it passes for a workbook until its parts are read.
  const std::string docx = path("学籍.docx");
  {
    std::ofstream out(docx, std::ios::binary);
    Poco::Zip::Compress zip(out, true);
    std::istringstream body("<w:document/>");
    zip.addFile(body, Poco::DateTime(), Poco::Path("word/document.xml"));
    zip.close();
  }
  EXPECT_TRUE(looksLikeXlsx(docx));
  try {
    xlsxToCsv(docx);
    FAIL() << "a Word document was read as a roll";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
    EXPECT_EQ(e.message().code(), "xlsx.not_workbook");
    const std::string zh = i18n::render(e.message(), Lang::kZh);
    EXPECT_NE(zh.find("学籍.docx：不是 Excel 工作簿"), std::string::npos) << zh;
    EXPECT_NE(zh.find("另存为 .xlsx 或 CSV"), std::string::npos) << zh;
  }
}

TEST_F(XlsxTest, DateCellsAreDatesAndLongNumbersAreNamedAsExcelNumbers) {
  const std::string file = path("dates.xlsx");
  lxw_workbook* wb = workbook_new(file.c_str());
  lxw_worksheet* ws = workbook_add_worksheet(wb, "roll");
  lxw_format* builtin = workbook_add_format(wb);
  format_set_num_format_index(builtin, 14);  // m/d/yyyy, shown in the user's locale
  lxw_format* custom = workbook_add_format(wb);
  format_set_num_format(custom, "yyyy\"年\"m\"月\"d\"日\"");
  lxw_format* slash = workbook_add_format(wb);
  format_set_num_format(slash, "yyyy/m/d");
  lxw_format* money = workbook_add_format(wb);
  format_set_num_format(money, "#,##0.00");
  worksheet_write_number(ws, 0, 0, 40252, builtin);  // 2010-03-15
  worksheet_write_number(ws, 0, 1, 45901, custom);   // 2025-09-01
  worksheet_write_number(ws, 0, 2, 59, slash);       // 1900-02-28: before Excel's false leap day
  worksheet_write_number(ws, 0, 3, 61, slash);       // 1900-03-01
  worksheet_write_number(ws, 0, 4, 1150, money);     // a number, not a date
  worksheet_write_number(ws, 0, 5, 430181201003150202.0, nullptr);  // an ID typed as a number
  worksheet_write_number(ws, 0, 6, 430181760412031.0, nullptr);     // 15 digits survive
  ASSERT_EQ(workbook_close(wb), LXW_NO_ERROR);
  const std::string csv = xlsxToCsv(file);
  std::vector<std::string> cells;
  std::stringstream line(csv.substr(0, csv.find('\n')));
  for (std::string cell; std::getline(line, cell, ',');) cells.push_back(cell);
  ASSERT_EQ(cells.size(), 7u) << csv;
  EXPECT_EQ(cells[0], "2010-03-15");
  EXPECT_EQ(cells[1], "2025-09-01");
  EXPECT_EQ(cells[2], "1900-02-28");
  EXPECT_EQ(cells[3], "1900-03-01");
  EXPECT_EQ(cells[4], "1150");
  EXPECT_TRUE(looksLikeExcelNumber(cells[5])) << cells[5];
  EXPECT_EQ(cells[6], "430181760412031");
}

}  // namespace
}  // namespace edupay
