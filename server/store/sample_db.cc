#include "server/store/sample_db.h"

#include <SQLiteCpp/SQLiteCpp.h>

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

// Version 1. A rowid table: SQLite keeps large rows in overflow pages, which a WITHOUT ROWID
// table is not meant for (https://www.sqlite.org/withoutrowid.html, section 4).
constexpr char kSchema[] = R"sql(
  CREATE TABLE voice_samples (
    tenant_id      TEXT NOT NULL,
    caller_number  TEXT NOT NULL,
    content_type   TEXT NOT NULL,
    audio          BLOB NOT NULL,
    update_time_us INTEGER NOT NULL,
    UNIQUE (tenant_id, caller_number)
  );
  PRAGMA user_version = 1;
)sql";

constexpr char kUpsert[] = R"sql(
  INSERT INTO voice_samples(tenant_id, caller_number, content_type, audio, update_time_us)
  VALUES(?1, ?2, ?3, ?4, ?5)
  ON CONFLICT(tenant_id, caller_number) DO UPDATE SET
    content_type = excluded.content_type, audio = excluded.audio,
    update_time_us = excluded.update_time_us)sql";

void Upsert(SQLite::Statement& upsert, const SampleRow& row) {
  upsert.bindNoCopy(1, row.tenant_id);
  upsert.bindNoCopy(2, row.caller_number);
  upsert.bindNoCopy(3, row.content_type);
  upsert.bindNoCopy(4, row.audio.data(), static_cast<int>(row.audio.size()));
  upsert.bind(5, static_cast<int64_t>(row.update_time_us));
  upsert.exec();
  upsert.reset();
}

}  // namespace

std::string SamplesPathFor(const std::string& db_path) {
  constexpr std::string_view kSuffix = ".db";
  if (db_path.size() > kSuffix.size() &&
      db_path.compare(db_path.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0) {
    return db_path.substr(0, db_path.size() - kSuffix.size()) + "-samples.db";
  }
  return db_path + "-samples";
}

SampleDb::SampleDb(std::string path) : path_(std::move(path)) {}

absl::StatusOr<std::unique_ptr<SampleDb>> SampleDb::Open(const std::string& path) {
  std::unique_ptr<SampleDb> db(new SampleDb(path));
  if (absl::Status s = db->OpenFile(); !s.ok()) return s;
  db->writer_ = std::thread([d = db.get()] {
    SetCurrentThreadName("sample-writer");
    d->WriterLoop();
  });
  return db;
}

absl::Status SampleDb::OpenFile() {
  try {
    writer_db_ =
        std::make_unique<SQLite::Database>(path_, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    writer_db_->setBusyTimeout(5000);
    const int version = writer_db_->execAndGet("PRAGMA user_version").getInt();
    if (version == 0 && writer_db_->execAndGet("SELECT COUNT(*) FROM sqlite_schema").getInt() > 0) {
      return CorruptDatabase(path_, "it has tables but no callcontrol schema version");
    }
    if (version > 1) {
      return absl::FailedPreconditionError("voice-sample database " + path_ +
                                           " has schema version " + std::to_string(version) +
                                           ", newer than this build (1)");
    }
    // As Store's check (store.cc), up to 1 GiB: the check reads the whole file.
    const int64_t bytes = writer_db_->execAndGet("PRAGMA page_count").getInt64() *
                          writer_db_->execAndGet("PRAGMA page_size").getInt64();
    if (SQLite::Statement check(*writer_db_, "PRAGMA quick_check(5)");
        bytes <= (int64_t{1} << 30) && check.executeStep() &&
        check.getColumn(0).getString() != "ok") {
      return CorruptDatabase(path_, "PRAGMA quick_check: " + check.getColumn(0).getString());
    }
    writer_db_->exec("PRAGMA journal_mode=WAL");
    writer_db_->exec("PRAGMA synchronous=FULL");
    if (version == 0) {
      SQLite::Transaction tx(*writer_db_);
      writer_db_->exec(kSchema);
      tx.commit();
    }
    reader_db_ = std::make_unique<SQLite::Database>(path_, SQLite::OPEN_READONLY);
    reader_db_->setBusyTimeout(5000);
  } catch (const SQLite::Exception& e) {
    if (IsCorruption(e)) return CorruptDatabase(path_, e.what());
    return absl::UnavailableError("cannot open voice-sample database " + path_ + ": " + e.what());
  }
  return absl::OkStatus();
}

SampleDb::~SampleDb() { Close(); }

void SampleDb::Close() {
  {
    std::lock_guard lock(queue_mu_);
    if (closing_) return;
    closing_ = true;
  }
  queue_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
}

absl::StatusOr<std::vector<LoadedState::SampleSize>> SampleDb::Sizes() {
  std::vector<LoadedState::SampleSize> sizes;
  try {
    std::lock_guard lock(reader_mu_);
    SQLite::Statement q(*reader_db_,
                        "SELECT tenant_id, caller_number, length(audio) FROM voice_samples");
    while (q.executeStep()) {
      sizes.push_back(
          {q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getInt64()});
    }
  } catch (const SQLite::Exception& e) {
    return FromSqlite(e, "reading voice-sample sizes");
  }
  return sizes;
}

absl::Status SampleDb::Import(const std::vector<SampleRow>& rows) {
  std::vector<Pending> batch;
  batch.reserve(rows.size());
  for (const SampleRow& row : rows) batch.push_back(Pending{row, nullptr});
  return Commit(batch);
}

void SampleDb::Put(SampleRow row, CallStore::Done done) {
  const auto bytes = static_cast<int64_t>(row.audio.size());
  absl::Status refused;
  {
    std::lock_guard lock(queue_mu_);
    if (closing_) {
      refused = absl::UnavailableError("store is shutting down");
    } else if (queued_bytes_ + bytes > kMaxQueuedBytes && !queue_.empty()) {
      refused = absl::ResourceExhaustedError("too many voice samples are waiting to be written (" +
                                             std::to_string(queued_bytes_ >> 20) +
                                             " MiB); try again in a few seconds");
    } else {
      queued_bytes_ += bytes;
      queue_.push_back(Pending{std::move(row), std::move(done)});
      queue_cv_.notify_one();
      return;
    }
  }
  done(refused);  // outside the lock: `done` may take the caller's locks
}

absl::StatusOr<std::optional<SampleRow>> SampleDb::Read(const std::string& tenant_id,
                                                        const std::string& caller_number) {
  try {
    std::lock_guard lock(reader_mu_);
    SQLite::Statement q(*reader_db_,
                        "SELECT content_type, audio, update_time_us FROM voice_samples "
                        "WHERE tenant_id = ?1 AND caller_number = ?2");
    q.bindNoCopy(1, tenant_id);
    q.bindNoCopy(2, caller_number);
    if (!q.executeStep()) return std::optional<SampleRow>();
    SampleRow row;
    row.tenant_id = tenant_id;
    row.caller_number = caller_number;
    row.content_type = q.getColumn(0).getString();
    const SQLite::Column audio = q.getColumn(1);
    row.audio.assign(static_cast<const char*>(audio.getBlob()),
                     static_cast<size_t>(audio.getBytes()));
    row.update_time_us = q.getColumn(2).getInt64();
    return std::optional<SampleRow>(std::move(row));
  } catch (const SQLite::Exception& e) {
    return FromSqlite(e, "reading voice sample");
  }
}

absl::Status SampleDb::Commit(const std::vector<Pending>& batch) {
  try {
    SQLite::Transaction tx(*writer_db_, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement upsert(*writer_db_, kUpsert);
    for (const Pending& p : batch) Upsert(upsert, p.row);
    tx.commit();
  } catch (const SQLite::Exception& e) {
    return FromSqlite(e, "writing voice samples");
  }
  return absl::OkStatus();
}

void SampleDb::WriterLoop() {
  // Up to this much audio per transaction: one fsync for the uploads that queued meanwhile.
  constexpr int64_t kBatchBytes = int64_t{16} << 20;
  std::vector<Pending> batch;
  for (;;) {
    int64_t batch_bytes = 0;
    {
      std::unique_lock lock(queue_mu_);
      queue_cv_.wait(lock, [this] { return closing_ || !queue_.empty(); });
      if (queue_.empty()) return;  // closing, and everything is committed
      batch.clear();
      while (!queue_.empty() &&
             (batch.empty() ||
              batch_bytes + static_cast<int64_t>(queue_.front().row.audio.size()) <= kBatchBytes)) {
        batch_bytes += static_cast<int64_t>(queue_.front().row.audio.size());
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    // As in Store::WriterLoop: retried until it commits; only a shutdown gives up.
    absl::Status status;
    auto wait = std::chrono::milliseconds(100);
    for (int attempt = 1;; ++attempt) {
      status = Commit(batch);
      if (status.ok()) break;
      if (writable_.exchange(false, std::memory_order_acq_rel) || attempt % 20 == 0) {
        Logger()->error("voice-sample database {} is not writable (attempt {}): {}", path_, attempt,
                        status.message());
      }
      std::unique_lock lock(queue_mu_);
      if (queue_cv_.wait_for(lock, wait, [this] { return closing_; })) break;
      wait = std::min(wait * 2, std::chrono::milliseconds(2000));
    }
    if (status.ok() && !writable_.exchange(true, std::memory_order_acq_rel)) {
      Logger()->warn("voice-sample database {} is writable again", path_);
    }
    {
      std::lock_guard lock(queue_mu_);
      queued_bytes_ -= batch_bytes;
    }
    for (Pending& p : batch) {
      if (p.done) p.done(status.ok() ? status : absl::UnavailableError(status.message()));
    }
    if (!status.ok()) {  // closing: what is still queued was never acknowledged
      std::deque<Pending> rest;
      {
        std::lock_guard lock(queue_mu_);
        rest.swap(queue_);
      }
      for (Pending& p : rest) {
        if (p.done) p.done(absl::UnavailableError("store is shutting down"));
      }
      return;
    }
  }
}

}  // namespace callcontrol::store
