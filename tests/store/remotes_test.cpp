// Remotes in the store: `[clawmit-remote "<name>"] url` in the repository's
// own config, added, changed, listed and removed under the repository lock.
#include <git2.h>

#include <filesystem>
#include <string>
#include <vector>

#include "store_fixture.h"

namespace clawmit::store {
namespace {

using clawmit::testing::ReadFile;
using clawmit::testing::WriteFile;

class RemotesTest : public StoreTest {
 protected:
  std::vector<RemoteInfo> MustList() {
    auto remotes = repo_->ListRemotes();
    EXPECT_TRUE(remotes.ok()) << remotes.status().ToString();
    return remotes.ok() ? *remotes : std::vector<RemoteInfo>{};
  }

  // A fresh Repository reads what another process would.
  std::vector<RemoteInfo> ListAfterReopen() {
    auto reopened = Repository::Open(git_dir());
    EXPECT_TRUE(reopened.ok()) << reopened.status().ToString();
    if (!reopened.ok()) return {};
    auto remotes = (*reopened)->ListRemotes();
    EXPECT_TRUE(remotes.ok()) << remotes.status().ToString();
    return remotes.ok() ? *remotes : std::vector<RemoteInfo>{};
  }
};

TEST_F(RemotesTest, ANewRepositoryHasNoRemotes) { EXPECT_TRUE(MustList().empty()); }

TEST_F(RemotesTest, AddedRemotesAreListedSortedAndKeptInTheConfigFile) {
  ASSERT_OK(repo_->AddRemote("staging", "http://127.0.0.1:3000/api"));
  ASSERT_OK(repo_->AddRemote("origin", "https://clawmit.xyz/api"));

  std::vector<RemoteInfo> want = {{"origin", "https://clawmit.xyz/api", ""},
                                  {"staging", "http://127.0.0.1:3000/api", ""}};
  EXPECT_EQ(MustList(), want);
  EXPECT_EQ(ListAfterReopen(), want);
  std::string config = ReadFile(git_dir() / "config");
  EXPECT_NE(config.find("[clawmit-remote \"origin\"]"), std::string::npos) << config;
  auto origin = repo_->GetRemote("origin");
  ASSERT_OK(origin.status());
  EXPECT_EQ(origin->url, "https://clawmit.xyz/api");
}

TEST_F(RemotesTest, AddingATakenNameIsRefusedAndKeepsTheOldUrl) {
  ASSERT_OK(repo_->AddRemote("origin", "https://clawmit.xyz/api"));

  Status s = repo_->AddRemote("origin", "https://other.example/api");

  EXPECT_EQ(s.code(), Status::Code::kAlreadyExists) << s.ToString();
  EXPECT_NE(s.message().find("set-url"), std::string::npos) << s.message();
  EXPECT_EQ(repo_->GetRemote("origin")->url, "https://clawmit.xyz/api");
}

TEST_F(RemotesTest, SetUrlChangesAnExistingRemoteOnly) {
  ASSERT_OK(repo_->AddRemote("origin", "https://clawmit.xyz/api"));

  ASSERT_OK(repo_->SetRemoteUrl("origin", "https://eu.clawmit.xyz/api"));
  Status unknown = repo_->SetRemoteUrl("upstream", "https://x.example/api");

  EXPECT_EQ(ListAfterReopen(),
            (std::vector<RemoteInfo>{{"origin", "https://eu.clawmit.xyz/api", ""}}));
  EXPECT_TRUE(unknown.IsNotFound()) << unknown.ToString();
  EXPECT_TRUE(MustList().size() == 1);
}

TEST_F(RemotesTest, AnOrganisationIsKeptWithTheRemoteAndGoesWithIt) {
  ASSERT_OK(repo_->AddRemote("team", "https://clawmit.xyz/api", "acme"));
  ASSERT_OK(repo_->AddRemote("origin", "https://clawmit.xyz/api"));
  EXPECT_EQ(ListAfterReopen(),
            (std::vector<RemoteInfo>{{"origin", "https://clawmit.xyz/api", ""},
                                     {"team", "https://clawmit.xyz/api", "acme"}}));
  ASSERT_OK(repo_->SetRemoteOrg("origin", "globex"));
  EXPECT_EQ(repo_->GetRemote("origin")->org, "globex");
  ASSERT_OK(repo_->SetRemoteOrg("origin", ""));
  EXPECT_EQ(repo_->GetRemote("origin")->org, "");
  EXPECT_EQ(repo_->SetRemoteOrg("origin", "Not An Org!").code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(repo_->SetRemoteOrg("upstream", "acme").IsNotFound());
  // Removed with its remote: a new remote of the name starts in the user's own space.
  ASSERT_OK(repo_->RemoveRemote("team"));
  ASSERT_OK(repo_->AddRemote("team", "https://clawmit.xyz/api"));
  EXPECT_EQ(repo_->GetRemote("team")->org, "");
}

TEST_F(RemotesTest, RemoveDeletesTheRemoteAndItsTrackingRefs) {
  MustCommit(Request("support", "a"));
  ASSERT_OK(repo_->AddRemote("origin", "https://clawmit.xyz/api"));
  ASSERT_OK(repo_->AddRemote("backup", "https://backup.example/api"));
  auto head = repo_->GetAgent("support");
  ASSERT_OK(head.status());
  WriteFile(git_dir() / "refs" / "remotes" / "origin" / "support", head->head.Hex() + "\n");
  WriteFile(git_dir() / "refs" / "remotes" / "backup" / "support", head->head.Hex() + "\n");

  ASSERT_OK(repo_->RemoveRemote("origin"));

  EXPECT_EQ(ListAfterReopen(),
            (std::vector<RemoteInfo>{{"backup", "https://backup.example/api", ""}}));
  EXPECT_FALSE(std::filesystem::exists(git_dir() / "refs" / "remotes" / "origin" / "support"));
  EXPECT_TRUE(std::filesystem::exists(git_dir() / "refs" / "remotes" / "backup" / "support"));
  EXPECT_TRUE(repo_->GetRemote("origin").status().IsNotFound());
  // The name is free again.
  EXPECT_OK(repo_->AddRemote("origin", "https://clawmit.xyz/api"));
}

TEST_F(RemotesTest, UnknownRemotesAreNotFoundWithAHint) {
  Status none = repo_->GetRemote("origin").status();
  EXPECT_TRUE(none.IsNotFound());
  EXPECT_NE(none.message().find("clawmit remote add origin"), std::string::npos) << none.message();

  ASSERT_OK(repo_->AddRemote("origin", "https://clawmit.xyz/api"));
  Status typo = repo_->RemoveRemote("orign");
  EXPECT_TRUE(typo.IsNotFound());
  EXPECT_NE(typo.message().find("did you mean 'origin'"), std::string::npos) << typo.message();
}

TEST_F(RemotesTest, InvalidNamesAndEmptyUrlsAreRefused) {
  for (const char* name : {"", "Origin", "has space", "../x", "a.b"}) {
    Status s = repo_->AddRemote(name, "https://clawmit.xyz/api");
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << name << ": " << s.ToString();
  }
  EXPECT_EQ(repo_->AddRemote("origin", "").code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(repo_->AddRemote("origin", "https://x\n[core]").code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(MustList().empty());
}

TEST_F(RemotesTest, RemotesInGitsGlobalConfigAreIgnored) {
  // HOME's .gitconfig is git's global config: it must not inject a remote.
  std::string home = root().string();
  WriteFile(root() / ".gitconfig", "[clawmit-remote \"evil\"]\n\turl = https://evil.example/api\n");
  git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_GLOBAL, home.c_str());
  auto reopened = Repository::Open(git_dir());
  ASSERT_OK(reopened.status());
  auto remotes = (*reopened)->ListRemotes();
  git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_GLOBAL, nullptr);
  ASSERT_OK(remotes.status());
  EXPECT_TRUE(remotes->empty());
}

}  // namespace
}  // namespace clawmit::store
