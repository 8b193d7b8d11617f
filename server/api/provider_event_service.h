// gRPC implementation of callcontrol.internal.v1.ProviderEventService: the adapter reports
// verified webhooks here. Answers only after the change is durable (CallManager's callback).
#pragma once

#include "server/api/authenticator.h"

#include "callcontrol/internal/v1/provider_event_service.grpc.pb.h"
#include "server/calls/call_manager.h"

namespace callcontrol::api {

class ProviderEventServiceImpl final : public internal::v1::ProviderEventService::CallbackService {
 public:
  // The most events one BatchReportProviderEvents call may carry.
  static constexpr int kMaxBatch = 1000;

  // Both must outlive the service. Calls without the internal API key are UNAUTHENTICATED.
  ProviderEventServiceImpl(calls::CallManager* manager, const Authenticator* auth)
      : manager_(manager), auth_(auth) {}

  grpc::ServerUnaryReactor* ReportProviderEvent(
      grpc::CallbackServerContext* context, const internal::v1::ReportProviderEventRequest* request,
      internal::v1::ReportProviderEventResponse* response) override;
  // Fans the batch out to CallManager::ReportProviderEvent and finishes when the last event's
  // callback has run. INVALID_ARGUMENT for 0 or more than kMaxBatch requests.
  grpc::ServerUnaryReactor* BatchReportProviderEvents(
      grpc::CallbackServerContext* context,
      const internal::v1::BatchReportProviderEventsRequest* request,
      internal::v1::BatchReportProviderEventsResponse* response) override;
  grpc::ServerUnaryReactor* StartInboundCall(
      grpc::CallbackServerContext* context, const internal::v1::StartInboundCallRequest* request,
      internal::v1::StartInboundCallResponse* response) override;
  grpc::ServerUnaryReactor* GetCloneProgress(
      grpc::CallbackServerContext* context, const internal::v1::GetCloneProgressRequest* request,
      internal::v1::GetCloneProgressResponse* response) override;

 private:
  calls::CallManager* const manager_;
  const Authenticator* const auth_;
};

}  // namespace callcontrol::api
