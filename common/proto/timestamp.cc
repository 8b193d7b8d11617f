#include "common/proto/timestamp.h"

#include <cstdint>

namespace callcontrol::proto {
namespace {

constexpr int64_t kMinSeconds = -62135596800;  // 0001-01-01T00:00:00Z
constexpr int64_t kMaxSeconds = 253402300799;  // 9999-12-31T23:59:59Z

}  // namespace

bool ToTimestamp(absl::Time time, google::protobuf::Timestamp* out) {
  // Also false for absl::InfiniteFuture() and absl::InfinitePast().
  if (time < absl::FromUnixSeconds(kMinSeconds) || time >= absl::FromUnixSeconds(kMaxSeconds + 1)) {
    return false;
  }
  const int64_t seconds = absl::ToUnixSeconds(time);  // floor
  out->set_seconds(seconds);
  out->set_nanos(
      static_cast<int32_t>(absl::ToInt64Nanoseconds(time - absl::FromUnixSeconds(seconds))));
  return true;
}

}  // namespace callcontrol::proto
