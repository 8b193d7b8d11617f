// The one translation from absl::Status (module boundaries) to grpc::Status (the RPC edge).
// The codes are numbered alike in both; the message is kept.
#pragma once

#include <grpcpp/support/status.h>

#include <string>

#include "absl/status/status.h"

namespace callcontrol::api {

inline grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

}  // namespace callcontrol::api
