// gRPC implementation of callcontrol.v1.CallControlService (callback API). Thin: resolves the
// tenant, hands the request to CallManager and finishes the reactor from its callback, so no
// gRPC thread waits on the disk or the network. StreamEvents is registered "raw" (ByteBuffer) so
// that pre-serialized events are written without re-encoding.
#pragma once

#include <boost/asio/thread_pool.hpp>
#include <string>

#include "callcontrol/v1/call_control_service.grpc.pb.h"
#include "server/api/authenticator.h"
#include "server/calls/call_manager.h"
#include "server/events/event_bus.h"
#include "server/events/event_stream_reactor.h"
#include "server/store/store.h"

namespace callcontrol::api {

using CallControlServiceBase = v1::CallControlService::WithCallbackMethod_StartCall<
    v1::CallControlService::WithCallbackMethod_HangupCall<
        v1::CallControlService::WithCallbackMethod_GetCall<
            v1::CallControlService::WithCallbackMethod_ListCalls<
                v1::CallControlService::WithRawCallbackMethod_StreamEvents<
                    v1::CallControlService::WithCallbackMethod_GetMetrics<
                        v1::CallControlService::WithCallbackMethod_GetCloneStatus<
                            v1::CallControlService::WithCallbackMethod_PutVoiceSample<
                                v1::CallControlService::Service>>>>>>>>;

class CallControlServiceImpl final : public CallControlServiceBase {
 public:
  // Every request acts for the tenant its API key names (`auth`); UNAUTHENTICATED otherwise.
  // Everything passed must outlive the service.
  CallControlServiceImpl(const Authenticator* auth, calls::CallManager* manager,
                         events::EventBus* bus, store::Store* store,
                         boost::asio::thread_pool* readers,
                         events::EventStreamReactor::Options stream_options);

  grpc::ServerUnaryReactor* StartCall(grpc::CallbackServerContext* context,
                                      const v1::StartCallRequest* request,
                                      v1::StartCallResponse* response) override;
  grpc::ServerUnaryReactor* HangupCall(grpc::CallbackServerContext* context,
                                       const v1::HangupCallRequest* request,
                                       v1::HangupCallResponse* response) override;
  grpc::ServerUnaryReactor* GetCall(grpc::CallbackServerContext* context,
                                    const v1::GetCallRequest* request,
                                    v1::GetCallResponse* response) override;
  grpc::ServerUnaryReactor* ListCalls(grpc::CallbackServerContext* context,
                                      const v1::ListCallsRequest* request,
                                      v1::ListCallsResponse* response) override;
  grpc::ServerWriteReactor<grpc::ByteBuffer>* StreamEvents(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request) override;
  grpc::ServerUnaryReactor* GetMetrics(grpc::CallbackServerContext* context,
                                       const v1::GetMetricsRequest* request,
                                       v1::GetMetricsResponse* response) override;
  grpc::ServerUnaryReactor* GetCloneStatus(grpc::CallbackServerContext* context,
                                           const v1::GetCloneStatusRequest* request,
                                           v1::GetCloneStatusResponse* response) override;
  grpc::ServerUnaryReactor* PutVoiceSample(grpc::CallbackServerContext* context,
                                           const v1::PutVoiceSampleRequest* request,
                                           v1::PutVoiceSampleResponse* response) override;

 private:
  const Authenticator* const auth_;
  calls::CallManager* const manager_;
  events::EventBus* const bus_;
  store::Store* const store_;
  boost::asio::thread_pool* const readers_;
  const events::EventStreamReactor::Options stream_options_;
};

}  // namespace callcontrol::api
