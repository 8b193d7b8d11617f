// `callctl watch`: follows StreamEvents, printing one line (or one JSON object) per event, and
// reconnects after UNAVAILABLE / RESOURCE_EXHAUSTED resuming from the last sequence it saw, so no
// event is missed or printed twice. Used by client/main.cc and tests/client.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "callcontrol/v1/call_control_service.grpc.pb.h"
#include "grpcpp/client_context.h"

namespace callcontrol::client {

// Lets another thread (a signal handler thread, a test) end a running WatchEvents: Stop()
// cancels the stream in flight and wakes a reconnect wait. Thread-safe.
class WatchStop {
 public:
  // Ends the watch; WatchEvents returns OK soon after. Idempotent.
  void Stop();
  bool stopped() const;

  // For WatchEvents: registers the context of the stream being read (cancelled by Stop()).
  // Returns false, registering nothing, if Stop() was already called.
  bool Attach(grpc::ClientContext* context);
  // Forgets the registered context; call before destroying it.
  void Detach();
  // Waits up to `timeout`; returns true if stopped (immediately or during the wait).
  bool WaitFor(absl::Duration timeout);

 private:
  mutable absl::Mutex mu_;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;
};

struct WatchOptions {
  // First request's since_sequence; unset means live events only.
  std::optional<int64_t> since_sequence;
  // Print each event as one JSON object per line instead of a readable line.
  bool json = false;
  // Only print events of this call (call id or any provider id); empty prints every event.
  std::string call_id;
  // Return once the call named by `call_id` reaches a terminal status (requires call_id). If
  // GetCall shows it already ended, WatchEvents says so on `err` and returns at once.
  bool until_terminal = false;
  // Return after printing this many events; 0 means no limit.
  int64_t max_events = 0;
  // Reconnect delays: the first retry waits initial_backoff, each further one twice as long,
  // capped at max_backoff; a stream that delivered an event resets it.
  absl::Duration initial_backoff = absl::Milliseconds(200);
  absl::Duration max_backoff = absl::Seconds(5);
  // Request metadata sent on every stream, e.g. {"authorization", "Bearer KEY"}.
  std::vector<std::pair<std::string, std::string>> metadata;
};

struct WatchResult {
  int64_t printed = 0;  // events written to `out`
  // Greatest sequence received (printed or filtered out); unset if none.
  std::optional<int64_t> last_sequence;
  int reconnects = 0;  // streams opened after the first
};

// Streams events from `stub` to `out` until a condition of `options` holds or `stop` is stopped
// (both return OK). Reconnect notices go to `err`. A stream that ends with UNAVAILABLE,
// RESOURCE_EXHAUSTED, OK or a CANCELLED that `stop` did not cause is reopened with
// since_sequence = the last sequence received; events at or below it are never printed again.
// Returns kInvalidArgument for bad options (until_terminal without call_id, negative since), and
// the stream's status for any other ending: kOutOfRange when since_sequence is no longer
// retained, kUnauthenticated, kPermissionDenied... `stop` may be null.
absl::StatusOr<WatchResult> WatchEvents(v1::CallControlService::StubInterface& stub,
                                        const WatchOptions& options, std::ostream& out,
                                        std::ostream& err, WatchStop* stop);

}  // namespace callcontrol::client
