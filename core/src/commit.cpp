#include "clawmit/core/commit.h"

#include <git2.h>

#include <charconv>
#include <sstream>

#include "libgit2_init.h"

namespace clawmit::core {

namespace {

constexpr std::string_view kAgentKey = "Clawmit-Agent: ";
constexpr std::string_view kVersionKey = "Clawmit-Version: ";
constexpr std::string_view kForkTypeKey = "Clawmit-Fork-Type: ";
constexpr std::string_view kForkedFromKey = "Clawmit-Forked-From: ";
constexpr std::string_view kRollbackKey = "Clawmit-Rollback-To: ";
constexpr std::string_view kMergeKey = "Clawmit-Merge: ";

bool ParseUint(std::string_view text, uint64_t& out) {
  if (text.empty() || text.size() > 19) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

void AppendTreeEntry(std::string& tree, std::string_view name, const ObjectId& id) {
  tree += "100644 ";
  tree += name;
  tree.push_back('\0');
  tree.append(reinterpret_cast<const char*>(id.bytes().data()), ObjectId::kSize);
}

std::string SignatureLine(const Signature& s) {
  return s.name + " <" + s.email + "> " + std::to_string(s.time) + " +0000";
}

Result<Signature> ParseSignatureLine(std::string_view line) {
  auto lt = line.find(" <");
  auto gt = line.rfind("> ");
  if (lt == std::string_view::npos || gt == std::string_view::npos || gt < lt) {
    return Status::Corruption("malformed signature line");
  }
  Signature s;
  s.name = std::string(line.substr(0, lt));
  s.email = std::string(line.substr(lt + 2, gt - lt - 2));
  std::string_view rest = line.substr(gt + 2);
  auto space = rest.find(' ');
  std::string_view secs = rest.substr(0, space);
  bool negative = StartsWith(secs, "-");
  uint64_t t = 0;
  if (!ParseUint(negative ? secs.substr(1) : secs, t)) {
    return Status::Corruption("malformed signature time");
  }
  s.time = negative ? -static_cast<int64_t>(t) : static_cast<int64_t>(t);
  return s;
}

}  // namespace

Status ValidateIdentity(std::string_view name, std::string_view email) {
  auto bad = [](std::string_view s) {
    return s.find_first_of(std::string_view("<>\n\r\0", 5)) != std::string_view::npos;
  };
  if (name.empty()) return Status::InvalidArgument("author name is empty");
  if (email.empty()) return Status::InvalidArgument("author email is empty");
  if (bad(name))
    return Status::InvalidArgument("author name '" + std::string(name) +
                                   "' contains '<', '>' or a newline");
  if (bad(email))
    return Status::InvalidArgument("author email '" + std::string(email) +
                                   "' contains '<', '>' or a newline");
  if (name.front() == ' ' || name.back() == ' ')
    return Status::InvalidArgument("author name has leading or trailing spaces");
  return Status::Ok();
}

Result<Signature> ParseIdentity(std::string_view text) {
  auto lt = text.find('<');
  auto gt = text.rfind('>');
  if (lt == std::string_view::npos || gt == std::string_view::npos || gt < lt ||
      gt + 1 != text.size()) {
    return Status::InvalidArgument("author '" + std::string(text) +
                                   "' is not of the form 'Name <email>'");
  }
  std::string_view name = text.substr(0, lt);
  while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
  Signature s{std::string(name), std::string(text.substr(lt + 1, gt - lt - 1)), 0};
  CLAWMIT_TRY(ValidateIdentity(s.name, s.email));
  return s;
}

std::string_view ForkTypeName(ForkType type) {
  switch (type) {
    case ForkType::kExactClone:
      return "exact_clone";
    case ForkType::kPromptMutation:
      return "prompt_mutation";
    case ForkType::kToolMutation:
      return "tool_mutation";
  }
  return "exact_clone";
}

std::optional<ForkType> ParseForkType(std::string_view text) {
  for (ForkType t : {ForkType::kExactClone, ForkType::kPromptMutation, ForkType::kToolMutation}) {
    if (ForkTypeName(t) == text) return t;
  }
  return std::nullopt;
}

std::string NormalizeMessage(std::string_view message) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= message.size()) {
    size_t end = message.find('\n', start);
    if (end == std::string_view::npos) end = message.size();
    std::string_view line = message.substr(start, end - start);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) {
      line.remove_suffix(1);
    }
    // Like `git stripspace`: no leading blank lines, runs of blank lines folded to one.
    if (!line.empty() || (!lines.empty() && !lines.back().empty())) lines.push_back(line);
    start = end + 1;
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += '\n';
    out += lines[i];
  }
  return out;
}

std::string BuildCommitMessage(std::string_view user_message, const Trailers& trailers) {
  std::string out = NormalizeMessage(user_message);
  if (!out.empty()) out += "\n\n";
  out += std::string(kAgentKey) + trailers.agent + "\n";
  out += std::string(kVersionKey) + std::to_string(trailers.version) + "\n";
  if (trailers.fork_type)
    out += std::string(kForkTypeKey) + std::string(ForkTypeName(*trailers.fork_type)) + "\n";
  if (!trailers.forked_from.empty())
    out += std::string(kForkedFromKey) + trailers.forked_from + "\n";
  if (trailers.rollback_to != 0)
    out += std::string(kRollbackKey) + "v" + std::to_string(trailers.rollback_to) + "\n";
  if (!trailers.merged.empty()) out += std::string(kMergeKey) + trailers.merged + "\n";
  return out;
}

Result<ParsedMessage> ParseCommitMessage(std::string_view message) {
  ParsedMessage parsed;
  std::string_view block = message;
  auto split = message.rfind("\n\n");
  if (split != std::string_view::npos) {
    parsed.user_message = std::string(message.substr(0, split));
    block = message.substr(split + 2);
  }
  bool have_agent = false;
  bool have_version = false;
  size_t start = 0;
  while (start < block.size()) {
    size_t end = block.find('\n', start);
    if (end == std::string_view::npos) end = block.size();
    std::string_view line = block.substr(start, end - start);
    start = end + 1;
    if (StartsWith(line, kAgentKey)) {
      parsed.trailers.agent = std::string(line.substr(kAgentKey.size()));
      have_agent = true;
    } else if (StartsWith(line, kVersionKey)) {
      have_version = ParseUint(line.substr(kVersionKey.size()), parsed.trailers.version);
    } else if (StartsWith(line, kForkTypeKey)) {
      parsed.trailers.fork_type = ParseForkType(line.substr(kForkTypeKey.size()));
      if (!parsed.trailers.fork_type)
        return Status::Corruption("unknown fork type in commit message");
    } else if (StartsWith(line, kForkedFromKey)) {
      parsed.trailers.forked_from = std::string(line.substr(kForkedFromKey.size()));
    } else if (StartsWith(line, kRollbackKey)) {
      std::string_view v = line.substr(kRollbackKey.size());
      if (!StartsWith(v, "v") || !ParseUint(v.substr(1), parsed.trailers.rollback_to)) {
        return Status::Corruption("malformed Clawmit-Rollback-To trailer");
      }
    } else if (StartsWith(line, kMergeKey)) {
      parsed.trailers.merged = std::string(line.substr(kMergeKey.size()));
    } else if (!line.empty()) {
      return Status::Corruption("commit message has no Clawmit trailers");
    }
  }
  if (!have_agent || !have_version)
    return Status::Corruption("commit message lacks Clawmit-Agent or Clawmit-Version");
  return parsed;
}

std::string Subject(std::string_view user_message) {
  return std::string(user_message.substr(0, user_message.find('\n')));
}

ObjectId HashObject(ObjectType type, std::string_view body) {
  internal::EnsureLibgit2();
  git_object_t t = type == ObjectType::kBlob   ? GIT_OBJECT_BLOB
                   : type == ObjectType::kTree ? GIT_OBJECT_TREE
                                               : GIT_OBJECT_COMMIT;
  git_oid oid;
  git_odb_hash(&oid, body.data(), body.size(), t);
  std::array<uint8_t, ObjectId::kSize> bytes{};
  std::copy(std::begin(oid.id), std::end(oid.id), bytes.begin());
  return ObjectId(bytes);
}

ContentObjects BuildContentObjects(const AgentContent& content) {
  ContentObjects o;
  o.prompt_blob = content.prompt;
  o.tools_blob = CanonicalToolsFile(content.tools);
  o.config_blob = CanonicalConfigFile(content.config);
  o.prompt_id = HashObject(ObjectType::kBlob, o.prompt_blob);
  o.tools_id = HashObject(ObjectType::kBlob, o.tools_blob);
  o.config_id = HashObject(ObjectType::kBlob, o.config_blob);
  // Tree entries in git's order (byte order of names).
  AppendTreeEntry(o.tree, "config.json", o.config_id);
  AppendTreeEntry(o.tree, "prompt.md", o.prompt_id);
  AppendTreeEntry(o.tree, "tools.json", o.tools_id);
  o.tree_id = HashObject(ObjectType::kTree, o.tree);
  return o;
}

std::string BuildCommitBody(const CommitSpec& spec) {
  std::string out = "tree " + spec.tree_id.Hex() + "\n";
  for (const ObjectId& p : spec.parents) out += "parent " + p.Hex() + "\n";
  std::string sig = SignatureLine(spec.author);
  out += "author " + sig + "\n";
  out += "committer " + sig + "\n\n";
  out += spec.message;
  return out;
}

ObjectId ComputeCommitId(const CommitSpec& spec) {
  return HashObject(ObjectType::kCommit, BuildCommitBody(spec));
}

Result<CommitSpec> ParseCommitBody(std::string_view body) {
  CommitSpec spec;
  size_t start = 0;
  bool have_tree = false;
  bool have_author = false;
  while (start < body.size()) {
    size_t end = body.find('\n', start);
    if (end == std::string_view::npos) return Status::Corruption("commit has no message");
    std::string_view line = body.substr(start, end - start);
    start = end + 1;
    if (line.empty()) break;
    if (StartsWith(line, "tree ")) {
      auto id = ObjectId::FromHex(line.substr(5));
      if (!id) return Status::Corruption("malformed tree line");
      spec.tree_id = *id;
      have_tree = true;
    } else if (StartsWith(line, "parent ")) {
      auto id = ObjectId::FromHex(line.substr(7));
      if (!id) return Status::Corruption("malformed parent line");
      spec.parents.push_back(*id);
    } else if (StartsWith(line, "author ")) {
      CLAWMIT_ASSIGN_OR_RETURN(spec.author, ParseSignatureLine(line.substr(7)));
      have_author = true;
    }
  }
  if (!have_tree || !have_author) return Status::Corruption("commit lacks tree or author");
  spec.message = std::string(body.substr(start));
  return spec;
}

}  // namespace clawmit::core
