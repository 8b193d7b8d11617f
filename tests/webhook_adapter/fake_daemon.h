// FakeDaemon: a real in-process gRPC server implementing callcontrold's internal
// ProviderEventService on 127.0.0.1:<ephemeral>. Like the daemon, it requires the adapter's
// credential (`authorization: Bearer <internal api key>`) and answers UNAUTHENTICATED without it;
// it records every authenticated request and answers with a status the test chooses (or holds
// the answers until the test releases them). BatchReportProviderEvents, which the adapter uses,
// records each event of a batch like a ReportProviderEvent and keeps the batch sizes.
// StartInboundCall and GetCloneProgress answer what the test set (SetStartInboundCallAnswer,
// SetCloneProgress; NOT_FOUND for a call without one).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "callcontrol/internal/v1/provider_event_service.grpc.pb.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "tests/testing/grpc_environment.h"

namespace callcontrol::webhook_adapter {

// The daemon.internal_api_key a FakeDaemon expects unless told otherwise.
inline constexpr char kFakeDaemonApiKey[] = "test-internal-api-key-0123456789abcdef";

class FakeProviderEventService final : public internal::v1::ProviderEventService::CallbackService {
 public:
  explicit FakeProviderEventService(std::string api_key) : authorization_("Bearer " + api_key) {}

  grpc::ServerUnaryReactor* ReportProviderEvent(
      grpc::CallbackServerContext* context, const internal::v1::ReportProviderEventRequest* request,
      internal::v1::ReportProviderEventResponse* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    absl::MutexLock lock(&mu_);
    if (RefusedLocked(*context, reactor)) return reactor;
    requests_.push_back(*request);
    batch_sizes_.push_back(0);  // a call of its own, not a batch
    if (hold_) {
      held_.push_back({reactor, nullptr, nullptr});
      return reactor;
    }
    if (answer_.ok()) {
      response->set_applied(true);
      response->set_call_id(request->call_id());
    }
    reactor->Finish(answer_);
    return reactor;
  }

  // Like ReportProviderEvent for each request of the batch: each is recorded, and each result
  // carries the status SetAnswer chose (held as one call by Hold()).
  grpc::ServerUnaryReactor* BatchReportProviderEvents(
      grpc::CallbackServerContext* context,
      const internal::v1::BatchReportProviderEventsRequest* request,
      internal::v1::BatchReportProviderEventsResponse* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    absl::MutexLock lock(&mu_);
    if (RefusedLocked(*context, reactor)) return reactor;
    for (const auto& r : request->requests()) requests_.push_back(r);
    batch_sizes_.push_back(request->requests_size());
    if (hold_) {
      held_.push_back({reactor, request, response});
      return reactor;
    }
    FinishBatchLocked(reactor, *request, response, grpc::Status::OK);
    return reactor;
  }

  grpc::ServerUnaryReactor* StartInboundCall(
      grpc::CallbackServerContext* context, const internal::v1::StartInboundCallRequest* request,
      internal::v1::StartInboundCallResponse* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    absl::MutexLock lock(&mu_);
    if (RefusedLocked(*context, reactor)) return reactor;
    start_requests_.push_back(*request);
    if (start_status_.ok()) *response = start_answer_;
    reactor->Finish(start_status_);
    return reactor;
  }

  grpc::ServerUnaryReactor* GetCloneProgress(
      grpc::CallbackServerContext* context, const internal::v1::GetCloneProgressRequest* request,
      internal::v1::GetCloneProgressResponse* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    absl::MutexLock lock(&mu_);
    if (RefusedLocked(*context, reactor)) return reactor;
    progress_requests_.push_back(*request);
    const auto it = clone_progress_.find(request->call_id());
    if (it == clone_progress_.end()) {
      reactor->Finish(grpc::Status(grpc::StatusCode::NOT_FOUND, "no such call"));
      return reactor;
    }
    *response = it->second;
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

  // What later StartInboundCall calls get: `answer` when `status` is OK, else `status`.
  void SetStartInboundCallAnswer(internal::v1::StartInboundCallResponse answer,
                                 grpc::Status status = grpc::Status::OK) {
    absl::MutexLock lock(&mu_);
    start_answer_ = std::move(answer);
    start_status_ = std::move(status);
  }

  // What GetCloneProgress answers for `call_id` (calls without one get NOT_FOUND).
  void SetCloneProgress(const std::string& call_id,
                        internal::v1::GetCloneProgressResponse progress) {
    absl::MutexLock lock(&mu_);
    clone_progress_[call_id] = std::move(progress);
  }

  std::vector<internal::v1::StartInboundCallRequest> start_requests() const {
    absl::MutexLock lock(&mu_);
    return start_requests_;
  }

  std::vector<internal::v1::GetCloneProgressRequest> progress_requests() const {
    absl::MutexLock lock(&mu_);
    return progress_requests_;
  }

  // The status every later call gets.
  void SetAnswer(grpc::Status answer) {
    absl::MutexLock lock(&mu_);
    answer_ = std::move(answer);
  }

  // Later calls get no answer until ReleaseHeld().
  void Hold() {
    absl::MutexLock lock(&mu_);
    hold_ = true;
  }

  // Answers every held call with `status` (a held batch that is released OK gets SetAnswer's
  // status in each result) and stops holding.
  void ReleaseHeld(const grpc::Status& status) {
    absl::MutexLock lock(&mu_);
    hold_ = false;
    for (const Held& held : held_) {
      if (held.batch == nullptr) {
        held.reactor->Finish(status);
      } else {
        FinishBatchLocked(held.reactor, *held.batch, held.batch_response, status);
      }
    }
    held_.clear();
  }

  // How many ReportProviderEvent requests each call carried, in arrival order (0 for a plain
  // ReportProviderEvent call).
  std::vector<int> batch_sizes() const {
    absl::MutexLock lock(&mu_);
    return batch_sizes_;
  }

  // The authenticated requests, in arrival order.
  std::vector<internal::v1::ReportProviderEventRequest> requests() const {
    absl::MutexLock lock(&mu_);
    return requests_;
  }

  // How many calls were refused for a missing or wrong key.
  int unauthenticated() const {
    absl::MutexLock lock(&mu_);
    return unauthenticated_;
  }

  // Waits up to `timeout` until at least `n` requests arrived.
  bool WaitForRequests(size_t n, absl::Duration timeout = absl::Seconds(5)) const {
    absl::MutexLock lock(&mu_);
    auto enough = [this, n]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return requests_.size() >= n; };
    return mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
  }

 private:
  // A call the test holds: a ReportProviderEvent (batch == nullptr) or a batch.
  struct Held {
    grpc::ServerUnaryReactor* reactor;
    const internal::v1::BatchReportProviderEventsRequest* batch;
    internal::v1::BatchReportProviderEventsResponse* batch_response;
  };

  void FinishBatchLocked(grpc::ServerUnaryReactor* reactor,
                         const internal::v1::BatchReportProviderEventsRequest& request,
                         internal::v1::BatchReportProviderEventsResponse* response,
                         const grpc::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (status.ok()) {
      for (const auto& r : request.requests()) {
        internal::v1::ReportProviderEventResult* result = response->add_results();
        if (answer_.ok()) {
          result->mutable_response()->set_applied(true);
          result->mutable_response()->set_call_id(r.call_id());
        } else {
          result->set_code(answer_.error_code());
          result->set_message(answer_.error_message());
        }
      }
    }
    reactor->Finish(status);
  }

  // Finishes `reactor` with UNAUTHENTICATED (and counts it) unless the call carries the key.
  bool RefusedLocked(const grpc::CallbackServerContext& context, grpc::ServerUnaryReactor* reactor)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (Authenticated(context)) return false;
    ++unauthenticated_;
    reactor->Finish(
        grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "missing or unknown internal API key"));
    return true;
  }

  bool Authenticated(const grpc::CallbackServerContext& context) const {
    const auto& metadata = context.client_metadata();
    const auto header = metadata.find("authorization");
    return header != metadata.end() &&
           std::string_view(header->second.data(), header->second.size()) == authorization_;
  }

  const std::string authorization_;  // "Bearer <key>"
  mutable absl::Mutex mu_;
  std::vector<internal::v1::ReportProviderEventRequest> requests_ ABSL_GUARDED_BY(mu_);
  int unauthenticated_ ABSL_GUARDED_BY(mu_) = 0;
  grpc::Status answer_ ABSL_GUARDED_BY(mu_);
  bool hold_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<Held> held_ ABSL_GUARDED_BY(mu_);
  std::vector<int> batch_sizes_ ABSL_GUARDED_BY(mu_);
  std::vector<internal::v1::StartInboundCallRequest> start_requests_ ABSL_GUARDED_BY(mu_);
  internal::v1::StartInboundCallResponse start_answer_ ABSL_GUARDED_BY(mu_);
  grpc::Status start_status_ ABSL_GUARDED_BY(mu_);
  std::vector<internal::v1::GetCloneProgressRequest> progress_requests_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, internal::v1::GetCloneProgressResponse> clone_progress_
      ABSL_GUARDED_BY(mu_);
};

// The gRPC server around a FakeProviderEventService that accepts `api_key`.
class FakeDaemon {
 public:
  explicit FakeDaemon(std::string api_key = kFakeDaemonApiKey) : service_(std::move(api_key)) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
  }
  ~FakeDaemon() { Stop(); }

  bool started() const { return server_ != nullptr && port_ > 0; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  FakeProviderEventService& service() { return service_; }

  void Stop() {
    if (server_ == nullptr) return;
    service_.ReleaseHeld(grpc::Status(grpc::StatusCode::UNAVAILABLE, "fake daemon stopping"));
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
    server_->Wait();
    server_.reset();
  }

 private:
  FakeProviderEventService service_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace callcontrol::webhook_adapter
