// The repository on disk: commits written exactly as core computes them,
// the version index as repairable derived data, revisions, metadata and the
// working folders.
#include "clawmit/store/repository.h"

#include <git2.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "clawmit/store/config_file.h"
#include "clawmit/store/worktree.h"
#include "store_fixture.h"

namespace clawmit::store {
namespace {

namespace fs = std::filesystem;
using clawmit::testing::Contains;
using clawmit::testing::ReadFile;
using clawmit::testing::RunOptions;
using clawmit::testing::RunProcess;
using clawmit::testing::RunResult;
using clawmit::testing::WriteFile;

class RepositoryTest : public StoreTest {
 protected:
  // Runs git on the repository; fails the test when git fails.
  std::string Git(const std::vector<std::string>& args) {
    std::vector<std::string> full = {"--git-dir=" + git_dir().string()};
    full.insert(full.end(), args.begin(), args.end());
    RunResult r = RunProcess("git", full, RunOptions{root(), {}, ""});
    EXPECT_EQ(r.exit_code, 0) << "git " << args.front() << ": " << r.err;
    return r.out;
  }

  Result<core::ObjectId> Resolve(const std::string& text) {
    auto rev = core::ParseRevision(text);
    if (!rev.ok()) return rev.status();
    return repo_->Resolve(*rev);
  }

  std::vector<VersionSummary> MustLog(const std::string& slug, size_t limit) {
    auto log = repo_->Log(slug, limit);
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return log.ok() ? *log : std::vector<VersionSummary>{};
  }

  fs::path IndexFile(const std::string& slug) const {
    return git_dir() / "clawmit" / "index" / slug;
  }

  // The spec of version `number` as core would build it from the request.
  static core::CommitSpec SpecFor(const CommitRequest& req, uint64_t number,
                                  std::vector<core::ObjectId> parents) {
    core::CommitSpec spec;
    spec.tree_id = core::BuildContentObjects(req.content).tree_id;
    spec.parents = std::move(parents);
    spec.author = req.author;
    spec.message = core::BuildCommitMessage(req.message,
                                            {req.slug, number, std::nullopt, "", req.rollback_to});
    return spec;
  }

  // Four versions of `support`; returns Log's answer for them.
  std::vector<VersionSummary> FourVersions() {
    for (const char* p : {"a", "b", "c", "d"}) MustCommit(Request("support", p));
    return MustLog("support", 0);
  }
};

void ExpectSameHistory(const std::vector<VersionSummary>& got,
                       const std::vector<VersionSummary>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].number, want[i].number) << i;
    EXPECT_EQ(got[i].commit, want[i].commit) << i;
    EXPECT_EQ(got[i].author, want[i].author) << i;
    EXPECT_EQ(got[i].subject, want[i].subject) << i;
  }
}

// --- init and open -------------------------------------------------------------

TEST_F(RepositoryTest, InitTwiceIsRefused) {
  auto again = Repository::Init(root());
  EXPECT_EQ(again.status().code(), Status::Code::kAlreadyExists);
  EXPECT_TRUE(Contains(again.status().message(), ".clawmit")) << again.status().message();
}

TEST_F(RepositoryTest, InitCreatesABareGitRepositoryWithTheFormatVersion) {
  EXPECT_EQ(Git({"rev-parse", "--is-bare-repository"}), "true\n");
  EXPECT_EQ(Git({"config", "clawmit.formatversion"}), "1\n");
  EXPECT_EQ(repo_->git_dir(), git_dir());
  EXPECT_EQ(repo_->work_tree(), root());
  auto agents = repo_->ListAgents();
  ASSERT_OK(agents.status());
  EXPECT_TRUE(agents->empty());
}

TEST_F(RepositoryTest, OpenRefusesAFolderThatIsNoRepository) {
  clawmit::testing::ScopedTempDir elsewhere;
  EXPECT_TRUE(Repository::Open(elsewhere.path()).status().IsNotFound());
  EXPECT_TRUE(Repository::Open(elsewhere.path() / "missing").status().IsNotFound());
}

TEST_F(RepositoryTest, DiscoverFindsTheRepositoryFromASubfolder) {
  fs::create_directories(root() / "a" / "b");
  auto found = Repository::Discover(root() / "a" / "b");
  ASSERT_OK(found.status());
  EXPECT_EQ(*found, git_dir());
  clawmit::testing::ScopedTempDir elsewhere;
  EXPECT_TRUE(Repository::Discover(elsewhere.path()).status().IsNotFound());
}

// --- commit ----------------------------------------------------------------------

TEST_F(RepositoryTest, CommitCreatesVersionOneThenTwo) {
  VersionSummary v1 = MustCommit(Request("support", "a"));
  VersionSummary v2 = MustCommit(Request("support", "b"));
  EXPECT_EQ(v1.number, 1u);
  EXPECT_EQ(v2.number, 2u);
  EXPECT_EQ(v2.subject, "set prompt to b");
  auto first = repo_->ReadVersion(v1.commit);
  auto second = repo_->ReadVersion(v2.commit);
  ASSERT_OK(first.status());
  ASSERT_OK(second.status());
  EXPECT_TRUE(first->parents.empty());
  EXPECT_EQ(second->parents, std::vector<core::ObjectId>{v1.commit});
  EXPECT_EQ(first->trailers.version, 1u);
  EXPECT_EQ(second->trailers.version, 2u);
  auto agent = repo_->GetAgent("support");
  ASSERT_OK(agent.status());
  EXPECT_EQ(agent->head, v2.commit);
  EXPECT_EQ(agent->versions, 2u);
}

// The key property: store writes exactly the commit core computes, so the
// CLI, the server and every clone agree on ids.
TEST_F(RepositoryTest, StoredCommitIdEqualsTheIdCoreComputes) {
  CommitRequest first = Request("support", "one");
  VersionSummary v1 = MustCommit(first);
  CommitRequest second = Request("support", "two");
  second.message = "  Second version \n\n\nwith a body\t\n";
  second.content.tools = {{"search", "Search", R"({"q":"string"})"}};
  VersionSummary v2 = MustCommit(second);

  core::CommitSpec spec1 = SpecFor(first, 1, {});
  core::CommitSpec spec2 = SpecFor(second, 2, {v1.commit});
  EXPECT_EQ(core::ComputeCommitId(spec1), v1.commit);
  EXPECT_EQ(core::ComputeCommitId(spec2), v2.commit);
  EXPECT_EQ(Git({"cat-file", "commit", v2.commit.Hex()}), core::BuildCommitBody(spec2));
  EXPECT_EQ(Git({"rev-parse", "refs/agents/support"}), v2.commit.Hex() + "\n");
  EXPECT_EQ(Git({"rev-parse", v2.commit.Hex() + "^{tree}"}), spec2.tree_id.Hex() + "\n");
}

TEST_F(RepositoryTest, RollbackAndEmptyVersionsAlsoHaveTheComputedIds) {
  VersionSummary v1 = MustCommit(Request("support", "a"));
  VersionSummary v2 = MustCommit(Request("support", "b"));
  CommitRequest rollback = Request("support", "a");
  rollback.rollback_to = 1;
  VersionSummary v3 = MustCommit(rollback);
  EXPECT_EQ(core::ComputeCommitId(SpecFor(rollback, 3, {v2.commit})), v3.commit);
  CommitRequest empty = Request("support", "a");
  empty.allow_empty = AllowEmpty::kYes;
  VersionSummary v4 = MustCommit(empty);
  EXPECT_EQ(core::ComputeCommitId(SpecFor(empty, 4, {v3.commit})), v4.commit);
  EXPECT_EQ(repo_->ReadVersion(v3.commit)->trailers.rollback_to, 1u);
  EXPECT_EQ(repo_->ReadVersion(v4.commit)->content, repo_->ReadVersion(v1.commit)->content);
}

TEST_F(RepositoryTest, GitFsckStrictAcceptsEverythingWritten) {
  CommitRequest first = Request("support", "Caf\xc3\xa9 \xf0\x9f\x98\x80\n");
  first.meta = core::AgentMeta{"Support", "Answers tickets"};
  first.content.tools = {{"t", "d", R"({"a":[1,2]})"}};
  MustCommit(first);
  MustCommit(Request("support", "b"));
  CommitRequest empty = Request("support", "b");
  empty.allow_empty = AllowEmpty::kYes;
  MustCommit(empty);
  MustCommit(Request("sales", ""));
  Git({"fsck", "--strict", "--no-dangling"});
  EXPECT_EQ(Git({"rev-list", "--count", "refs/agents/support"}), "3\n");
}

TEST_F(RepositoryTest, LogListsNewestFirstAndHonoursTheLimit) {
  for (const char* p : {"a", "b", "c"}) MustCommit(Request("support", p));
  std::vector<VersionSummary> log = MustLog("support", 0);
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0].number, 3u);
  EXPECT_EQ(log[0].subject, "set prompt to c");
  EXPECT_EQ(log[1].number, 2u);
  EXPECT_EQ(log[2].number, 1u);
  EXPECT_EQ(log[2].author.name, "Ada");
  std::vector<VersionSummary> two = MustLog("support", 2);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[0].number, 3u);
  EXPECT_EQ(two[1].number, 2u);
  EXPECT_EQ(MustLog("support", 10).size(), 3u);
  EXPECT_TRUE(repo_->Log("nobody", 0).status().IsNotFound());
}

TEST_F(RepositoryTest, LogKeepsAgentsApart) {
  MustCommit(Request("support", "a"));
  MustCommit(Request("sales", "x"));
  MustCommit(Request("support", "b"));
  EXPECT_EQ(MustLog("support", 0).size(), 2u);
  EXPECT_EQ(MustLog("sales", 0).size(), 1u);
}

TEST_F(RepositoryTest, NothingToCommitUnlessEmptyIsAllowed) {
  MustCommit(Request("support", "a"));
  auto same = repo_->Commit(Request("support", "a"));
  EXPECT_EQ(same.status().code(), Status::Code::kNothingToDo);
  EXPECT_TRUE(Contains(same.status().message(), "v1")) << same.status().message();
  EXPECT_EQ(repo_->GetAgent("support")->versions, 1u);
  CommitRequest empty = Request("support", "a");
  empty.allow_empty = AllowEmpty::kYes;
  EXPECT_EQ(MustCommit(empty).number, 2u);
}

TEST_F(RepositoryTest, CreateModesAreEnforced) {
  CommitRequest create = Request("support", "a");
  create.create = CreateMode::kMustCreate;
  EXPECT_EQ(MustCommit(create).number, 1u);
  CommitRequest again = Request("support", "b");
  again.create = CreateMode::kMustCreate;
  EXPECT_EQ(repo_->Commit(again).status().code(), Status::Code::kAlreadyExists);
  CommitRequest existing = Request("support", "b");
  existing.create = CreateMode::kMustExist;
  EXPECT_EQ(MustCommit(existing).number, 2u);
}

TEST_F(RepositoryTest, UnknownAgentGetsADidYouMeanHint) {
  MustCommit(Request("support", "a"));
  CommitRequest missing = Request("suport", "b");
  missing.create = CreateMode::kMustExist;
  Status s = repo_->Commit(missing).status();
  EXPECT_TRUE(s.IsNotFound());
  EXPECT_TRUE(Contains(s.message(), "unknown agent 'suport'")) << s.message();
  EXPECT_TRUE(Contains(s.message(), "did you mean 'support'?")) << s.message();
  EXPECT_TRUE(repo_->GetAgent("suport").status().IsNotFound());

  Status far = repo_->GetAgent("marketing").status();
  EXPECT_TRUE(far.IsNotFound());
  EXPECT_FALSE(Contains(far.message(), "did you mean")) << far.message();
}

TEST_F(RepositoryTest, ExpectedHeadMismatchIsAConflictAndWritesNothing) {
  VersionSummary v1 = MustCommit(Request("support", "a"));
  VersionSummary v2 = MustCommit(Request("support", "b"));
  CommitRequest stale = Request("support", "c");
  stale.expected_head = v1.commit;
  EXPECT_TRUE(repo_->Commit(stale).status().IsConflict());
  EXPECT_EQ(repo_->GetAgent("support")->head, v2.commit);
  CommitRequest fresh = Request("support", "c");
  fresh.expected_head = v2.commit;
  EXPECT_EQ(MustCommit(fresh).number, 3u);
}

TEST_F(RepositoryTest, InvalidRequestsAreRefusedBeforeAnythingIsWritten) {
  CommitRequest bad = Request("support", "a");
  bad.content.config["temperature"] = "7";
  Status content = repo_->Commit(bad).status();
  EXPECT_TRUE(content.IsInvalidContent());
  ASSERT_EQ(content.details().size(), 1u);
  EXPECT_EQ(content.details()[0].field, "config.temperature");
  EXPECT_TRUE(repo_->GetAgent("support").status().IsNotFound());

  CommitRequest slug = Request("../etc", "a");
  EXPECT_EQ(repo_->Commit(slug).status().code(), Status::Code::kInvalidArgument);
  CommitRequest message = Request("support", "a");
  message.message = " \n";
  EXPECT_EQ(repo_->Commit(message).status().code(), Status::Code::kInvalidArgument);
  CommitRequest author = Request("support", "a");
  author.author.email = "a<b";
  EXPECT_EQ(repo_->Commit(author).status().code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(repo_->ListAgents()->empty());
}

TEST_F(RepositoryTest, AStaleRefLockDoesNotBlockCommits) {
  MustCommit(Request("support", "a"));
  WriteFile(git_dir() / "refs" / "agents" / "support.lock", "");
  EXPECT_EQ(MustCommit(Request("support", "b")).number, 2u);
}

// The folder holding the objects is read-only: the commit fails with a clear
// I/O error and the head stays where it was.
TEST_F(RepositoryTest, ReadOnlyObjectFolderFailsTheCommitAndKeepsTheHead) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores file permissions";
  VersionSummary v1 = MustCommit(Request("support", "a"));
  RunResult chmod = RunProcess("chmod", {"-R", "a-w", (git_dir() / "objects").string()},
                               RunOptions{root(), {}, ""});
  ASSERT_EQ(chmod.exit_code, 0) << chmod.err;
  Status s = repo_->Commit(Request("support", "a new prompt")).status();
  RunProcess("chmod", {"-R", "u+w", (git_dir() / "objects").string()}, RunOptions{root(), {}, ""});
  EXPECT_EQ(s.code(), Status::Code::kIo) << s.ToString();
  EXPECT_TRUE(Contains(s.message(), "cannot write object")) << s.message();
  EXPECT_EQ(repo_->GetAgent("support")->head, v1.commit);
  EXPECT_EQ(MustLog("support", 0).size(), 1u);
}

// The same failure injected in a way root cannot override: the folder the
// first new object goes to is taken by a file.
TEST_F(RepositoryTest, UnwritableObjectFailsTheCommitAndKeepsTheHead) {
  VersionSummary v1 = MustCommit(Request("support", "a"));
  CommitRequest next = Request("support", "a new prompt");
  core::ContentObjects objects = core::BuildContentObjects(next.content);
  fs::path fanout = git_dir() / "objects" / objects.prompt_id.Hex().substr(0, 2);
  ASSERT_FALSE(fs::exists(fanout)) << "choose another prompt: its fan-out folder exists";
  WriteFile(fanout, "not a folder");

  Status s = repo_->Commit(next).status();
  EXPECT_EQ(s.code(), Status::Code::kIo) << s.ToString();
  EXPECT_TRUE(Contains(s.message(), "cannot write object")) << s.message();
  EXPECT_EQ(repo_->GetAgent("support")->head, v1.commit);
  EXPECT_EQ(MustLog("support", 0).size(), 1u);

  fs::remove(fanout);
  EXPECT_EQ(MustCommit(next).number, 2u);
}

// --- resolve -----------------------------------------------------------------------

TEST_F(RepositoryTest, ResolvesEveryRevisionForm) {
  VersionSummary v1 = MustCommit(Request("support", "a"));
  VersionSummary v2 = MustCommit(Request("support", "b"));
  VersionSummary v3 = MustCommit(Request("support", "c"));
  EXPECT_EQ(*Resolve("support"), v3.commit);
  EXPECT_EQ(*Resolve("support@v1"), v1.commit);
  EXPECT_EQ(*Resolve("support@v3"), v3.commit);
  EXPECT_EQ(*Resolve("support@~"), v2.commit);
  EXPECT_EQ(*Resolve("support@~1"), v2.commit);
  EXPECT_EQ(*Resolve("support@~2"), v1.commit);
  EXPECT_EQ(*Resolve("support@" + v2.commit.Hex().substr(0, 8)), v2.commit);
  EXPECT_EQ(*Resolve("support@" + v2.commit.Hex()), v2.commit);
}

TEST_F(RepositoryTest, UnresolvableRevisionsAreNotFound) {
  VersionSummary v1 = MustCommit(Request("support", "a"));
  MustCommit(Request("support", "b"));
  MustCommit(Request("support", "c"));
  VersionSummary other = MustCommit(Request("sales", "x"));
  EXPECT_TRUE(Resolve("support@v4").status().IsNotFound());
  EXPECT_TRUE(Contains(Resolve("support@v4").status().message(), "latest is v3"));
  EXPECT_TRUE(Resolve("support@~3").status().IsNotFound());
  Status label = Resolve("support@production").status();
  EXPECT_TRUE(label.IsNotFound());
  EXPECT_TRUE(Contains(label.message(), "label 'production' not found on support"))
      << label.message();
  std::string unknown_prefix = v1.commit.Hex()[0] == 'f' ? "eeeeeeee" : "ffffffff";
  EXPECT_TRUE(Resolve("support@" + unknown_prefix).status().IsNotFound());
  // An id of another agent is not a version of this one.
  EXPECT_TRUE(Resolve("support@" + other.commit.Hex()).status().IsNotFound());
  Status slug = Resolve("suport@v1").status();
  EXPECT_TRUE(slug.IsNotFound());
  EXPECT_TRUE(Contains(slug.message(), "did you mean 'support'?")) << slug.message();
}

// Two versions whose ids share their first four hex digits: found by choosing
// the second version's author time, since core computes ids without writing.
TEST_F(RepositoryTest, AmbiguousIdPrefixIsRefusedAndNamesTheCandidates) {
  VersionSummary v1 = MustCommit(Request("support", "a"));
  CommitRequest second = Request("support", "b");
  std::string prefix = v1.commit.Hex().substr(0, 4);
  core::CommitSpec spec = SpecFor(second, 2, {v1.commit});
  bool found = false;
  for (int i = 0; i < 4'000'000 && !found; ++i) {
    spec.author.time = 1700001000 + i;
    found = core::ComputeCommitId(spec).Hex().compare(0, 4, prefix) == 0;
  }
  ASSERT_TRUE(found);
  second.author.time = spec.author.time;
  VersionSummary v2 = MustCommit(second);
  ASSERT_EQ(v2.commit, core::ComputeCommitId(spec));

  auto ambiguous = Resolve("support@" + prefix);
  ASSERT_FALSE(ambiguous.ok());
  EXPECT_EQ(ambiguous.status().code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(Contains(ambiguous.status().message(), "ambiguous"));
  EXPECT_TRUE(Contains(ambiguous.status().message(), "v1"));
  EXPECT_TRUE(Contains(ambiguous.status().message(), "v2"));

  size_t differ = 4;
  while (v1.commit.Hex()[differ] == v2.commit.Hex()[differ]) ++differ;
  EXPECT_EQ(*Resolve("support@" + v2.commit.Hex().substr(0, differ + 1)), v2.commit);
  EXPECT_EQ(*Resolve("support@" + v1.commit.Hex().substr(0, differ + 1)), v1.commit);
}

TEST_F(RepositoryTest, ResolvesVersionsWithoutAnIndex) {
  std::vector<VersionSummary> log = FourVersions();
  fs::remove(IndexFile("support"));
  EXPECT_EQ(*Resolve("support@v2"), log[2].commit);
  EXPECT_TRUE(fs::exists(IndexFile("support")));
  EXPECT_EQ(*Resolve("support@v4"), log[0].commit);
  EXPECT_EQ(*Resolve("support@v1"), log[3].commit);
}

// --- read ------------------------------------------------------------------------

TEST_F(RepositoryTest, ReadVersionRoundTripsTheContent) {
  CommitRequest req = Request("support", "Hello\n\nWorld \xe2\x82\xac\n");
  req.content.tools = {{"search", "Search", R"({"q":"string"})"}, {"calc", "", "{}"}};
  req.content.config = {{"maxTokens", "4000"}, {"stop", R"(["\n"])"}, {"temperature", "0.5"}};
  req.message = "Title\n\nBody";
  VersionSummary v = MustCommit(req);
  auto version = repo_->ReadVersion(v.commit);
  ASSERT_OK(version.status());
  EXPECT_EQ(version->commit, v.commit);
  EXPECT_EQ(version->content, req.content);
  EXPECT_EQ(version->message, "Title\n\nBody");
  EXPECT_EQ(version->trailers.agent, "support");
  EXPECT_EQ(version->trailers.version, 1u);
  EXPECT_EQ(version->author, req.author);
}

TEST_F(RepositoryTest, ReadVersionRefusesWhatIsNotAVersion) {
  VersionSummary v = MustCommit(Request("support", "a"));
  auto unknown = repo_->ReadVersion(*core::ObjectId::FromHex(std::string(40, 'e')));
  EXPECT_TRUE(unknown.status().IsNotFound()) << unknown.status().ToString();
  auto tree_id =
      core::ObjectId::FromHex(Git({"rev-parse", v.commit.Hex() + "^{tree}"}).substr(0, 40));
  ASSERT_TRUE(tree_id.has_value());
  EXPECT_EQ(repo_->ReadVersion(*tree_id).status().code(), Status::Code::kCorruption);
}

// --- the version index -------------------------------------------------------------

TEST_F(RepositoryTest, VersionIndexHasTheDocumentedFormat) {
  VersionSummary v1 = MustCommit(Request("support", "a"));
  std::string text = ReadFile(IndexFile("support"));
  const std::string line = "1\t" + v1.commit.Hex() + "\t" + std::to_string(v1.author.time) +
                           "\tAda\tada@example.com\tset prompt to a";
  // The check: 64-bit FNV-1a of the line before it.
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (char c : line) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  char check[17];
  std::snprintf(check, sizeof check, "%016llx", static_cast<unsigned long long>(hash));
  EXPECT_EQ(text, "clawmit-version-index 2\n" + line + "\t" + check + "\n");
}

TEST_F(RepositoryTest, DeletedVersionIndexIsRebuilt) {
  std::vector<VersionSummary> expected = FourVersions();
  std::string original = ReadFile(IndexFile("support"));
  fs::remove(IndexFile("support"));
  ExpectSameHistory(MustLog("support", 0), expected);
  EXPECT_EQ(ReadFile(IndexFile("support")), original);
}

TEST_F(RepositoryTest, DeletedIndexFolderIsRebuilt) {
  std::vector<VersionSummary> expected = FourVersions();
  fs::remove_all(git_dir() / "clawmit" / "index");
  ExpectSameHistory(MustLog("support", 2), {expected[0], expected[1]});
  ExpectSameHistory(MustLog("support", 0), expected);
}

TEST_F(RepositoryTest, TornLastLineOfTheIndexIsRepaired) {
  std::vector<VersionSummary> expected = FourVersions();
  std::string text = ReadFile(IndexFile("support"));
  WriteFile(IndexFile("support"), text.substr(0, text.size() - 10));
  ExpectSameHistory(MustLog("support", 2), {expected[0], expected[1]});
  WriteFile(IndexFile("support"), text.substr(0, text.size() - 10));
  ExpectSameHistory(MustLog("support", 0), expected);
  EXPECT_EQ(ReadFile(IndexFile("support")), text);
}

TEST_F(RepositoryTest, IndexMissingItsLastLineIsCompleted) {
  std::vector<VersionSummary> expected = FourVersions();
  std::string text = ReadFile(IndexFile("support"));
  std::string cut = text.substr(0, text.rfind('\n', text.size() - 2) + 1);
  WriteFile(IndexFile("support"), cut);
  EXPECT_EQ(*Resolve("support@v4"), expected[0].commit);
  WriteFile(IndexFile("support"), cut);
  ExpectSameHistory(MustLog("support", 1), {expected[0]});
  WriteFile(IndexFile("support"), cut);
  ExpectSameHistory(MustLog("support", 0), expected);
  EXPECT_EQ(ReadFile(IndexFile("support")), text);
}

TEST_F(RepositoryTest, GarbageIndexIsRebuilt) {
  std::vector<VersionSummary> expected = FourVersions();
  WriteFile(IndexFile("support"), "garbage\n");
  ExpectSameHistory(MustLog("support", 0), expected);
  WriteFile(IndexFile("support"), "garbage\n");
  ExpectSameHistory(MustLog("support", 3), {expected[0], expected[1], expected[2]});
  WriteFile(IndexFile("support"), "garbage\n");
  EXPECT_EQ(*Resolve("support@v2"), expected[2].commit);
  WriteFile(IndexFile("support"), "");
  ExpectSameHistory(MustLog("support", 0), expected);
}

TEST_F(RepositoryTest, IndexWithAGarbledMiddleLineIsRepaired) {
  std::vector<VersionSummary> expected = FourVersions();
  std::string text = ReadFile(IndexFile("support"));
  size_t second_line = text.find('\n', text.find('\n') + 1) + 1;
  std::string garbled = text;
  garbled.replace(second_line, 5, "#####");
  WriteFile(IndexFile("support"), garbled);
  ExpectSameHistory(MustLog("support", 0), expected);
  WriteFile(IndexFile("support"), garbled);
  EXPECT_EQ(*Resolve("support@v2"), expected[2].commit);
  WriteFile(IndexFile("support"), garbled);
  EXPECT_EQ(MustCommit(Request("support", "e")).number, 5u);
  EXPECT_EQ(MustLog("support", 0).size(), 5u);
}

// A well-formed line whose id is not its version's never gives an answer:
// checked against the commit, the index is rebuilt.
TEST_F(RepositoryTest, IndexLineWithAnotherVersionsIdIsRebuilt) {
  std::vector<VersionSummary> expected = FourVersions();  // v4 first
  std::string text = ReadFile(IndexFile("support"));
  std::string wrong = text;
  size_t at = wrong.find(expected[1].commit.Hex());  // v3's line
  wrong.replace(at, 40, expected[0].commit.Hex());   // holds v4's id
  WriteFile(IndexFile("support"), wrong);
  EXPECT_EQ(*Resolve("support@v3"), expected[1].commit);
  EXPECT_EQ(ReadFile(IndexFile("support")), text);
  WriteFile(IndexFile("support"), wrong);
  EXPECT_EQ(*Resolve("support@~1"), expected[1].commit);
  WriteFile(IndexFile("support"), wrong);
  ExpectSameHistory(MustLog("support", 2), {expected[0], expected[1]});
  WriteFile(IndexFile("support"), wrong);
  ExpectSameHistory(MustLog("support", 0), expected);
  EXPECT_EQ(ReadFile(IndexFile("support")), text);
}

TEST_F(RepositoryTest, IndexLineWithAZeroedIdIsRebuilt) {
  std::vector<VersionSummary> expected = FourVersions();
  std::string text = ReadFile(IndexFile("support"));
  std::string zeroed = text;
  zeroed.replace(zeroed.find(expected[2].commit.Hex()), 40, std::string(40, '0'));
  WriteFile(IndexFile("support"), zeroed);
  EXPECT_EQ(*Resolve("support@v2"), expected[2].commit);
  EXPECT_EQ(ReadFile(IndexFile("support")), text);
  WriteFile(IndexFile("support"), zeroed);
  ExpectSameHistory(MustLog("support", 0), expected);
  auto version = repo_->ReadVersion(*Resolve("support@v2"));
  ASSERT_OK(version.status());
  EXPECT_EQ(version->content.prompt, "b");
}

// An id of a commit that exists but is no version of the agent (here
// another agent's) is caught where it answers.
TEST_F(RepositoryTest, IndexLineWithAForeignIdIsRebuilt) {
  std::vector<VersionSummary> expected = FourVersions();
  VersionSummary other = MustCommit(Request("billing", "x"));
  std::string text = ReadFile(IndexFile("support"));
  std::string foreign = text;
  foreign.replace(foreign.find(expected[2].commit.Hex()), 40, other.commit.Hex());
  WriteFile(IndexFile("support"), foreign);
  EXPECT_EQ(*Resolve("support@v2"), expected[2].commit);
  WriteFile(IndexFile("support"), foreign);
  EXPECT_EQ(*Resolve("support@" + expected[2].commit.Hex().substr(0, 8)), expected[2].commit);
  WriteFile(IndexFile("support"), foreign);
  EXPECT_TRUE(Resolve("support@" + other.commit.Hex().substr(0, 8)).status().IsNotFound());
  WriteFile(IndexFile("support"), foreign);
  ExpectSameHistory(MustLog("support", 3), {expected[0], expected[1], expected[2]});
  EXPECT_EQ(ReadFile(IndexFile("support")), text);
}

// A full log reads every line without opening the commits: a line edited by
// hand (another agent's id, another subject or author) fails its check, so
// the history shown is still the commits'.
TEST_F(RepositoryTest, FullLogNeverShowsAnEditedIndexLine) {
  std::vector<VersionSummary> expected = FourVersions();  // v4 first
  VersionSummary other = MustCommit(Request("billing", "x"));
  const std::string text = ReadFile(IndexFile("support"));
  const std::vector<std::pair<std::string, std::string>> edits = {
      {expected[2].commit.Hex(), other.commit.Hex()},  // v2's line: a foreign id
      {"set prompt to b", "set prompt to z"},          // v2's subject
      {"\tAda\t", "\tEve\t"},                          // v1's author
  };
  for (const auto& [from, to] : edits) {
    std::string edited = text;
    edited.replace(edited.find(from), from.size(), to);
    WriteFile(IndexFile("support"), edited);
    ExpectSameHistory(MustLog("support", 0), expected);
    EXPECT_EQ(ReadFile(IndexFile("support")), text) << to;
  }
  // A version 1 file (no checks) is rebuilt.
  WriteFile(IndexFile("support"), "clawmit-version-index 1\n");
  ExpectSameHistory(MustLog("support", 0), expected);
  EXPECT_EQ(ReadFile(IndexFile("support")), text);
}

TEST_F(RepositoryTest, CommitAfterATornIndexLeavesACorrectIndex) {
  std::vector<VersionSummary> expected = FourVersions();
  std::string text = ReadFile(IndexFile("support"));
  WriteFile(IndexFile("support"), text.substr(0, text.size() - 3));
  VersionSummary v5 = MustCommit(Request("support", "e"));
  std::vector<VersionSummary> log = MustLog("support", 0);
  ASSERT_EQ(log.size(), 5u);
  EXPECT_EQ(log[0].commit, v5.commit);
  ExpectSameHistory({log.begin() + 1, log.end()}, expected);
}

// A ref reset behind clawmit's back (here with `git update-ref`) leaves an
// index that ends past the head: it is detected and cut back.
TEST_F(RepositoryTest, IndexLeftBehindByGitUpdateRefIsDetected) {
  VersionSummary v1 = MustCommit(Request("support", "a"));
  VersionSummary v2 = MustCommit(Request("support", "b"));
  MustCommit(Request("support", "c"));
  ASSERT_EQ(MustLog("support", 0).size(), 3u);
  std::string stale = ReadFile(IndexFile("support"));
  Git({"update-ref", "refs/agents/support", v2.commit.Hex()});

  // Each reader on its own meets the stale index first.
  EXPECT_TRUE(Resolve("support@v3").status().IsNotFound());
  WriteFile(IndexFile("support"), stale);
  EXPECT_EQ(*Resolve("support@v2"), v2.commit);
  WriteFile(IndexFile("support"), stale);
  ExpectSameHistory(MustLog("support", 1), {v2});
  WriteFile(IndexFile("support"), stale);
  ExpectSameHistory(MustLog("support", 0), {v2, v1});
  WriteFile(IndexFile("support"), stale);
  EXPECT_EQ(repo_->GetAgent("support")->versions, 2u);

  VersionSummary again = MustCommit(Request("support", "d"));
  EXPECT_EQ(again.number, 3u);
  ExpectSameHistory(MustLog("support", 0), {again, v2, v1});
  EXPECT_EQ(*Resolve("support@v3"), again.commit);
}

// The same with libgit2 moving the ref, and a commit (not a read) being the
// first to notice.
TEST_F(RepositoryTest, IndexLeftBehindByLibgit2IsDetectedByTheNextCommit) {
  VersionSummary v1 = MustCommit(Request("support", "a"));
  MustCommit(Request("support", "b"));
  ASSERT_EQ(MustLog("support", 0).size(), 2u);

  git_libgit2_init();
  git_repository* raw = nullptr;
  ASSERT_EQ(git_repository_open_bare(&raw, git_dir().c_str()), 0);
  git_oid target;
  std::copy(v1.commit.bytes().begin(), v1.commit.bytes().end(), target.id);
  git_reference* ref = nullptr;
  int rc = git_reference_create(&ref, raw, "refs/agents/support", &target, 1, "test: reset");
  git_reference_free(ref);
  git_repository_free(raw);
  git_libgit2_shutdown();
  ASSERT_EQ(rc, 0);

  VersionSummary v2 = MustCommit(Request("support", "c"));
  EXPECT_EQ(v2.number, 2u);
  ExpectSameHistory(MustLog("support", 0), {v2, v1});
  EXPECT_EQ(*Resolve("support@v2"), v2.commit);
}

// --- agents and metadata -------------------------------------------------------------

TEST_F(RepositoryTest, AgentsAreListedSortedBySlug) {
  for (const char* slug : {"zeta", "alpha", "mid-1", "mid"}) MustCommit(Request(slug, "x"));
  MustCommit(Request("alpha", "y"));
  auto agents = repo_->ListAgents();
  ASSERT_OK(agents.status());
  std::vector<std::string> slugs;
  for (const auto& a : *agents) slugs.push_back(a.slug);
  EXPECT_EQ(slugs, (std::vector<std::string>{"alpha", "mid", "mid-1", "zeta"}));
  EXPECT_EQ((*agents)[0].versions, 2u);
  EXPECT_EQ((*agents)[3].versions, 1u);
  EXPECT_EQ((*agents)[0].head, MustLog("alpha", 1)[0].commit);
}

TEST_F(RepositoryTest, MetadataDefaultsToTheSlug) {
  MustCommit(Request("support", "x"));
  auto agent = repo_->GetAgent("support");
  ASSERT_OK(agent.status());
  EXPECT_EQ(agent->meta.name, "support");
  EXPECT_EQ(agent->meta.description, "");
}

TEST_F(RepositoryTest, MetadataIsSetByCommitAndBySetAgentMeta) {
  CommitRequest b = Request("beta", "x");
  b.meta = core::AgentMeta{"Beta bot", "Second"};
  MustCommit(b);
  MustCommit(Request("alpha", "y"));
  auto agents = repo_->ListAgents();
  ASSERT_OK(agents.status());
  ASSERT_EQ(agents->size(), 2u);
  EXPECT_EQ((*agents)[0].meta.name, "alpha");
  EXPECT_EQ((*agents)[1].meta.name, "Beta bot");
  EXPECT_EQ((*agents)[1].meta.description, "Second");

  ASSERT_OK(repo_->SetAgentMeta("alpha", {"Alpha", "First"}));
  EXPECT_EQ(repo_->GetAgent("alpha")->meta.name, "Alpha");
  EXPECT_EQ(repo_->GetAgent("alpha")->meta.description, "First");
  EXPECT_EQ(Git({"config", "agent.alpha.name"}), "Alpha\n");

  auto reopened = Repository::Open(git_dir());
  ASSERT_OK(reopened.status());
  auto alpha = (*reopened)->GetAgent("alpha");
  ASSERT_OK(alpha.status());
  EXPECT_EQ(alpha->meta.name, "Alpha");
  EXPECT_EQ(alpha->meta.description, "First");
}

TEST_F(RepositoryTest, SetAgentMetaRefusesABadSlug) {
  EXPECT_EQ(repo_->SetAgentMeta("Bad Slug", {"n", "d"}).code(), Status::Code::kInvalidArgument);
}

TEST_F(RepositoryTest, IdentityComesFromTheRepositoryConfig) {
  Git({"config", "user.name", "Grace"});
  Git({"config", "user.email", "g@example.com"});
  auto reopened = Repository::Open(git_dir());
  ASSERT_OK(reopened.status());
  auto name = ReadRepositoryConfig(**reopened, "user.name");
  ASSERT_OK(name.status());
  EXPECT_EQ(*name, std::optional<std::string>("Grace"));
  auto email = ReadRepositoryConfig(**reopened, "user.email");
  ASSERT_OK(email.status());
  EXPECT_EQ(*email, std::optional<std::string>("g@example.com"));
}

// --- working folders -------------------------------------------------------------------

TEST_F(RepositoryTest, WorkingFolderRoundTrips) {
  core::AgentContent content = Content("Hi\n\xe2\x82\xac\n");
  content.tools = {{"t", "d", R"({"a":1})"}};
  ASSERT_OK(WriteWorkingAgent(root(), "support", content, {"Support", "Desc"}));
  auto read = ReadWorkingAgent(root(), "support");
  ASSERT_OK(read.status());
  EXPECT_EQ(read->content, content);
  ASSERT_TRUE(read->meta.has_value());
  EXPECT_EQ(read->meta->name, "Support");
  EXPECT_EQ(read->meta->description, "Desc");
  EXPECT_TRUE(HasWorkingFolder(root(), "support"));
  EXPECT_FALSE(HasWorkingFolder(root(), "sales"));
}

TEST_F(RepositoryTest, WorkingFolderFilesAreCanonical) {
  core::AgentContent content = Content("p");
  ASSERT_OK(WriteWorkingAgent(root(), "support", content, {"S", ""}));
  EXPECT_EQ(ReadFile(root() / "support" / "prompt.md"), "p");
  EXPECT_EQ(ReadFile(root() / "support" / "tools.json"), "[]\n");
  EXPECT_EQ(ReadFile(root() / "support" / "config.json"), "{\n  \"temperature\": 0.5\n}\n");
  EXPECT_EQ(ReadFile(root() / "support" / "agent.json"),
            "{\n  \"description\": \"\",\n  \"name\": \"S\"\n}\n");
}

TEST_F(RepositoryTest, WorkingFolderWithoutAgentJsonHasNoMeta) {
  ASSERT_OK(WriteWorkingAgent(root(), "support", Content("x"), {"S", ""}));
  fs::remove(root() / "support" / "agent.json");
  auto read = ReadWorkingAgent(root(), "support");
  ASSERT_OK(read.status());
  EXPECT_FALSE(read->meta.has_value());
}

TEST_F(RepositoryTest, MissingPromptIsNotFoundAndNamesTheFile) {
  ASSERT_OK(WriteWorkingAgent(root(), "support", Content("x"), {"S", ""}));
  fs::remove(root() / "support" / "prompt.md");
  Status missing = ReadWorkingAgent(root(), "support").status();
  EXPECT_TRUE(missing.IsNotFound());
  EXPECT_TRUE(Contains(missing.message(), "'support/prompt.md'")) << missing.message();
  Status no_folder = ReadWorkingAgent(root(), "sales").status();
  EXPECT_TRUE(no_folder.IsNotFound());
  EXPECT_TRUE(Contains(no_folder.message(), "sales/prompt.md")) << no_folder.message();
}

TEST_F(RepositoryTest, BadJsonInTheWorkingFolderNamesTheFileAndLine) {
  ASSERT_OK(WriteWorkingAgent(root(), "support", Content("x"), {"S", ""}));
  WriteFile(root() / "support" / "tools.json", "[\n  {\"name\": }\n]\n");
  Status tools = ReadWorkingAgent(root(), "support").status();
  EXPECT_TRUE(tools.IsInvalidContent());
  EXPECT_TRUE(Contains(tools.message(), "support/tools.json:2:")) << tools.message();

  ASSERT_OK(WriteWorkingAgent(root(), "support", Content("x"), {"S", ""}));
  WriteFile(root() / "support" / "config.json", "{\n  \"temperature\": 0.5,\n}\n");
  Status config = ReadWorkingAgent(root(), "support").status();
  EXPECT_TRUE(config.IsInvalidContent());
  EXPECT_TRUE(Contains(config.message(), "support/config.json:3:")) << config.message();

  ASSERT_OK(WriteWorkingAgent(root(), "support", Content("x"), {"S", ""}));
  WriteFile(root() / "support" / "agent.json", "{\"owner\": \"x\"}\n");
  Status meta = ReadWorkingAgent(root(), "support").status();
  EXPECT_TRUE(meta.IsInvalidContent());
  EXPECT_TRUE(Contains(meta.message(), "support/agent.json")) << meta.message();
}

TEST_F(RepositoryTest, WorkingFoldersAreListedWhenTheyHoldAPrompt) {
  ASSERT_OK(WriteWorkingAgent(root(), "support", Content("x"), {"S", ""}));
  ASSERT_OK(WriteWorkingAgent(root(), "alpha", Content("x"), {"A", ""}));
  fs::create_directories(root() / "empty");
  fs::create_directories(root() / "Not A Slug");
  WriteFile(root() / "Not A Slug" / "prompt.md", "x");
  EXPECT_EQ(ListWorkingFolders(root()), (std::vector<std::string>{"alpha", "support"}));
}

}  // namespace
}  // namespace clawmit::store
