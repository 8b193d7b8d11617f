// Helpers shared by the adapter's in-process tests: a loopback port nothing listens on, and an
// HTTP-status matcher for http::HttpClient answers. Fixture files: tests/testing/fixtures.h.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "common/http/http_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace callcontrol::webhook_adapter {

// A loopback port nothing listens on (bound, then released).
inline int UnusedPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

// Matches an absl::StatusOr<http::ClientResponse> that is OK with HTTP status `status`.
MATCHER_P(HasHttpStatus, status, "has HTTP status " + std::to_string(status)) {
  if (!arg.ok()) {
    *result_listener << "request failed: " << arg.status();
    return false;
  }
  *result_listener << "HTTP status " << arg->status << ", body \"" << arg->body << "\"";
  return arg->status == status;
}

}  // namespace callcontrol::webhook_adapter
