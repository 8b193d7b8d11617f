// absl::Time -> google.protobuf.Timestamp for times read from untrusted input (provider webhooks).
//
// Why: a Timestamp is only valid from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z
// (timestamp.proto), and the daemon refuses a report whose occurred_time lies outside
// (server/calls/report_limits.h). absl::ParseTime reads years of any length and the literals
// "infinite-future"/"infinite-past", so a provider's "99999-01-01T00:00:00Z" would otherwise
// become a report the daemon refuses whole, losing the status it carried; a time outside the range
// is treated like one that does not parse. Thread-safe (pure functions).
#pragma once

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace callcontrol::proto {

// Sets `*out` to `time` (whole seconds floored, plus nanoseconds) and returns true when `time` is
// inside Timestamp's range; otherwise returns false and leaves `*out` as it was.
bool ToTimestamp(absl::Time time, google::protobuf::Timestamp* out);

}  // namespace callcontrol::proto
