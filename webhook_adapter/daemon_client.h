// The adapter's client of callcontrold's internal ProviderEventService: one long-lived gRPC
// channel for the whole process, asynchronous calls (gRPC callback API) so no io thread ever waits
// on the daemon.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "callcontrol/internal/v1/provider_event_service.grpc.pb.h"
#include "grpcpp/channel.h"

namespace callcontrol::webhook_adapter {

// Reports provider events to the daemon. Create once per process and share: the channel
// multiplexes every call over one HTTP/2 connection and reconnects by itself (quickly: the
// reconnect backoff is capped at `max_reconnect_backoff`, so a restarted daemon is picked up
// within about a second). Calls wait for a (re)connection up to their deadline, so while the
// daemon stays down they end with kDeadlineExceeded or kUnavailable. Every call presents the
// adapter's credential (`authorization: Bearer <api_key>` metadata). Thread-safe.
class DaemonClient {
 public:
  struct Options {
    // Per-call deadline; a call that takes longer ends with kDeadlineExceeded.
    std::chrono::milliseconds deadline{5000};
    std::chrono::milliseconds max_reconnect_backoff{1000};
    // config.daemon.internal_api_key: sent as `authorization: Bearer <api_key>` on every call
    // (none when empty; the daemon then refuses the call with kUnauthenticated). A secret:
    // never logged.
    std::string api_key;
    // ReportProviderEvent batching: while `max_batches_in_flight` BatchReportProviderEvents
    // calls are outstanding, new reports wait in a queue and leave together (up to
    // `max_batch_size` per call) when one of them completes. At low load every report goes at
    // once, alone; under load the per-call cost of gRPC and the wake-ups are spread over the
    // batch. 1 to 64. Measured (docs/benchmarks.md): 8 keeps the acknowledgement latency of
    // moderate load (1,000 webhooks/s) where unbatched calls had it, while saturation still
    // forms batches of ~15.
    int max_batches_in_flight = 8;
    // 1 to 1,000 (the daemon's limit).
    int max_batch_size = 256;
    // A batch also stops growing before its serialized reports pass this many bytes (a batch
    // always carries at least one report), so a few large webhooks never push a call past the
    // daemon's 11 MiB message limit. 1 KiB to 8 MiB.
    size_t max_batch_bytes = 1 << 20;
    // Reports beyond this many waiting, or beyond this many serialized bytes waiting, are
    // refused at once with kUnavailable (the provider gets 503 and retries) rather than queued
    // without bound.
    int max_queued_reports = 20000;
    size_t max_queued_bytes = 64 << 20;
  };

  // Called exactly once per call, on a gRPC thread, with the daemon's answer: its status
  // (kUnavailable when the daemon cannot be reached, kDeadlineExceeded on timeout, else what the
  // daemon returned) and, when OK, its response. Must not block.
  using Done = std::function<void(const absl::Status& status,
                                  const internal::v1::ReportProviderEventResponse& response)>;
  // The same, for StartInboundCall and GetCloneProgress.
  using StartInboundCallDone = std::function<void(
      const absl::Status& status, const internal::v1::StartInboundCallResponse& response)>;
  using GetCloneProgressDone = std::function<void(
      const absl::Status& status, const internal::v1::GetCloneProgressResponse& response)>;

  // Creates the channel to `address` ("host:port", plaintext) and starts connecting. Returns
  // kInvalidArgument if `address` is empty, the deadline is not positive or a batching option is
  // out of its range.
  static absl::StatusOr<std::unique_ptr<DaemonClient>> Create(const std::string& address,
                                                              const Options& options);

  // Shutdown(), then releases the channel.
  ~DaemonClient();
  DaemonClient(const DaemonClient&) = delete;
  DaemonClient& operator=(const DaemonClient&) = delete;

  // Reports `request` to the daemon, batched with other reports through
  // ProviderEventService.BatchReportProviderEvents (see Options); `done` gets this event's own
  // outcome, exactly what ReportProviderEvent would have returned. Never blocks on the network.
  // After Drain() or Shutdown(), or when max_queued_reports are already waiting, `done` runs at
  // once, on this thread, with kUnavailable.
  void ReportProviderEvent(internal::v1::ReportProviderEventRequest request, Done done);

  // Sends `request` as ProviderEventService.StartInboundCall (records an inbound call and starts
  // its clone job); otherwise exactly like ReportProviderEvent (deadline, credential, refusal).
  void StartInboundCall(internal::v1::StartInboundCallRequest request, StartInboundCallDone done);

  // Sends `request` as ProviderEventService.GetCloneProgress (the clone job of a call and, when
  // due, the agent stream token); otherwise exactly like ReportProviderEvent.
  void GetCloneProgress(internal::v1::GetCloneProgressRequest request, GetCloneProgressDone done);

  // The channel's connectivity state: "idle", "connecting", "ready", "transient_failure" or
  // "shutdown". Does not trigger a connection attempt.
  std::string_view ChannelState() const;

  // Refuses new calls (their `done` runs at once, on the caller's thread, with kUnavailable) and
  // waits up to `grace` for the calls in flight to finish. Returns true if none is left.
  bool Drain(std::chrono::milliseconds grace);

  // Refuses new calls like Drain(), cancels the calls in flight and returns once every one of
  // their `done` callbacks has returned, so nothing a callback uses may be destroyed before this.
  // Idempotent.
  void Shutdown();

 private:
  struct Call;
  template <typename Request, typename Response>
  struct TypedCall;
  // A report waiting for its batch.
  struct QueuedReport {
    internal::v1::ReportProviderEventRequest request;
    Done done;
    size_t bytes = 0;  // request.ByteSizeLong()
  };
  using Batch = std::vector<QueuedReport>;
  using CallMap = absl::flat_hash_map<Call*, std::shared_ptr<Call>>;
  // No call in flight and no callback still running.
  bool NoCallsLeft() const ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return calls_.empty() && completing_ == 0;
  }

  DaemonClient(std::shared_ptr<grpc::Channel> channel, const Options& options);
  // Registers `call` (with the deadline and credential set) and starts it with `start`
  // (which calls the stub's async method); or, when refusing, completes it at once with
  // kUnavailable.
  void Start(std::shared_ptr<Call> call, const std::function<void(Call*)>& start);
  void Finish(Call* call, const grpc::Status& status);
  // Moves up to max_batch_size queued reports into a batch and counts it in flight.
  Batch TakeBatchLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Sends `batch` as one BatchReportProviderEvents call; when it completes, hands each report
  // its result and sends what queued meanwhile (or refuses it, when refusing).
  void SendBatch(Batch batch);

  const Options options_;
  // "Bearer <api_key>", or "" when there is no key.
  const std::string authorization_;
  const std::shared_ptr<grpc::Channel> channel_;
  const std::unique_ptr<internal::v1::ProviderEventService::Stub> stub_;

  mutable absl::Mutex mu_;
  // Set by Drain() and Shutdown(): new calls are refused.
  bool refusing_ ABSL_GUARDED_BY(mu_) = false;
  // Calls in flight, owned here until gRPC reports their end (then Finish() owns them while their
  // callback runs; Shutdown() cancels only the calls still here).
  CallMap calls_ ABSL_GUARDED_BY(mu_);
  // Finish() calls running a callback; each has destroyed its call before it is uncounted.
  int completing_ ABSL_GUARDED_BY(mu_) = 0;
  // Reports waiting for a batch slot, oldest first.
  std::deque<QueuedReport> report_queue_ ABSL_GUARDED_BY(mu_);
  size_t queued_bytes_ ABSL_GUARDED_BY(mu_) = 0;  // sum of report_queue_ bytes
  int batches_in_flight_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace callcontrol::webhook_adapter
