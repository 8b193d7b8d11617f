#include "server/api/grpc_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include "grpc/health/v1/health.pb.h"

namespace callcontrol::api {
namespace {

constexpr int kMaxRequestBytes = 11 * 1024 * 1024;

}  // namespace

absl::StatusOr<GrpcServer> StartGrpcServer(const std::string& address,
                                           const std::vector<grpc::Service*>& services) {
  // Debian's gRPC 1.51 serves health with upb; referencing the C++ descriptors links them in so
  // reflection can describe grpc.health.v1.Health
  // (https://github.com/grpc/grpc/blob/v1.51.0/src/cpp/server/health/default_health_check_service.cc).
  (void)grpc::health::v1::HealthCheckRequest::descriptor();
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  grpc::ServerBuilder builder;
  GrpcServer result;
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &result.port);
  // Long-lived event streams: keep idle connections alive through NATs and proxies.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  // PutVoiceSample carries up to 10 MiB of audio; gRPC's default limit is 4 MiB.
  builder.SetMaxReceiveMessageSize(kMaxRequestBytes);
  for (grpc::Service* s : services) builder.RegisterService(s);
  result.server = builder.BuildAndStart();
  if (result.server == nullptr || result.port == 0) {
    return absl::UnavailableError("cannot listen for gRPC on " + address);
  }
  auto* health = result.server->GetHealthCheckService();
  health->SetServingStatus("", true);
  health->SetServingStatus("callcontrol.v1.CallControlService", true);
  return result;
}

}  // namespace callcontrol::api
