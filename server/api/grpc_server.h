// Builds and starts the daemon's gRPC server: the public and internal services, server
// reflection and grpc.health.v1 (both open, so grpcurl and `buf curl` discover the API).
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace callcontrol::api {

struct GrpcServer {
  std::unique_ptr<grpc::Server> server;
  int port = 0;  // the bound port (useful with port 0)
};

// Listens on `address` ("host:port", port 0 = any free port) without TLS and registers
// `services`. Returns kUnavailable if the address cannot be bound.
absl::StatusOr<GrpcServer> StartGrpcServer(const std::string& address,
                                           const std::vector<grpc::Service*>& services);

}  // namespace callcontrol::api
