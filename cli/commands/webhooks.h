// The options of `clawmit webhooks`, shared by its files: webhooks.cpp
// (create, list, show, update, delete, deliveries, test) and
// webhooks_verify.cpp (verify, which needs no server).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "../net_session.h"

namespace clawmit::cli {

struct WebhooksOptions {
  NetOptions net;
  CLI::App* create = nullptr;
  CLI::App* list = nullptr;
  CLI::App* show = nullptr;
  CLI::App* update = nullptr;
  CLI::App* remove = nullptr;
  CLI::App* deliveries = nullptr;
  CLI::App* test = nullptr;
  CLI::App* verify = nullptr;

  std::string id;
  std::string url;
  std::vector<std::string> events;
  bool enable = false;
  bool disable = false;
  int page = 0;
  int limit = 0;
  // verify
  std::string secret;
  std::string secret_env;
  std::string signature;
  std::string body_file = "-";
};

// Adds `verify --secret S|--secret-env VAR --signature SIG [FILE|-]`.
void AddWebhooksVerify(CLI::App& webhooks, WebhooksOptions& o);

// Checks the signature locally: exit 0 valid, 1 invalid, 2 malformed.
Status RunWebhooksVerify(Context& ctx, const WebhooksOptions& o);

}  // namespace clawmit::cli
