#include "server/api/provider_event_service.h"

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
