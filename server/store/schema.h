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

// The one call `alias` (a provider id: CallSid, call_control_id, ...) names in tenant ?2, the
// oldest if several do: ?1 = alias, ?2 = tenant_id; one column, the call's `data`. CROSS JOIN
// makes SQLite start from call_aliases' primary key: left to itself the planner starts from the
// tenant's index on calls (calls_by_tenant_time) and reads every call of the tenant to find an
// alias that is not there, so each webhook of a call not in memory cost time in proportion to
// the tenant's history
// (https://sqlite.org/optoverview.html#manual_control_of_query_plans_using_cross_join).
extern const char kFindCallByAlias[];

// A SQLite error as a status: kUnavailable for what may pass (busy, locked, full, I/O, cannot
// open, read-only), kInternal otherwise; the message is "<what>: <SQLite's message>".
absl::Status FromSqlite(const SQLite::Exception& e, const char* what);
// True for SQLITE_CORRUPT and SQLITE_NOTADB.
bool IsCorruption(const SQLite::Exception& e);
// kDataLoss naming `path`, what is wrong and what to do (restore it or move it away).
absl::Status CorruptDatabase(const std::string& path, const std::string& detail);

}  // namespace callcontrol::store
