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

#include "common/Error.h"

namespace edupay {

namespace {

constexpr uint64_t kMaxPart = 256ull << 20;

std::string readPart(std::istream& in, const Poco::Zip::ZipArchive& zip, const std::string& name,
                     const std::string& path, bool required) {
  const auto h = zip.findHeader(name);
  if (h == zip.headerEnd()) {
    if (!required) return {};
    throw Error(ErrorCode::kInvalidInput,
                path + ": not an Excel workbook (no " + name + "); save it as .xlsx or CSV");
  }
  if (h->second.getUncompressedSize() > kMaxPart)
    throw Error(ErrorCode::kInvalidInput, path + ": " + name + " is larger than 256 MB");
  if (h->second.isEncrypted())
    throw Error(ErrorCode::kInvalidInput,
                path + ": the workbook is encrypted; save it unprotected");
  Poco::Zip::ZipInputStream zin(in, h->second, true);
  std::string out;
  char buf[65536];
  while (zin.read(buf, sizeof buf) || zin.gcount() > 0) {
    out.append(buf, static_cast<size_t>(zin.gcount()));
    if (out.size() > kMaxPart)
      throw Error(ErrorCode::kInvalidInput, path + ": " + name + " is larger than 256 MB");
  }
  if (out.find("<!DOCTYPE") != std::string::npos)
    throw Error(ErrorCode::kInvalidInput, path + ": " + name + " declares a DTD; refused");
  return out;
}

void parseXml(const std::string& xml, Poco::XML::DefaultHandler& handler, const std::string& what) {
  Poco::XML::SAXParser parser;
  parser.setFeature(Poco::XML::XMLReader::FEATURE_NAMESPACES, false);
  parser.setFeature(Poco::XML::SAXParser::FEATURE_PARTIAL_READS, false);
  parser.setContentHandler(&handler);
  std::istringstream in(xml);
  Poco::XML::InputSource src(in);
  try {
    parser.parse(&src);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kInvalidInput, what + ": damaged XML (" + e.what() + ")");
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

class Sheet : public Poco::XML::DefaultHandler {
 public:
  explicit Sheet(const std::vector<std::string>& shared, std::string path)
      : shared_(shared), path_(std::move(path)) {}
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
        throw Error(ErrorCode::kInvalidInput, path_ + ": bad cell reference " + ref);
      type_ = attr(a, "t");
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
        throw Error(ErrorCode::kInvalidInput, path_ + ": row " + std::to_string(row_) +
                                                  ": a cell points at a missing string");
      }
      cell = shared_[i];
    } else if (type_ == "b") {
      cell = value_ == "1" ? "TRUE" : "FALSE";
    }
    if (!cell.empty()) rows[row_][col_] = cell;
  }
  void characters(const Poco::XML::XMLChar ch[], int start, int length) override {
    if (in_value_) value_.append(ch + start, length);
  }

 private:
  const std::vector<std::string>& shared_;
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
  if (!in) throw Error(ErrorCode::kNotFound, path + ": cannot open the file; check the path");
  std::unique_ptr<Poco::Zip::ZipArchive> zip;
  try {
    zip = std::make_unique<Poco::Zip::ZipArchive>(in);
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kInvalidInput, path + ": not a readable .xlsx workbook (" + e.what() +
                                              "); save it again as .xlsx or CSV");
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
    Sheet sheet(shared.strings, path);
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
    throw Error(ErrorCode::kInvalidInput, path + ": damaged .xlsx workbook (" + e.what() + ")");
  }
}

}  // namespace edupay
