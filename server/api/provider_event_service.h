// gRPC implementation of callcontrol.internal.v1.ProviderEventService: the adapter reports
// verified webhooks here. Answers only after the change is durable (CallManager's callback).
#pragma once

#include "callcontrol/internal/v1/provider_event_service.grpc.pb.h"
#include "server/calls/call_manager.h"

namespace callcontrol::api {

class ProviderEventServiceImpl final : public internal::v1::ProviderEventService::CallbackService {
 public:
  explicit ProviderEventServiceImpl(calls::CallManager* manager) : manager_(manager) {}

  grpc::ServerUnaryReactor* ReportProviderEvent(
      grpc::CallbackServerContext* context, const internal::v1::ReportProviderEventRequest* request,
      internal::v1::ReportProviderEventResponse* response) override;

 private:
  calls::CallManager* const manager_;
};

}  // namespace callcontrol::api
