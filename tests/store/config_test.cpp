// Settings in git's config format (store/src/config.cpp): a file of the
// user's outside any repository, and the repository's own config file,
// read back with the real git.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "clawmit/store/config_file.h"
#include "store_fixture.h"

namespace clawmit::store {
namespace {

namespace fs = std::filesystem;
using clawmit::testing::RunOptions;
using clawmit::testing::RunProcess;

class ConfigFileTest : public StoreTest {
 protected:
  std::string GitConfig(const std::vector<std::string>& args) {
    return RunProcess("git", args, RunOptions{root(), {}, ""}).out;
  }
};

TEST_F(ConfigFileTest, AFileThatIsNotThereHoldsNothing) {
  auto value = ReadConfigFile(root() / "nowhere" / "config", "user.name");
  ASSERT_OK(value.status());
  EXPECT_FALSE(value->has_value());
  // Removing from it writes nothing.
  auto removed = WriteConfigFile(root() / "nowhere" / "config", "user.name", nullptr);
  ASSERT_OK(removed.status());
  EXPECT_FALSE(*removed);
  EXPECT_FALSE(fs::exists(root() / "nowhere"));
}

TEST_F(ConfigFileTest, WritingCreatesAPrivateFolderAndAFileGitReads) {
  const fs::path file = root() / "xdg" / "clawmit" / "config";
  std::string name = "Ada Lovelace";
  auto was = WriteConfigFile(file, "user.name", &name);
  ASSERT_OK(was.status());
  EXPECT_FALSE(*was);
  EXPECT_EQ(fs::status(file.parent_path()).permissions() & fs::perms::all, fs::perms::owner_all);
  EXPECT_EQ(GitConfig({"config", "--file", file.string(), "user.name"}), "Ada Lovelace\n");
  auto read = ReadConfigFile(file, "user.name");
  ASSERT_OK(read.status());
  EXPECT_EQ(*read, std::optional<std::string>("Ada Lovelace"));

  auto removed = WriteConfigFile(file, "user.name", nullptr);
  ASSERT_OK(removed.status());
  EXPECT_TRUE(*removed);
  read = ReadConfigFile(file, "user.name");
  ASSERT_OK(read.status());
  EXPECT_FALSE(read->has_value());
}

TEST_F(ConfigFileTest, TheRepositorysOwnFileIsWrittenBesideItsOtherSettings) {
  std::string email = "ada@example.com";
  auto was = WriteRepositoryConfig(*repo_, "user.email", &email);
  ASSERT_OK(was.status());
  EXPECT_FALSE(*was);
  const std::string git_dir_arg = "--git-dir=" + git_dir().string();
  EXPECT_EQ(GitConfig({git_dir_arg, "config", "--local", "user.email"}), "ada@example.com\n");
  // The repository's own settings are still there.
  EXPECT_EQ(GitConfig({git_dir_arg, "config", "clawmit.formatversion"}), "1\n");
  auto read = ReadRepositoryConfig(*repo_, "user.email");
  ASSERT_OK(read.status());
  EXPECT_EQ(*read, std::optional<std::string>("ada@example.com"));
  // And the repository still opens.
  EXPECT_OK(Repository::Open(git_dir()).status());
}

TEST_F(ConfigFileTest, AFileThatIsNotConfigIsAnError) {
  const fs::path file = root() / "broken";
  clawmit::testing::WriteFile(file, "[user\nname = x\n");
  EXPECT_FALSE(ReadConfigFile(file, "user.name").ok());
}

}  // namespace
}  // namespace clawmit::store
