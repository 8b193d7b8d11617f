#include "server/api/call_control_service.h"

#include <grpcpp/impl/codegen/proto_utils.h>

#include "common/proto/field_limits.h"
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

// Resolves the caller's tenant and checks the request's string fields (each at most 4 KiB,
// common/proto/field_limits.h); on failure finishes `reactor` with UNAUTHENTICATED or
// INVALID_ARGUMENT (naming the field, never quoting it) and returns null.
const config::TenantConfig* Admit(const Authenticator* auth, grpc::CallbackServerContext* context,
                                  grpc::ServerUnaryReactor* reactor,
                                  const google::protobuf::Message& request) {
  auto tenant = auth->Tenant(*context);
  if (!tenant.ok()) {
    reactor->Finish(ToGrpcStatus(tenant.status()));
    return nullptr;
  }
  if (absl::Status fields = proto::CheckStringFields(request); !fields.ok()) {
    reactor->Finish(ToGrpcStatus(fields));
    return nullptr;
  }
  return *tenant;
}

}  // namespace

CallControlServiceImpl::CallControlServiceImpl(const Authenticator* auth,
                                               calls::CallManager* manager, events::EventBus* bus,
                                               store::Store* store,
                                               boost::asio::thread_pool* readers,
                                               events::EventStreamReactor::Options stream_options)
    : auth_(auth),
      manager_(manager),
      bus_(bus),
      store_(store),
      readers_(readers),
      stream_options_(stream_options) {}

grpc::ServerUnaryReactor* CallControlServiceImpl::StartCall(grpc::CallbackServerContext* context,
                                                            const v1::StartCallRequest* request,
                                                            v1::StartCallResponse* response) {
  auto* reactor = context->DefaultReactor();
  const config::TenantConfig* tenant = Admit(auth_, context, reactor, *request);
  if (tenant == nullptr) return reactor;
  manager_->StartCall(tenant->id, *request,
                      FinishWithCall(reactor, response, &v1::StartCallResponse::mutable_call));
  return reactor;
}

grpc::ServerUnaryReactor* CallControlServiceImpl::HangupCall(grpc::CallbackServerContext* context,
                                                             const v1::HangupCallRequest* request,
                                                             v1::HangupCallResponse* response) {
  auto* reactor = context->DefaultReactor();
  const config::TenantConfig* tenant = Admit(auth_, context, reactor, *request);
  if (tenant == nullptr) return reactor;
  manager_->HangupCall(tenant->id, request->call_id(),
                       FinishWithCall(reactor, response, &v1::HangupCallResponse::mutable_call));
  return reactor;
}

grpc::ServerUnaryReactor* CallControlServiceImpl::GetCall(grpc::CallbackServerContext* context,
                                                          const v1::GetCallRequest* request,
                                                          v1::GetCallResponse* response) {
  auto* reactor = context->DefaultReactor();
  const config::TenantConfig* tenant = Admit(auth_, context, reactor, *request);
  if (tenant == nullptr) return reactor;
  manager_->GetCall(tenant->id, request->call_id(),
                    FinishWithCall(reactor, response, &v1::GetCallResponse::mutable_call));
  return reactor;
}

grpc::ServerUnaryReactor* CallControlServiceImpl::ListCalls(grpc::CallbackServerContext* context,
                                                            const v1::ListCallsRequest* request,
                                                            v1::ListCallsResponse* response) {
  auto* reactor = context->DefaultReactor();
  const config::TenantConfig* tenant = Admit(auth_, context, reactor, *request);
  if (tenant == nullptr) return reactor;
  manager_->ListCalls(tenant->id, *request,
                      [reactor, response](absl::StatusOr<v1::ListCallsResponse> list) {
                        if (list.ok()) *response = std::move(*list);
                        reactor->Finish(ToGrpcStatus(list.status()));
                      });
  return reactor;
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* CallControlServiceImpl::StreamEvents(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request) {
  auto tenant = auth_->Tenant(*context);
  if (!tenant.ok()) return new FailedStreamReactor(ToGrpcStatus(tenant.status()));
  v1::StreamEventsRequest parsed;
  grpc::ByteBuffer copy(*request);
  if (!grpc::SerializationTraits<v1::StreamEventsRequest>::Deserialize(&copy, &parsed).ok()) {
    return new FailedStreamReactor(
        grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "StreamEventsRequest does not parse"));
  }
  if (bus_->subscriber_count((*tenant)->id) >= stream_options_.max_streams_per_tenant) {
    return new FailedStreamReactor(grpc::Status(
        grpc::StatusCode::RESOURCE_EXHAUSTED,
        "this tenant already has " + std::to_string(stream_options_.max_streams_per_tenant) +
            " open event streams (the limit); close one first"));
  }
  std::optional<int64_t> since;
  if (parsed.has_since_sequence()) since = parsed.since_sequence();
  return new events::EventStreamReactor(bus_, store_, readers_, (*tenant)->id, since,
                                        stream_options_);
}

grpc::ServerUnaryReactor* CallControlServiceImpl::GetMetrics(grpc::CallbackServerContext* context,
                                                             const v1::GetMetricsRequest* request,
                                                             v1::GetMetricsResponse* response) {
  auto* reactor = context->DefaultReactor();
  const config::TenantConfig* tenant = Admit(auth_, context, reactor, *request);
  if (tenant == nullptr) return reactor;
  *response->mutable_metrics() = manager_->GetMetrics(tenant->id);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* CallControlServiceImpl::GetCloneStatus(
    grpc::CallbackServerContext* context, const v1::GetCloneStatusRequest* request,
    v1::GetCloneStatusResponse* response) {
  auto* reactor = context->DefaultReactor();
  const config::TenantConfig* tenant = Admit(auth_, context, reactor, *request);
  if (tenant == nullptr) return reactor;
  manager_->GetCloneStatus(tenant->id, request->call_id(),
                           [reactor, response](absl::StatusOr<v1::GetCloneStatusResponse> result) {
                             if (result.ok()) *response = std::move(*result);
                             reactor->Finish(ToGrpcStatus(result.status()));
                           });
  return reactor;
}

grpc::ServerUnaryReactor* CallControlServiceImpl::PutVoiceSample(
    grpc::CallbackServerContext* context, const v1::PutVoiceSampleRequest* request,
    v1::PutVoiceSampleResponse* response) {
  auto* reactor = context->DefaultReactor();
  const config::TenantConfig* tenant = Admit(auth_, context, reactor, *request);
  if (tenant == nullptr) return reactor;
  manager_->PutVoiceSample(tenant->id, *request,
                           [reactor, response](absl::StatusOr<v1::PutVoiceSampleResponse> result) {
                             if (result.ok()) *response = std::move(*result);
                             reactor->Finish(ToGrpcStatus(result.status()));
                           });
  return reactor;
}

}  // namespace callcontrol::api
