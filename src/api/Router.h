#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "security/Users.h"

namespace edupay::api {

/// What a handler sees: the matched route's parameters, the query, the body and the caller.
struct Request {
  std::string method, path, request_id;
  std::map<std::string, std::string> params;  ///< `{id}` in the route pattern
  std::map<std::string, std::string> query;
  std::string body, content_type;
  std::optional<security::User> user;  ///< set for every route that is not public
  std::string token;                   ///< the session token (never logged)
  bool tls = false;                    ///< the service speaks HTTPS (cookies get Secure)
  std::string client;                  ///< the client's address (login throttling)
  std::string host;                    ///< the Host header (addresses printed on pages)
  Lang lang = Lang::kZh;  ///< the reader's language: `Accept-Language`, or `?lang=` on a link
  std::string param(const std::string& name) const;
  /// A numeric path parameter; Error(kInvalidInput) naming it otherwise.
  int64_t id(const std::string& name) const;
  std::string queryOr(const std::string& name, const std::string& fallback = {}) const;
};

struct Reply {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::map<std::string, std::string> headers;
  std::vector<std::string> cookies;  ///< Set-Cookie values
};

class Env;
using Handler = std::function<Reply(const Request&, Env&)>;

/// Who may call a route: nobody needs to log in (public), or a logged-in user whose role is in
/// `roles` (empty: any logged-in user). Object scope (which county, school or bank) is checked by
/// the library call the handler makes, or by the handler's scope helper, in terms of these roles.
/// A route's body is read only after the caller is authenticated and the role allowed (login, the
/// and the families' public POSTs excepted): at most kJsonBodyBytes, or the service's
/// max_body_bytes for an `upload`, which also takes one of the service's few upload slots while it
/// is read and handled.
struct Route {
  std::string method, pattern, summary;
  bool is_public = false;
  std::set<security::Role> roles;
  Handler handler;
  bool upload = false;
  size_t max_body = 0;  ///< a public POST's body limit when not kLoginBodyBytes
};
inline constexpr size_t kJsonBodyBytes = 64 * 1024;
inline constexpr size_t kLoginBodyBytes = 4 * 1024;

/// First-match routing over `/segment/{param}/...` patterns, with its own 404 and 405.
class Router {
 public:
  void add(Route r) { routes_.push_back(std::move(r)); }
  struct Match {
    const Route* route = nullptr;
    std::map<std::string, std::string> params;
    std::vector<std::string> allowed;  ///< methods of the path when the method did not match
  };
  Match match(const std::string& method, const std::string& path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

/// Splits `a=1&b=x%20y` (percent-decoded).
std::map<std::string, std::string> parseQuery(const std::string& query);
/// Refuses (Error(kInvalidInput)) JSON nested deeper than `max_depth`, before parsing it.
void checkJsonDepth(const std::string& body, int max_depth);

}  // namespace edupay::api
