// Fetch, Compare and Push on real temporary repositories against a scripted
// server: the transport answers with the JSON a Clawmit server sends (the
// sync extensions of the agents list, pages of versions, create and batch
// answers) and keeps every request, so the tests see what was asked and sent.
#include <gtest/gtest.h>

#include <deque>
#include <nlohmann/json.hpp>

#include "clawmit/core/iso_time.h"
#include "clawmit/remote/sync.h"
#include "test_support.h"
#include "version_json.h"

namespace clawmit::remote {
namespace {

using core::ObjectId;
using nlohmann::json;

class FakeClock final : public Clock {
 public:
  int64_t NowMs() override { return now; }
  void SleepMs(int64_t ms) override { now += ms; }
  double Random() override { return 0.0; }
  int64_t now = 1700000000000;
};

class FakeTransport final : public HttpTransport {
 public:
  HttpOutcome Send(const HttpRequest& request) override {
    seen.push_back(request);
    if (script.empty()) {
      ADD_FAILURE() << "unexpected request " << request.method << " " << request.url;
      return {HttpResponse{400, "{}", {}}, {}};
    }
    HttpOutcome next = script.front();
    script.pop_front();
    return next;
  }

  void Answer(const json& body, int status = 200) {
    script.push_back({HttpResponse{status, body.dump(), {}}, {}});
  }

  std::deque<HttpOutcome> script;
  std::vector<HttpRequest> seen;
};

constexpr const char* kBase = "https://clawmit.example/api";

// One version as the server has it: the commit core computes from its
// fields, and the JSON the server answers (server/src/records.cpp).
struct ServerVersion {
  std::string id;
  uint64_t number = 0;
  std::string slug;
  core::AgentContent content;
  core::CommitSpec spec;
  std::string message;
  std::optional<core::ForkType> fork_type;  // a fork's first version
  std::string forked_from;                  // <slug>@v<n>
  std::string merged_from;                  // a merge's <slug>@v<n>
  ObjectId commit;

  [[nodiscard]] json Json() const {
    return {{"id", id},
            {"versionNumber", number},
            {"commitId", commit.Hex()},
            {"parentCommitIds", ParentHexes()},
            {"prompt", content.prompt},
            {"tools", json::parse(core::CanonicalToolsFile(content.tools))},
            {"config", json::parse(core::CanonicalConfigFile(content.config))},
            {"commitMessage", message},
            {"author", {{"name", spec.author.name}, {"email", spec.author.email}}},
            {"authoredAt", core::FormatIsoTime(spec.author.time)},
            {"forkType", fork_type ? json(core::ForkTypeName(*fork_type)) : json(nullptr)},
            {"createdAt", core::FormatIsoTime(spec.author.time + 1)},
            {"forkedFrom", fork_type ? json(forked_from) : json(nullptr)},
            {"rollbackTo", nullptr},
            {"mergedFrom", merged_from.empty() ? json(nullptr) : json(merged_from)}};
  }
  [[nodiscard]] json Ref() const {
    return {{"id", id}, {"versionNumber", number}, {"commitId", commit.Hex()}};
  }
  [[nodiscard]] store::VersionRecord Record() const { return {commit, content, spec}; }

 private:
  [[nodiscard]] json ParentHexes() const {
    json out = json::array();
    for (const ObjectId& p : spec.parents) out.push_back(p.Hex());
    return out;
  }
};

core::AgentContent Content(const std::string& prompt) {
  core::AgentContent c;
  c.prompt = prompt;
  c.tools.push_back({"search", "looks things up", R"({"type":"object"})"});
  c.config["temperature"] = "0.5";
  return c;
}

ServerVersion MakeVersion(const std::string& slug, uint64_t number, const std::string& prompt,
                          std::optional<ObjectId> parent,
                          std::optional<core::ForkType> fork_type = std::nullopt,
                          const std::string& forked_from = "") {
  ServerVersion v;
  v.fork_type = fork_type;
  v.forked_from = forked_from;
  v.id = "ver_" + slug + std::to_string(number);
  v.number = number;
  v.slug = slug;
  v.content = Content(prompt);
  v.message = "make it say " + prompt;
  v.spec.tree_id = core::BuildContentObjects(v.content).tree_id;
  if (parent) v.spec.parents.push_back(*parent);
  v.spec.author = {"Bob", "bob@example.com", 1710000000 + static_cast<int64_t>(number)};
  v.spec.message = core::BuildCommitMessage(v.message, {slug, number, fork_type, forked_from, 0});
  v.commit = core::ComputeCommitId(v.spec);
  return v;
}

// An agent on the server: its versions, v1 first.
struct ServerAgent {
  std::string id;
  std::string slug;
  std::vector<ServerVersion> versions;

  ServerAgent(std::string agent_id, std::string agent_slug, size_t count,
              std::optional<ObjectId> base = std::nullopt, uint64_t first = 1)
      : id(std::move(agent_id)), slug(std::move(agent_slug)) {
    for (size_t i = 0; i < count; ++i) Add(i == 0 ? base : std::nullopt, first + i);
  }
  void Add(std::optional<ObjectId> parent = std::nullopt, uint64_t number = 0) {
    if (!parent && !versions.empty()) parent = versions.back().commit;
    if (number == 0) number = versions.back().number + 1;
    versions.push_back(
        MakeVersion(slug, number, slug + " prompt " + std::to_string(number), parent));
  }
  [[nodiscard]] const ServerVersion& V(uint64_t number) const {
    for (const auto& v : versions) {
      if (v.number == number) return v;
    }
    throw std::out_of_range("no such version");
  }
  // As `GET /agents` lists it, with the sync extensions.
  [[nodiscard]] json Listed(const json& labels = json::object()) const {
    return {{"id", id},
            {"slug", slug},
            {"name", slug},
            {"description", ""},
            {"parentAgentId", nullptr},
            {"head", versions.back().Ref()},
            {"labels", labels}};
  }
};

json AgentList(const std::vector<json>& agents) {
  return {
      {"data", agents},
      {"pagination", {{"page", 1}, {"limit", 100}, {"total", agents.size()}, {"totalPages", 1}}}};
}

json VersionPage(const std::vector<ServerVersion>& versions, bool has_more = false) {
  json data = json::array();
  for (const auto& v : versions) data.push_back(v.Json());
  return {{"data", data}, {"hasMore", has_more}};
}

class SyncUnitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto repo = store::Repository::Init(dir_.path());
    ASSERT_OK(repo.status());
    repo_ = std::move(repo).value();
    auto transport = std::make_unique<FakeTransport>();
    transport_ = transport.get();
    ApiClientOptions options;
    options.base_url = kBase;
    options.bearer = "key";
    options.clock = &clock_;
    client_ = std::make_unique<ApiClient>(std::move(transport), std::move(options));
  }

  Result<FetchResult> DoFetch() {
    FetchOptions options;
    options.remote = "origin";
    return Fetch(*client_, *repo_, options);
  }

  Result<PushResult> DoPush(bool dry_run = false) {
    PushOptions options;
    options.remote = "origin";
    options.dry_run = dry_run;
    return Push(*client_, *repo_, options);
  }

  // A local version of `slug` with `prompt`; the agent is made when new.
  store::VersionSummary Commit(const std::string& slug, const std::string& prompt) {
    store::CommitRequest req;
    req.slug = slug;
    req.content = Content(prompt);
    req.message = "local " + prompt;
    req.author = {"Ada", "ada@example.com", 1700000000 + clock_seconds_++};
    req.create = store::CreateMode::kMayCreate;
    auto v = repo_->Commit(req);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : store::VersionSummary{};
  }

  std::map<std::string, ObjectId> Tracking() {
    auto heads = repo_->RemoteTrackingHeads("origin");
    EXPECT_TRUE(heads.ok()) << heads.status().ToString();
    return heads.ok() ? *heads : std::map<std::string, ObjectId>{};
  }

  std::string Url(const std::string& path) const { return std::string(kBase) + path; }

  clawmit::testing::ScopedTempDir dir_;
  std::unique_ptr<store::Repository> repo_;
  FakeClock clock_;
  FakeTransport* transport_ = nullptr;
  std::unique_ptr<ApiClient> client_;
  int64_t clock_seconds_ = 0;
};

// --- Fetch ---

// Found by tests/fuzz/sync_json_fuzz: a server that repeats a page while
// claiming more kept the client asking (a billion requests), and a
// totalPages beyond int64_t was converted to one (undefined behaviour).
json ListedAgent(const std::string& slug) {
  return {{"id", "agent_" + slug},
          {"slug", slug},
          {"name", slug},
          {"description", ""},
          {"parentAgentId", nullptr},
          {"head",
           {{"id", "ver_" + slug},
            {"versionNumber", 1},
            {"commitId", "3f2a9c0011223344556677889900aabbccddeeff"}}},
          {"labels", json::object()}};
}

// Lists the agents of a server answering `pages` in turn; `asked` is how
// many requests it got.
Result<std::vector<RemoteAgent>> ListFrom(const std::vector<json>& pages, size_t* asked = nullptr) {
  auto transport = std::make_unique<FakeTransport>();
  FakeTransport& server = *transport;
  for (const json& page : pages) server.Answer(page);
  FakeClock clock;
  ApiClientOptions options;
  options.base_url = kBase;
  options.clock = &clock;
  ApiClient client(std::move(transport), options);
  auto agents = ListRemoteAgents(client);
  if (asked != nullptr) *asked = server.seen.size();
  return agents;
}

TEST(ListRemoteAgentsTest, AServerRepeatingAPageEndsTheListing) {
  json page = {{"data", {ListedAgent("support")}}, {"pagination", {{"totalPages", 1000000000}}}};
  size_t asked = 0;
  auto agents = ListFrom({page, page}, &asked);
  ASSERT_TRUE(agents.ok()) << agents.status().ToString();
  EXPECT_EQ(agents->size(), 1u);
  EXPECT_EQ(asked, 2u);
}

TEST(ListRemoteAgentsTest, TotalPagesIsReadAsANumberOfAnySize) {
  auto agents =
      ListFrom({{{"data", {ListedAgent("support")}}, {"pagination", {{"totalPages", 1e300}}}},
                {{"data", {ListedAgent("review")}}, {"pagination", {{"totalPages", 1e300}}}},
                {{"data", json::array()}, {"pagination", {{"totalPages", 1e300}}}}});
  ASSERT_TRUE(agents.ok()) << agents.status().ToString();
  EXPECT_EQ(agents->size(), 2u);
}

// Found by tests/fuzz/sync_json_fuzz: two agents with one id (and two slugs)
// kept the parents-first ordering looping for ever.
TEST(ListRemoteAgentsTest, TwoAgentsWithOneIdAreCorruption) {
  json review = ListedAgent("review");
  review["id"] = "agent_support";
  auto agents = ListFrom({{{"data", {ListedAgent("support"), review}}}});
  ASSERT_FALSE(agents.ok());
  EXPECT_EQ(agents.status().code(), Status::Code::kCorruption);
  EXPECT_NE(agents.status().message().find("two agents with id 'agent_support'"), std::string::npos)
      << agents.status().message();
}

TEST(ListRemoteAgentsTest, ParentsComeBeforeTheirForksWhateverTheirSlugs) {
  json base = ListedAgent("zeta");
  json fork = ListedAgent("alpha");
  fork["parentAgentId"] = "agent_zeta";
  json grandchild = ListedAgent("beta");
  grandchild["parentAgentId"] = "agent_alpha";
  auto agents = ListFrom({{{"data", {grandchild, fork, base}}}});
  ASSERT_TRUE(agents.ok()) << agents.status().ToString();
  ASSERT_EQ(agents->size(), 3u);
  EXPECT_EQ((*agents)[0].slug, "zeta");
  EXPECT_EQ((*agents)[1].slug, "alpha");
  EXPECT_EQ((*agents)[2].slug, "beta");
}

TEST_F(SyncUnitTest, FetchWritesTheTrackingRefAndRecordsTheIds) {
  ServerAgent support("agent_s", "support", 2);
  json labels = {
      {"production", {{"versionId", "ver_support1"}, {"commitId", support.V(1).commit.Hex()}}}};
  transport_->Answer(AgentList({support.Listed(labels)}));
  transport_->Answer(VersionPage(support.versions));

  auto result = DoFetch();

  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->updated.size(), 1U);
  EXPECT_EQ(result->updated[0].slug, "support");
  EXPECT_EQ(result->updated[0].from, std::nullopt);
  EXPECT_EQ(result->updated[0].versions, 2U);
  EXPECT_EQ(Tracking(), (std::map<std::string, ObjectId>{{"support", support.V(2).commit}}));
  EXPECT_EQ(*RemoteVersionId(*repo_, "origin", "support", support.V(1).commit), "ver_support1");
  EXPECT_EQ(*RemoteVersionId(*repo_, "origin", "support", support.V(2).commit), "ver_support2");
  auto state = repo_->ReadRemoteState("origin", "support");
  EXPECT_EQ(state->agent_id, "agent_s");
  EXPECT_EQ(state->labels, (std::map<std::string, ObjectId>{{"production", support.V(1).commit}}));
  ASSERT_EQ(transport_->seen.size(), 2U);
  EXPECT_EQ(transport_->seen[0].url, Url("/agents?page=1&limit=100"));
  EXPECT_EQ(transport_->seen[1].url, Url("/agents/agent_s/versions?after=0&limit=500"));
  // The versions themselves are in the repository, as they were.
  auto v2 = repo_->ReadVersion(support.V(2).commit);
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  EXPECT_EQ(v2->content, support.V(2).content);
}

TEST_F(SyncUnitTest, RemoteVersionIdOfAnUnknownVersionIsNotFound) {
  ServerAgent support("agent_s", "support", 1);
  auto id = RemoteVersionId(*repo_, "origin", "support", support.V(1).commit);
  EXPECT_EQ(id.status().code(), Status::Code::kNotFound);
}

TEST_F(SyncUnitTest, ATamperedVersionFailsTheFetchAndWritesNoRef) {
  ServerAgent alpha("agent_a", "alpha", 2);
  ServerAgent beta("agent_b", "beta", 2);
  json page = VersionPage(beta.versions);
  page["data"][1]["prompt"] = "something else";  // commitId kept
  transport_->Answer(AgentList({alpha.Listed(), beta.Listed()}));
  transport_->Answer(VersionPage(alpha.versions));
  transport_->Answer(page);

  auto result = DoFetch();

  EXPECT_EQ(result.status().code(), Status::Code::kCorruption);
  EXPECT_NE(result.status().message().find("integrity error"), std::string::npos)
      << result.status().ToString();
  EXPECT_TRUE(Tracking().empty());
  EXPECT_FALSE(repo_->ReadVersion(alpha.V(1).commit).ok());
  EXPECT_EQ(repo_->ReadRemoteState("origin", "alpha")->agent_id, "");
}

TEST_F(SyncUnitTest, ASecondFetchWithNothingNewSendsOneRequest) {
  ServerAgent support("agent_s", "support", 2);
  transport_->Answer(AgentList({support.Listed()}));
  transport_->Answer(VersionPage(support.versions));
  ASSERT_TRUE(DoFetch().ok());
  transport_->seen.clear();

  transport_->Answer(AgentList({support.Listed()}));
  auto result = DoFetch();

  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(transport_->seen.size(), 1U);
  EXPECT_TRUE(result->updated.empty());
  EXPECT_EQ(result->unchanged, std::vector<std::string>{"support"});
  EXPECT_EQ(result->versions, 0U);
}

TEST_F(SyncUnitTest, AnIncrementalFetchAsksAfterTheTrackedVersion) {
  ServerAgent support("agent_s", "support", 2);
  transport_->Answer(AgentList({support.Listed()}));
  transport_->Answer(VersionPage(support.versions));
  ASSERT_TRUE(DoFetch().ok());
  transport_->seen.clear();

  support.Add();
  transport_->Answer(AgentList({support.Listed()}));
  transport_->Answer(VersionPage({support.V(3)}));
  auto result = DoFetch();

  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(transport_->seen.size(), 2U);
  EXPECT_EQ(transport_->seen[1].url, Url("/agents/agent_s/versions?after=2&limit=500"));
  ASSERT_EQ(result->updated.size(), 1U);
  EXPECT_EQ(result->updated[0].from, support.V(2).commit);
  EXPECT_EQ(result->updated[0].versions, 1U);
  EXPECT_EQ(Tracking().at("support"), support.V(3).commit);
  EXPECT_EQ(*RemoteVersionId(*repo_, "origin", "support", support.V(1).commit), "ver_support1");
  EXPECT_EQ(*RemoteVersionId(*repo_, "origin", "support", support.V(3).commit), "ver_support3");
}

TEST_F(SyncUnitTest, FetchFollowsPagesUntilHasMoreIsFalse) {
  ServerAgent support("agent_s", "support", 3);
  transport_->Answer(AgentList({support.Listed()}));
  transport_->Answer(VersionPage({support.V(1), support.V(2)}, true));
  transport_->Answer(VersionPage({support.V(3)}, false));

  auto result = DoFetch();

  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(transport_->seen.size(), 3U);
  EXPECT_EQ(transport_->seen[2].url, Url("/agents/agent_s/versions?after=2&limit=500"));
  EXPECT_EQ(result->versions, 3U);
  EXPECT_EQ(Tracking().at("support"), support.V(3).commit);
}

TEST_F(SyncUnitTest, VersionsOutOfOrderAreRefused) {
  ServerAgent support("agent_s", "support", 2);
  transport_->Answer(AgentList({support.Listed()}));
  transport_->Answer(VersionPage({support.V(2), support.V(1)}));

  auto result = DoFetch();

  EXPECT_EQ(result.status().code(), Status::Code::kCorruption) << result.status().ToString();
  EXPECT_TRUE(Tracking().empty());
}

TEST_F(SyncUnitTest, VersionsEndingBeforeTheHeadAreRefused) {
  ServerAgent support("agent_s", "support", 3);
  transport_->Answer(AgentList({support.Listed()}));
  transport_->Answer(VersionPage({support.V(1), support.V(2)}));

  auto result = DoFetch();

  EXPECT_EQ(result.status().code(), Status::Code::kCorruption) << result.status().ToString();
  EXPECT_TRUE(Tracking().empty());
}

TEST_F(SyncUnitTest, AVersionNotOnThePreviousOneIsRefused) {
  ServerAgent support("agent_s", "support", 1);
  // v2 whose parent is not v1, yet numbered right.
  ServerAgent stray("agent_s", "support", 1);
  stray.versions[0] = MakeVersion("support", 1, "another v1", std::nullopt);
  stray.Add();
  transport_->Answer(AgentList({stray.Listed()}));
  transport_->Answer(VersionPage({support.V(1), stray.V(2)}));

  auto result = DoFetch();

  EXPECT_EQ(result.status().code(), Status::Code::kCorruption) << result.status().ToString();
  EXPECT_TRUE(Tracking().empty());
}

TEST_F(SyncUnitTest, NewLabelsAloneAreRecordedWithoutMovingTheRef) {
  ServerAgent support("agent_s", "support", 2);
  transport_->Answer(AgentList({support.Listed()}));
  transport_->Answer(VersionPage(support.versions));
  ASSERT_TRUE(DoFetch().ok());

  json labels = {
      {"staging", {{"versionId", "ver_support2"}, {"commitId", support.V(2).commit.Hex()}}}};
  transport_->Answer(AgentList({support.Listed(labels)}));
  auto result = DoFetch();

  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_TRUE(result->updated.empty());
  EXPECT_EQ(repo_->ReadRemoteState("origin", "support")->labels,
            (std::map<std::string, ObjectId>{{"staging", support.V(2).commit}}));
  EXPECT_EQ(Tracking().at("support"), support.V(2).commit);
}

TEST_F(SyncUnitTest, FetchingAForkBringsItsSourceAndKeepsTheForkTrailers) {
  ServerAgent base("agent_p", "base", 2);
  ServerAgent other("agent_o", "other", 1);
  ServerAgent child("agent_c", "child", 0);
  child.versions.push_back(MakeVersion("child", 1, "forked", base.V(1).commit,
                                       core::ForkType::kPromptMutation, "base@v1"));
  child.Add();
  json listed_child = child.Listed();
  listed_child["parentAgentId"] = "agent_p";
  // The fork listed first: fetch still takes its source first.
  transport_->Answer(AgentList({listed_child, other.Listed(), base.Listed()}));
  transport_->Answer(VersionPage(base.versions));
  transport_->Answer(VersionPage(child.versions));

  FetchOptions options;
  options.remote = "origin";
  options.slugs = {"child"};
  auto result = Fetch(*client_, *repo_, options);

  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(Tracking(), (std::map<std::string, ObjectId>{{"base", base.V(2).commit},
                                                         {"child", child.V(2).commit}}));
  ASSERT_EQ(transport_->seen.size(), 3U);
  EXPECT_EQ(transport_->seen[1].url, Url("/agents/agent_p/versions?after=0&limit=500"));
  auto first = repo_->ReadVersion(child.V(1).commit);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->trailers.fork_type, core::ForkType::kPromptMutation);
  EXPECT_EQ(first->trailers.forked_from, "base@v1");
  EXPECT_EQ(first->parents, std::vector<ObjectId>{base.V(1).commit});
}

// A merge version as the server answers it: `theirs` its second parent.
ServerVersion MakeMerge(const std::string& slug, uint64_t number, const ServerVersion& ours,
                        const ServerVersion& theirs) {
  ServerVersion v;
  v.id = "ver_" + slug + std::to_string(number);
  v.number = number;
  v.slug = slug;
  v.content = Content("merged");
  v.message = "Merge " + theirs.slug + " into " + slug;
  v.merged_from = theirs.slug + "@v" + std::to_string(theirs.number);
  v.spec.tree_id = core::BuildContentObjects(v.content).tree_id;
  v.spec.parents = {ours.commit, theirs.commit};
  v.spec.author = {"Bob", "bob@example.com", 1710000100};
  core::Trailers trailers{slug, number, std::nullopt, "", 0};
  trailers.merged = v.merged_from;
  v.spec.message = core::BuildCommitMessage(v.message, trailers);
  v.commit = core::ComputeCommitId(v.spec);
  return v;
}

TEST_F(SyncUnitTest, AMergeVersionTravelsBothWaysWithItsCommitId) {
  store::VersionSummary s1 = Commit("support", "a");
  store::VersionSummary o1 = Commit("other", "b");
  store::CommitRequest req;
  req.slug = "support";
  req.content = Content("merged");
  req.message = "Merge other into support";
  req.author = {"Ada", "ada@example.com", 1700000100};
  req.merge = store::MergeParent{o1.commit, "other@v1"};
  auto merged = repo_->Commit(req);
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  auto version = repo_->ReadVersion(merged->commit);
  ASSERT_TRUE(version.ok()) << version.status().ToString();

  json body = internal::VersionBody(*version);
  EXPECT_EQ(body["parentCommitIds"], (json{s1.commit.Hex(), o1.commit.Hex()}));
  EXPECT_EQ(body["mergedFrom"], "other@v1");
  // What the server answers: the body with its own fields.
  json answer = body;
  answer["id"] = "ver_m";
  answer["versionNumber"] = 2U;
  answer["forkType"] = nullptr;
  answer["forkedFrom"] = nullptr;
  answer["rollbackTo"] = nullptr;
  auto parsed = internal::ParseRemoteVersion(answer, "support");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->record.commit, merged->commit);
  EXPECT_EQ(parsed->record.spec.parents, version->parents);

  // A version with one parent names none: the server chains it.
  auto plain = repo_->ReadVersion(s1.commit);
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(internal::VersionBody(*plain).contains("parentCommitIds"));
  EXPECT_FALSE(internal::VersionBody(*plain).contains("mergedFrom"));

  // Without mergedFrom (a server from before merges) the id no longer checks out.
  answer.erase("mergedFrom");
  parsed = internal::ParseRemoteVersion(answer, "support");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_NE(parsed->record.commit, merged->commit);
  answer["mergedFrom"] = 5;
  EXPECT_EQ(internal::ParseRemoteVersion(answer, "support").status().code(),
            Status::Code::kCorruption);
}

TEST_F(SyncUnitTest, FetchTakesAMergeOfAForkThatArrivesBeforeTheFork) {
  ServerAgent base("agent_p", "support", 2);
  ServerAgent child("agent_c", "child", 0);
  child.versions.push_back(MakeVersion("child", 1, "forked", base.V(1).commit,
                                       core::ForkType::kPromptMutation, "support@v1"));
  child.Add();
  base.versions.push_back(MakeMerge("support", 3, base.V(2), child.V(2)));
  json listed_child = child.Listed();
  listed_child["parentAgentId"] = "agent_p";
  transport_->Answer(AgentList({base.Listed(), listed_child}));
  transport_->Answer(VersionPage(base.versions));
  transport_->Answer(VersionPage(child.versions));

  auto result = DoFetch();

  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(Tracking(), (std::map<std::string, ObjectId>{{"support", base.V(3).commit},
                                                         {"child", child.V(2).commit}}));
  auto merge = repo_->ReadVersion(base.V(3).commit);
  ASSERT_TRUE(merge.ok()) << merge.status().ToString();
  EXPECT_EQ(merge->trailers.merged, "child@v2");
  EXPECT_EQ(merge->parents, (std::vector<ObjectId>{base.V(2).commit, child.V(2).commit}));
}

TEST_F(SyncUnitTest, FetchingAnAgentBringsTheForkItMerged) {
  ServerAgent base("agent_p", "support", 2);
  ServerAgent child("agent_c", "child", 0);
  ServerAgent other("agent_o", "other", 1);
  child.versions.push_back(MakeVersion("child", 1, "forked", base.V(1).commit,
                                       core::ForkType::kPromptMutation, "support@v1"));
  child.Add();
  base.versions.push_back(MakeMerge("support", 3, base.V(2), child.V(2)));
  json listed_child = child.Listed();
  listed_child["parentAgentId"] = "agent_p";
  transport_->Answer(AgentList({base.Listed(), listed_child, other.Listed()}));
  transport_->Answer(VersionPage(base.versions));
  transport_->Answer(VersionPage(child.versions));

  FetchOptions options;
  options.remote = "origin";
  options.slugs = {"support"};
  auto result = Fetch(*client_, *repo_, options);

  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(transport_->seen.size(), 3U);
  EXPECT_EQ(transport_->seen[2].url, Url("/agents/agent_c/versions?after=0&limit=500"));
  EXPECT_EQ(Tracking(), (std::map<std::string, ObjectId>{{"support", base.V(3).commit},
                                                         {"child", child.V(2).commit}}));
}

// --- Compare ---

TEST_F(SyncUnitTest, CompareTellsEveryRelation) {
  auto track = [&](const std::string& slug, const ObjectId& commit) {
    ASSERT_OK(repo_->SetRemoteTrackingHead("origin", slug, std::nullopt, commit));
  };
  // up-to-date: the remote has what is here.
  store::VersionSummary same = Commit("same", "s1");
  track("same", same.commit);
  // ahead: one local version more.
  store::VersionSummary ahead1 = Commit("ahead", "a1");
  Commit("ahead", "a2");
  track("ahead", ahead1.commit);
  // behind: the remote has one more.
  store::VersionSummary behind1 = Commit("behind", "b1");
  ServerVersion behind2 = MakeVersion("behind", 2, "b2", behind1.commit);
  // diverged: both went on from v1.
  store::VersionSummary diverged1 = Commit("diverged", "d1");
  Commit("diverged", "d2 here");
  ServerVersion diverged2 = MakeVersion("diverged", 2, "d2 there", diverged1.commit);
  // local-only, and remote-only.
  Commit("mine", "m1");
  ServerVersion theirs = MakeVersion("theirs", 1, "t1", std::nullopt);
  ASSERT_OK(repo_->WriteVersions({behind2.Record(), diverged2.Record(), theirs.Record()}));
  track("behind", behind2.commit);
  track("diverged", diverged2.commit);
  track("theirs", theirs.commit);

  auto relations = Compare(*repo_, "origin", {});

  ASSERT_TRUE(relations.ok()) << relations.status().ToString();
  std::map<std::string, std::string> got;
  for (const auto& r : *relations) got[r.slug] = RelationName(r.relation);
  EXPECT_EQ(got, (std::map<std::string, std::string>{{"ahead", "ahead"},
                                                     {"behind", "behind"},
                                                     {"diverged", "diverged"},
                                                     {"mine", "local-only"},
                                                     {"same", "up-to-date"},
                                                     {"theirs", "remote-only"}}));
  for (const auto& r : *relations) {
    if (r.slug == "ahead") {
      EXPECT_EQ(r.local_version, 2U);
      EXPECT_EQ(r.remote_version, 1U);
    }
    if (r.slug == "theirs") {
      EXPECT_EQ(r.local, std::nullopt);
      EXPECT_EQ(r.remote, theirs.commit);
    }
  }
}

TEST_F(SyncUnitTest, CompareOnlyTheNamedAgents) {
  Commit("mine", "m1");
  Commit("other", "o1");
  auto relations = Compare(*repo_, "origin", {"mine"});
  ASSERT_TRUE(relations.ok()) << relations.status().ToString();
  ASSERT_EQ(relations->size(), 1U);
  EXPECT_EQ((*relations)[0].relation, Relation::kLocalOnly);
  EXPECT_EQ(Compare(*repo_, "origin", {"nobody"}).status().code(), Status::Code::kNotFound);
}

// --- Push ---

TEST_F(SyncUnitTest, ADryRunPushSendsOnlyTheList) {
  Commit("support", "a");
  Commit("support", "b");
  transport_->Answer(AgentList({}));

  auto result = DoPush(/*dry_run=*/true);

  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(transport_->seen.size(), 1U);
  EXPECT_EQ(transport_->seen[0].method, "GET");
  ASSERT_EQ(result->agents.size(), 1U);
  EXPECT_TRUE(result->agents[0].create);
  EXPECT_EQ(result->agents[0].versions, 2U);
  EXPECT_TRUE(Tracking().empty());
}

TEST_F(SyncUnitTest, PushOfANewAgentCreatesItThenSendsABatch) {
  store::VersionSummary v1 = Commit("support", "a");
  store::VersionSummary v2 = Commit("support", "b");
  store::VersionSummary v3 = Commit("support", "c");
  auto ref = [](const std::string& id, uint64_t n, const ObjectId& c) {
    return json{{"id", id}, {"versionNumber", n}, {"commitId", c.Hex()}};
  };
  transport_->Answer(AgentList({}));
  transport_->Answer({{"id", "agent_s"},
                      {"slug", "support"},
                      {"name", "support"},
                      {"currentVersion", ref("ver_1", 1, v1.commit)}},
                     201);
  transport_->Answer({{"head", ref("ver_3", 3, v3.commit)},
                      {"created", {ref("ver_2", 2, v2.commit), ref("ver_3", 3, v3.commit)}},
                      {"skipped", 0}});

  auto result = DoPush();

  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(transport_->seen.size(), 3U);
  const HttpRequest& create = transport_->seen[1];
  EXPECT_EQ(create.method, "POST");
  EXPECT_EQ(create.url, Url("/agents"));
  json body = json::parse(create.body);
  EXPECT_EQ(body["slug"], "support");
  EXPECT_EQ(body["commitId"], v1.commit.Hex());
  EXPECT_EQ(body["prompt"], "a");
  EXPECT_EQ(body["commitMessage"], "local a");
  EXPECT_EQ(body["author"], (json{{"name", "Ada"}, {"email", "ada@example.com"}}));
  EXPECT_EQ(body["authoredAt"], core::FormatIsoTime(1700000000));
  const HttpRequest& batch = transport_->seen[2];
  EXPECT_EQ(batch.method, "POST");
  EXPECT_EQ(batch.url, Url("/agents/agent_s/versions/batch"));
  json sent = json::parse(batch.body);
  EXPECT_EQ(sent["baseCommitId"], v1.commit.Hex());
  ASSERT_EQ(sent["versions"].size(), 2U);
  EXPECT_EQ(sent["versions"][0]["commitId"], v2.commit.Hex());
  EXPECT_EQ(sent["versions"][1]["commitId"], v3.commit.Hex());

  ASSERT_EQ(result->agents.size(), 1U);
  EXPECT_TRUE(result->agents[0].create);
  EXPECT_EQ(result->agents[0].versions, 3U);
  ASSERT_TRUE(result->agents[0].head.has_value());
  EXPECT_EQ(result->agents[0].head->id, "ver_3");
  EXPECT_EQ(Tracking(), (std::map<std::string, ObjectId>{{"support", v3.commit}}));
  EXPECT_EQ(*RemoteVersionId(*repo_, "origin", "support", v1.commit), "ver_1");
  EXPECT_EQ(*RemoteVersionId(*repo_, "origin", "support", v2.commit), "ver_2");
}

TEST_F(SyncUnitTest, PushRefusesAnAgentWhoseRemoteHeadIsNotHereAndPushesTheOthers) {
  Commit("alpha", "a1");
  store::VersionSummary alpha2 = Commit("alpha", "a2");
  store::VersionSummary beta1 = Commit("beta", "b1");
  // The remote's alpha went on without us.
  ServerAgent alpha("agent_a", "alpha", 1, alpha2.commit, 3);
  transport_->Answer(AgentList({alpha.Listed()}));
  transport_->Answer({{"id", "agent_b"},
                      {"slug", "beta"},
                      {"currentVersion",
                       {{"id", "ver_b1"}, {"versionNumber", 1}, {"commitId", beta1.commit.Hex()}}}},
                     201);

  auto result = DoPush();

  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->agents.size(), 2U);
  EXPECT_EQ(result->agents[0].slug, "alpha");
  EXPECT_EQ(result->agents[0].refused.code(), Status::Code::kConflict);
  EXPECT_EQ(result->agents[1].slug, "beta");
  EXPECT_TRUE(result->agents[1].refused.ok()) << result->agents[1].refused.ToString();
  ASSERT_EQ(transport_->seen.size(), 2U);  // the list, and beta's creation
  EXPECT_EQ(transport_->seen[1].url, Url("/agents"));
  EXPECT_EQ(Tracking(), (std::map<std::string, ObjectId>{{"beta", beta1.commit}}));
}

TEST_F(SyncUnitTest, PushWithNothingNewSendsOnlyTheList) {
  Commit("support", "a");
  store::VersionSummary v2 = Commit("support", "b");
  json head = {{"id", "ver_2"}, {"versionNumber", 2}, {"commitId", v2.commit.Hex()}};
  transport_->Answer(AgentList({{{"id", "agent_s"},
                                 {"slug", "support"},
                                 {"parentAgentId", nullptr},
                                 {"head", head},
                                 {"labels", json::object()}}}));

  auto result = DoPush();

  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_TRUE(result->agents.empty());
  EXPECT_EQ(transport_->seen.size(), 1U);
}

// --- Push: labels ---

class PushLabelsTest : public SyncUnitTest {
 protected:
  void SetUp() override {
    SyncUnitTest::SetUp();
    v1_ = Commit("support", "a");
    v2_ = Commit("support", "b");
  }

  void SetLocal(const std::string& label, const ObjectId& target) {
    store::LabelUpdate u{
        "support", label, target, {"Grace", "grace@example.com", 1700000500}, "ship it"};
    u.force = store::Force::kYes;
    ASSERT_OK(repo_->SetLabel(u).status());
  }

  // Both sides agreed on `labels` at the last sync.
  void Synced(const std::map<std::string, ObjectId>& labels) {
    store::RemoteAgentState state;
    state.agent_id = "agent_s";
    state.labels = labels;
    state.synced_labels = labels;
    ASSERT_OK(repo_->RecordRemoteState("origin", "support", state, true));
  }

  json Label(const store::VersionSummary& v, bool is_protected = false) const {
    return {{"versionId", "ver_" + std::to_string(v.number)},
            {"versionNumber", v.number},
            {"commitId", v.commit.Hex()},
            {"protected", is_protected}};
  }

  // The server's list: support at v2 with `labels`.
  void Listed(const json& labels) {
    transport_->Answer(AgentList(
        {{{"id", "agent_s"},
          {"slug", "support"},
          {"parentAgentId", nullptr},
          {"head", {{"id", "ver_2"}, {"versionNumber", 2}, {"commitId", v2_.commit.Hex()}}},
          {"labels", labels}}}));
  }

  Result<PushResult> PushLabels(bool force) {
    PushOptions options;
    options.remote = "origin";
    options.force_labels = force;
    return Push(*client_, *repo_, options);
  }

  store::VersionSummary v1_, v2_;
};

TEST_F(PushLabelsTest, ALabelMovedHereIsSentWithWhereItLastAgreedAndOneMovedThereIsLeftToPull) {
  Synced({{"production", v1_.commit}, {"staging", v1_.commit}});
  SetLocal("production", v2_.commit);  // moved here
  SetLocal("staging", v1_.commit);     // not moved here; the remote moved it
  Listed({{"production", Label(v1_)}, {"staging", Label(v2_)}});
  json moved = Label(v2_);
  moved["name"] = "production";
  transport_->Answer(moved);

  auto result = PushLabels(false);

  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->agents.size(), 1U);
  EXPECT_EQ(result->agents[0].labels, std::vector<std::string>{"production"});
  EXPECT_TRUE(result->agents[0].labels_refused.empty());
  ASSERT_EQ(transport_->seen.size(), 2U) << "no PUT for staging";
  EXPECT_EQ(transport_->seen[1].method, "PUT");
  EXPECT_EQ(transport_->seen[1].url, Url("/agents/agent_s/labels/production"));
  json body = json::parse(transport_->seen[1].body);
  EXPECT_EQ(body["commitId"], v2_.commit.Hex());
  EXPECT_EQ(body["expectedCommitId"], v1_.commit.Hex());
  EXPECT_EQ(body["author"]["email"], "grace@example.com");
  EXPECT_EQ(body["message"], "ship it");
  EXPECT_FALSE(body.contains("force"));
  auto state = repo_->ReadRemoteState("origin", "support");
  EXPECT_EQ(state->synced_labels,
            (std::map<std::string, ObjectId>{{"production", v2_.commit}, {"staging", v1_.commit}}));
}

TEST_F(PushLabelsTest, ALabelNewHereMustNotExistThere) {
  SetLocal("production", v2_.commit);
  Listed(json::object());
  json made = Label(v2_);
  made["name"] = "production";
  transport_->Answer(made);

  ASSERT_TRUE(PushLabels(false).ok());
  ASSERT_EQ(transport_->seen.size(), 2U);
  json body = json::parse(transport_->seen[1].body);
  ASSERT_TRUE(body.contains("expectedCommitId"));
  EXPECT_TRUE(body["expectedCommitId"].is_null());
}

json LabelError(const std::string& code, const json& current) {
  return {{"error",
           {{"code", code},
            {"message", "refused"},
            {"details", json::array()},
            {"requestId", "req_1"},
            {"current", current}}}};
}

TEST_F(PushLabelsTest, ALabelAlreadyWhereThePushWantsItIsNoConflict) {
  Synced({{"production", v1_.commit}});
  SetLocal("production", v2_.commit);
  // The list still shows v1; a retried PUT whose first attempt landed.
  Listed({{"production", Label(v1_)}});
  transport_->Answer(LabelError("LABEL_CONFLICT", Label(v2_)), 409);

  auto result = PushLabels(false);

  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->agents.size(), 1U);
  EXPECT_EQ(result->agents[0].labels, std::vector<std::string>{"production"});
  EXPECT_TRUE(result->agents[0].labels_refused.empty());
  EXPECT_EQ(repo_->ReadRemoteState("origin", "support")->synced_labels.at("production"),
            v2_.commit);
}

TEST_F(PushLabelsTest, ARefusedLabelIsReportedAloneAndWhatTheServerSaidIsRecorded) {
  Synced({{"production", v1_.commit}, {"staging", v1_.commit}});
  SetLocal("production", v2_.commit);
  SetLocal("staging", v2_.commit);
  Listed({{"production", Label(v1_)}, {"staging", Label(v1_)}});
  transport_->Answer(LabelError("LABEL_CONFLICT", nullptr), 409);  // removed meanwhile
  transport_->Answer(LabelError("LABEL_PROTECTED", Label(v1_, true)), 409);

  auto result = PushLabels(false);

  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->agents.size(), 1U);
  EXPECT_TRUE(result->agents[0].labels.empty());
  const auto& refused = result->agents[0].labels_refused;
  ASSERT_EQ(refused.size(), 2U);
  EXPECT_EQ(refused[0].code, "LABEL_CONFLICT");
  EXPECT_FALSE(refused[0].current.has_value());
  EXPECT_EQ(refused[0].message,
            "label production of support was moved here and removed on origin since your last "
            "sync: push --force-labels to set it there again, or remove it here too ('clawmit "
            "label rm support production')");
  EXPECT_EQ(refused[1].code, "LABEL_PROTECTED");
  ASSERT_TRUE(refused[1].current.has_value());
  EXPECT_TRUE(refused[1].current->is_protected);
  EXPECT_EQ(refused[1].message, "label staging of support is protected on origin (at v1 (" +
                                    v1_.commit.Hex().substr(0, 12) +
                                    ")): push --force-labels to move it");
  auto state = repo_->ReadRemoteState("origin", "support");
  EXPECT_EQ(state->labels, (std::map<std::string, ObjectId>{{"staging", v1_.commit}}))
      << "the server's answers are recorded";
  EXPECT_TRUE(state->label_info.at("staging").is_protected);
  EXPECT_EQ(state->synced_labels.at("production"), v1_.commit) << "the base does not move";
}

TEST_F(PushLabelsTest, ForceLabelsSendsNoExpectationAndForce) {
  Synced({{"production", v1_.commit}});
  Listed({{"production", Label(v2_, true)}});  // moved and protected there; not here
  json moved = Label(v1_, true);
  moved["name"] = "production";
  transport_->Answer(moved);
  SetLocal("production", v1_.commit);

  ASSERT_TRUE(PushLabels(true).ok());
  ASSERT_EQ(transport_->seen.size(), 2U);
  json body = json::parse(transport_->seen[1].body);
  EXPECT_FALSE(body.contains("expectedCommitId"));
  EXPECT_EQ(body["force"], true);
  EXPECT_FALSE(body.contains("protected")) << "push never lifts a protection";
}

TEST_F(PushLabelsTest, ALabelRemovedHereIsRemovedThereAgainstWhereItLastAgreed) {
  Synced({{"production", v1_.commit}, {"staging", v1_.commit}});
  SetLocal("production", v1_.commit);  // staging was removed here
  Listed({{"production", Label(v1_)}, {"staging", Label(v1_)}});
  transport_->Answer(nullptr, 204);

  auto result = PushLabels(false);

  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->agents.size(), 1U);
  EXPECT_EQ(result->agents[0].labels_removed, std::vector<std::string>{"staging"});
  EXPECT_TRUE(result->agents[0].labels_refused.empty());
  ASSERT_EQ(transport_->seen.size(), 2U);
  EXPECT_EQ(transport_->seen[1].method, "DELETE");
  EXPECT_EQ(transport_->seen[1].url,
            Url("/agents/agent_s/labels/staging?expectedCommitId=" + v1_.commit.Hex()));
  auto state = repo_->ReadRemoteState("origin", "support");
  EXPECT_EQ(state->synced_labels, (std::map<std::string, ObjectId>{{"production", v1_.commit}}))
      << "the removed label's base is forgotten";
  EXPECT_EQ(state->labels, (std::map<std::string, ObjectId>{{"production", v1_.commit}}));
}

TEST_F(PushLabelsTest, ALabelRemovedHereThatATeammateMovedIsRefusedAndStays) {
  Synced({{"staging", v1_.commit}});
  Listed({{"staging", Label(v2_)}});
  transport_->Answer(LabelError("LABEL_CONFLICT", Label(v2_)), 409);

  auto result = PushLabels(false);

  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->agents.size(), 1U);
  EXPECT_TRUE(result->agents[0].labels_removed.empty());
  ASSERT_EQ(result->agents[0].labels_refused.size(), 1U);
  EXPECT_EQ(result->agents[0].labels_refused[0].message,
            "label staging of support was removed here, and moved on origin to v2 (" +
                v2_.commit.Hex().substr(0, 12) +
                ") since your last sync: push --force-labels to remove it there, or set it here "
                "again ('clawmit label set support staging <version>')");
  EXPECT_EQ(repo_->ReadRemoteState("origin", "support")->synced_labels.at("staging"), v1_.commit)
      << "the base does not move";
}

TEST_F(PushLabelsTest, ALabelRemovedOnBothSidesSendsNothingAndForgetsItsBase) {
  Synced({{"staging", v1_.commit}});
  Listed(json::object());

  auto result = PushLabels(false);

  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_TRUE(result->agents.empty());
  EXPECT_EQ(transport_->seen.size(), 1U) << "the listing only";
  EXPECT_TRUE(repo_->ReadRemoteState("origin", "support")->synced_labels.empty());
}

TEST_F(PushLabelsTest, ForceLabelsRemovesWithForceAndNoExpectation) {
  Synced({{"production", v1_.commit}});
  Listed({{"production", Label(v2_, true)}});
  transport_->Answer(nullptr, 204);

  auto result = PushLabels(true);

  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(transport_->seen.size(), 2U);
  EXPECT_EQ(transport_->seen[1].url, Url("/agents/agent_s/labels/production?force=true"));
  EXPECT_EQ(result->agents[0].labels_removed, std::vector<std::string>{"production"});
}

TEST_F(PushLabelsTest, ARemovalAnswered404WasDoneAlready) {
  Synced({{"staging", v1_.commit}});
  Listed({{"staging", Label(v1_)}});
  transport_->Answer(LabelError("NOT_FOUND", nullptr), 404);

  auto result = PushLabels(false);

  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->agents[0].labels_removed, std::vector<std::string>{"staging"});
  EXPECT_TRUE(repo_->ReadRemoteState("origin", "support")->synced_labels.empty());
}

}  // namespace
}  // namespace clawmit::remote
