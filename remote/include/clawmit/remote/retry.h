// When and how long the API client waits before trying a request again:
// exponential backoff with full jitter, and the server's own hints
// (`Retry-After`, `X-RateLimit-Reset`). Pure functions, unit-tested.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "clawmit/remote/http.h"

namespace clawmit::remote {

struct RetryPolicy {
  int max_attempts = 5;           // attempts in all, the first included
  int64_t base_delay_ms = 500;    // the first backoff is drawn from [0, base)
  int64_t max_backoff_ms = 8000;  // a backoff never exceeds this
  int64_t max_wait_ms = 60000;    // a server hint beyond this is not waited for
};

// Full jitter (the AWS architecture blog's name): a uniform draw from
// [0, min(max_backoff, base * 2^retry)), `retry` counting from 0 for the
// wait before the second attempt. `random01` is in [0, 1).
int64_t BackoffDelayMs(const RetryPolicy& policy, int retry, double random01);

// Parses a Retry-After value: delta-seconds ("120") or an HTTP-date ("Wed,
// 21 Oct 2015 07:28:00 GMT"), as milliseconds from `now_ms` (0 when the date
// has passed). nullopt when it is neither.
std::optional<int64_t> ParseRetryAfterMs(std::string_view value, int64_t now_ms);

// Parses an HTTP-date (IMF-fixdate, RFC 850 and asctime forms) as seconds
// since the epoch.
std::optional<int64_t> ParseHttpDate(std::string_view value);

// How long the server asks the client to wait before its next request:
// `Retry-After` when present, else — on a 429 or when
// `X-RateLimit-Remaining` is 0 — the time until `X-RateLimit-Reset` (epoch
// seconds). nullopt when the answer says nothing.
std::optional<int64_t> RetryHintMs(const HttpResponse& response, int64_t now_ms);

// 429 and the 5xx answers that may pass (500, 502, 503, 504).
bool IsRetryableStatus(int status);

}  // namespace clawmit::remote
