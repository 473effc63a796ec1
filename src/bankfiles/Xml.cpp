#include "bankfiles/Xml.h"

#include <Poco/SAX/SAXParser.h>

#include <fstream>

#include "common/Error.h"
#include "common/XmlLimits.h"

namespace edupay::bankfiles {

namespace {

/// The prolog is everything before the root element: XML declaration, comments, processing
/// instructions and the document type declaration, which is what gets refused.
void refuseDtd(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kNotFound, msg("bank.file.cannot_open", {arg("file", path)}));
  std::string head(64 * 1024, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  size_t pos = 0;
  for (;;) {
    pos = head.find('<', pos);
    if (pos == std::string::npos || pos + 1 >= head.size()) return;
    if (head.compare(pos, 4, "<!--") == 0) {
      pos = head.find("-->", pos);
      if (pos == std::string::npos) return;
      continue;
    }
    if (head[pos + 1] == '?') {
      ++pos;
      continue;
    }
    if (head[pos + 1] == '!') {
      throw Error(ErrorCode::kInvalidInput, msg("bank.xml.dtd", {arg("file", path)}));
    }
    return;
  }
}

}  // namespace

void parseXmlFile(const std::string& path, Poco::XML::ContentHandler& handler,
                  const std::string& what) {
  refuseDtd(path);
  {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorCode::kNotFound, msg("bank.file.cannot_open", {arg("file", path)}));
    checkXmlLimits(in, path);
  }
  Poco::XML::SAXParser parser;
  parser.setFeature(Poco::XML::XMLReader::FEATURE_NAMESPACES, true);
  parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_GENERAL_ENTITIES, false);
  parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_PARAMETER_ENTITIES, false);
  parser.setContentHandler(&handler);
  try {
    parser.parse(path);
  } catch (const Poco::Exception& e) {
    // The documents read here: a bank's pain.002 answer, our own pain.001 file.
    const std::string zh = what == "pain.002 status report" ? "pain.002 回盘文件"
                           : what == "pain.001"             ? "pain.001 支付文件"
                                                            : what;
    throw Error(ErrorCode::kInvalidInput,
                msg("bank.xml.unreadable",
                    {arg("file", path), words("what", zh, what), arg("why", e.displayText())}));
  }
}

}  // namespace edupay::bankfiles
