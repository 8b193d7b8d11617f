#include "server/store/schema.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

namespace callcontrol::store {

// Schema migrations, applied in order; PRAGMA user_version records how many ran. Append only.
const char* const kMigrations[] = {
    // 1: calls and the event log.
    R"sql(
    CREATE TABLE calls (
      call_id          TEXT PRIMARY KEY,
      tenant_id        TEXT NOT NULL,
      status           INTEGER NOT NULL,
      create_time_us   INTEGER NOT NULL,
      update_time_us   INTEGER NOT NULL,
      idempotency_key  TEXT,
      request_hash     TEXT,
      call_sid         TEXT,
      duration_seconds INTEGER NOT NULL DEFAULT 0,
      data             BLOB NOT NULL
    );
    CREATE INDEX calls_by_tenant_time ON calls(tenant_id, create_time_us, call_id);
    CREATE INDEX calls_by_tenant_status ON calls(tenant_id, status, duration_seconds);
    CREATE INDEX calls_active ON calls(status) WHERE status BETWEEN 1 AND 4;
    CREATE UNIQUE INDEX calls_by_call_sid ON calls(call_sid) WHERE call_sid IS NOT NULL;
    CREATE UNIQUE INDEX calls_by_idempotency_key ON calls(tenant_id, idempotency_key)
      WHERE idempotency_key IS NOT NULL;
    CREATE TABLE events (
      sequence  INTEGER PRIMARY KEY,
      tenant_id TEXT NOT NULL,
      data      BLOB NOT NULL
    );
    CREATE INDEX events_by_tenant ON events(tenant_id, sequence);
    )sql",
    // 2: per-call progress (ordering, applied provider event ids) and every provider id of a
    // call (call_control_id, call_leg_id, call_session_id besides the CallSid).
    R"sql(
    ALTER TABLE calls ADD COLUMN progress BLOB;
    CREATE TABLE call_aliases (
      alias   TEXT NOT NULL,
      call_id TEXT NOT NULL,
      PRIMARY KEY (alias, call_id)
    ) WITHOUT ROWID;
    INSERT INTO call_aliases(alias, call_id)
      SELECT call_sid, call_id FROM calls WHERE call_sid IS NOT NULL;
    )sql",
    // 3: billing. The per-tenant totals read at startup come from one covering index.
    R"sql(
    ALTER TABLE calls ADD COLUMN billable_seconds INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE calls ADD COLUMN currency TEXT;
    ALTER TABLE calls ADD COLUMN cost_micros INTEGER NOT NULL DEFAULT 0;
    UPDATE calls SET billable_seconds = duration_seconds WHERE status >= 5;
    DROP INDEX calls_by_tenant_status;
    CREATE INDEX calls_totals ON calls(tenant_id, status, currency, duration_seconds,
                                       billable_seconds, cost_micros);
    )sql",
    // 4: callers' voice samples for the clone flow. Empty since they moved to a file of their own
    // (sample_db.h): Store::Open moves what an older build left here.
    R"sql(
    CREATE TABLE voice_samples (
      tenant_id      TEXT NOT NULL,
      caller_number  TEXT NOT NULL,
      content_type   TEXT NOT NULL,
      audio          BLOB NOT NULL,
      update_time_us INTEGER NOT NULL,
      PRIMARY KEY (tenant_id, caller_number)
    ) WITHOUT ROWID;
    )sql",
    // 5: every lookup by a provider id goes through call_aliases (migration 2), so the unique
    // CallSid index only cost a random page write per new call (and could refuse a commit).
    R"sql(
    DROP INDEX calls_by_call_sid;
    )sql",
};
const int kSchemaVersion = sizeof(kMigrations) / sizeof(kMigrations[0]);

const char kFindCallByAlias[] =
    "SELECT c.data FROM call_aliases a CROSS JOIN calls c ON c.call_id = a.call_id "
    "WHERE a.alias = ?1 AND c.tenant_id = ?2 ORDER BY c.create_time_us, c.call_id LIMIT 1";

absl::Status FromSqlite(const SQLite::Exception& e, const char* what) {
  const int code = e.getErrorCode() & 0xff;
  const std::string message = std::string(what) + ": " + e.what();
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED) return absl::UnavailableError(message);
  if (code == SQLITE_FULL || code == SQLITE_IOERR || code == SQLITE_CANTOPEN ||
      code == SQLITE_READONLY) {
    return absl::UnavailableError(message);
  }
  return absl::InternalError(message);
}

bool IsCorruption(const SQLite::Exception& e) {
  const int code = e.getErrorCode() & 0xff;
  return code == SQLITE_CORRUPT || code == SQLITE_NOTADB;
}

// What the operator reads when the daemon refuses a damaged file (main prints it and exits 1).
absl::Status CorruptDatabase(const std::string& path, const std::string& detail) {
  return absl::DataLossError("database " + path + " is corrupt or not a callcontrol database: " +
                             detail + "; restore it from a backup or move it away to start empty");
}

}  // namespace callcontrol::store
