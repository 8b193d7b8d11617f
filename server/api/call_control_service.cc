#include "server/api/call_control_service.h"

#include <grpcpp/impl/codegen/proto_utils.h>

#include "server/api/status_conversion.h"

namespace callcontrol::api {
namespace {

// A stream that ends at once with an error (e.g. an unparsable request).
class FailedStreamReactor final : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  explicit FailedStreamReactor(grpc::Status status) { Finish(std::move(status)); }
  void OnDone() override { delete this; }
};

template <typename Response, typename Field>
auto FinishWithCall(grpc::ServerUnaryReactor* reactor, Response* response, Field setter) {
  return [reactor, response, setter](absl::StatusOr<v1::Call> call) {
    if (call.ok()) *(response->*setter)() = std::move(*call);
    reactor->Finish(ToGrpcStatus(call.status()));
  };
}

}  // namespace

CallControlServiceImpl::CallControlServiceImpl(std::string tenant_id, calls::CallManager* manager,
                                               events::EventBus* bus, store::Store* store,
                                               boost::asio::thread_pool* readers,
                                               events::EventStreamReactor::Options stream_options)
    : tenant_id_(std::move(tenant_id)),
      manager_(manager),
      bus_(bus),
      store_(store),
      readers_(readers),
      stream_options_(stream_options) {}

grpc::ServerUnaryReactor* CallControlServiceImpl::StartCall(grpc::CallbackServerContext* context,
                                                            const v1::StartCallRequest* request,
                                                            v1::StartCallResponse* response) {
  auto* reactor = context->DefaultReactor();
  manager_->StartCall(tenant_id_, *request,
                      FinishWithCall(reactor, response, &v1::StartCallResponse::mutable_call));
  return reactor;
}

grpc::ServerUnaryReactor* CallControlServiceImpl::HangupCall(grpc::CallbackServerContext* context,
                                                             const v1::HangupCallRequest* request,
                                                             v1::HangupCallResponse* response) {
  auto* reactor = context->DefaultReactor();
  manager_->HangupCall(tenant_id_, request->call_id(),
                       FinishWithCall(reactor, response, &v1::HangupCallResponse::mutable_call));
  return reactor;
}

grpc::ServerUnaryReactor* CallControlServiceImpl::GetCall(grpc::CallbackServerContext* context,
                                                          const v1::GetCallRequest* request,
                                                          v1::GetCallResponse* response) {
  auto* reactor = context->DefaultReactor();
  manager_->GetCall(tenant_id_, request->call_id(),
                    FinishWithCall(reactor, response, &v1::GetCallResponse::mutable_call));
  return reactor;
}

grpc::ServerUnaryReactor* CallControlServiceImpl::ListCalls(grpc::CallbackServerContext* context,
                                                            const v1::ListCallsRequest* request,
                                                            v1::ListCallsResponse* response) {
  auto* reactor = context->DefaultReactor();
  manager_->ListCalls(tenant_id_, *request,
                      [reactor, response](absl::StatusOr<v1::ListCallsResponse> list) {
                        if (list.ok()) *response = std::move(*list);
                        reactor->Finish(ToGrpcStatus(list.status()));
                      });
  return reactor;
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* CallControlServiceImpl::StreamEvents(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request) {
  v1::StreamEventsRequest parsed;
  grpc::ByteBuffer copy(*request);
  if (!grpc::SerializationTraits<v1::StreamEventsRequest>::Deserialize(&copy, &parsed).ok()) {
    return new FailedStreamReactor(
        grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "StreamEventsRequest does not parse"));
  }
  std::optional<int64_t> since;
  if (parsed.has_since_sequence()) since = parsed.since_sequence();
  return new events::EventStreamReactor(bus_, store_, readers_, tenant_id_, since, stream_options_);
}

grpc::ServerUnaryReactor* CallControlServiceImpl::GetMetrics(grpc::CallbackServerContext* context,
                                                             const v1::GetMetricsRequest* request,
                                                             v1::GetMetricsResponse* response) {
  auto* reactor = context->DefaultReactor();
  *response->mutable_metrics() = manager_->GetMetrics(tenant_id_);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace callcontrol::api
