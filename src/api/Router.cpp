#include "api/Router.h"

#include <Poco/URI.h>

#include "common/Error.h"
#include "common/Text.h"

namespace edupay::api {

namespace {

std::vector<std::string> segments(const std::string& path) {
  std::vector<std::string> out;
  for (auto& s : text::split(path, '/'))
    if (!s.empty()) out.push_back(s);
  return out;
}

bool matches(const std::string& pattern, const std::string& path,
             std::map<std::string, std::string>& params) {
  const auto p = segments(pattern);
  const auto s = segments(path);
  if (p.size() != s.size()) return false;
  std::map<std::string, std::string> found;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i].size() > 2 && p[i].front() == '{' && p[i].back() == '}') {
      found[p[i].substr(1, p[i].size() - 2)] = s[i];
    } else if (p[i] != s[i]) {
      return false;
    }
  }
  params = std::move(found);
  return true;
}

}  // namespace

std::string Request::param(const std::string& name) const {
  auto it = params.find(name);
  return it == params.end() ? "" : it->second;
}

int64_t Request::id(const std::string& name) const {
  const std::string v = param(name);
  if (v.empty() || v.size() > 15 || !text::isAllDigits(v))
    throw Error(ErrorCode::kInvalidInput,
                msg("api.param.number", {arg("name", name), arg("value", v)}));
  return std::stoll(v);
}

std::string Request::queryOr(const std::string& name, const std::string& fallback) const {
  auto it = query.find(name);
  return it == query.end() ? fallback : it->second;
}

Router::Match Router::match(const std::string& method, const std::string& path) const {
  Match m;
  for (const auto& r : routes_) {
    std::map<std::string, std::string> params;
    if (!matches(r.pattern, path, params)) continue;
    if (r.method == method) {
      m.route = &r;
      m.params = std::move(params);
      return m;
    }
    m.allowed.push_back(r.method);
  }
  return m;
}

std::map<std::string, std::string> parseQuery(const std::string& query) {
  std::map<std::string, std::string> out;
  for (const auto& part : text::split(query, '&')) {
    if (part.empty()) continue;
    const auto eq = part.find('=');
    std::string k, v;
    Poco::URI::decode(part.substr(0, eq), k);
    if (eq != std::string::npos) Poco::URI::decode(part.substr(eq + 1), v);
    out[k] = v;
  }
  return out;
}

void checkJsonDepth(const std::string& body, int max_depth) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (char c : body) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    if (c == '{' || c == '[') {
      if (++depth > max_depth)
        throw Error(ErrorCode::kInvalidInput,
                    msg("api.body.too_deep", {arg("levels", std::to_string(max_depth))}));
    }
    if (c == '}' || c == ']') --depth;
  }
}

}  // namespace edupay::api
