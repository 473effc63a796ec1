#include "common/Xlsx.h"

#include <Poco/SAX/Attributes.h>
#include <Poco/SAX/DefaultHandler.h>
#include <Poco/SAX/InputSource.h>
#include <Poco/SAX/SAXParser.h>
#include <Poco/Zip/ZipArchive.h>
#include <Poco/Zip/ZipStream.h>

#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <vector>

#include "common/Date.h"
#include "common/Error.h"
#include "common/XmlLimits.h"

namespace edupay {

namespace {

constexpr uint64_t kMaxPart = 256ull << 20;

std::string readPart(std::istream& in, const Poco::Zip::ZipArchive& zip, const std::string& name,
                     const std::string& path, bool required) {
  const auto h = zip.findHeader(name);
  if (h == zip.headerEnd()) {
    if (!required) return {};
    throw Error(ErrorCode::kInvalidInput,
                msg("xlsx.not_workbook", {arg("file", path), arg("part", name)}));
  }
  if (h->second.getUncompressedSize() > kMaxPart)
    throw Error(ErrorCode::kInvalidInput,
                msg("xlsx.too_large", {arg("file", path), arg("part", name)}));
  if (h->second.isEncrypted())
    throw Error(ErrorCode::kInvalidInput, msg("xlsx.encrypted", {arg("file", path)}));
  Poco::Zip::ZipInputStream zin(in, h->second, true);
  std::string out;
  char buf[65536];
  while (zin.read(buf, sizeof buf) || zin.gcount() > 0) {
    out.append(buf, static_cast<size_t>(zin.gcount()));
    if (out.size() > kMaxPart)
      throw Error(ErrorCode::kInvalidInput,
                  msg("xlsx.too_large", {arg("file", path), arg("part", name)}));
  }
  if (out.find("<!DOCTYPE") != std::string::npos)
    throw Error(ErrorCode::kInvalidInput, msg("xlsx.dtd", {arg("file", path), arg("part", name)}));
  return out;
}

void parseXml(const std::string& xml, Poco::XML::DefaultHandler& handler, const std::string& what) {
  Poco::XML::SAXParser parser;
  parser.setFeature(Poco::XML::XMLReader::FEATURE_NAMESPACES, false);
  parser.setFeature(Poco::XML::SAXParser::FEATURE_PARTIAL_READS, false);
  parser.setContentHandler(&handler);
  {
    std::istringstream limits_in(xml);
    checkXmlLimits(limits_in, what);
  }
  std::istringstream in(xml);
  Poco::XML::InputSource src(in);
  try {
    parser.parse(&src);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kInvalidInput,
                msg("xlsx.damaged_xml", {arg("where", what), arg("detail", e.what())}));
  }
}

/// The local part of a qualified XML name.
std::string local(const Poco::XML::XMLString& q) {
  const auto c = q.find(':');
  return c == std::string::npos ? q : q.substr(c + 1);
}

std::string attr(const Poco::XML::Attributes& a, const std::string& name) {
  for (int i = 0; i < a.getLength(); ++i)
    if (local(a.getQName(i)) == name) return a.getValue(i);
  return {};
}

class SharedStrings : public Poco::XML::DefaultHandler {
 public:
  std::vector<std::string> strings;
  void startElement(const Poco::XML::XMLString&, const Poco::XML::XMLString&,
                    const Poco::XML::XMLString& q, const Poco::XML::Attributes&) override {
    const std::string n = local(q);
    if (n == "si") {
      strings.emplace_back();
      in_si_ = true;
    } else if (n == "t" && in_si_) {
      in_t_ = true;
    } else if (n == "rPh") {
      in_phonetic_ = true;  // phonetic guides are not cell text
    }
  }
  void endElement(const Poco::XML::XMLString&, const Poco::XML::XMLString&,
                  const Poco::XML::XMLString& q) override {
    const std::string n = local(q);
    if (n == "si") in_si_ = false;
    if (n == "t") in_t_ = false;
    if (n == "rPh") in_phonetic_ = false;
  }
  void characters(const Poco::XML::XMLChar ch[], int start, int length) override {
    if (in_si_ && in_t_ && !in_phonetic_) strings.back().append(ch + start, length);
  }

 private:
  bool in_si_ = false, in_t_ = false, in_phonetic_ = false;
};

/// Column index of a cell reference like "AB12" (A = 0).
int columnOf(const std::string& ref) {
  int col = 0;
  size_t i = 0;
  for (; i < ref.size() && ref[i] >= 'A' && ref[i] <= 'Z'; ++i) col = col * 26 + (ref[i] - 'A' + 1);
  return i == 0 ? -1 : col - 1;
}

/// Which cell styles (indexes into cellXfs) show a number as a date: the built-in date formats
/// 14-22 and the East Asian ones 27-36 and 50-58 (ECMA-376 Part 1, 18.8.30), and any custom
/// format whose code has a year, month or day outside quotes and brackets (`yyyy-mm-dd`,
/// `yyyy/m/d`, `yyyy"年"m"月"d"日"`).
class Styles : public Poco::XML::DefaultHandler {
 public:
  std::vector<bool> date_style;
  void startElement(const Poco::XML::XMLString&, const Poco::XML::XMLString&,
                    const Poco::XML::XMLString& q, const Poco::XML::Attributes& a) override {
    const std::string n = local(q);
    if (n == "numFmt") {
      custom_[attr(a, "numFmtId")] = isDateCode(attr(a, "formatCode"));
    } else if (n == "cellXfs") {
      in_xfs_ = true;
    } else if (n == "xf" && in_xfs_) {
      const std::string id = attr(a, "numFmtId");
      int v = -1;
      try {
        v = id.empty() ? 0 : std::stoi(id);
      } catch (const std::exception&) {
      }
      auto it = custom_.find(id);
      date_style.push_back(it != custom_.end() ? it->second
                                               : (v >= 14 && v <= 22) || (v >= 27 && v <= 36) ||
                                                     (v >= 50 && v <= 58));
    }
  }
  void endElement(const Poco::XML::XMLString&, const Poco::XML::XMLString&,
                  const Poco::XML::XMLString& q) override {
    if (local(q) == "cellXfs") in_xfs_ = false;
  }

 private:
  static bool isDateCode(const std::string& code) {
    bool quoted = false;
    int bracket = 0;
    bool date = false, hour = false;
    for (size_t i = 0; i < code.size(); ++i) {
      const char c = code[i];
      if (c == '\\') {
        ++i;
        continue;
      }
      if (c == '"') quoted = !quoted;
      if (quoted) continue;
      if (c == '[') ++bracket;
      if (c == ']' && bracket > 0) --bracket;
      if (bracket > 0) continue;
      if (c == 'y' || c == 'Y' || c == 'd' || c == 'D') date = true;
      if (c == 'h' || c == 'H' || c == 's' || c == 'S') hour = true;
    }
    // 'm' alone is minutes in a time format; a year or day makes it a date.
    return date || (!hour && code.find_first_of("mM") != std::string::npos &&
                    code.find_first_of("0#?") == std::string::npos);
  }
  std::map<std::string, bool> custom_;
  bool in_xfs_ = false;
};

/// True when workbook.xml says the workbook counts dates from 1904 (Excel for Mac before 2011).
class WorkbookProps : public Poco::XML::DefaultHandler {
 public:
  bool date1904 = false;
  void startElement(const Poco::XML::XMLString&, const Poco::XML::XMLString&,
                    const Poco::XML::XMLString& q, const Poco::XML::Attributes& a) override {
    if (local(q) == "workbookPr") {
      const std::string v = attr(a, "date1904");
      date1904 = v == "1" || v == "true";
    }
  }
};

/// A date cell's serial number as YYYY-MM-DD. In the 1900 system day 1 is 1900-01-01 and day 60
/// is the 29 February 1900 that never was (kept by Excel for Lotus compatibility), so from day 61
/// on the date is 1899-12-30 + serial; in the 1904 system day 0 is 1904-01-01. A fraction (time
/// of day) is dropped. Empty when the text is not a number or out of range.
std::string serialToDate(const std::string& v, bool date1904) {
  double serial = 0;
  try {
    size_t used = 0;
    serial = std::stod(v, &used);
    if (used != v.size()) return {};
  } catch (const std::exception&) {
    return {};
  }
  if (serial < 1 || serial > 2958465) return {};  // 9999-12-31
  const auto day = static_cast<int64_t>(serial);
  if (!date1904 && day == 60) return {};
  const Date epoch = date1904
                         ? *Date::fromYmd(1904, 1, 1)
                         : (day < 60 ? *Date::fromYmd(1899, 12, 31) : *Date::fromYmd(1899, 12, 30));
  return epoch.addDays(day).str();
}

/// A number cell as the text a person typed. An integer of more than 15 digits has lost its last
/// digits (Excel keeps 15 significant digits): it is written in scientific form so the
/// validator names it as an identifier Excel turned into a number.
std::string numberText(const std::string& v) {
  size_t digits = 0;
  bool plain = !v.empty();
  for (char c : v) {
    if (c >= '0' && c <= '9') {
      ++digits;
    } else {
      plain = false;
    }
  }
  if (!plain || digits <= 15) return v;
  std::string out = v.substr(0, 1) + "." + v.substr(1, 14);
  while (out.back() == '0') out.pop_back();
  if (out.back() == '.') out.pop_back();
  return out + "E+" + std::to_string(digits - 1);
}

class Sheet : public Poco::XML::DefaultHandler {
 public:
  Sheet(const std::vector<std::string>& shared, const std::vector<bool>& date_style, bool date1904,
        std::string path)
      : shared_(shared), date_style_(date_style), date1904_(date1904), path_(std::move(path)) {}
  std::map<long, std::map<int, std::string>> rows;

  void startElement(const Poco::XML::XMLString&, const Poco::XML::XMLString&,
                    const Poco::XML::XMLString& q, const Poco::XML::Attributes& a) override {
    const std::string n = local(q);
    if (n == "row") {
      const std::string r = attr(a, "r");
      row_ = r.empty() ? row_ + 1 : std::stol(r);
      col_ = -1;
    } else if (n == "c") {
      const std::string ref = attr(a, "r");
      col_ = ref.empty() ? col_ + 1 : columnOf(ref);
      if (col_ < 0 || col_ > 16383)
        throw Error(ErrorCode::kInvalidInput,
                    msg("xlsx.bad_cell", {arg("file", path_), arg("cell", ref)}));
      type_ = attr(a, "t");
      const std::string style = attr(a, "s");
      style_ = 0;
      try {
        style_ = style.empty() ? 0 : std::stoul(style);
      } catch (const std::exception&) {
      }
      value_.clear();
    } else if (n == "v" || (n == "t" && type_ == "inlineStr")) {
      in_value_ = true;
    }
  }
  void endElement(const Poco::XML::XMLString&, const Poco::XML::XMLString&,
                  const Poco::XML::XMLString& q) override {
    const std::string n = local(q);
    if (n == "v" || n == "t") in_value_ = false;
    if (n != "c") return;
    std::string cell = value_;
    if (type_ == "s") {
      size_t i = 0;
      try {
        i = std::stoul(value_);
      } catch (const std::exception&) {
        i = shared_.size();
      }
      if (i >= shared_.size()) {
        throw Error(ErrorCode::kInvalidInput,
                    msg("xlsx.missing_string", {arg("file", path_), arg("row", row_)}));
      }
      cell = shared_[i];
    } else if (type_ == "b") {
      cell = value_ == "1" ? "TRUE" : "FALSE";
    } else if (type_ == "d") {
      cell = value_.substr(0, 10);  // ISO 8601 date cell
    } else if (type_.empty() || type_ == "n") {
      const bool is_date = style_ < date_style_.size() && date_style_[style_];
      const std::string date = is_date ? serialToDate(value_, date1904_) : std::string();
      cell = !date.empty() ? date : numberText(value_);
    }
    if (!cell.empty()) rows[row_][col_] = cell;
  }
  void characters(const Poco::XML::XMLChar ch[], int start, int length) override {
    if (in_value_) value_.append(ch + start, length);
  }

 private:
  const std::vector<std::string>& shared_;
  const std::vector<bool>& date_style_;
  bool date1904_ = false;
  size_t style_ = 0;
  std::string path_;
  long row_ = 0;
  int col_ = -1;
  std::string type_, value_;
  bool in_value_ = false;
};

/// The first sheet's part name, through workbook.xml and its relationships.
class FirstSheet : public Poco::XML::DefaultHandler {
 public:
  std::string rid;
  void startElement(const Poco::XML::XMLString&, const Poco::XML::XMLString&,
                    const Poco::XML::XMLString& q, const Poco::XML::Attributes& a) override {
    if (local(q) == "sheet" && rid.empty()) rid = attr(a, "id");
  }
};
class Relationships : public Poco::XML::DefaultHandler {
 public:
  std::map<std::string, std::string> targets;
  void startElement(const Poco::XML::XMLString&, const Poco::XML::XMLString&,
                    const Poco::XML::XMLString& q, const Poco::XML::Attributes& a) override {
    if (local(q) == "Relationship") targets[attr(a, "Id")] = attr(a, "Target");
  }
};

void csvField(std::string& out, const std::string& v) {
  if (v.find_first_of(",\"\r\n") == std::string::npos) {
    out += v;
    return;
  }
  out += '"';
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

}  // namespace

bool looksLikeXlsx(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  in.read(magic, 4);
  return in.gcount() == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4;
}

std::string xlsxToCsv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kNotFound, msg("xlsx.cannot_open", {arg("file", path)}));
  std::unique_ptr<Poco::Zip::ZipArchive> zip;
  try {
    zip = std::make_unique<Poco::Zip::ZipArchive>(in);
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kInvalidInput,
                msg("xlsx.unreadable", {arg("file", path), arg("detail", e.what())}));
  }
  try {
    std::string sheet_part = "xl/worksheets/sheet1.xml";
    const std::string workbook = readPart(in, *zip, "xl/workbook.xml", path, true);
    FirstSheet first;
    parseXml(workbook, first, path + ": xl/workbook.xml");
    const std::string rels = readPart(in, *zip, "xl/_rels/workbook.xml.rels", path, false);
    if (!rels.empty() && !first.rid.empty()) {
      Relationships r;
      parseXml(rels, r, path + ": xl/_rels/workbook.xml.rels");
      auto it = r.targets.find(first.rid);
      if (it != r.targets.end() && !it->second.empty()) {
        sheet_part = it->second.front() == '/' ? it->second.substr(1) : "xl/" + it->second;
      }
    }
    SharedStrings shared;
    const std::string strings = readPart(in, *zip, "xl/sharedStrings.xml", path, false);
    if (!strings.empty()) parseXml(strings, shared, path + ": xl/sharedStrings.xml");
    Styles styles;
    const std::string style_part = readPart(in, *zip, "xl/styles.xml", path, false);
    if (!style_part.empty()) parseXml(style_part, styles, path + ": xl/styles.xml");
    WorkbookProps props;
    parseXml(workbook, props, path + ": xl/workbook.xml");
    Sheet sheet(shared.strings, styles.date_style, props.date1904, path);
    parseXml(readPart(in, *zip, sheet_part, path, true), sheet, path + ": " + sheet_part);
    std::string out;
    long next = 1;
    for (const auto& [r, cells] : sheet.rows) {
      for (; next < r; ++next) out += '\n';
      int c = 0;
      for (const auto& [col, v] : cells) {
        for (; c < col; ++c) out += ',';
        csvField(out, v);
      }
      out += '\n';
      next = r + 1;
    }
    return out;
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kInvalidInput,
                msg("xlsx.damaged", {arg("file", path), arg("detail", e.what())}));
  }
}

}  // namespace edupay
