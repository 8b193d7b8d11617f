#include "webhook_adapter/daemon_client.h"

#include <algorithm>
#include <iterator>
#include <memory>
#include <utility>
#include <vector>

#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace callcontrol::webhook_adapter {

// One call in flight: its context, and how to report its outcome to the caller.
struct DaemonClient::Call {
  virtual ~Call() = default;
  // Runs the caller's callback with `status` and the response.
  virtual void Complete(const absl::Status& status) = 0;
  grpc::ClientContext context;
};

template <typename Request, typename Response>
struct DaemonClient::TypedCall final : DaemonClient::Call {
  using Callback = std::function<void(const absl::Status&, const Response&)>;
  TypedCall(Request r, Callback d) : request(std::move(r)), done(std::move(d)) {}
  void Complete(const absl::Status& status) override { done(status, response); }
  Request request;
  Response response;
  Callback done;
};

absl::StatusOr<std::unique_ptr<DaemonClient>> DaemonClient::Create(const std::string& address,
                                                                   const Options& options) {
  if (address.empty()) return absl::InvalidArgumentError("daemon address must not be empty");
  if (options.deadline <= std::chrono::milliseconds::zero()) {
    return absl::InvalidArgumentError("daemon call deadline must be positive");
  }
  if (options.max_batches_in_flight < 1 || options.max_batches_in_flight > 64) {
    return absl::InvalidArgumentError("max_batches_in_flight must be 1 to 64");
  }
  if (options.max_batch_size < 1 || options.max_batch_size > 1000) {
    return absl::InvalidArgumentError("max_batch_size must be 1 to 1000");
  }
  if (options.max_batch_bytes < 1024 || options.max_batch_bytes > (8u << 20)) {
    return absl::InvalidArgumentError("max_batch_bytes must be 1 KiB to 8 MiB");
  }
  if (options.max_queued_reports < 1) {
    return absl::InvalidArgumentError("max_queued_reports must be positive");
  }
  grpc::ChannelArguments args;
  const int max_backoff_ms = static_cast<int>(options.max_reconnect_backoff.count());
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, std::min(100, max_backoff_ms));
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, std::min(100, max_backoff_ms));
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, max_backoff_ms);
  // Notice a daemon that vanished without closing the connection.
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  auto channel = grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
  return std::unique_ptr<DaemonClient>(new DaemonClient(std::move(channel), options));
}

DaemonClient::DaemonClient(std::shared_ptr<grpc::Channel> channel, const Options& options)
    : options_(options),
      authorization_(options.api_key.empty() ? "" : "Bearer " + options.api_key),
      channel_(std::move(channel)),
      stub_(internal::v1::ProviderEventService::NewStub(channel_)) {
  channel_->GetState(/*try_to_connect=*/true);  // connect now, not on the first webhook
}

DaemonClient::~DaemonClient() { Shutdown(); }

void DaemonClient::ReportProviderEvent(internal::v1::ReportProviderEventRequest request,
                                       Done done) {
  Batch batch;
  const char* refusal = nullptr;
  const size_t bytes = request.ByteSizeLong();
  {
    absl::MutexLock lock(&mu_);
    if (refusing_) {
      refusal = "webhook-adapter is shutting down";
    } else if (report_queue_.size() >= static_cast<size_t>(options_.max_queued_reports) ||
               queued_bytes_ + bytes > options_.max_queued_bytes) {
      refusal = "too many webhooks are waiting for callcontrold";
    } else {
      queued_bytes_ += bytes;
      report_queue_.push_back({std::move(request), std::move(done), bytes});
      if (batches_in_flight_ >= options_.max_batches_in_flight) return;  // a completion sends it
      batch = TakeBatchLocked();
    }
  }
  if (refusal != nullptr) {
    done(absl::UnavailableError(refusal), internal::v1::ReportProviderEventResponse());
    return;
  }
  SendBatch(std::move(batch));
}

DaemonClient::Batch DaemonClient::TakeBatchLocked() {
  Batch batch;
  const size_t n = std::min(report_queue_.size(), static_cast<size_t>(options_.max_batch_size));
  batch.reserve(n);
  size_t batch_bytes = 0;
  while (batch.size() < n) {
    const size_t bytes = report_queue_.front().bytes;
    if (!batch.empty() && batch_bytes + bytes > options_.max_batch_bytes) break;
    batch_bytes += bytes;
    queued_bytes_ -= bytes;
    batch.push_back(std::move(report_queue_.front()));
    report_queue_.pop_front();
  }
  ++batches_in_flight_;
  return batch;
}

void DaemonClient::SendBatch(Batch batch) {
  using CallT = TypedCall<internal::v1::BatchReportProviderEventsRequest,
                          internal::v1::BatchReportProviderEventsResponse>;
  internal::v1::BatchReportProviderEventsRequest request;
  request.mutable_requests()->Reserve(static_cast<int>(batch.size()));
  for (QueuedReport& report : batch) *request.add_requests() = std::move(report.request);
  auto dones = std::make_shared<std::vector<Done>>();
  dones->reserve(batch.size());
  for (QueuedReport& report : batch) dones->push_back(std::move(report.done));
  auto on_done = [this, dones](const absl::Status& status,
                               const internal::v1::BatchReportProviderEventsResponse& response) {
    const internal::v1::ReportProviderEventResponse none;
    const bool complete = status.ok() && response.results_size() == static_cast<int>(dones->size());
    for (size_t i = 0; i < dones->size(); ++i) {
      if (!complete) {
        (*dones)[i](
            status.ok() ? absl::InternalError("the daemon answered a batch incompletely") : status,
            none);
        continue;
      }
      const internal::v1::ReportProviderEventResult& r = response.results(static_cast<int>(i));
      (*dones)[i](absl::Status(static_cast<absl::StatusCode>(r.code()), r.message()), r.response());
    }
    Batch next;
    Batch refused;
    {
      absl::MutexLock lock(&mu_);
      --batches_in_flight_;
      if (refusing_) {
        refused.assign(std::make_move_iterator(report_queue_.begin()),
                       std::make_move_iterator(report_queue_.end()));
        report_queue_.clear();
        queued_bytes_ = 0;
      } else if (!report_queue_.empty()) {
        next = TakeBatchLocked();
      }
    }
    for (QueuedReport& report : refused) {
      report.done(absl::UnavailableError("webhook-adapter is shutting down"), none);
    }
    if (!next.empty()) SendBatch(std::move(next));
  };
  Start(std::make_shared<CallT>(std::move(request), std::move(on_done)), [this](Call* call) {
    auto* typed = static_cast<CallT*>(call);
    stub_->async()->BatchReportProviderEvents(
        &typed->context, &typed->request, &typed->response,
        [this, call](grpc::Status status) { Finish(call, status); });
  });
}

void DaemonClient::StartInboundCall(internal::v1::StartInboundCallRequest request,
                                    StartInboundCallDone done) {
  using CallT =
      TypedCall<internal::v1::StartInboundCallRequest, internal::v1::StartInboundCallResponse>;
  Start(std::make_shared<CallT>(std::move(request), std::move(done)), [this](Call* call) {
    auto* typed = static_cast<CallT*>(call);
    stub_->async()->StartInboundCall(&typed->context, &typed->request, &typed->response,
                                     [this, call](grpc::Status status) { Finish(call, status); });
  });
}

void DaemonClient::GetCloneProgress(internal::v1::GetCloneProgressRequest request,
                                    GetCloneProgressDone done) {
  using CallT =
      TypedCall<internal::v1::GetCloneProgressRequest, internal::v1::GetCloneProgressResponse>;
  Start(std::make_shared<CallT>(std::move(request), std::move(done)), [this](Call* call) {
    auto* typed = static_cast<CallT*>(call);
    stub_->async()->GetCloneProgress(&typed->context, &typed->request, &typed->response,
                                     [this, call](grpc::Status status) { Finish(call, status); });
  });
}

void DaemonClient::Start(std::shared_ptr<Call> call, const std::function<void(Call*)>& start) {
  call->context.set_deadline(std::chrono::system_clock::now() + options_.deadline);
  if (!authorization_.empty()) call->context.AddMetadata("authorization", authorization_);
  // Ride out a reconnect (daemon restart, first connection) instead of failing at once: some
  // providers do not retry status callbacks by default, so a 503 there loses the callback. A
  // daemon that stays down still gets 503 once the deadline passes.
  call->context.set_wait_for_ready(true);
  Call* raw = call.get();
  {
    absl::MutexLock lock(&mu_);
    if (!refusing_) {
      calls_.emplace(raw, std::move(call));
      call = nullptr;
    }
  }
  if (call != nullptr) {
    call->Complete(absl::UnavailableError("webhook-adapter is shutting down"));
    return;
  }
  // The callback may run on this thread before async() returns (e.g. on a failed channel); no
  // lock is held here, so that is fine.
  start(raw);
}

void DaemonClient::Finish(Call* call, const grpc::Status& status) {
  // absl and gRPC number their codes the same.
  const absl::Status result = status.ok()
                                  ? absl::OkStatus()
                                  : absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                                                 status.error_message());
  // Out of calls_ before the callback runs, so Shutdown() never cancels an ended call; counted
  // until the call (its ClientContext) is destroyed, so Shutdown() returns only after that.
  std::shared_ptr<Call> owned;
  {
    absl::MutexLock lock(&mu_);
    auto it = calls_.find(call);
    owned = std::move(it->second);
    calls_.erase(it);
    ++completing_;
  }
  owned->Complete(result);
  owned.reset();
  absl::MutexLock lock(&mu_);
  --completing_;
}

std::string_view DaemonClient::ChannelState() const {
  switch (channel_->GetState(/*try_to_connect=*/false)) {
    case GRPC_CHANNEL_IDLE:
      return "idle";
    case GRPC_CHANNEL_CONNECTING:
      return "connecting";
    case GRPC_CHANNEL_READY:
      return "ready";
    case GRPC_CHANNEL_TRANSIENT_FAILURE:
      return "transient_failure";
    case GRPC_CHANNEL_SHUTDOWN:
      return "shutdown";
  }
  return "unknown";
}

bool DaemonClient::Drain(std::chrono::milliseconds grace) {
  absl::MutexLock lock(&mu_);
  refusing_ = true;
  return mu_.AwaitWithTimeout(absl::Condition(this, &DaemonClient::NoCallsLeft),
                              absl::FromChrono(grace));
}

void DaemonClient::Shutdown() {
  std::vector<std::shared_ptr<Call>> in_flight;
  {
    absl::MutexLock lock(&mu_);
    refusing_ = true;
    in_flight.reserve(calls_.size());
    for (const auto& [raw, call] : calls_) in_flight.push_back(call);
  }
  // Outside the lock: a cancelled call's callback may run inline and takes the lock.
  for (const auto& call : in_flight) call->context.TryCancel();
  in_flight.clear();
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(this, &DaemonClient::NoCallsLeft));
}

}  // namespace callcontrol::webhook_adapter
