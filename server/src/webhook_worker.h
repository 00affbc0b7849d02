// Internal: the delivery worker. Threads take due deliveries from the outbox
// (events.h), post them signed, record every attempt, and schedule retries:
// at least once, across restarts (a delivery taken but not finished when the
// server stops is taken again when its claim runs out).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "db.h"

namespace clawmit::server {

struct WebhookWorkerOptions {
  // Seconds to wait before each retry: attempt 1 is at once, attempt k+1
  // comes retry_delays[k-1] (±10 %) after attempt k failed; after the last
  // the delivery is failed. The default follows the Standard Webhooks
  // schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (8 attempts, ~27 h).
  std::vector<int64_t> retry_delays = {5, 300, 1800, 7200, 18000, 36000, 36000};
  int threads = 4;
  int64_t timeout_ms = 10000;                    // one attempt, connection included
  int64_t deactivate_after_seconds = 5 * 86400;  // failing this long: active=false
  bool allow_private = false;                    // --allow-private-webhooks
  std::string key_material;                      // opens the sealed secrets
  // Where a failure to record an attempt goes (unset: stderr).
  std::function<void(const std::string&)> log_error;
};

// "5s,5m,30m,2h" → seconds; kInvalidArgument naming the bad entry.
Result<std::vector<int64_t>> ParseRetrySchedule(const std::string& text);

class WebhookWorker {
 public:
  WebhookWorker(Database& db, WebhookWorkerOptions options);
  ~WebhookWorker();
  WebhookWorker(const WebhookWorker&) = delete;
  WebhookWorker& operator=(const WebhookWorker&) = delete;

  void Start();
  // Stops taking deliveries, aborts the attempts in flight (they are taken
  // again after a restart) and joins the threads.
  void Stop();

 private:
  struct Taken;
  void Loop();
  bool DeliverOne();  // false when nothing was due
  // `final`: no retry whatever the outcome (a refusal of the server's own).
  void Record(const Taken& d, int64_t status_code, int64_t duration_ms, const std::string& error,
              bool final = false);

  Database& db_;
  WebhookWorkerOptions options_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<std::thread> threads_;
};

}  // namespace clawmit::server
