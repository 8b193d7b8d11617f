// Waiting on a condition in tests that talk to real processes and servers (which have no fake
// clock): poll the condition until it holds or a bound passes. The one place tests pause; a test
// never sleeps for a fixed time and hopes.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>

namespace callcontrol::testing {

// Checks `condition` every `poll` until it holds (success) or `timeout` passes (failure naming
// `what`).
inline ::testing::AssertionResult WaitFor(
    const std::function<bool()>& condition, std::chrono::milliseconds timeout,
    const std::string& what, std::chrono::milliseconds poll = std::chrono::milliseconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return ::testing::AssertionFailure() << "timed out waiting for " << what;
    }
    std::this_thread::sleep_for(poll);
  }
  return ::testing::AssertionSuccess();
}

}  // namespace callcontrol::testing
