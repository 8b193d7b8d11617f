#include "providers/telnyx/telnyx_client.h"

#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"
#include "common/http/http_client.h"
#include "nlohmann/json.hpp"
#include "providers/provider_http.h"

namespace callcontrol::providers {
namespace {

using json = nlohmann::json;

constexpr char kErrorCodePayload[] = "type.callcontrol/telnyx_error_code";

// Percent-encodes one path segment: RFC 3986 unreserved characters and ':' (a legal pchar, and
// the separator in Telnyx's "v3:..." ids) stay, every other byte becomes %XX.
std::string EncodePathSegment(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if ((b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '-' ||
        b == '.' || b == '_' || b == '~' || b == ':') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 0xF]);
    }
  }
  return out;
}

// A non-2xx Telnyx answer as a status. Body: {"errors":[{"code":"10009","title":...,
// "detail":...}]} (first element used); a missing, empty or non-JSON body gives
// "telnyx HTTP <status>".
absl::Status ErrorFromResponse(const http::ClientResponse& response) {
  const std::string http_status = std::to_string(response.status);
  std::string text = "telnyx HTTP " + http_status;
  int code = 0;
  const json body = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_object() && body.contains("errors") && body["errors"].is_array() &&
      !body["errors"].empty() && body["errors"][0].is_object()) {
    const json& error = body["errors"][0];
    const std::string code_text = JsonStringField(error, "code");
    const std::string title = JsonStringField(error, "title");
    const std::string detail = JsonStringField(error, "detail");
    if (!absl::SimpleAtoi(absl::string_view(code_text.data(), code_text.size()), &code)) code = 0;
    text = "telnyx error " + (code_text.empty() ? std::string("?") : code_text);
    if (!title.empty()) text += ": " + title;
    if (!detail.empty()) text += ": " + detail;
    text += " (HTTP " + http_status + ")";
  }
  if (response.status >= 500 || response.status == 429) return absl::UnavailableError(text);
  return WithErrorCode(absl::FailedPreconditionError(text), kErrorCodePayload, code);
}

// Sends `request`; a response of any HTTP status comes back, transport failures become
// kUnavailable (the caller may retry with the same command_id).
absl::StatusOr<http::ClientResponse> Send(const http::ClientRequest& request) {
  return SendToProvider("telnyx", request);
}

http::ClientRequest JsonPost(const telnyx::TelnyxAccount& account, std::string url,
                             const json& body, const TelnyxClient::Options& options) {
  http::ClientRequest request;
  request.method = "POST";
  request.url = std::move(url);
  request.headers = {{"Authorization", "Bearer " + account.api_key},
                     {"Content-Type", "application/json"},
                     {"Accept", "application/json"}};
  request.body = body.dump();
  request.connect_timeout = options.connect_timeout;
  request.timeout = options.timeout;
  return request;
}

bool Is2xx(const http::ClientResponse& response) {
  return response.status >= 200 && response.status < 300;
}

}  // namespace

TelnyxClient::TelnyxClient(const Options& options) : options_(options) {}

absl::StatusOr<TelnyxCallIds> TelnyxClient::Dial(const telnyx::TelnyxAccount& account,
                                                 const TelnyxDial& dial) const {
  json body = {{"connection_id", account.connection_id},
               {"to", dial.to},
               {"from", dial.from},
               {"timeout_secs", dial.timeout_secs}};
  if (!dial.webhook_url.empty()) {
    body["webhook_url"] = dial.webhook_url;
    body["webhook_url_method"] = "POST";
  }
  if (!dial.command_id.empty()) body["command_id"] = dial.command_id;
  if (!dial.client_state.empty()) {
    body["client_state"] =
        absl::Base64Escape(absl::string_view(dial.client_state.data(), dial.client_state.size()));
  }
  const auto response = Send(JsonPost(account, account.api_base_url + "/v2/calls", body, options_));
  if (!response.ok()) return response.status();
  if (!Is2xx(*response)) return ErrorFromResponse(*response);

  const json parsed = json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  const json* data = nullptr;
  if (parsed.is_object() && parsed.contains("data") && parsed["data"].is_object()) {
    data = &parsed["data"];
  }
  TelnyxCallIds ids;
  if (data != nullptr) {
    ids.call_control_id = JsonStringField(*data, "call_control_id");
    ids.call_leg_id = JsonStringField(*data, "call_leg_id");
    ids.call_session_id = JsonStringField(*data, "call_session_id");
  }
  if (ids.call_control_id.empty()) {
    return absl::InternalError("telnyx answered HTTP " + std::to_string(response->status) +
                               " to dial without data.call_control_id");
  }
  return ids;
}

absl::Status TelnyxClient::Hangup(const telnyx::TelnyxAccount& account,
                                  std::string_view call_control_id, std::string_view command_id,
                                  bool* already_ended) const {
  if (already_ended != nullptr) *already_ended = false;
  if (call_control_id.empty()) {
    return absl::InvalidArgumentError("telnyx hangup needs a call_control_id");
  }
  json body = json::object();
  if (!command_id.empty()) body["command_id"] = std::string(command_id);
  const std::string url =
      account.api_base_url + "/v2/calls/" + EncodePathSegment(call_control_id) + "/actions/hangup";
  const auto response = Send(JsonPost(account, url, body, options_));
  if (!response.ok()) return response.status();
  if (Is2xx(*response)) return absl::OkStatus();
  absl::Status status = ErrorFromResponse(*response);
  if (response->status == 422 && TelnyxErrorCode(status) == kTelnyxCallAlreadyEnded) {
    if (already_ended != nullptr) *already_ended = true;
    return absl::OkStatus();
  }
  return status;
}

int TelnyxErrorCode(const absl::Status& status) {
  if (!absl::IsFailedPrecondition(status)) return 0;
  return ErrorCodeOf(status, kErrorCodePayload);
}

}  // namespace callcontrol::providers
