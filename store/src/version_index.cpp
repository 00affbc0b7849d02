#include "version_index.h"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "tab_fields.h"

namespace clawmit::store::internal {

namespace {

constexpr std::string_view kHeader = "clawmit-version-index 2\n";

// The check field of a line: FNV-1a (64 bits, 16 hex digits) of the line's
// text before it. It tells an edited or damaged line from a written one.
std::string LineCheck(std::string_view text) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, hash >>= 4) out[static_cast<size_t>(i)] = kHex[hash & 0xf];
  return out;
}

std::string FormatLine(const VersionSummary& e) {
  std::string line = std::to_string(e.number);
  line += '\t';
  line += e.commit.Hex();
  line += '\t';
  line += std::to_string(e.author.time);
  line += '\t';
  line += TabField(e.author.name);
  line += '\t';
  line += TabField(e.author.email);
  line += '\t';
  line += TabField(e.subject);
  line += '\t';
  line += LineCheck(std::string_view(line).substr(0, line.size() - 1));
  line += '\n';
  return line;
}

// One line of the file; nullopt when it is malformed or its check does not
// match.
std::optional<VersionSummary> ParseLine(std::string_view line) {
  size_t last_tab = line.rfind('\t');
  if (last_tab == std::string_view::npos ||
      line.substr(last_tab + 1) != LineCheck(line.substr(0, last_tab))) {
    return std::nullopt;
  }
  auto fields = SplitTabs<6>(line.substr(0, last_tab));
  if (!fields) return std::nullopt;
  VersionSummary e;
  auto id = core::ObjectId::FromHex((*fields)[1]);
  if (!id || !ToNumber((*fields)[0], e.number) || !ToNumber((*fields)[2], e.author.time)) {
    return std::nullopt;
  }
  e.commit = *id;
  e.author.name = std::string((*fields)[3]);
  e.author.email = std::string((*fields)[4]);
  e.subject = std::string((*fields)[5]);
  return e;
}

// Parses whole lines of `text` from `pos`; stops at the first malformed or
// torn line.
std::vector<VersionSummary> ParseLines(std::string_view text, size_t pos) {
  std::vector<VersionSummary> entries;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) break;  // torn last line
    auto entry = ParseLine(text.substr(pos, end - pos));
    if (!entry) break;
    entries.push_back(std::move(*entry));
    pos = end + 1;
  }
  return entries;
}

// Whether the entries can be an agent's line at all: numbered 1, 2, 3… in
// order, no id twice, none zero. (A rewritten id of another version shows as
// a duplicate; one of no version at all is caught when it is used.)
bool WellFormed(const std::vector<VersionSummary>& entries) {
  std::unordered_set<std::string> seen;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].number != i + 1 || entries[i].commit.IsZero()) return false;
    if (!seen.insert(entries[i].commit.Hex()).second) return false;
  }
  return true;
}

std::vector<VersionSummary> ParseIndex(std::string_view text) {
  if (text.substr(0, kHeader.size()) != kHeader) return {};
  std::vector<VersionSummary> entries = ParseLines(text, kHeader.size());
  if (!WellFormed(entries)) return {};
  return entries;
}

std::string ReadFile(const std::filesystem::path& file) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string out;
  char buf[1 << 16];
  ssize_t n = 0;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

void WriteIndex(const std::filesystem::path& file, const std::vector<VersionSummary>& entries) {
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  std::filesystem::path tmp = file;
  tmp += ".tmp" + std::to_string(::getpid());
  std::string text(kHeader);
  for (const auto& e : entries) text += FormatLine(e);
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) return;
  bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  ok = (std::fclose(f) == 0) && ok;
  if (!ok || std::rename(tmp.c_str(), file.c_str()) != 0) std::filesystem::remove(tmp, ec);
}

// The last `count` entries when the file ends at `head`; nullopt otherwise.
std::optional<std::vector<VersionSummary>> ReadTail(const std::filesystem::path& file,
                                                    const core::ObjectId& head, size_t count) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  off_t size = ::lseek(fd, 0, SEEK_END);
  off_t want = static_cast<off_t>(count) * 160 + 4096;
  std::optional<std::vector<VersionSummary>> result;
  while (size > 0) {
    off_t from = size > want ? size - want : 0;
    std::string chunk(static_cast<size_t>(size - from), '\0');
    if (::pread(fd, chunk.data(), chunk.size(), from) != static_cast<ssize_t>(chunk.size())) break;
    size_t pos = 0;
    if (from == 0) {
      if (chunk.compare(0, kHeader.size(), kHeader) != 0) break;
      pos = kHeader.size();
    } else {
      pos = chunk.find('\n');
      if (pos == std::string::npos) break;
      ++pos;  // the first line may be cut: skip it
    }
    std::vector<VersionSummary> entries = ParseLines(chunk, pos);
    if (chunk.back() != '\n' || entries.empty() || entries.back().commit != head) break;
    if (entries.size() >= count || from == 0) {
      if (entries.size() > count)
        entries.erase(entries.begin(), entries.end() - static_cast<std::ptrdiff_t>(count));
      result = std::move(entries);
      break;
    }
    want *= 4;
  }
  ::close(fd);
  return result;
}

}  // namespace

Result<std::vector<VersionSummary>> LoadVersionIndexTail(const std::filesystem::path& file,
                                                         const std::string& slug,
                                                         const core::ObjectId& head, size_t count,
                                                         const ReadCommitMeta& read) {
  if (auto tail = ReadTail(file, head, count)) {
    // Each listed entry is checked against its commit, and each against the
    // next one's parent: the tail is then what a walk would have found.
    bool ok = true;
    for (size_t i = tail->size(); ok && i-- > 0;) {
      auto meta = read((*tail)[i].commit);
      ok = meta.ok() && Matches((*tail)[i], slug, *meta) &&
           (i == 0 || (!meta->parents.empty() && meta->parents.front() == (*tail)[i - 1].commit));
    }
    if (ok) return std::move(*tail);
  }
  CLAWMIT_ASSIGN_OR_RETURN(std::vector<VersionSummary> all,
                           RebuildVersionIndex(file, slug, head, read));
  if (all.size() > count) all.erase(all.begin(), all.end() - static_cast<std::ptrdiff_t>(count));
  return all;
}

namespace {

Result<std::vector<VersionSummary>> Load(const std::filesystem::path& file, const std::string& slug,
                                         const core::ObjectId& head, const ReadCommitMeta& read,
                                         bool trust_file) {
  std::vector<VersionSummary> entries;
  if (trust_file) entries = ParseIndex(ReadFile(file));
  if (!entries.empty() && entries.back().commit == head) return entries;

  std::unordered_map<std::string, size_t> known;
  for (size_t i = 0; i < entries.size(); ++i) known.emplace(entries[i].commit.Hex(), i);

  // Walk back from the head until a commit the index already has, or the
  // agent's first version (whose parent, if any, belongs to another agent).
  std::vector<VersionSummary> missing;
  std::optional<size_t> joined_at;
  core::ObjectId cursor = head;
  while (true) {
    if (auto it = known.find(cursor.Hex()); it != known.end()) {
      joined_at = it->second;
      break;
    }
    CLAWMIT_ASSIGN_OR_RETURN(CommitMeta meta, read(cursor));
    if (meta.trailers.agent != slug) break;
    // As the file will hold it, so that a rebuild reads like a load.
    core::Signature author{TabField(meta.author.name), TabField(meta.author.email),
                           meta.author.time};
    missing.push_back({meta.trailers.version, cursor, author, TabField(meta.subject)});
    if (meta.trailers.version <= 1 || meta.parents.empty()) break;
    cursor = meta.parents.front();
  }
  if (joined_at) {
    entries.resize(*joined_at + 1);
  } else {
    entries.clear();
  }
  entries.insert(entries.end(), missing.rbegin(), missing.rend());
  if (entries.empty()) return Status::Corruption("agent '" + slug + "' has no versions");
  WriteIndex(file, entries);
  return entries;
}

}  // namespace

bool Matches(const VersionSummary& entry, const std::string& slug, const CommitMeta& meta) {
  return meta.trailers.agent == slug && meta.trailers.version == entry.number &&
         TabField(meta.author.name) == entry.author.name &&
         TabField(meta.author.email) == entry.author.email &&
         meta.author.time == entry.author.time && TabField(meta.subject) == entry.subject;
}

bool Verify(const VersionSummary& entry, const std::string& slug, const ReadCommitMeta& read) {
  auto meta = read(entry.commit);
  return meta.ok() && Matches(entry, slug, *meta);
}

Result<std::vector<VersionSummary>> LoadVersionIndex(const std::filesystem::path& file,
                                                     const std::string& slug,
                                                     const core::ObjectId& head,
                                                     const ReadCommitMeta& read) {
  return Load(file, slug, head, read, true);
}

Result<std::vector<VersionSummary>> RebuildVersionIndex(const std::filesystem::path& file,
                                                        const std::string& slug,
                                                        const core::ObjectId& head,
                                                        const ReadCommitMeta& read) {
  return Load(file, slug, head, read, false);
}

namespace {

// The commit of the index's last complete line, read from its tail only.
std::optional<core::ObjectId> LastCommit(int fd) {
  off_t size = ::lseek(fd, 0, SEEK_END);
  if (size <= 0) return std::nullopt;
  constexpr off_t kTail = 4096;
  off_t from = size > kTail ? size - kTail : 0;
  std::string tail(static_cast<size_t>(size - from), '\0');
  if (::pread(fd, tail.data(), tail.size(), from) != static_cast<ssize_t>(tail.size())) {
    return std::nullopt;
  }
  if (tail.back() != '\n') return std::nullopt;  // torn
  size_t start = tail.rfind('\n', tail.size() - 2);
  std::string_view line(tail);
  line = line.substr(start == std::string::npos ? 0 : start + 1);
  size_t tab = line.find('\t');
  if (tab == std::string_view::npos) return std::nullopt;
  return core::ObjectId::FromHex(line.substr(tab + 1, core::ObjectId::kHexSize));
}

}  // namespace

std::optional<VersionSummary> FindVersionFast(const std::filesystem::path& file,
                                              const core::ObjectId& head, uint64_t number) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::optional<VersionSummary> found;
  off_t size = ::lseek(fd, 0, SEEK_END);
  // The line starting at or after `from` (a whole line: `from` is a line start
  // when it is the first entry's offset).
  auto line_at = [&](off_t from, bool is_start) -> std::optional<std::pair<off_t, VersionSummary>> {
    std::string buf(1024, '\0');
    ssize_t n = ::pread(fd, buf.data(), buf.size(), from);
    if (n <= 0) return std::nullopt;
    buf.resize(static_cast<size_t>(n));
    size_t start = 0;
    if (!is_start) {
      start = buf.find('\n');
      if (start == std::string::npos) return std::nullopt;
      ++start;
    }
    size_t end = buf.find('\n', start);
    if (end == std::string::npos) return std::nullopt;
    auto entry = ParseLine(std::string_view(buf).substr(start, end - start));
    if (!entry) return std::nullopt;
    return std::make_pair(from + static_cast<off_t>(start), std::move(*entry));
  };
  if (LastCommit(fd) == head) {
    // Entries are numbered 1, 2, 3… in file order: bisect on byte offsets.
    off_t lo = static_cast<off_t>(kHeader.size());
    off_t hi = size;
    while (lo < hi) {
      off_t mid = lo + (hi - lo) / 2;
      auto probe = line_at(mid, mid == lo);
      if (!probe || probe->first >= hi) {
        hi = mid;
        continue;
      }
      if (probe->second.number == number) {
        found = std::move(probe->second);
        break;
      }
      if (probe->second.number < number) {
        // Continue after this line.
        auto next = line_at(probe->first, false);
        if (!next) break;
        lo = next->first;
      } else {
        hi = mid;
      }
    }
  }
  ::close(fd);
  return found;
}

void RecordVersion(const std::filesystem::path& file, const std::optional<core::ObjectId>& previous,
                   const VersionSummary& entry) {
  if (!previous) {
    WriteIndex(file, {entry});
    return;
  }
  int fd = ::open(file.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
  if (fd < 0) return;  // no index yet: the next load builds it
  if (LastCommit(fd) == previous) {
    std::string line = FormatLine(entry);
    if (::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size())) {
      ::close(fd);
      return;
    }
  }
  ::close(fd);
  std::error_code ec;
  std::filesystem::remove(file, ec);
}

}  // namespace clawmit::store::internal
