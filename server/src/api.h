// Internal: the Clawmit API's routes over the database.
#pragma once

#include <string>

#include "clawmit/server/http.h"
#include "db.h"
#include "router.h"

namespace clawmit::server {

struct ApiConfig {
  std::string jwt_secret;
  int64_t jwt_ttl_seconds = 7 * 86400;
};

class Api {
 public:
  Api(Database& db, ApiConfig config);
  HttpResponse Handle(const HttpRequest& request) const { return router_.Dispatch(request); }

 private:
  // The account a request acts for: a valid `Authorization: Bearer <JWT>`.
  struct Caller {
    std::string user_id;
    std::string email;
  };
  Result<Caller> Authenticate(const HttpRequest& request) const;

  HttpResponse Register(const HttpRequest& request) const;
  HttpResponse Login(const HttpRequest& request) const;
  HttpResponse Me(const HttpRequest& request) const;

  Database& db_;
  ApiConfig config_;
  Router router_;
};

}  // namespace clawmit::server
