#include "api/RequestBody.h"

#include <Poco/JSON/Parser.h>
#include <Poco/Net/MessageHeader.h>
#include <Poco/Net/MultipartReader.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/StreamCopier.h>

#include <sstream>

#include "api/Router.h"
#include "common/Error.h"

namespace edupay::api {

Poco::JSON::Object::Ptr parseJsonObject(const std::string& body) {
  checkJsonDepth(body, 16);
  try {
    auto v = Poco::JSON::Parser().parse(body.empty() ? "{}" : body);
    if (v.type() == typeid(Poco::JSON::Object::Ptr)) {
      auto o = v.extract<Poco::JSON::Object::Ptr>();
      if (o) return o;
    }
  } catch (const Poco::Exception&) {
  } catch (const std::exception&) {
  }
  throw Error(ErrorCode::kInvalidInput, msg("api.body.json_object"));
}

std::string uploadedContent(const std::string& content_type, const std::string& body,
                            std::string* file_name) {
  const auto b = content_type.find("boundary=");
  if (content_type.rfind("multipart/form-data", 0) != 0 || b == std::string::npos) return body;
  std::string boundary = content_type.substr(b + 9);
  if (const auto end = boundary.find(';'); end != std::string::npos) boundary.resize(end);
  if (boundary.size() >= 2 && boundary.front() == '"' && boundary.back() == '"')
    boundary = boundary.substr(1, boundary.size() - 2);
  if (boundary.empty() || boundary.size() > 70)
    throw Error(ErrorCode::kInvalidInput, msg("api.form.boundary"));
  try {
    std::istringstream in(body);
    Poco::Net::MultipartReader reader(in, boundary);
    if (!reader.hasNextPart()) throw Error(ErrorCode::kInvalidInput, msg("api.form.no_file"));
    Poco::Net::MessageHeader header;
    reader.nextPart(header);
    if (file_name) {
      std::string disposition;
      Poco::Net::NameValueCollection params;
      Poco::Net::MessageHeader::splitParameters(header.get("Content-Disposition", ""), disposition,
                                                params);
      *file_name = params.get("filename", "");
    }
    std::string content;
    Poco::StreamCopier::copyToString(reader.stream(), content);
    return content;
  } catch (const Poco::Exception&) {
    throw Error(ErrorCode::kInvalidInput, msg("api.form.unreadable"));
  }
}

}  // namespace edupay::api
