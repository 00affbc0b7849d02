// Internal: retention of the webhook outbox (docs/SERVER.md "Retention").
// Every change writes an `events` row, and every webhook delivery keeps its
// row and its attempts: without pruning they grow for ever. The pruner
// deletes, in small batches each in its own short transaction, what is older
// than the retention:
//   - deliveries that have ended (delivered or failed) and have not changed
//     for that long, with their attempts;
//   - events created that long ago that no delivery refers to any more.
// A pending delivery is never pruned, however old: it keeps its event until
// it is delivered or fails (the retry schedule ends it; a deactivated
// webhook fails it), and is pruned a retention after that.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "clawmit/core/status.h"
#include "db.h"

namespace clawmit::server {

struct PruneCounts {
  int64_t deliveries = 0;  // their attempts went with them
  int64_t events = 0;
  bool operator==(const PruneCounts&) const = default;
};

// Deletes at most `batch` ended deliveries last changed before `cutoff`
// (epoch seconds), then at most `batch` events created before `cutoff`
// without deliveries; one transaction. Counts what went.
Result<PruneCounts> PruneBatch(Database& db, int64_t cutoff, int64_t batch);

// PruneBatch until a batch finds nothing more (or `stop` is set); the totals.
Result<PruneCounts> PruneOlderThan(Database& db, int64_t cutoff, int64_t batch = 500,
                                   const std::atomic<bool>* stop = nullptr);

// A thread that prunes what is older than `retention_seconds` at start and
// then every tenth of the retention (at least every 5 minutes, at most
// every second). A retention of 0 keeps everything: Start does nothing.
class RetentionPruner {
 public:
  // `log` takes what the pruner reports (an error or not); unset: stderr.
  using LogFunction = std::function<void(bool error, const std::string& message)>;
  RetentionPruner(Database& db, int64_t retention_seconds, LogFunction log = nullptr);
  ~RetentionPruner();
  RetentionPruner(const RetentionPruner&) = delete;
  RetentionPruner& operator=(const RetentionPruner&) = delete;

  void Start();
  void Stop();  // ends the batch in flight, then the thread

 private:
  void Loop();
  void Log(bool error, const std::string& message) const;

  Database& db_;
  int64_t retention_seconds_;
  LogFunction log_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  std::thread thread_;
};

}  // namespace clawmit::server
