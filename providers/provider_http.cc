#include "providers/provider_http.h"

#include <cstdint>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"

namespace callcontrol::providers {
namespace {

absl::string_view ToAbsl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

}  // namespace

http::HttpClient& ThreadHttpClient() {
  thread_local http::HttpClient client;
  return client;
}

std::string JsonStringField(const nlohmann::json& object, const char* name) {
  if (!object.is_object()) return "";
  const auto it = object.find(name);
  if (it == object.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
  return "";
}

absl::StatusOr<http::ClientResponse> SendToProvider(const TransportErrorWording& wording,
                                                    const http::ClientRequest& request) {
  auto response = ThreadHttpClient().Send(request);
  if (response.ok()) return response;
  const std::string why(response.status().message());
  if (!wording.bad_url.empty() && absl::IsInvalidArgument(response.status())) {
    return absl::InvalidArgumentError(std::string(wording.bad_url) + ": " + why);
  }
  absl::Status failed =
      !wording.timed_out.empty() && absl::IsDeadlineExceeded(response.status())
          ? absl::UnavailableError(std::string(wording.timed_out) + " timed out after " +
                                   std::to_string(request.timeout.count()) + " ms: " + why)
          : absl::UnavailableError(std::string(wording.unreachable) + ": " + why);
  if (http::RequestMayHaveArrived(response.status())) http::MarkRequestSent(&failed);
  return failed;
}

absl::StatusOr<http::ClientResponse> SendToProvider(std::string_view provider_name,
                                                    const http::ClientRequest& request) {
  const std::string unreachable = std::string(provider_name) + " unreachable";
  return SendToProvider(
      TransportErrorWording{.unreachable = unreachable, .timed_out = provider_name}, request);
}

absl::Status WithErrorCode(absl::Status status, std::string_view payload_key, int code) {
  if (status.ok()) return status;
  status.SetPayload(ToAbsl(payload_key), absl::Cord(std::to_string(code)));
  return status;
}

int ErrorCodeOf(const absl::Status& status, std::string_view payload_key) {
  const auto payload = status.GetPayload(ToAbsl(payload_key));
  int code = 0;
  if (payload.has_value() && absl::SimpleAtoi(std::string(*payload), &code)) return code;
  return 0;
}

}  // namespace callcontrol::providers
