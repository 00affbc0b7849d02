// clawmit-net __generate-docs DIR (hidden): writes the man pages and the
// completion scripts under DIR as they are installed under share/: the
// build runs it (cli/CMakeLists.txt), so they always match the binary.
#include <filesystem>
#include <fstream>

#include "../command_doc.h"
#include "../completion_script.h"
#include "../man_page.h"

namespace clawmit::cli {
namespace {

struct GenerateDocsOptions {
  std::string dir;
};

Status WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return Status::Io("cannot write '" + path.string() + "'");
  return Status::Ok();
}

void AllPages(const CommandDoc& doc, std::vector<const CommandDoc*>& pages) {
  for (const CommandDoc& sub : doc.subcommands) pages.push_back(&sub);
}

Status RunGenerateDocs(const GenerateDocsOptions& opts) {
  CommandDoc root = DescribeEverything();
  std::filesystem::path dir(opts.dir);
  CLAWMIT_TRY(WriteFile(dir / "man" / "man1" / "clawmit.1", MainManPage(root)));
  std::vector<const CommandDoc*> pages;
  AllPages(root, pages);
  for (const CommandDoc* page : pages) {
    CLAWMIT_TRY(WriteFile(dir / "man" / "man1" / ("clawmit-" + page->JoinedPath('-') + ".1"),
                          CommandManPage(*page)));
  }
  const std::pair<const char*, const char*> scripts[] = {
      {"bash", "bash-completion/completions/clawmit"},
      {"zsh", "zsh/site-functions/_clawmit"},
      {"fish", "fish/vendor_completions.d/clawmit.fish"},
  };
  for (const auto& [shell, path] : scripts) {
    CLAWMIT_TRY(WriteFile(dir / path, *CompletionScript(root, shell)));
  }
  return Status::Ok();
}

}  // namespace

Command GenerateDocsCommand() {
  return {"__generate-docs", "Write the man pages and completion scripts under DIR",
          Needs::kNothing, [](CLI::App& app) {
            auto opts = std::make_shared<GenerateDocsOptions>();
            app.group("");
            app.add_option("dir", opts->dir, "The share folder to fill")->required();
            return Run([opts](Context&) { return RunGenerateDocs(*opts); });
          }};
}

}  // namespace clawmit::cli
