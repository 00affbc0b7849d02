#include "webhook_worker.h"

#include <curl/curl.h>
#include <sodium.h>

#include <chrono>
#include <cstdio>
#include <random>

#include "api_util.h"
#include "auth.h"
#include "clawmit/version.h"
#include "events.h"
#include "webhook_url.h"

namespace clawmit::server {

namespace {

constexpr auto kIdlePoll = std::chrono::milliseconds(200);
constexpr int64_t kClaimGraceSeconds = 5;

// Hex of HMAC-SHA256(secret, body): what API.md's verifyWebhook computes.
std::string Signature(const std::string& secret, const std::string& body) {
  std::string mac = HmacSha256(secret, body);
  std::string hex(mac.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(mac.data()),
                 mac.size());
  hex.pop_back();
  return "sha256=" + hex;
}

// `seconds` ±10 %, in milliseconds.
int64_t JitterMs(int64_t seconds) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_real_distribution<double> factor(0.9, 1.1);
  return std::max<int64_t>(
      1, static_cast<int64_t>(static_cast<double>(seconds) * 1000.0 * factor(rng)));
}

size_t Discard(char*, size_t size, size_t n, void*) { return size * n; }

struct Abort {
  const std::atomic<bool>* stopping;
};

int Progress(void* p, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<Abort*>(p)->stopping->load() ? 1 : 0;
}

struct CurlDeleter {
  void operator()(CURL* c) const noexcept { curl_easy_cleanup(c); }
};
struct ListDeleter {
  void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};

}  // namespace

Result<std::vector<int64_t>> ParseRetrySchedule(const std::string& text) {
  std::vector<int64_t> delays;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? comma : comma - start);
    auto seconds = ParseDuration(item);
    if (!seconds.ok()) {
      return Status::InvalidArgument("--webhook-retries: '" + item +
                                     "' is not a duration like 5s, 5m or 2h");
    }
    delays.push_back(*seconds);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (delays.size() > 20) return Status::InvalidArgument("--webhook-retries: at most 20 retries");
  return delays;
}

struct WebhookWorker::Taken {
  std::string id, webhook_id, url, sealed_secret, event, payload;
  int64_t attempts = 0;  // before this one
  std::string refused;   // why it must not be sent, when it must not
};

WebhookWorker::WebhookWorker(Database& db, WebhookWorkerOptions options)
    : db_(db), options_(std::move(options)) {}

WebhookWorker::~WebhookWorker() { Stop(); }

void WebhookWorker::Start() {
  for (int i = 0; i < options_.threads; ++i) threads_.emplace_back([this] { Loop(); });
}

void WebhookWorker::Stop() {
  stopping_ = true;
  wake_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void WebhookWorker::Loop() {
  while (!stopping_) {
    if (DeliverOne()) continue;
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, kIdlePoll, [this] { return stopping_.load(); });
  }
}

bool WebhookWorker::DeliverOne() {
  Taken d;
  bool found = false;
  const int64_t now = Now();
  const int64_t now_ms = NowMs();
  Status s = db_.Transaction(
      [&]() -> Status {
        // Set afresh on each run: on PostgreSQL a run that lost a serialization
        // race runs again, and may find nothing due then.
        d = Taken{};
        found = false;
        CLAWMIT_ASSIGN_OR_RETURN(
            auto rows,
            db_.Query("SELECT d.id, d.webhook_id, w.url, w.secret, e.type, e.payload, d.attempts, "
                      "w.active, w.scopes FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id "
                      "JOIN events e ON e.id = d.event_id "
                      "WHERE d.status = 'pending' AND d.next_attempt_ms <= ?1 "
                      "ORDER BY d.next_attempt_ms LIMIT 1" +
                          db_.ForUpdateSkipLocked("d"),
                      {now_ms}));
        if (rows.empty()) return Status::Ok();
        const DbRow& r = rows[0];
        found = true;
        if (Int(r[7]) == 0) {  // deactivated since: no more attempts
          return db_
              .Query("UPDATE deliveries SET status = 'failed', updated_at = ?2 WHERE id = ?1",
                     {r[0], now})
              .status();
        }
        d = {Text(r[0]), Text(r[1]), Text(r[2]), Text(r[3]), Text(r[4]), Text(r[5]), Int(r[6]), ""};
        // Checked again at delivery: an event queued for scopes that no longer
        // allow it (or by an older server) is not sent.
        if (!ScopesAllowEvent(Text(r[8]), d.event)) {
          d.refused = "the webhook's credentials lack the scope '" + EventReadScope(d.event) + "'";
        }
        // Claimed until the attempt's timeout has passed (a lease): a server
        // stopped or killed in the middle — this one or another process on the
        // same database — takes it again when the lease runs out. Meanwhile no
        // other worker takes it, and the attempt is recorded only while
        // `attempts` is still what it was here (Record).
        int64_t claim_ms = options_.timeout_ms + kClaimGraceSeconds * 1000;
        return db_
            .Query("UPDATE deliveries SET next_attempt_ms = ?2, updated_at = ?3 WHERE id = ?1",
                   {r[0], now_ms + claim_ms, now})
            .status();
        // The claim rests on its row lock (SKIP LOCKED, the due time checked
        // again on the locked row), not on SERIALIZABLE.
      },
      Database::Isolation::kReadCommitted);
  if (!s.ok() || !found) return false;
  if (d.id.empty()) return true;  // failed as deactivated
  if (!d.refused.empty()) {
    Record(d, 0, 0, d.refused, /*final=*/true);
    return true;
  }

  const auto started = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 started)
        .count();
  };
  auto target = ResolveWebhookUrl(d.url, options_.allow_private);
  if (!target.ok()) {
    Record(d, 0, elapsed(), "url refused: " + target.status().message());
    return true;
  }
  auto secret = OpenSecret(options_.key_material, d.sealed_secret);
  if (!secret.ok()) {
    Record(d, 0, elapsed(), secret.status().message());
    return true;
  }

  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return false;
  std::unique_ptr<curl_slist, ListDeleter> headers;
  auto add_header = [&](const std::string& h) {
    headers.reset(curl_slist_append(headers.release(), h.c_str()));
  };
  add_header("Content-Type: application/json");
  add_header("X-Clawmit-Signature: " + Signature(*secret, d.payload));
  add_header("X-Clawmit-Event: " + d.event);
  add_header("X-Clawmit-Delivery: " + d.id);
  add_header("X-Clawmit-Timestamp: " + std::to_string(Now()));
  add_header("Expect:");  // no 100-continue round trip
  std::unique_ptr<curl_slist, ListDeleter> pin(curl_slist_append(
      nullptr,
      (target->host + ":" + std::to_string(target->port) + ":" + target->address).c_str()));
  Abort abort{&stopping_};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, d.url.c_str());
  curl_easy_setopt(c, CURLOPT_RESOLVE, pin.get());  // connect to the address checked
  curl_easy_setopt(c, CURLOPT_PROXY, "");           // never through a proxy of the environment
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, d.payload.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(d.payload.size()));
  const std::string user_agent = std::string("clawmit-webhooks/") + kVersion;
  curl_easy_setopt(c, CURLOPT_USERAGENT, user_agent.c_str());
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_ms));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.timeout_ms));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Discard);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, Progress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &abort);
  CURLcode rc = curl_easy_perform(c);
  if (rc == CURLE_ABORTED_BY_CALLBACK) return true;  // stopping: taken again after a restart
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  Record(d, rc == CURLE_OK ? status : 0, elapsed(), rc == CURLE_OK ? "" : curl_easy_strerror(rc));
  return true;
}

void WebhookWorker::Record(const Taken& d, int64_t status_code, int64_t duration_ms,
                           const std::string& error, bool final) {
  const int64_t now = Now();
  const int64_t attempt = d.attempts + 1;
  const bool delivered = status_code >= 200 && status_code < 300;
  // Retried: no answer (connection refused, timeout), 5xx and 429. Another
  // answer (a redirect, 4xx) will not change by itself.
  const bool retryable = !final && (status_code == 0 || status_code >= 500 || status_code == 429);
  const bool more = retryable && static_cast<size_t>(d.attempts) < options_.retry_delays.size();
  std::string next_status = delivered ? "delivered" : (more ? "pending" : "failed");
  const int64_t now_ms = NowMs();
  int64_t next_at =
      more && !delivered ? now_ms + JitterMs(options_.retry_delays[d.attempts]) : now_ms;
  Status s = db_.Transaction([&]() -> Status {
    // Only the holder of the claim records: `attempts` moves on with each
    // record, so a worker whose lease ran out and was taken over records
    // nothing (the other one records its own attempt).
    CLAWMIT_ASSIGN_OR_RETURN(
        auto held, db_.Query("UPDATE deliveries SET status = ?2, attempts = ?3, "
                             "next_attempt_ms = ?4, updated_at = ?5 "
                             "WHERE id = ?1 AND status = 'pending' AND attempts = ?6 RETURNING id",
                             {d.id, next_status, attempt, next_at, now, d.attempts}));
    if (held.empty()) return Status::Ok();
    CLAWMIT_TRY(
        db_.Query("INSERT INTO delivery_attempts (delivery_id, attempt, at, status_code, "
                  "duration_ms, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                  {d.id, attempt, now, status_code == 0 ? DbValue(nullptr) : DbValue(status_code),
                   duration_ms, error.empty() ? DbValue(nullptr) : DbValue(error)})
            .status());
    if (delivered) {
      return db_.Query("UPDATE webhooks SET failing_since = NULL WHERE id = ?1", {d.webhook_id})
          .status();
    }
    // An endpoint failing for days is switched off.
    return db_
        .Query(
            "UPDATE webhooks SET failing_since = COALESCE(failing_since, ?2), "
            "active = CASE WHEN ?2 - COALESCE(failing_since, ?2) >= ?3 THEN 0 ELSE active END, "
            "updated_at = ?2 WHERE id = ?1",
            {d.webhook_id, now, options_.deactivate_after_seconds})
        .status();
  });
  if (!s.ok()) {
    // Not recorded: the delivery stays claimed until its lease runs out,
    // then it is sent again (at least once).
    std::string message = "webhooks: cannot record attempt " + std::to_string(attempt) +
                          " of delivery " + d.id + ": " + s.ToString();
    if (options_.log_error) {
      options_.log_error(message);
    } else {
      std::fprintf(stderr, "%s\n", message.c_str());
    }
  }
}

}  // namespace clawmit::server
