// Keeps gRPC initialized for the whole life of a test program that uses it in-process. Without
// it, destroying the last channel or server starts gRPC's shutdown on a background thread, which
// can still be running when the program exits and then aborts in gRPC's ref counting
// ("assertion failed: prior > 0"), after every test passed. Include it from a fixture header;
// the environment registers itself once per program.
#pragma once

#include <grpc/grpc.h>

#include "gtest/gtest.h"

namespace callcontrol::testing {

class GrpcForTheWholeProgram final : public ::testing::Environment {
 public:
  // One reference held until exit: gRPC never starts shutting down under the tests.
  void SetUp() override { grpc_init(); }
};

inline ::testing::Environment* const kGrpcForTheWholeProgram =
    ::testing::AddGlobalTestEnvironment(new GrpcForTheWholeProgram);

}  // namespace callcontrol::testing
