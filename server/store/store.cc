#include "server/store/store.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <boost/asio/post.hpp>
#include <chrono>

#include "common/logging.h"
#include "common/thread_name.h"
#include "server/store/schema.h"

namespace callcontrol::store {
namespace {

const std::shared_ptr<spdlog::logger>& Logger() {
  static const std::shared_ptr<spdlog::logger> logger = logging::Get("store");
  return logger;
}

constexpr char kUpsertCall[] = R"sql(
  INSERT INTO calls(call_id, tenant_id, status, create_time_us, update_time_us, idempotency_key,
                    request_hash, call_sid, duration_seconds, data, progress, billable_seconds,
                    currency, cost_micros)
  VALUES(?1, ?2, ?3, ?4, ?5, NULLIF(?6, ''), NULLIF(?7, ''), NULLIF(?8, ''), ?9, ?10, ?11, ?12,
         NULLIF(?13, ''), ?14)
  ON CONFLICT(call_id) DO UPDATE SET
    status = excluded.status, update_time_us = excluded.update_time_us,
    call_sid = excluded.call_sid, duration_seconds = excluded.duration_seconds,
    data = excluded.data, progress = excluded.progress,
    billable_seconds = excluded.billable_seconds, currency = excluded.currency,
    cost_micros = excluded.cost_micros)sql";
constexpr char kInsertAlias[] = "INSERT OR IGNORE INTO call_aliases(alias, call_id) VALUES(?1, ?2)";
constexpr char kInsertEvent[] = "INSERT INTO events(sequence, tenant_id, data) VALUES(?1, ?2, ?3)";

absl::StatusOr<v1::Call> ParseCall(const SQLite::Column& column) {
  v1::Call call;
  if (!call.ParseFromArray(column.getBlob(), column.getBytes())) {
    return absl::DataLossError("stored call does not parse");
  }
  return call;
}

}  // namespace

// Borrows a read connection for the scope of a read.
class Store::ReadLease {
 public:
  explicit ReadLease(Store* store) : store_(store), db_(store->AcquireReader()) {}
  ~ReadLease() { store_->ReleaseReader(std::move(db_)); }
  SQLite::Database& db() { return *db_; }

 private:
  Store* store_;
  std::unique_ptr<SQLite::Database> db_;
};

Store::Store(std::string path, const Options& options)
    : path_(std::move(path)),
      options_(options),
      completions_(std::make_unique<boost::asio::thread_pool>(options.completion_threads)) {}

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& path,
                                                   const Options& options) {
  std::unique_ptr<Store> store(new Store(path, options));
  if (auto s = store->OpenWriter(); !s.ok()) return s;
  auto samples = SampleDb::Open(SamplesPathFor(path));
  if (!samples.ok()) return samples.status();
  store->samples_ = *std::move(samples);
  if (auto s = store->MoveSamples(); !s.ok()) return s;
  try {
    for (int i = 0; i < options.read_connections; ++i) {
      auto db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READONLY);
      db->setBusyTimeout(5000);
      store->readers_.push_back(std::move(db));
    }
  } catch (const SQLite::Exception& e) {
    if (IsCorruption(e)) return CorruptDatabase(path, e.what());
    return FromSqlite(e, "opening read connections");
  }
  store->writer_ = std::thread([s = store.get()] {
    SetCurrentThreadName("store-writer");
    s->WriterLoop();
  });
  store->checkpointer_ = std::thread([s = store.get()] {
    SetCurrentThreadName("store-checkpoint");
    s->CheckpointLoop();
  });
  return store;
}

absl::Status Store::OpenWriter() {
  try {
    writer_db_ =
        std::make_unique<SQLite::Database>(path_, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    writer_db_->setBusyTimeout(5000);
    // Before anything writes to it: a damaged or foreign file is refused as it is.
    if (auto s = CheckIntegrity(); !s.ok()) return s;
    writer_db_->exec("PRAGMA journal_mode=WAL");
    // FULL: the WAL is fsynced at every commit, so a commit survives power loss; group commit
    // amortizes the fsync (https://www.sqlite.org/wal.html#performance_considerations,
    // https://www.sqlite.org/pragma.html#pragma_synchronous).
    writer_db_->exec("PRAGMA synchronous=FULL");
    writer_db_->exec("PRAGMA foreign_keys=ON");
    // Checkpoints run on their own connection (CheckpointLoop), not inside a commit.
    writer_db_->exec("PRAGMA wal_autocheckpoint=0");
    const int version = writer_db_->execAndGet("PRAGMA user_version").getInt();
    if (version > kSchemaVersion) {
      return absl::FailedPreconditionError("database " + path_ + " has schema version " +
                                           std::to_string(version) + ", newer than this build (" +
                                           std::to_string(kSchemaVersion) + ")");
    }
    for (int v = version; v < kSchemaVersion; ++v) {
      SQLite::Transaction tx(*writer_db_);
      writer_db_->exec(kMigrations[v]);
      writer_db_->exec("PRAGMA user_version=" + std::to_string(v + 1));
      tx.commit();
      Logger()->info("migrated schema to version {} path={}", v + 1, path_);
    }
  } catch (const SQLite::Exception& e) {
    if (IsCorruption(e)) return CorruptDatabase(path_, e.what());
    return absl::UnavailableError("cannot open database " + path_ + ": " + e.what());
  }
  return absl::OkStatus();
}

absl::Status Store::CheckIntegrity() {
  // Migrations set user_version in the transaction that creates the tables, so a database with
  // tables and version 0 was made by something else.
  if (writer_db_->execAndGet("PRAGMA user_version").getInt() == 0) {
    const int64_t objects = writer_db_->execAndGet("SELECT COUNT(*) FROM sqlite_schema").getInt64();
    if (objects > 0) {
      return CorruptDatabase(path_, "it has " + std::to_string(objects) +
                                        " tables and indexes but no callcontrol schema version "
                                        "(PRAGMA user_version is 0)");
    }
  }
  // Every page's b-tree structure, without the cross-checks of integrity_check. It catches
  // damage that loading the state would not read (an index page) instead of failing requests
  // later, but reads the whole file: about 0.3 s of CPU per 100k calls (320 MB), and at the
  // disk's speed when the file is not cached (docs/reliability.md has the figures). A larger
  // database starts without it.
  const int64_t bytes = writer_db_->execAndGet("PRAGMA page_count").getInt64() *
                        writer_db_->execAndGet("PRAGMA page_size").getInt64();
  if (bytes > options_.quick_check_max_bytes) {
    Logger()->warn(
        "database {} is {} MB, over quick_check_max_bytes: starting without PRAGMA quick_check "
        "(check it offline with: sqlite3 {} 'PRAGMA integrity_check')",
        path_, bytes >> 20, path_);
    return absl::OkStatus();
  }
  SQLite::Statement check(*writer_db_, "PRAGMA quick_check(5)");
  std::string problems;
  while (check.executeStep()) {
    const std::string row = check.getColumn(0).getString();
    if (row == "ok") break;
    problems += (problems.empty() ? "" : "; ") + row;
  }
  if (!problems.empty()) return CorruptDatabase(path_, "PRAGMA quick_check: " + problems);
  return absl::OkStatus();
}

Store::~Store() { Close(); }

void Store::Close() {
  {
    std::lock_guard lock(queue_mu_);
    if (closing_) return;
    closing_ = true;
  }
  queue_cv_.notify_all();
  checkpoint_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  if (checkpointer_.joinable()) checkpointer_.join();
  if (samples_) samples_->Close();
  completions_->join();
}

void Store::CheckpointLoop() {
  std::unique_ptr<SQLite::Database> db;
  try {
    db = std::make_unique<SQLite::Database>(path_, SQLite::OPEN_READWRITE);
    db->setBusyTimeout(0);
  } catch (const SQLite::Exception& e) {
    Logger()->error("cannot open checkpoint connection: {}", e.what());
    return;
  }
  std::unique_lock lock(queue_mu_);
  while (!closing_) {
    checkpoint_cv_.wait_for(lock, options_.checkpoint_interval);
    if (closing_) break;
    lock.unlock();
    // PASSIVE copies what it can without waiting for, or blocking, the writer and readers.
    const int rc = sqlite3_wal_checkpoint_v2(db->getHandle(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                             nullptr, nullptr);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
      Logger()->warn("wal checkpoint failed: {}", sqlite3_errstr(rc));
    }
    lock.lock();
  }
  lock.unlock();
  // A final full checkpoint once the writer has stopped keeps the WAL small across restarts.
  sqlite3_wal_checkpoint_v2(db->getHandle(), nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
}

void Store::SetCommitListener(CommitListener listener) { listener_ = std::move(listener); }

void Store::Submit(Mutation mutation, Done done) {
  if (mutation.sample) {
    if (mutation.call || !mutation.events.empty()) {
      return done(absl::InternalError("a mutation holds a voice sample or a call, not both"));
    }
    return samples_->Put(*std::move(mutation.sample), std::move(done));
  }
  {
    std::lock_guard lock(queue_mu_);
    if (!closing_) {
      queue_.push_back(Pending{std::move(mutation), std::move(done)});
      stat_queued_.fetch_add(1, std::memory_order_relaxed);
      queue_cv_.notify_one();
      return;
    }
  }
  done(absl::UnavailableError("store is shutting down"));
}

absl::StatusOr<LoadedState> Store::Load() {
  LoadedState state;
  try {
    SQLite::Statement active(*writer_db_,
                             "SELECT data, IFNULL(request_hash, ''), IFNULL(progress, '') "
                             "FROM calls WHERE status BETWEEN 1 AND 4");
    while (active.executeStep()) {
      auto call = ParseCall(active.getColumn(0));
      if (!call.ok()) return call.status();
      state.active_calls.push_back(*std::move(call));
      state.request_hashes.push_back(active.getColumn(1).getString());
      const SQLite::Column progress = active.getColumn(2);
      state.progress.emplace_back(static_cast<const char*>(progress.getBlob()),
                                  static_cast<size_t>(progress.getBytes()));
    }
    SQLite::Statement range(
        *writer_db_, "SELECT IFNULL(MAX(sequence), 0), IFNULL(MIN(sequence), 0) FROM events");
    range.executeStep();
    state.last_sequence = range.getColumn(0).getInt64();
    state.oldest_sequence = range.getColumn(1).getInt64();
    oldest_sequence_.store(state.oldest_sequence, std::memory_order_release);
    SQLite::Statement counts(*writer_db_,
                             "SELECT tenant_id, status, IFNULL(currency, ''), COUNT(*), "
                             "SUM(duration_seconds), SUM(billable_seconds), SUM(cost_micros) "
                             "FROM calls GROUP BY tenant_id, status, currency");
    while (counts.executeStep()) {
      LoadedState::Count c;
      c.tenant_id = counts.getColumn(0).getString();
      c.status = counts.getColumn(1).getInt();
      c.currency = counts.getColumn(2).getString();
      c.calls = counts.getColumn(3).getInt64();
      c.duration_seconds = counts.getColumn(4).getInt64();
      c.billable_seconds = counts.getColumn(5).getInt64();
      c.cost_micros = counts.getColumn(6).getInt64();
      state.counts.push_back(std::move(c));
    }
  } catch (const SQLite::Exception& e) {
    if (IsCorruption(e)) return CorruptDatabase(path_, std::string("loading state: ") + e.what());
    return FromSqlite(e, "loading state");
  }
  auto sizes = samples_->Sizes();
  if (!sizes.ok()) return sizes.status();
  state.sample_sizes = *std::move(sizes);
  return state;
}

absl::Status Store::MoveSamples() {
  try {
    std::vector<SampleRow> rows;
    SQLite::Statement q(*writer_db_,
                        "SELECT tenant_id, caller_number, content_type, audio, update_time_us "
                        "FROM voice_samples");
    while (q.executeStep()) {
      SampleRow& row = rows.emplace_back();
      row.tenant_id = q.getColumn(0).getString();
      row.caller_number = q.getColumn(1).getString();
      row.content_type = q.getColumn(2).getString();
      const SQLite::Column audio = q.getColumn(3);
      row.audio.assign(static_cast<const char*>(audio.getBlob()),
                       static_cast<size_t>(audio.getBytes()));
      row.update_time_us = q.getColumn(4).getInt64();
    }
    q.reset();
    if (rows.empty()) return absl::OkStatus();
    if (absl::Status s = samples_->Import(rows); !s.ok()) return s;
    writer_db_->exec("DELETE FROM voice_samples");
    Logger()->info("moved {} voice samples from {} to {}", rows.size(), path_,
                   SamplesPathFor(path_));
  } catch (const SQLite::Exception& e) {
    return FromSqlite(e, "moving voice samples");
  }
  return absl::OkStatus();
}

void Store::WriterLoop() {
  std::vector<Pending> batch;
  for (;;) {
    {
      std::unique_lock lock(queue_mu_);
      queue_cv_.wait(lock, [this] { return closing_ || !queue_.empty(); });
      if (queue_.empty()) return;  // closing, and everything is committed
      const size_t n = std::min(queue_.size(), options_.max_batch);
      batch.clear();
      batch.reserve(n);
      for (size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    // A failed commit (disk full, I/O error) is retried until it succeeds: the mutations were
    // already applied in memory and promised in order, so they are never dropped. Meanwhile
    // writable() is false and callers refuse new changes, so the queue does not grow; reads go
    // on. Only a shutdown gives up, answering kUnavailable (nothing of it was acknowledged).
    absl::Status status;
    const absl::Time commit_start = absl::Now();
    auto wait = std::chrono::milliseconds(100);
    for (int attempt = 1;; ++attempt) {
      status = CommitBatch(batch);
      if (status.ok()) break;
      if (writable_.exchange(false, std::memory_order_acq_rel) || attempt % 20 == 0) {
        Logger()->error(
            "database {} is not writable (attempt {}): {}; new changes are refused "
            "until a commit succeeds",
            path_, attempt, status.message());
      }
      std::unique_lock lock(queue_mu_);
      if (queue_cv_.wait_for(lock, wait, [this] { return closing_; })) break;
      wait = std::min(wait * 2, std::chrono::milliseconds(2000));
    }
    if (!status.ok()) {  // closing
      Logger()->error("closing with {} uncommitted changes: {}", batch.size(), status.message());
      for (auto& p : batch) {
        if (p.done) p.done(absl::UnavailableError("store: " + std::string(status.message())));
      }
      std::deque<Pending> rest;
      {
        std::lock_guard lock(queue_mu_);
        rest.swap(queue_);
      }
      for (auto& p : rest) {
        if (p.done) p.done(absl::UnavailableError("store: " + std::string(status.message())));
      }
      return;
    }
    if (!writable_.exchange(true, std::memory_order_acq_rel)) {
      Logger()->warn("database {} is writable again", path_);
    }
    std::vector<const EventRow*> events;
    int64_t last_sequence = 0;
    for (const auto& p : batch) {
      for (const auto& e : p.mutation.events) {
        events.push_back(&e);
        last_sequence = e.sequence;
      }
    }
    stat_commits_.fetch_add(1, std::memory_order_relaxed);
    stat_mutations_.fetch_add(static_cast<int64_t>(batch.size()), std::memory_order_relaxed);
    stat_events_.fetch_add(static_cast<int64_t>(events.size()), std::memory_order_relaxed);
    stat_commit_micros_.fetch_add(absl::ToInt64Microseconds(absl::Now() - commit_start),
                                  std::memory_order_relaxed);
    stat_queued_.fetch_sub(static_cast<int64_t>(batch.size()), std::memory_order_relaxed);
    if (listener_ && !events.empty()) listener_(events);
    // Answer on the completion thread; the writer goes on to the next commit.
    boost::asio::post(*completions_, [dones = TakeDones(batch)]() mutable {
      for (auto& done : dones) {
        if (done) done(absl::OkStatus());
      }
    });
    if (last_sequence > 0 && ++commits_since_prune_ >= 256) {
      commits_since_prune_ = 0;
      PruneEvents(last_sequence);
    }
  }
}

Store::Stats Store::stats() const {
  Stats s;
  s.commits = stat_commits_.load(std::memory_order_relaxed);
  s.mutations = stat_mutations_.load(std::memory_order_relaxed);
  s.events = stat_events_.load(std::memory_order_relaxed);
  s.commit_seconds = static_cast<double>(stat_commit_micros_.load(std::memory_order_relaxed)) / 1e6;
  s.queued = stat_queued_.load(std::memory_order_relaxed);
  return s;
}

std::vector<Store::Done> Store::TakeDones(std::vector<Pending>& batch) {
  std::vector<Done> dones;
  dones.reserve(batch.size());
  for (auto& p : batch) dones.push_back(std::move(p.done));
  return dones;
}

absl::Status Store::CommitBatch(std::vector<Pending>& batch) {
  try {
    SQLite::Transaction tx(*writer_db_, SQLite::TransactionBehavior::IMMEDIATE);
    // Prepared once per commit; sqlite3_prepare of these is a few microseconds.
    SQLite::Statement upsert(*writer_db_, kUpsertCall);
    SQLite::Statement insert_event(*writer_db_, kInsertEvent);
    std::optional<SQLite::Statement> insert_alias;
    for (const auto& p : batch) {
      if (const auto& c = p.mutation.call) {
        upsert.bindNoCopy(1, c->call_id);
        upsert.bindNoCopy(2, c->tenant_id);
        upsert.bind(3, c->status);
        upsert.bind(4, static_cast<int64_t>(c->create_time_us));
        upsert.bind(5, static_cast<int64_t>(c->update_time_us));
        upsert.bindNoCopy(6, c->idempotency_key);
        upsert.bindNoCopy(7, c->request_hash);
        upsert.bindNoCopy(8, c->call_sid);
        upsert.bind(9, static_cast<int64_t>(c->duration_seconds));
        upsert.bindNoCopy(10, c->data.data(), static_cast<int>(c->data.size()));
        if (c->progress.empty()) {
          upsert.bind(11);  // NULL
        } else {
          upsert.bindNoCopy(11, c->progress.data(), static_cast<int>(c->progress.size()));
        }
        upsert.bind(12, static_cast<int64_t>(c->billable_seconds));
        upsert.bindNoCopy(13, c->currency);
        upsert.bind(14, static_cast<int64_t>(c->cost_micros));
        upsert.exec();
        upsert.reset();
        for (const auto& alias : c->new_aliases) {
          if (!insert_alias) insert_alias.emplace(*writer_db_, kInsertAlias);
          insert_alias->bindNoCopy(1, alias);
          insert_alias->bindNoCopy(2, c->call_id);
          insert_alias->exec();
          insert_alias->reset();
        }
      }
      for (const auto& e : p.mutation.events) {
        insert_event.bind(1, static_cast<int64_t>(e.sequence));
        insert_event.bindNoCopy(2, e.tenant_id);
        insert_event.bindNoCopy(3, e.data.data(), static_cast<int>(e.data.size()));
        insert_event.exec();
        insert_event.reset();
      }
    }
    tx.commit();
  } catch (const SQLite::Exception& e) {
    return FromSqlite(e, "commit");
  }
  return absl::OkStatus();
}

void Store::PruneEvents(int64_t last_sequence) {
  const int64_t keep_from = last_sequence - options_.event_retention + 1;
  if (keep_from <= oldest_sequence_.load(std::memory_order_acquire)) return;
  try {
    SQLite::Statement del(*writer_db_, "DELETE FROM events WHERE sequence < ?1");
    del.bind(1, static_cast<int64_t>(keep_from));
    del.exec();
    SQLite::Statement min(*writer_db_, "SELECT IFNULL(MIN(sequence), 0) FROM events");
    min.executeStep();
    oldest_sequence_.store(min.getColumn(0).getInt64(), std::memory_order_release);
  } catch (const SQLite::Exception& e) {
    Logger()->warn("pruning events failed: {}", e.what());
  }
}

std::unique_ptr<SQLite::Database> Store::AcquireReader() {
  {
    std::lock_guard lock(readers_mu_);
    if (!readers_.empty()) {
      auto db = std::move(readers_.back());
      readers_.pop_back();
      return db;
    }
  }
  // All pooled connections are busy: open another (returned to the pool afterwards).
  auto db = std::make_unique<SQLite::Database>(path_, SQLite::OPEN_READONLY);
  db->setBusyTimeout(5000);
  return db;
}

void Store::ReleaseReader(std::unique_ptr<SQLite::Database> db) {
  std::lock_guard lock(readers_mu_);
  readers_.push_back(std::move(db));
}

absl::StatusOr<std::optional<v1::Call>> Store::FindCall(const std::string& tenant_id,
                                                        const std::string& id) {
  const bool by_call_id = id.rfind("call_", 0) == 0;
  if (!by_call_id && tenant_id.empty()) return std::optional<v1::Call>();
  try {
    ReadLease lease(this);
    SQLite::Statement q(
        lease.db(), by_call_id ? "SELECT data FROM calls WHERE call_id = ?1" : kFindCallByAlias);
    q.bindNoCopy(1, id);
    if (!by_call_id) q.bindNoCopy(2, tenant_id);
    if (!q.executeStep()) return std::optional<v1::Call>();
    auto call = ParseCall(q.getColumn(0));
    if (!call.ok()) return call.status();
    return std::optional<v1::Call>(*std::move(call));
  } catch (const SQLite::Exception& e) {
    return FromSqlite(e, "reading call");
  }
}

absl::StatusOr<std::optional<SampleRow>> Store::ReadSample(const std::string& tenant_id,
                                                           const std::string& caller_number) {
  return samples_->Read(tenant_id, caller_number);
}

absl::StatusOr<std::optional<std::pair<v1::Call, std::string>>> Store::FindByIdempotencyKey(
    const std::string& tenant_id, const std::string& key) {
  using Result = std::optional<std::pair<v1::Call, std::string>>;
  try {
    ReadLease lease(this);
    SQLite::Statement q(lease.db(),
                        "SELECT data, IFNULL(request_hash, '') FROM calls "
                        "WHERE tenant_id = ?1 AND idempotency_key = ?2");
    q.bindNoCopy(1, tenant_id);
    q.bindNoCopy(2, key);
    if (!q.executeStep()) return Result();
    auto call = ParseCall(q.getColumn(0));
    if (!call.ok()) return call.status();
    return Result(std::make_pair(*std::move(call), q.getColumn(1).getString()));
  } catch (const SQLite::Exception& e) {
    return FromSqlite(e, "reading idempotency key");
  }
}

absl::StatusOr<std::vector<v1::Call>> Store::ListCalls(const ListQuery& query) {
  std::vector<v1::Call> calls;
  try {
    ReadLease lease(this);
    SQLite::Statement q(lease.db(), R"sql(
      SELECT data FROM calls
      WHERE tenant_id = ?1
        AND (?2 = 0 OR ((?2 >> status) & 1) = 1)
        AND create_time_us >= ?3 AND create_time_us < ?4
        AND (?6 = '' OR (create_time_us, call_id) < (?5, ?6))
      ORDER BY create_time_us DESC, call_id DESC
      LIMIT ?7)sql");
    q.bindNoCopy(1, query.tenant_id);
    q.bind(2, static_cast<int64_t>(query.status_mask));
    q.bind(3, static_cast<int64_t>(query.start_us));
    q.bind(4, static_cast<int64_t>(query.end_us));
    q.bind(5, static_cast<int64_t>(query.after_create_us));
    q.bindNoCopy(6, query.after_call_id);
    q.bind(7, query.limit);
    while (q.executeStep()) {
      auto call = ParseCall(q.getColumn(0));
      if (!call.ok()) return call.status();
      calls.push_back(*std::move(call));
    }
  } catch (const SQLite::Exception& e) {
    return FromSqlite(e, "listing calls");
  }
  return calls;
}

absl::StatusOr<std::vector<EventRow>> Store::ReadEvents(const std::string& tenant_id, int64_t after,
                                                        int64_t up_to, int limit) {
  std::vector<EventRow> events;
  try {
    ReadLease lease(this);
    SQLite::Statement q(lease.db(),
                        "SELECT sequence, data FROM events WHERE tenant_id = ?1 AND sequence > ?2 "
                        "AND sequence <= ?3 ORDER BY sequence LIMIT ?4");
    q.bindNoCopy(1, tenant_id);
    q.bind(2, static_cast<int64_t>(after));
    q.bind(3, static_cast<int64_t>(up_to));
    q.bind(4, limit);
    while (q.executeStep()) {
      const SQLite::Column data = q.getColumn(1);
      events.push_back(EventRow{q.getColumn(0).getInt64(), tenant_id,
                                std::string(static_cast<const char*>(data.getBlob()),
                                            static_cast<size_t>(data.getBytes()))});
    }
  } catch (const SQLite::Exception& e) {
    return FromSqlite(e, "reading events");
  }
  return events;
}

}  // namespace callcontrol::store
