// The API client over a scripted transport and a fake clock: which requests
// are retried and how long it waits, the bearer header, and server errors
// as a Status. No network, no real waiting.
#include "clawmit/remote/api_client.h"

#include <gtest/gtest.h>

#include <deque>

namespace clawmit::remote {
namespace {

class FakeClock final : public Clock {
 public:
  int64_t NowMs() override { return now; }
  void SleepMs(int64_t ms) override {
    sleeps.push_back(ms);
    now += ms;
  }
  double Random() override { return random; }

  int64_t now = 1700000000000;
  double random = 0.0;  // no jitter: waits are exactly the hints
  std::vector<int64_t> sleeps;
};

class FakeTransport final : public HttpTransport {
 public:
  HttpOutcome Send(const HttpRequest& request) override {
    seen.push_back(request);
    if (script.empty()) {
      ADD_FAILURE() << "unexpected request " << request.method << " " << request.url;
      return {HttpResponse{500, "", {}}, {}};
    }
    HttpOutcome next = script.front();
    script.pop_front();
    return next;
  }

  std::deque<HttpOutcome> script;
  std::vector<HttpRequest> seen;
};

HttpOutcome Answer(int status, std::string body = "{}",
                   std::vector<std::pair<std::string, std::string>> headers = {}) {
  return {HttpResponse{status, std::move(body), std::move(headers)}, {}};
}

HttpOutcome Failure(TransportError::Kind kind, std::string message) {
  return {std::nullopt, {kind, std::move(message)}};
}

class ApiClientTest : public ::testing::Test {
 protected:
  ApiClient& Client(const std::string& bearer = "eyJ.secret.token") {
    auto transport = std::make_unique<FakeTransport>();
    transport_ = transport.get();
    ApiClientOptions options;
    options.base_url = "https://clawmit.example/api";
    options.bearer = bearer;
    options.clock = &clock_;
    options.on_retry = [this](const RetryNotice& n) { notices_.push_back(n); };
    client_ = std::make_unique<ApiClient>(std::move(transport), std::move(options));
    return *client_;
  }

  FakeClock clock_;
  FakeTransport* transport_ = nullptr;
  std::unique_ptr<ApiClient> client_;
  std::vector<RetryNotice> notices_;
};

TEST(JoinApiUrlTest, APathMayRepeatTheBasesApi) {
  EXPECT_EQ(JoinApiUrl("https://c.example/api", "/agents"), "https://c.example/api/agents");
  EXPECT_EQ(JoinApiUrl("https://c.example/api", "agents"), "https://c.example/api/agents");
  EXPECT_EQ(JoinApiUrl("https://c.example/api", "/api/agents"), "https://c.example/api/agents");
  EXPECT_EQ(JoinApiUrl("https://c.example/api/", "/api/agents?limit=1"),
            "https://c.example/api/agents?limit=1");
  EXPECT_EQ(JoinApiUrl("https://c.example/api", "/api"), "https://c.example/api");
  EXPECT_EQ(JoinApiUrl("https://c.example/api", "/apis"), "https://c.example/api/apis");
  // A base without /api keeps the path whole.
  EXPECT_EQ(JoinApiUrl("http://127.0.0.1:3000", "/api/agents"), "http://127.0.0.1:3000/api/agents");
}

TEST_F(ApiClientTest, SendsTheBearerAndTheJoinedUrl) {
  ApiClient& client = Client();
  transport_->script = {Answer(200, R"({"data":[]})")};

  auto r = client.Call({"GET", "/agents?limit=1", ""});

  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, R"({"data":[]})");
  ASSERT_EQ(transport_->seen.size(), 1U);
  EXPECT_EQ(transport_->seen[0].url, "https://clawmit.example/api/agents?limit=1");
  EXPECT_EQ(transport_->seen[0].headers, (std::vector<std::pair<std::string, std::string>>{
                                             {"Authorization", "Bearer eyJ.secret.token"}}));
}

TEST_F(ApiClientTest, NoCredentialSendsNoAuthorization) {
  ApiClient& client = Client("");
  transport_->script = {Answer(200)};
  ASSERT_TRUE(client.Call({"GET", "/health", ""}).ok());
  EXPECT_TRUE(transport_->seen[0].headers.empty());
}

TEST_F(ApiClientTest, AGetIsRetriedOnServerErrorsWithBackoff) {
  ApiClient& client = Client();
  clock_.random = 0.5;
  transport_->script = {Answer(503), Answer(502), Answer(200, R"({"ok":true})")};

  auto r = client.Call({"GET", "/agents", ""});

  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(transport_->seen.size(), 3U);
  EXPECT_EQ(clock_.sleeps, (std::vector<int64_t>{250, 500}));  // half of 500, 1000
  ASSERT_EQ(notices_.size(), 2U);
  EXPECT_EQ(notices_[0].attempt, 1);
  EXPECT_EQ(notices_[0].reason, "503 Service Unavailable");
  EXPECT_EQ(client.last_attempts(), 3);
}

TEST_F(ApiClientTest, RetryAfterIsHonoured) {
  ApiClient& client = Client();
  transport_->script = {Answer(429, R"({"error":{"code":"RATE_LIMITED","message":"slow down"}})",
                               {{"retry-after", "7"}}),
                        Answer(200)};

  ASSERT_TRUE(client.Call({"GET", "/agents", ""}).ok());

  EXPECT_EQ(clock_.sleeps, (std::vector<int64_t>{7000}));
  EXPECT_EQ(notices_.at(0).reason, "429 RATE_LIMITED");
  EXPECT_EQ(notices_.at(0).wait_ms, 7000);
}

TEST_F(ApiClientTest, TheRateLimitResetIsHonouredWithoutRetryAfter) {
  ApiClient& client = Client();
  std::string reset = std::to_string(clock_.now / 1000 + 12);
  transport_->script = {Answer(429, "{}", {{"x-ratelimit-reset", reset}}), Answer(200)};

  ASSERT_TRUE(client.Call({"GET", "/agents", ""}).ok());

  EXPECT_EQ(clock_.sleeps, (std::vector<int64_t>{12000}));
}

TEST_F(ApiClientTest, AHintLongerThanTheCapIsNotWaitedFor) {
  ApiClient& client = Client();
  transport_->script = {
      Answer(429, R"({"error":{"code":"RATE_LIMITED","message":"too many failed logins"}})",
             {{"retry-after", "900"}})};

  auto r = client.Call({"POST", "/auth/login", "{}"});

  EXPECT_TRUE(clock_.sleeps.empty());
  EXPECT_EQ(transport_->seen.size(), 1U);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kNetwork);
  EXPECT_NE(r.status().message().find("asks to wait 900.0 s"), std::string::npos)
      << r.status().message();
}

TEST_F(ApiClientTest, APostIsNotRetriedOnAServerError) {
  ApiClient& client = Client();
  transport_->script = {Answer(503)};

  auto r = client.Call({"POST", "/agents", "{}"});

  EXPECT_FALSE(r.ok());
  EXPECT_EQ(transport_->seen.size(), 1U);
  EXPECT_TRUE(clock_.sleeps.empty());
}

TEST_F(ApiClientTest, APostIsRetriedOnTooManyRequestsAndWhenMarkedIdempotent) {
  ApiClient& client = Client();
  transport_->script = {Answer(429, "{}", {{"retry-after", "1"}}), Answer(201)};
  EXPECT_TRUE(client.Call({"POST", "/agents", "{}"}).ok());
  EXPECT_EQ(transport_->seen.size(), 2U);

  ApiClient& marked = Client();
  transport_->script = {Answer(500), Answer(200)};
  ApiRequest batch{"POST", "/agents/a/versions/batch", "{}"};
  batch.idempotent = Idempotent::kYes;
  EXPECT_TRUE(marked.Call(batch).ok());
  EXPECT_EQ(transport_->seen.size(), 2U);
}

TEST_F(ApiClientTest, FailingToConnectIsRetriedForAnyMethod) {
  ApiClient& client = Client();
  transport_->script = {Failure(TransportError::Kind::kNotSent, "could not connect: refused"),
                        Answer(201)};
  EXPECT_TRUE(client.Call({"POST", "/agents", "{}"}).ok());
  EXPECT_EQ(transport_->seen.size(), 2U);
}

TEST_F(ApiClientTest, ABrokenConnectionIsRetriedOnlyForIdempotentRequests) {
  ApiClient& client = Client();
  transport_->script = {Failure(TransportError::Kind::kBroken, "connection broken: reset"),
                        Answer(200)};
  EXPECT_TRUE(client.Call({"GET", "/agents", ""}).ok());

  ApiClient& post = Client();
  transport_->script = {Failure(TransportError::Kind::kBroken, "connection broken: reset")};
  auto r = post.Call({"POST", "/agents", "{}"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kNetwork);
  EXPECT_EQ(r.status().message(),
            "POST https://clawmit.example/api/agents: connection broken: reset");
}

TEST_F(ApiClientTest, TlsFailuresAreNeverRetried) {
  ApiClient& client = Client();
  transport_->script = {
      Failure(TransportError::Kind::kTls, "TLS certificate verification failed: self-signed")};
  auto r = client.Call({"GET", "/agents", ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(transport_->seen.size(), 1U);
  EXPECT_NE(r.status().message().find("TLS certificate verification failed"), std::string::npos);
}

TEST_F(ApiClientTest, GivesUpAfterTheMaximumAttempts) {
  ApiClient& client = Client();
  for (int i = 0; i < 5; ++i) {
    transport_->script.push_back(
        Answer(503, R"({"error":{"code":"INTERNAL_ERROR","message":"down","requestId":"req_5"}})"));
  }
  auto r = client.Call({"GET", "/agents", ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(transport_->seen.size(), 5U);
  EXPECT_EQ(clock_.sleeps.size(), 4U);
  EXPECT_EQ(r.status().code(), Status::Code::kNetwork);
  EXPECT_EQ(r.status().message(),
            "GET /api/agents: 503 INTERNAL_ERROR: down (requestId req_5) (gave up after 5 "
            "attempts)");

  ApiClient& unreachable = Client();
  for (int i = 0; i < 5; ++i) {
    transport_->script.push_back(
        Failure(TransportError::Kind::kNotSent, "could not connect: refused"));
  }
  auto u = unreachable.Call({"GET", "/agents", ""});
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.status().message(),
            "GET https://clawmit.example/api/agents: could not connect: refused (gave up after 5 "
            "attempts)");
}

TEST_F(ApiClientTest, ASpentRateLimitDelaysTheNextRequestUntilItResets) {
  ApiClient& client = Client();
  std::string reset = std::to_string(clock_.now / 1000 + 3);
  transport_->script = {
      Answer(200, "{}", {{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", reset}}),
      Answer(200)};
  ASSERT_TRUE(client.Call({"GET", "/agents", ""}).ok());
  EXPECT_TRUE(clock_.sleeps.empty());
  ASSERT_TRUE(client.Call({"GET", "/agents", ""}).ok());
  EXPECT_EQ(clock_.sleeps, (std::vector<int64_t>{3000}));
}

TEST(ApiErrorTest, ShowsCodeMessageDetailsAndRequestId) {
  HttpResponse r{400,
                 R"({"error":{"code":"VALIDATION_ERROR","message":"Invalid request data",
                     "details":[{"field":"email","message":"must be a valid email address"},
                                {"field":"password","message":"at least 8 characters"}],
                     "requestId":"req_abc"}})",
                 {}};
  Status s = ApiErrorStatus("POST", "/api/auth/register", r);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "POST /api/auth/register: 400 VALIDATION_ERROR: Invalid request data: email: must be "
            "a valid email address (and 1 more) (requestId req_abc)");
  EXPECT_EQ(s.details(), (std::vector<FieldError>{{"email", "must be a valid email address"},
                                                  {"password", "at least 8 characters"}}));
}

TEST(ApiErrorTest, CodesFollowTheHttpStatus) {
  auto code = [](int status) {
    return ApiErrorStatus("GET", "/api/x", HttpResponse{status, "{}", {}}).code();
  };
  EXPECT_EQ(code(401), Status::Code::kUnauthenticated);
  EXPECT_EQ(code(403), Status::Code::kUnauthenticated);
  EXPECT_EQ(code(404), Status::Code::kNotFound);
  EXPECT_EQ(code(409), Status::Code::kConflict);
  EXPECT_EQ(code(422), Status::Code::kCorruption);
  EXPECT_EQ(code(413), Status::Code::kInvalidArgument);
  EXPECT_EQ(code(429), Status::Code::kNetwork);
  EXPECT_EQ(code(500), Status::Code::kNetwork);
}

TEST(ApiErrorTest, ABodyThatIsNotTheApisErrorIsQuotedBriefly) {
  HttpResponse r{502, "<html>\n<h1>Bad gateway</h1></html>", {{"x-request-id", "req_proxy"}}};
  Status s = ApiErrorStatus("GET", "/api/agents", r);
  EXPECT_EQ(s.message(), "GET /api/agents: 502 Bad Gateway: <html> (requestId req_proxy)");
}

TEST_F(ApiClientTest, TheSecretNeverAppearsInAnError) {
  ApiClient& client = Client("eyJ.secret.token");
  transport_->script = {Answer(
      401,
      R"({"error":{"code":"UNAUTHORIZED","message":"bad token eyJ.secret.token","requestId":"req_1"}})")};
  auto r = client.Call({"GET", "/auth/me", ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kUnauthenticated);
  EXPECT_EQ(r.status().message().find("eyJ.secret.token"), std::string::npos);
  EXPECT_NE(r.status().message().find("[redacted]"), std::string::npos);
}

}  // namespace
}  // namespace clawmit::remote
