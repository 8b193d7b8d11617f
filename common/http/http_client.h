// Blocking HTTP/1.1 client on libcurl, for provider REST calls (daemon workers) and for the
// simulator's webhooks. One HttpClient reuses its connections (keep-alive), so keep one per
// worker thread. Not thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace callcontrol::http {

struct ClientRequest {
  std::string method = "GET";  // GET, POST, PUT, DELETE...
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // HTTP Basic credentials (RFC 7617); sent when `basic_user` is not empty.
  std::string basic_user;
  std::string basic_password;
  std::chrono::milliseconds connect_timeout{3000};
  // Whole request, connect included.
  std::chrono::milliseconds timeout{10000};
};

struct ClientResponse {
  long status = 0;  // HTTP status code
  std::string body;
  std::string content_type;
};

class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends `request` and returns the response whatever its HTTP status. Returns kUnavailable when
  // no response came (refused, reset, DNS failure), kDeadlineExceeded on timeout,
  // kInvalidArgument for a malformed URL. A failure after the connection was made and the
  // request (partly) written carries kRequestSentPayload: the server may have acted on it.
  absl::StatusOr<ClientResponse> Send(const ClientRequest& request);

 private:
  void* curl_;  // CURL*
};

// The payload key (value "1") on a failed Send's status whose request may have reached the
// server: a timeout or a reset after the request went out. Such an outcome is unknown, not a
// failure: a create may have created.
inline constexpr absl::string_view kRequestSentPayload = "callcontrol.dev/http-request-sent";
void MarkRequestSent(absl::Status* status);
// True when `status` carries kRequestSentPayload.
bool RequestMayHaveArrived(const absl::Status& status);

}  // namespace callcontrol::http
