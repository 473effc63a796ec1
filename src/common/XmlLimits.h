#pragma once

#include <cstdint>
#include <istream>
#include <string>

namespace edupay {

/// Bounds on an XML document read from outside (a bank's pain.002, the parts of an uploaded
/// workbook). The defaults are far above anything a real file holds: a pain.002 of a million
/// transactions is about 330 MB, 10 levels deep, its longest token (a tag with its attributes) a
/// few hundred bytes.
struct XmlLimits {
  uint64_t max_bytes = uint64_t{1} << 30;  ///< the whole document
  int max_depth = 64;                      ///< nested elements
  /// Any one token: a tag with its name and attributes, a run of text between tags, a comment, a
  /// CDATA section, a processing instruction.
  uint64_t max_token = uint64_t{1} << 20;
};

/// Reads `in` once, front to back, in constant memory and linear time, and throws
/// Error(kInvalidInput) "SOURCE: line N: ..." at the first limit exceeded, or for a declaration
/// (`<!DOCTYPE`, `<!ENTITY`, ...) anywhere. It does not check well-formedness: that is the
/// parser's job, which runs after it and never meets a token longer than `max_token` — the
/// expat parser behind Poco re-scans an unfinished token at every 4 KiB block it is fed, so one
/// 16 MB attribute would otherwise cost half a minute.
void checkXmlLimits(std::istream& in, const std::string& source, const XmlLimits& limits = {});

}  // namespace edupay
