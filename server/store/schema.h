// The SQLite schema of the store (versioned migrations, applied in order at open; PRAGMA
// user_version records how many ran; append only) and how SQLite errors read as statuses.
#pragma once

#include <string>

#include "absl/status/status.h"

namespace SQLite {
class Exception;
}

namespace callcontrol::store {

// kMigrations[v] takes the schema from version v to v + 1.
extern const char* const kMigrations[];
// The version this build creates and understands (the number of migrations).
extern const int kSchemaVersion;

// A SQLite error as a status: kUnavailable for what may pass (busy, locked, full, I/O, cannot
// open, read-only), kInternal otherwise; the message is "<what>: <SQLite's message>".
absl::Status FromSqlite(const SQLite::Exception& e, const char* what);
// True for SQLITE_CORRUPT and SQLITE_NOTADB.
bool IsCorruption(const SQLite::Exception& e);
// kDataLoss naming `path`, what is wrong and what to do (restore it or move it away).
absl::Status CorruptDatabase(const std::string& path, const std::string& detail);

}  // namespace callcontrol::store
