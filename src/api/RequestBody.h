#pragma once

#include <Poco/JSON/Object.h>

#include <string>

namespace edupay::api {

/// The parsing of request bodies, apart from any connection or database, so that it can be
/// tested and fuzzed on its own.

/// A JSON request body as an object ("" reads as {}). Throws Error(kInvalidInput) for anything
/// that is not a JSON object or is nested deeper than 16 levels.
Poco::JSON::Object::Ptr parseJsonObject(const std::string& body);

/// The uploaded file in a body: the first part of a multipart/form-data body (`content_type`
/// names the boundary), or the body itself for any other type. Throws Error(kInvalidInput) for a
/// form without a part or a malformed one.
/// `file_name`, when given, receives the file name the form's part carries (empty for a bare
/// body or a part without one).
std::string uploadedContent(const std::string& content_type, const std::string& body,
                            std::string* file_name = nullptr);

}  // namespace edupay::api
