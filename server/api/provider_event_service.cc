#include "server/api/provider_event_service.h"

#include <atomic>
#include <memory>
#include <string>
#include <utility>

#include "server/api/status_conversion.h"

namespace callcontrol::api {

grpc::ServerUnaryReactor* ProviderEventServiceImpl::ReportProviderEvent(
    grpc::CallbackServerContext* context, const internal::v1::ReportProviderEventRequest* request,
    internal::v1::ReportProviderEventResponse* response) {
  auto* reactor = context->DefaultReactor();
  if (auto s = auth_->CheckInternal(*context); !s.ok()) {
    reactor->Finish(ToGrpcStatus(s));
    return reactor;
  }
  manager_->ReportProviderEvent(
      *request,
      [reactor, response](absl::StatusOr<internal::v1::ReportProviderEventResponse> result) {
        if (result.ok()) *response = std::move(*result);
        reactor->Finish(ToGrpcStatus(result.status()));
      });
  return reactor;
}

grpc::ServerUnaryReactor* ProviderEventServiceImpl::BatchReportProviderEvents(
    grpc::CallbackServerContext* context,
    const internal::v1::BatchReportProviderEventsRequest* request,
    internal::v1::BatchReportProviderEventsResponse* response) {
  auto* reactor = context->DefaultReactor();
  if (auto s = auth_->CheckInternal(*context); !s.ok()) {
    reactor->Finish(ToGrpcStatus(s));
    return reactor;
  }
  const int n = request->requests_size();
  if (n == 0 || n > kMaxBatch) {
    reactor->Finish(grpc::Status(
        grpc::StatusCode::INVALID_ARGUMENT,
        "a batch carries 1 to " + std::to_string(kMaxBatch) + " events, not " + std::to_string(n)));
    return reactor;
  }
  // Every result exists before the first callback runs, so callbacks on different threads each
  // fill their own message and never resize the list; the last one to finish answers.
  for (int i = 0; i < n; ++i) response->add_results();
  auto remaining = std::make_shared<std::atomic<int>>(n);
  for (int i = 0; i < n; ++i) {
    internal::v1::ReportProviderEventResult* result = response->mutable_results(i);
    manager_->ReportProviderEvent(
        request->requests(i),
        [reactor, result, remaining](absl::StatusOr<internal::v1::ReportProviderEventResponse> r) {
          if (r.ok()) {
            *result->mutable_response() = std::move(*r);
          } else {
            result->set_code(static_cast<int>(r.status().code()));
            result->set_message(std::string(r.status().message()));
          }
          if (remaining->fetch_sub(1, std::memory_order_acq_rel) == 1) {
            reactor->Finish(grpc::Status::OK);
          }
        });
  }
  return reactor;
}

grpc::ServerUnaryReactor* ProviderEventServiceImpl::StartInboundCall(
    grpc::CallbackServerContext* context, const internal::v1::StartInboundCallRequest* request,
    internal::v1::StartInboundCallResponse* response) {
  auto* reactor = context->DefaultReactor();
  if (auto s = auth_->CheckInternal(*context); !s.ok()) {
    reactor->Finish(ToGrpcStatus(s));
    return reactor;
  }
  manager_->StartInboundCall(
      *request, [reactor, response](absl::StatusOr<internal::v1::StartInboundCallResponse> r) {
        if (r.ok()) *response = std::move(*r);
        reactor->Finish(ToGrpcStatus(r.status()));
      });
  return reactor;
}

grpc::ServerUnaryReactor* ProviderEventServiceImpl::GetCloneProgress(
    grpc::CallbackServerContext* context, const internal::v1::GetCloneProgressRequest* request,
    internal::v1::GetCloneProgressResponse* response) {
  auto* reactor = context->DefaultReactor();
  if (auto s = auth_->CheckInternal(*context); !s.ok()) {
    reactor->Finish(ToGrpcStatus(s));
    return reactor;
  }
  manager_->GetCloneProgress(
      *request, [reactor, response](absl::StatusOr<internal::v1::GetCloneProgressResponse> r) {
        if (r.ok()) *response = std::move(*r);
        reactor->Finish(ToGrpcStatus(r.status()));
      });
  return reactor;
}

}  // namespace callcontrol::api
