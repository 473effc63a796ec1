#pragma once

#include <Poco/SAX/ContentHandler.h>

#include <string>

namespace edupay::bankfiles {

/// A SAX content handler that only cares about elements and text: the other events are ignored.
class ElementHandler : public Poco::XML::ContentHandler {
 public:
  void setDocumentLocator(const Poco::XML::Locator*) override {}
  void startDocument() override {}
  void endDocument() override {}
  void startPrefixMapping(const Poco::XML::XMLString&, const Poco::XML::XMLString&) override {}
  void endPrefixMapping(const Poco::XML::XMLString&) override {}
  void ignorableWhitespace(const Poco::XML::XMLChar*, int, int) override {}
  void processingInstruction(const Poco::XML::XMLString&, const Poco::XML::XMLString&) override {}
  void skippedEntity(const Poco::XML::XMLString&) override {}
};

/// Streams an XML file through `handler` (namespaces on). A document type declaration is refused
/// before parsing — DTDs are where external entities and entity expansion come from, and no
/// payment file or status report needs one — and external entities are off besides. The file is
/// first checked against XmlLimits (size, depth, the length of any one token) in one linear pass,
/// so no input makes the parser slow. Throws
/// Error(kInvalidInput) "PATH: not a readable WHAT: ..." for anything malformed.
void parseXmlFile(const std::string& path, Poco::XML::ContentHandler& handler,
                  const std::string& what);

}  // namespace edupay::bankfiles
