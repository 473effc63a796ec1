#include "common/Csv.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "common/Catalogue.h"
#include "common/Error.h"
#include "common/Text.h"

namespace edupay {
namespace {

using Fields = std::vector<std::string>;

constexpr size_t kBlock = 64 * 1024;

// 张三 and 李四 in UTF-8 and GBK.
const std::string kZhangSan = "\xE5\xBC\xA0\xE4\xB8\x89";
const std::string kZhangSanGbk = "\xD5\xC5\xC8\xFD";
const std::string kLiSi = "\xE6\x9D\x8E\xE5\x9B\x9B";
// U+20000 is a four-byte sequence in GB18030 (95 32 82 36).
const std::string kRareCharacter = "\xF0\xA0\x80\x80";

struct Record {
  int64_t line;
  Fields fields;
  bool operator==(const Record&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Record& r) {
  os << r.line << ":[";
  for (const auto& f : r.fields) os << '"' << f << "\" ";
  return os << "]";
}

std::vector<Record> readAll(const std::string& data, TextEncoding encoding = TextEncoding::kAuto,
                            char delimiter = ',', TextEncoding* detected = nullptr) {
  std::istringstream in(data);
  CsvReader reader(in, "test.csv", encoding, delimiter);
  std::vector<Record> records;
  Fields fields;
  while (reader.next(fields)) records.push_back({reader.line(), fields});
  if (detected != nullptr) *detected = reader.encoding();
  return records;
}

// Reads until the reader throws; returns the message and the records delivered before it.
/// The refusal reading `data`, in English (or in `lang`).
std::string readError(const std::string& data, std::vector<Record>* before = nullptr,
                      TextEncoding encoding = TextEncoding::kAuto, Lang lang = Lang::kEn) {
  std::istringstream in(data);
  CsvReader reader(in, "test.csv", encoding);
  Fields fields;
  try {
    while (reader.next(fields)) {
      if (before != nullptr) before->push_back({reader.line(), fields});
    }
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
    return i18n::render(e.message(), lang);
  }
  ADD_FAILURE() << "no error";
  return "";
}

// ASCII filler lines ("x,1\n") totalling exactly `bytes` bytes.
std::string filler(size_t bytes) {
  std::string s;
  while (s.size() + 4 <= bytes) s += "x,1\n";
  s.append(bytes - s.size(), 'y');
  return s;
}

TEST(CsvReader, ReadsSimpleRecords) {
  EXPECT_EQ(
      readAll("name,amount\nZhang,12.50\nLi,3\n"),
      (std::vector<Record>{{1, {"name", "amount"}}, {2, {"Zhang", "12.50"}}, {3, {"Li", "3"}}}));
}

TEST(CsvReader, AcceptsCrlfAndLfLineEndings) {
  EXPECT_EQ(readAll("a,b\r\nc,d\ne,f\r\n"),
            (std::vector<Record>{{1, {"a", "b"}}, {2, {"c", "d"}}, {3, {"e", "f"}}}));
}

TEST(CsvReader, LastRecordNeedsNoLineEnding) {
  EXPECT_EQ(readAll("a,b\nc,d"), (std::vector<Record>{{1, {"a", "b"}}, {2, {"c", "d"}}}));
  EXPECT_EQ(readAll("a,b\r\nc,d\r"), (std::vector<Record>{{1, {"a", "b"}}, {2, {"c", "d"}}}));
}

TEST(CsvReader, TrailingNewlineDoesNotAddARecord) {
  EXPECT_EQ(readAll("a\n").size(), 1u);
  EXPECT_EQ(readAll("a\r\n").size(), 1u);
}

TEST(CsvReader, EmptyInputHasNoRecords) {
  EXPECT_TRUE(readAll("").empty());
  EXPECT_TRUE(readAll("\xEF\xBB\xBF").empty());
}

TEST(CsvReader, EmptyLineYieldsOneEmptyField) {
  EXPECT_EQ(readAll("a,b\n\nc,d\n\r\n"),
            (std::vector<Record>{{1, {"a", "b"}}, {2, {""}}, {3, {"c", "d"}}, {4, {""}}}));
}

TEST(CsvReader, KeepsEmptyFields) {
  EXPECT_EQ(readAll(",a,,\n"), (std::vector<Record>{{1, {"", "a", "", ""}}}));
  EXPECT_EQ(readAll("\"\",\"\"\n"), (std::vector<Record>{{1, {"", ""}}}));
}

TEST(CsvReader, HandlesQuotedDelimitersAndQuotes) {
  EXPECT_EQ(readAll("\"a,b\",\"say \"\"hi\"\"\",\"\"\"\"\n"),
            (std::vector<Record>{{1, {"a,b", "say \"hi\"", "\""}}}));
}

TEST(CsvReader, KeepsQuotesInsideUnquotedFields) {
  EXPECT_EQ(readAll("a\"b,c\n"), (std::vector<Record>{{1, {"a\"b", "c"}}}));
}

// Issue 14: a line break is a control character, refused in a field like any other; the record
// is named by the line it starts on, which counts the quoted line breaks before it.
TEST(CsvReader, RefusesALineBreakInsideAQuotedFieldNamingLineAndColumn) {
  std::vector<Record> before;
  const std::string message = readError(
      "id,note\n"
      "1,\"a, \"\"b\"\"\"\n"
      "2,\"first\nsecond\"\n"
      "3,end\n",
      &before);
  EXPECT_EQ(before, (std::vector<Record>{{1, {"id", "note"}}, {2, {"1", "a, \"b\""}}}));
  EXPECT_NE(message.find("test.csv: line 3, column 2: the control character U+000A"),
            std::string::npos)
      << message;
  EXPECT_NE(readError("a,\"x\r\ny\"\n").find("line 1, column 2: the control character U+000D"),
            std::string::npos);
}

TEST(CsvReader, RefusesControlCharactersNamingLineAndColumn) {
  const std::pair<std::string, std::string> cases[] = {
      {std::string("a,b\n1,x\0y\n", 11), "U+0000"},
      {"a,b\n1,x\x01y\n", "U+0001"},
      {"a,b\n1,x\ty\n", "U+0009"},
      {"a,b\n1,x\x7Fy\n", "U+007F"},
      {"a,b\n1,x\xC2\x85y\n", "U+0085"},
      {"a,b\n1,x\xEF\xBF\xBDy\n", "U+FFFD"},
  };
  for (const auto& [data, label] : cases) {
    const std::string message = readError(data, nullptr, TextEncoding::kUtf8);
    EXPECT_NE(message.find("test.csv: line 2, column 2: the control character " + label),
              std::string::npos)
        << message;
    const std::string zh = readError(data, nullptr, TextEncoding::kUtf8, Lang::kZh);
    EXPECT_NE(zh.find("test.csv 第 2 行 第 2 列：含有控制字符 " + label), std::string::npos) << zh;
    EXPECT_NE(zh.find("请在原系统中更正后重新导出"), std::string::npos) << zh;
  }
  // A lone surrogate is not UTF-8 at all: refused as such, with its line.
  EXPECT_NE(readError("a\n\xED\xA0\x80\n", nullptr, TextEncoding::kUtf8).find("line 2"),
            std::string::npos);
  // In a TSV file the tab is the delimiter; other controls are still refused.
  EXPECT_EQ(readAll("a\tb\n", TextEncoding::kUtf8, '\t'), (std::vector<Record>{{1, {"a", "b"}}}));
}

TEST(CsvReader, ExpectHeaderRefusesARowCutShortOrTooLongNamingTheLine) {
  auto read = [](const std::string& data) {
    std::istringstream in(data);
    CsvReader reader(in, "roster.csv");
    Fields fields;
    reader.next(fields);
    reader.expectHeader(fields);
    int rows = 0;
    while (reader.next(fields)) ++rows;
    return rows;
  };
  EXPECT_EQ(read("a,b,c\n1,2,3\n\n4,5,6\n"), 3);  // a blank line is left to the caller
  for (const std::string cut : {"a,b,c\n1,2,3\n4,5", "a,b,c\n1,2,3\n4,5,6,7\n"}) {
    try {
      read(cut);
      ADD_FAILURE() << "accepted " << cut;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
      EXPECT_NE(std::string(e.what()).find("roster.csv: line 3: "), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("where the header has 3"), std::string::npos);
      EXPECT_NE(i18n::render(e.message(), Lang::kZh).find("文件可能不完整"), std::string::npos);
    }
  }
}

TEST(CsvReader, NamesTheColumnOfAControlCharacter) {
  std::istringstream in("id,household_id\n1,H43\x01\n");
  CsvReader reader(in, "roll.csv");
  Fields fields;
  reader.next(fields);
  reader.nameColumns(fields);
  try {
    reader.next(fields);
    ADD_FAILURE() << "accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("roll.csv: line 2, column 2 (household_id)"),
              std::string::npos)
        << e.what();
  }
}

TEST(CsvReader, SupportsOtherDelimiters) {
  EXPECT_EQ(readAll("a;b,c;\"d;e\"\n", TextEncoding::kUtf8, ';'),
            (std::vector<Record>{{1, {"a", "b,c", "d;e"}}}));
  EXPECT_EQ(readAll("a\tb\n", TextEncoding::kUtf8, '\t'), (std::vector<Record>{{1, {"a", "b"}}}));
}

TEST(CsvReader, DropsUtf8Bom) {
  TextEncoding detected = TextEncoding::kAuto;
  EXPECT_EQ(readAll("\xEF\xBB\xBFname\n" + kZhangSan + "\n", TextEncoding::kAuto, ',', &detected),
            (std::vector<Record>{{1, {"name"}}, {2, {kZhangSan}}}));
  EXPECT_EQ(detected, TextEncoding::kUtf8);
  EXPECT_EQ(readAll("\xEF\xBB\xBF\"a\"\n", TextEncoding::kUtf8), (std::vector<Record>{{1, {"a"}}}));
}

TEST(CsvReader, BomOverridesAGb18030Guess) {
  TextEncoding detected = TextEncoding::kAuto;
  EXPECT_EQ(readAll("\xEF\xBB\xBF" + kZhangSan + "\n", TextEncoding::kGb18030, ',', &detected),
            (std::vector<Record>{{1, {kZhangSan}}}));
  EXPECT_EQ(detected, TextEncoding::kUtf8);
}

TEST(CsvReader, DetectsUtf8WithoutBom) {
  TextEncoding detected = TextEncoding::kAuto;
  EXPECT_EQ(readAll("name\n" + kZhangSan + "\n", TextEncoding::kAuto, ',', &detected),
            (std::vector<Record>{{1, {"name"}}, {2, {kZhangSan}}}));
  EXPECT_EQ(detected, TextEncoding::kUtf8);
}

TEST(CsvReader, PureAsciiIsDetectedAsUtf8) {
  TextEncoding detected = TextEncoding::kAuto;
  readAll("a,b\n", TextEncoding::kAuto, ',', &detected);
  EXPECT_EQ(detected, TextEncoding::kUtf8);
}

TEST(CsvReader, DetectsAndDecodesGbk) {
  TextEncoding detected = TextEncoding::kAuto;
  EXPECT_EQ(readAll("name,amount\n" + kZhangSanGbk + ",12\n", TextEncoding::kAuto, ',', &detected),
            (std::vector<Record>{{1, {"name", "amount"}}, {2, {kZhangSan, "12"}}}));
  EXPECT_EQ(detected, TextEncoding::kGb18030);
}

TEST(CsvReader, DecodesGb18030WhenToldTo) {
  const std::string data = utf8ToGb18030(kZhangSan + ",\"" + kLiSi + "," + kRareCharacter + "\"\n");
  EXPECT_EQ(readAll(data, TextEncoding::kGb18030),
            (std::vector<Record>{{1, {kZhangSan, kLiSi + "," + kRareCharacter}}}));
}

TEST(CsvReader, DecodesGbkCharacterSplitAcrossBlockBoundary) {
  // Line 1 holds GBK so auto-detection picks GB18030; 张 starts on the last byte of block one.
  std::string data = kZhangSanGbk + "\n";
  data += filler(kBlock - 1 - data.size() - 1);
  data += "\n";
  ASSERT_EQ(data.size(), kBlock - 1);
  data += kZhangSanGbk + ",tail\n";
  const auto records = readAll(data);
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records.front(), (Record{1, {kZhangSan}}));
  EXPECT_EQ(records.back().fields, (Fields{kZhangSan, "tail"}));
  EXPECT_EQ(records.back().line, static_cast<int64_t>(records.size()));
}

TEST(CsvReader, DecodesFourByteGb18030CharacterSplitAtEveryOffset) {
  const std::string rare_gb = utf8ToGb18030(kRareCharacter);
  ASSERT_EQ(rare_gb.size(), 4u);
  for (size_t before_boundary = 1; before_boundary <= 3; ++before_boundary) {
    std::string data = filler(kBlock - before_boundary - 1) + "\n";
    data += rare_gb + kZhangSanGbk + "\n";
    const auto records = readAll(data, TextEncoding::kGb18030);
    ASSERT_FALSE(records.empty());
    EXPECT_EQ(records.back().fields, (Fields{kRareCharacter + kZhangSan})) << before_boundary;
  }
}

TEST(CsvReader, TruncatedUtf8AtEndOfDetectionSampleStillCountsAsUtf8) {
  for (size_t before_boundary = 1; before_boundary <= 2; ++before_boundary) {
    std::string data = filler(kBlock - before_boundary - 1) + "\n";
    data += kZhangSan + "\n";
    TextEncoding detected = TextEncoding::kAuto;
    const auto records = readAll(data, TextEncoding::kAuto, ',', &detected);
    EXPECT_EQ(detected, TextEncoding::kUtf8) << before_boundary;
    ASSERT_FALSE(records.empty());
    EXPECT_EQ(records.back().fields, (Fields{kZhangSan})) << before_boundary;
  }
}

TEST(CsvReader, QuotedFieldAcrossBlockBoundaryKeepsLineNumbers) {
  std::string data = filler(kBlock - 10) + "\n";
  const int64_t quote_line = std::count(data.begin(), data.end(), '\n') + 1;
  data += "\"multi, quoted, field " + kZhangSan + "\",x\nlast\n";
  const auto records = readAll(data);
  ASSERT_GE(records.size(), 3u);
  EXPECT_EQ(records[records.size() - 2],
            (Record{quote_line, {"multi, quoted, field " + kZhangSan, "x"}}));
  EXPECT_EQ(records.back(), (Record{quote_line + 1, {"last"}}));
  // A line break in it is refused, named by the line the field starts on.
  std::string broken = filler(kBlock - 10) + "\n\"multi\nline\",x\n";
  EXPECT_NE(readError(broken).find("line " + std::to_string(quote_line) + ", column 1"),
            std::string::npos);
}

TEST(CsvReader, ReadsInBlocksInsteadOfSlurping) {
  std::istringstream in("a,b\n" + filler(1 << 20));
  CsvReader reader(in, "big.csv");
  Fields fields;
  ASSERT_TRUE(reader.next(fields));
  EXPECT_EQ(fields, (Fields{"a", "b"}));
  EXPECT_LE(static_cast<size_t>(in.tellg()), kBlock);
  size_t count = 1;
  while (reader.next(fields)) ++count;
  EXPECT_EQ(count, 1 + (1 << 20) / 4);
}

TEST(CsvReader, ReportsInvalidGbkBytesWithLineNumber) {
  std::vector<Record> before;
  const std::string message = readError("name\n" + kZhangSanGbk +
                                            "\nok\nbad\x81\x20"
                                            "byte\nafter\n",
                                        &before);
  EXPECT_NE(message.find("test.csv: line 4:"), std::string::npos) << message;
  EXPECT_NE(message.find("GB18030"), std::string::npos) << message;
  EXPECT_EQ(before, (std::vector<Record>{{1, {"name"}}, {2, {kZhangSan}}, {3, {"ok"}}}));
}

TEST(CsvReader, ReportsInvalidBytesInsideQuotedMultilineField) {
  const std::string message = readError("a\n\"x\ny\xFF\"\n", nullptr, TextEncoding::kGb18030);
  EXPECT_NE(message.find("test.csv: line 3:"), std::string::npos) << message;
}

TEST(CsvReader, ReportsInvalidGbkBytesInALaterBlock) {
  std::string data = kZhangSanGbk + "\n" + filler(kBlock * 2);
  data += "\n\xFF\xFF\n";
  const int64_t bad_line = std::count(data.begin(), data.end(), '\n');
  const std::string message = readError(data);
  EXPECT_NE(message.find("test.csv: line " + std::to_string(bad_line) + ":"), std::string::npos)
      << message;
}

TEST(CsvReader, ReportsInvalidUtf8WithLineNumber) {
  const std::string message = readError("a\nb\n\xC3\x28\n", nullptr, TextEncoding::kUtf8);
  EXPECT_NE(message.find("test.csv: line 3:"), std::string::npos) << message;
  EXPECT_NE(message.find("UTF-8"), std::string::npos) << message;
}

TEST(CsvReader, ReportsInputEndingInsideACharacter) {
  const std::string gb_message = readError("a\n\xD5", nullptr, TextEncoding::kGb18030);
  EXPECT_NE(gb_message.find("test.csv: line 2:"), std::string::npos) << gb_message;
  EXPECT_NE(gb_message.find("ends in the middle"), std::string::npos) << gb_message;
  const std::string utf8_message = readError("a\n\xE5\xBC", nullptr, TextEncoding::kUtf8);
  EXPECT_NE(utf8_message.find("test.csv: line 2:"), std::string::npos) << utf8_message;
}

TEST(CsvReader, ReportsUnterminatedQuote) {
  const std::string message = readError("a,b\nc,\"open\nmore\n");
  EXPECT_NE(message.find("test.csv:"), std::string::npos) << message;
  EXPECT_NE(message.find("unterminated"), std::string::npos) << message;
  EXPECT_NE(message.find("line 2"), std::string::npos) << message;
}

TEST(CsvReader, ReportsCharacterAfterClosingQuote) {
  const std::string message = readError("a\n\"b\"c,d\n");
  EXPECT_NE(message.find("test.csv: line 2:"), std::string::npos) << message;
  EXPECT_NE(message.find("after the closing quote of field 1"), std::string::npos) << message;
  EXPECT_NE(readError("\"b\"\rx\n").find("after the closing quote"), std::string::npos);
}

TEST(CsvReader, NamesItsSource) {
  std::istringstream in("");
  CsvReader reader(in, "payees.csv");
  EXPECT_EQ(reader.sourceName(), "payees.csv");
}

TEST(ParseTextEncoding, AcceptsKnownNames) {
  EXPECT_EQ(parseTextEncoding("utf-8"), TextEncoding::kUtf8);
  EXPECT_EQ(parseTextEncoding("UTF8"), TextEncoding::kUtf8);
  EXPECT_EQ(parseTextEncoding("gbk"), TextEncoding::kGb18030);
  EXPECT_EQ(parseTextEncoding("GB18030"), TextEncoding::kGb18030);
  EXPECT_EQ(parseTextEncoding("gb2312"), TextEncoding::kGb18030);
  EXPECT_EQ(parseTextEncoding("auto"), TextEncoding::kAuto);
}

TEST(ParseTextEncoding, RejectsUnknownNames) {
  try {
    parseTextEncoding("latin1");
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
    EXPECT_NE(std::string(e.what()).find("latin1"), std::string::npos);
  }
}

TEST(Gb18030, ConvertsBothWays) {
  EXPECT_EQ(utf8ToGb18030(kZhangSan), kZhangSanGbk);
  EXPECT_EQ(gb18030ToUtf8(kZhangSanGbk), kZhangSan);
  EXPECT_EQ(gb18030ToUtf8(utf8ToGb18030(kRareCharacter + "abc")), kRareCharacter + "abc");
  EXPECT_EQ(utf8ToGb18030(""), "");
}

TEST(Gb18030, RejectsInvalidUtf8) {
  EXPECT_THROW(utf8ToGb18030("\xD5\xC5"), Error);
  EXPECT_THROW(utf8ToGb18030("\xED\xA0\x80"), Error);  // surrogate
}

TEST(Gb18030, RejectsInvalidGb18030) {
  EXPECT_THROW(gb18030ToUtf8("\xFF"), Error);
  EXPECT_THROW(gb18030ToUtf8("\xD5"), Error);  // cut off
}

std::string writeRows(const std::vector<Fields>& rows, CsvWriter::Options options = {}) {
  std::ostringstream out;
  CsvWriter writer(out, options);
  for (const auto& row : rows) writer.writeRow(row);
  return out.str();
}

TEST(CsvWriter, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(writeRows({{"a", "b c", kZhangSan, ""}}), "a,b c," + kZhangSan + ",\r\n");
  EXPECT_EQ(writeRows({{"a,b", "say \"hi\"", "x\ny", "x\ry"}}),
            "\"a,b\",\"say \"\"hi\"\"\",\"x\ny\",\"x\ry\"\r\n");
}

TEST(CsvWriter, HonoursDelimiterAndLineEnding) {
  CsvWriter::Options options;
  options.delimiter = ';';
  options.line_ending = "\n";
  EXPECT_EQ(writeRows({{"a,b", "c;d"}, {"e"}}, options), "a,b;\"c;d\"\ne\n");
}

TEST(CsvWriter, WritesBomOnceBeforeFirstRow) {
  CsvWriter::Options options;
  options.utf8_bom = true;
  EXPECT_EQ(writeRows({{"a"}, {"b"}}, options),
            "\xEF\xBB\xBF"
            "a\r\n"
            "b\r\n");
  EXPECT_EQ(writeRows({}, options), "");
}

TEST(CsvWriter, WritesGb18030) {
  CsvWriter::Options options;
  options.encoding = TextEncoding::kGb18030;
  options.utf8_bom = true;  // a BOM makes no sense in GB18030 and is not written
  EXPECT_EQ(writeRows({{kZhangSan, "1,2"}}, options), kZhangSanGbk + ",\"1,2\"\r\n");
}

TEST(CsvWriter, QuotesBeforeEncodingSoGbkTrailBytesAreNotMistakenForDelimiters) {
  // 亅 (U+4E85) is 81 7C in GBK: its trail byte is '|'.
  const std::string jue = "\xE4\xBA\x85";
  ASSERT_EQ(utf8ToGb18030(jue), "\x81\x7C");
  CsvWriter::Options options;
  options.encoding = TextEncoding::kGb18030;
  options.delimiter = '|';
  EXPECT_EQ(writeRows({{jue, "a|b"}}, options), "\x81\x7C|\"a|b\"\r\n");
}

TEST(CsvWriter, RejectsFieldThatCannotBeEncoded) {
  CsvWriter::Options options;
  options.encoding = TextEncoding::kGb18030;
  std::ostringstream out;
  CsvWriter writer(out, options);
  try {
    writer.writeRow({"ok", "bad\xFF"});
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
    EXPECT_NE(std::string(e.what()).find("field 2"), std::string::npos) << e.what();
  }
}

// OWASP "CSV Injection": a cell starting with = + - @ tab or CR gets a leading '.
TEST(CsvWriter, NeutralisesALeadingFormulaCharacterButNotANumber) {
  EXPECT_EQ(writeRows({{"=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"}}),
            "\"'=HYPERLINK(\"\"http://x\"\")\",'+1+1,'-2+3,'@SUM(A1),'\tx,\"'\rx\"\r\n");
  EXPECT_EQ(writeRows({{"-12.50", "+86", "-", "a=b", "'=x"}}), "-12.50,+86,'-,a=b,'=x\r\n");
  EXPECT_EQ(text::neutraliseFormula("=1"), "'=1");
  EXPECT_EQ(text::neutraliseFormula("-.5"), "'-.5");
  EXPECT_EQ(text::neutraliseFormula("张三"), "张三");
}

TEST(CsvWriter, OutputReadsBackUnchanged) {
  // Line breaks are written quoted (CsvWriter.QuotesOnlyWhenNeeded) but no reader here takes
  // them back (issue 14: control characters are refused in input).
  const std::vector<Fields> rows = {
      {"name", "note"}, {kZhangSan, "many, \"quoted\""}, {kLiSi, ""}, {kRareCharacter, "-12.50"}};
  for (TextEncoding encoding : {TextEncoding::kUtf8, TextEncoding::kGb18030}) {
    CsvWriter::Options options;
    options.encoding = encoding;
    options.utf8_bom = true;
    const auto records = readAll(writeRows(rows, options), encoding);
    ASSERT_EQ(records.size(), rows.size());
    for (size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(records[i].fields, rows[i]);
  }
}

}  // namespace
}  // namespace edupay
