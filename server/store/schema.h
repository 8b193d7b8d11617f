// The SQLite schema of the store: versioned migrations, applied in order at open; PRAGMA
// user_version records how many ran. Append only: a released migration never changes.
#pragma once

namespace callcontrol::store {

// kMigrations[v] takes the schema from version v to v + 1.
extern const char* const kMigrations[];
// The version this build creates and understands (the number of migrations).
extern const int kSchemaVersion;

}  // namespace callcontrol::store
