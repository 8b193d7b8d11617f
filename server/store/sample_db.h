// Callers' voice samples (the clone flow's audio, up to 10 MiB each) in their own SQLite file
// with their own writer thread, so that writing one never holds up the commits of calls and
// events: in the database of calls, 8 concurrent 10 MiB uploads took the one writer for most of
// every second and webhooks fell from 500/s to 13-33/s with acknowledgements 14-20 s late
// (issue 10, finding 14; tools/bench/sample_stall.sh, docs/reliability.md).
//
// The file is SamplesPathFor(the database's path) (callcontrol.db -> callcontrol-samples.db),
// WAL, synchronous=FULL; a sample's `done` runs once it is on disk. A failed commit (disk full)
// is retried until it succeeds, with writable() false meanwhile, as in Store. At most
// kMaxQueuedBytes of samples wait for the writer; more is refused with kResourceExhausted.
// Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "server/store/call_store.h"

namespace SQLite {
class Database;
}

namespace callcontrol::store {

// "dir/name.db" -> "dir/name-samples.db"; any other path gets "-samples" appended.
std::string SamplesPathFor(const std::string& db_path);

class SampleDb {
 public:
  // Samples waiting for the writer, in bytes of audio, before Put refuses more.
  static constexpr int64_t kMaxQueuedBytes = int64_t{64} << 20;

  // Opens (creating if needed) the file and starts the writer. kUnavailable if it cannot be
  // opened or written; kDataLoss (naming the file) if it is corrupt or another application's.
  static absl::StatusOr<std::unique_ptr<SampleDb>> Open(const std::string& path);
  ~SampleDb();

  // Every stored sample's size in bytes.
  absl::StatusOr<std::vector<LoadedState::SampleSize>> Sizes();

  // Inserts or replaces `rows` at once, synchronously (moving samples from an older database).
  absl::Status Import(const std::vector<SampleRow>& rows);

  // Queues `row` (insert, or replace the caller's sample); `done` runs on the writer thread once
  // it is committed (OK), or with kResourceExhausted at once when kMaxQueuedBytes are already
  // queued, or kUnavailable at shutdown. Never blocks on I/O.
  void Put(SampleRow row, CallStore::Done done);

  // The sample of (tenant, caller), nullopt if none. Synchronous: call it from a worker pool.
  absl::StatusOr<std::optional<SampleRow>> Read(const std::string& tenant_id,
                                                const std::string& caller_number);

  // False while the last commit failed; see Store::writable().
  bool writable() const { return writable_.load(std::memory_order_acquire); }

  // Commits what is queued (or, while not writable, answers it kUnavailable) and stops the
  // writer. Idempotent; the destructor calls it.
  void Close();

 private:
  struct Pending {
    SampleRow row;
    CallStore::Done done;
  };

  explicit SampleDb(std::string path);
  absl::Status OpenFile();
  void WriterLoop();
  absl::Status Commit(const std::vector<Pending>& batch);

  const std::string path_;
  std::unique_ptr<SQLite::Database> writer_db_;
  std::mutex reader_mu_;
  std::unique_ptr<SQLite::Database> reader_db_;  // guarded by reader_mu_
  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Pending> queue_;  // guarded by queue_mu_
  int64_t queued_bytes_ = 0;   // guarded by queue_mu_
  bool closing_ = false;       // guarded by queue_mu_
  std::atomic<bool> writable_{true};
  std::thread writer_;
};

}  // namespace callcontrol::store
