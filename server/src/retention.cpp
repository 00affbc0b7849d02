#include "retention.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "api_util.h"

namespace clawmit::server {

Result<PruneCounts> PruneBatch(Database& db, int64_t cutoff, int64_t batch) {
  PruneCounts counts;
  Status s = db.Transaction([&]() -> Status {
    // Attempts go by ON DELETE CASCADE (their primary key starts with the
    // delivery id); the partial index deliveries_ended finds the rows.
    CLAWMIT_ASSIGN_OR_RETURN(
        auto deliveries,
        db.Query("DELETE FROM deliveries WHERE rowid IN (SELECT rowid FROM deliveries "
                 "WHERE status != 'pending' AND updated_at < ?1 LIMIT ?2) RETURNING 1",
                 {cutoff, batch}));
    counts.deliveries = static_cast<int64_t>(deliveries.size());
    CLAWMIT_ASSIGN_OR_RETURN(
        auto events, db.Query("DELETE FROM events WHERE rowid IN (SELECT e.rowid FROM events e "
                              "WHERE e.created_at < ?1 AND NOT EXISTS (SELECT 1 FROM deliveries d "
                              "WHERE d.event_id = e.id) LIMIT ?2) RETURNING 1",
                              {cutoff, batch}));
    counts.events = static_cast<int64_t>(events.size());
    return Status::Ok();
  });
  CLAWMIT_TRY(s);
  return counts;
}

Result<PruneCounts> PruneOlderThan(Database& db, int64_t cutoff, int64_t batch,
                                   const std::atomic<bool>* stop) {
  PruneCounts total;
  while (stop == nullptr || !stop->load()) {
    CLAWMIT_ASSIGN_OR_RETURN(PruneCounts one, PruneBatch(db, cutoff, batch));
    total.deliveries += one.deliveries;
    total.events += one.events;
    if (one.deliveries < batch && one.events < batch) break;
  }
  return total;
}

RetentionPruner::RetentionPruner(Database& db, int64_t retention_seconds, LogFunction log)
    : db_(db), retention_seconds_(retention_seconds), log_(std::move(log)) {}

RetentionPruner::~RetentionPruner() { Stop(); }

void RetentionPruner::Start() {
  if (retention_seconds_ <= 0 || thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void RetentionPruner::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RetentionPruner::Log(bool error, const std::string& message) const {
  if (log_) {
    log_(error, message);
  } else {
    std::fprintf(stderr, "%s\n", message.c_str());
  }
}

void RetentionPruner::Loop() {
  const auto period = std::chrono::seconds(std::clamp<int64_t>(retention_seconds_ / 10, 1, 300));
  while (!stopping_) {
    // Batches of 500, each its own transaction: a writer waits for one
    // batch at most, never for the whole prune.
    auto pruned = PruneOlderThan(db_, Now() - retention_seconds_, 500, &stopping_);
    if (!pruned.ok()) {
      Log(true, "retention: pruning failed: " + pruned.status().ToString());
    } else if (pruned->deliveries > 0 || pruned->events > 0) {
      Log(false, "retention: pruned " + std::to_string(pruned->events) + " events and " +
                     std::to_string(pruned->deliveries) + " deliveries");
    }
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, period, [this] { return stopping_.load(); });
  }
}

}  // namespace clawmit::server
