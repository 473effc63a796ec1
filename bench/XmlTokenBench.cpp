// One pain.002 status report whose OrgnlMsgId carries an attribute of N MiB, read two ways:
//   before: straight into Poco's SAX parser (expat fed in 4 KiB blocks re-scans the unfinished
//           token every block, so the time grows with the square of the token);
//   after:  bankfiles::parseXmlFile, which checks XmlLimits in one linear pass first.
//   edupay_xml_token_bench [MiB] [DIR]     default 16 /tmp; prints seconds for each
#include <Poco/SAX/SAXParser.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>

#include "bankfiles/Xml.h"
#include "common/Error.h"

namespace {

class Ignore : public edupay::bankfiles::ElementHandler {
 public:
  void startElement(const Poco::XML::XMLString&, const Poco::XML::XMLString&,
                    const Poco::XML::XMLString&, const Poco::XML::Attributes&) override {}
  void endElement(const Poco::XML::XMLString&, const Poco::XML::XMLString&,
                  const Poco::XML::XMLString&) override {}
  void characters(const Poco::XML::XMLChar[], int, int) override {}
};

double seconds(const std::function<void()>& fn, std::string& outcome) {
  const auto start = std::chrono::steady_clock::now();
  try {
    fn();
    outcome = "accepted";
  } catch (const edupay::Error& e) {
    outcome = std::string("refused: ") + std::string(e.what()).substr(0, 120);
  } catch (const std::exception& e) {
    outcome = std::string("refused by the parser: ") + std::string(e.what()).substr(0, 120);
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const long mib = argc > 1 ? std::stol(argv[1]) : 16;
  const std::string dir = argc > 2 ? argv[2] : "/tmp";
  const std::string path = dir + "/xml-token-" + std::to_string(mib) + "mib.xml";
  {
    std::ofstream out(path, std::ios::binary);
    out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.002.001.10\">"
           "<CstmrPmtStsRpt><OrgnlGrpInfAndSts><OrgnlMsgId x=\"";
    const std::string block(1 << 20, 'a');
    for (long i = 0; i < mib; ++i) out << block;
    out << "\">EDUPAY-B1-P1</OrgnlMsgId></OrgnlGrpInfAndSts></CstmrPmtStsRpt></Document>\n";
  }
  Ignore ignore;
  std::string before_outcome, after_outcome;
  const double before = seconds(
      [&] {
        Poco::XML::SAXParser parser;
        parser.setFeature(Poco::XML::XMLReader::FEATURE_NAMESPACES, true);
        parser.setContentHandler(&ignore);
        parser.parse(path);
      },
      before_outcome);
  const double after =
      seconds([&] { edupay::bankfiles::parseXmlFile(path, ignore, "pain.002 status report"); },
              after_outcome);
  std::printf("xml token %ld MiB: before (Poco SAX directly) %.3f s, %s\n", mib, before,
              before_outcome.c_str());
  std::printf("xml token %ld MiB: after  (parseXmlFile)     %.3f s, %s\n", mib, after,
              after_outcome.c_str());
  std::remove(path.c_str());
  return 0;
}
