// Internal: method + path pattern ("/api/agents/:id") to handler.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "clawmit/server/http.h"

namespace clawmit::server {

using PathParams = std::map<std::string, std::string>;
using RouteHandler = std::function<HttpResponse(const HttpRequest&, const PathParams&)>;

class Router {
 public:
  void Add(const std::string& method, const std::string& pattern, RouteHandler handler);

  // The handler of the first matching route (a GET route answers HEAD too);
  // 404 when no pattern matches the path, 405 with `Allow` when one does but
  // not for this method.
  HttpResponse Dispatch(const HttpRequest& request) const;

  // The methods of the routes whose pattern matches `path` (HEAD beside
  // GET), in the order they were added; empty when none does.
  [[nodiscard]] std::vector<std::string> MethodsFor(const std::string& path) const;

  // "METHOD PATTERN" of every route, in the order they were added.
  [[nodiscard]] std::vector<std::string> Describe() const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // ":name" captures
    RouteHandler handler;
  };
  std::vector<Route> routes_;
};

// The API's error JSON: {"error":{"code","message","details","requestId"}}.
struct ApiFieldError {
  std::string field;
  std::string message;
};
HttpResponse ErrorResponse(int status, const std::string& code, const std::string& message,
                           const std::string& request_id,
                           const std::vector<ApiFieldError>& details = {});

}  // namespace clawmit::server
