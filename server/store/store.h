// SQLite persistence for calls and the event log (WAL, synchronous=FULL), and callers' voice
// samples in a file of their own (sample_db.h) so that their megabytes never delay a commit of
// calls.
//
// Writes go through one writer thread that group-commits: every mutation queued while the
// previous transaction was being written lands in the next transaction, so one fsync serves
// many RPCs and webhooks. A mutation's `done` runs only after its transaction is on disk
// ("durable before acknowledged"). Reads use a small pool of read-only connections (WAL readers
// never wait for the writer) and are synchronous: call them from a worker pool, never from a gRPC
// thread. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/thread_pool.hpp>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "callcontrol/v1/call.pb.h"
#include "server/store/call_store.h"
#include "server/store/sample_db.h"

namespace SQLite {
class Database;
}

namespace callcontrol::store {

class Store : public CallStore {
 public:
  struct Options {
    int read_connections = 2;
    // Events kept for resumption; older ones are deleted by the writer.
    int64_t event_retention = 1000000;
    // Most mutations in one transaction.
    size_t max_batch = 2048;
    // Threads that run `done` callbacks, so answering RPCs (which sends on the network) overlaps
    // the next commit instead of delaying it.
    int completion_threads = 1;
    // How often a separate connection checkpoints the WAL into the database (PASSIVE: never
    // blocks the writer). The writer itself never checkpoints, so no commit pays for one.
    std::chrono::milliseconds checkpoint_interval{1000};
    // Open runs PRAGMA quick_check on a database up to this size (it reads the whole file);
    // a larger one starts unchecked, with a warning.
    int64_t quick_check_max_bytes = int64_t{1} << 30;
  };

  // Opens (creating if needed) the database at `path` and the voice-sample database at
  // SamplesPathFor(path), applies pending schema migrations (moving samples an older version kept
  // in `path` into the sample file) and starts the writers. Returns kUnavailable if the file cannot
  // be opened or written, kFailedPrecondition if its schema is newer than this build knows,
  // kDataLoss if the file is corrupt (SQLite's SQLITE_CORRUPT or SQLITE_NOTADB, or PRAGMA
  // quick_check finds damage) or another application's database: the message names the file and
  // says what to do.
  static absl::StatusOr<std::unique_ptr<Store>> Open(const std::string& path,
                                                     const Options& options);
  ~Store();

  // Reads what the daemon keeps in memory. Call once, before any Submit.
  absl::StatusOr<LoadedState> Load() override;

  // Called on the writer thread after each commit with the events it made durable, in sequence
  // order; must not block. Set before the first Submit.
  using CommitListener = std::function<void(const std::vector<const EventRow*>& events)>;
  void SetCommitListener(CommitListener listener);

  // Queues `mutation`; `done` runs on a completion thread once it is committed (OK) or could not
  // be (kUnavailable). Mutations commit in Submit order. Never blocks on I/O. A mutation that
  // holds a voice sample (and so nothing else) goes to the sample file's own writer instead
  // (SampleDb::Put: in order with other samples, `done` on that writer, kResourceExhausted when
  // 64 MiB of samples are already waiting).
  void Submit(Mutation mutation, Done done) override;
  // False while the last commit of either file failed.
  bool writable() const override {
    return writable_.load(std::memory_order_acquire) && samples_->writable();
  }

  // Reads one call by callcontrol id or any provider id (CallSid, call_control_id, call_leg_id;
  // a call_session_id gives the session's first leg), of any tenant. nullopt if absent.
  absl::StatusOr<std::optional<v1::Call>> FindCall(const std::string& tenant_id,
                                                   const std::string& id) override;

  // The call StartCall created for (tenant, idempotency key), with its request hash.
  absl::StatusOr<std::optional<std::pair<v1::Call, std::string>>> FindByIdempotencyKey(
      const std::string& tenant_id, const std::string& key) override;

  // The voice sample of (tenant, caller), nullopt if none.
  absl::StatusOr<std::optional<SampleRow>> ReadSample(const std::string& tenant_id,
                                                      const std::string& caller_number) override;

  // Calls matching `query`, newest first, at most query.limit.
  absl::StatusOr<std::vector<v1::Call>> ListCalls(const ListQuery& query) override;

  // The tenant's retained events with after < sequence <= up_to, in order, at most `limit`.
  absl::StatusOr<std::vector<EventRow>> ReadEvents(const std::string& tenant_id, int64_t after,
                                                   int64_t up_to, int limit);

  // Smallest sequence still in the log (0 if empty). Events before it were pruned.
  int64_t oldest_sequence() const { return oldest_sequence_.load(std::memory_order_acquire); }

  // Running figures for monitoring (Prometheus), read without locking.
  struct Stats {
    int64_t commits = 0;        // transactions committed
    int64_t mutations = 0;      // mutations in them
    int64_t events = 0;         // events appended
    double commit_seconds = 0;  // time spent committing (sum)
    int64_t queued = 0;         // mutations waiting for the writer now
  };
  Stats stats() const;

  // Stops the writer after committing everything queued (while the database is not writable,
  // what is queued is answered kUnavailable instead: it was never acknowledged). Idempotent;
  // the destructor calls it.
  void Close();

 private:
  struct Pending {
    Mutation mutation;
    Done done;
  };
  class ReadLease;

  Store(std::string path, const Options& options);
  absl::Status OpenWriter();
  // Refuses (kDataLoss, naming the file) a database of another application or one that fails
  // PRAGMA quick_check.
  absl::Status CheckIntegrity();
  void WriterLoop();
  absl::Status CommitBatch(std::vector<Pending>& batch);
  static std::vector<Done> TakeDones(std::vector<Pending>& batch);
  void PruneEvents(int64_t last_sequence);
  void CheckpointLoop();
  std::unique_ptr<SQLite::Database> AcquireReader();
  void ReleaseReader(std::unique_ptr<SQLite::Database> db);

  const std::string path_;
  const Options options_;
  // Moves voice samples that older builds kept in the database's voice_samples table (now always
  // empty) into `samples_`: copied there, then deleted here; a crash between copies them again.
  absl::Status MoveSamples();

  std::unique_ptr<SQLite::Database> writer_db_;
  std::unique_ptr<SampleDb> samples_;
  CommitListener listener_;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;       // wakes the writer
  std::condition_variable checkpoint_cv_;  // wakes the checkpointer (on close)
  std::deque<Pending> queue_;
  bool closing_ = false;
  std::atomic<bool> writable_{true};
  std::thread writer_;
  std::thread checkpointer_;

  std::mutex readers_mu_;
  std::vector<std::unique_ptr<SQLite::Database>> readers_;

  std::unique_ptr<boost::asio::thread_pool> completions_;
  std::atomic<int64_t> oldest_sequence_{0};
  std::atomic<int64_t> stat_commits_{0};
  std::atomic<int64_t> stat_mutations_{0};
  std::atomic<int64_t> stat_events_{0};
  std::atomic<int64_t> stat_commit_micros_{0};
  std::atomic<int64_t> stat_queued_{0};
  int64_t commits_since_prune_ = 0;
};

}  // namespace callcontrol::store
