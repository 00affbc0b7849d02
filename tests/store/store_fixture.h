// A temporary repository for store tests.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "clawmit/store/repository.h"
#include "test_support.h"

namespace clawmit::store {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto repo = Repository::Init(dir_.path());
    ASSERT_OK(repo.status());
    repo_ = std::move(repo).value();
  }

  static core::AgentContent Content(const std::string& prompt) {
    core::AgentContent c;
    c.prompt = prompt;
    c.config["temperature"] = "0.5";
    return c;
  }

  CommitRequest Request(const std::string& slug, const std::string& prompt) {
    CommitRequest req;
    req.slug = slug;
    req.content = Content(prompt);
    req.message = "set prompt to " + prompt;
    req.author = {"Ada", "ada@example.com", 1700000000 + clock_++};
    req.create = CreateMode::kMayCreate;
    return req;
  }

  // Commits and returns the new version; fails the test otherwise.
  VersionSummary MustCommit(const CommitRequest& req) {
    auto v = repo_->Commit(req);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : VersionSummary{};
  }

  const std::filesystem::path& root() const { return dir_.path(); }
  std::filesystem::path git_dir() const { return dir_.path() / ".clawmit"; }

  clawmit::testing::ScopedTempDir dir_;
  std::unique_ptr<Repository> repo_;
  int64_t clock_ = 0;
};

}  // namespace clawmit::store
