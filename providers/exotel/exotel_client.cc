#include "providers/exotel/exotel_client.h"

#include <cstdint>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"
#include "common/http/form.h"
#include "common/http/http_client.h"
#include "nlohmann/json.hpp"
#include "providers/provider_http.h"

namespace callcontrol::providers {
namespace {

using json = nlohmann::json;

constexpr char kErrorCodePayload[] = "type.callcontrol/exotel_error_code";

// A non-2xx Exotel answer as a status. Body: {"RestException":{"Status":401,"Code":...,
// "Message":"..."}} (Code is a number or a string); any other body gives "exotel HTTP <status>".
absl::Status ErrorFromResponse(const http::ClientResponse& response) {
  const std::string http_status = std::to_string(response.status);
  std::string text = "exotel HTTP " + http_status;
  int code = 0;
  const json body = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_object() && body.contains("RestException") && body["RestException"].is_object()) {
    const json& error = body["RestException"];
    const std::string code_text = JsonStringField(error, "Code");
    const std::string message = JsonStringField(error, "Message");
    if (!absl::SimpleAtoi(absl::string_view(code_text.data(), code_text.size()), &code)) code = 0;
    text = "exotel error " + (code_text.empty() ? std::string("?") : code_text);
    if (!message.empty()) text += ": " + message;
    text += " (HTTP " + http_status + ")";
  }
  if (response.status >= 500 || response.status == 429) return absl::UnavailableError(text);
  return WithErrorCode(absl::FailedPreconditionError(text), kErrorCodePayload, code);
}

}  // namespace

ExotelClient::ExotelClient(const Options& options) : options_(options) {}

absl::StatusOr<ExotelCall> ExotelClient::Connect(const exotel::ExotelAccount& account,
                                                 const ExotelConnect& connect) const {
  if (connect.from.empty()) return absl::InvalidArgumentError("exotel connect needs a From number");
  if (account.account_sid.empty() || account.caller_id.empty() || account.flow_url.empty()) {
    return absl::InvalidArgumentError(
        "exotel account needs account_sid, caller_id and flow_url to connect a call");
  }
  http::FormParams form = {
      {"From", connect.from},
      {"CallerId", account.caller_id},
      {"Url", account.flow_url},
  };
  if (!connect.status_callback.empty()) {
    form.emplace_back("StatusCallback", connect.status_callback);
    form.emplace_back("StatusCallbackEvents[0]", "terminal");
    form.emplace_back("StatusCallbackEvents[1]", "answered");
  }
  if (!connect.custom_field.empty()) form.emplace_back("CustomField", connect.custom_field);
  form.emplace_back("Record", connect.record ? "true" : "false");

  http::ClientRequest request;
  request.method = "POST";
  request.url = account.api_base_url + "/v1/Accounts/" + http::PercentEncode(account.account_sid) +
                "/Calls/connect.json";
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                     {"Accept", "application/json"}};
  request.body = http::EncodeForm(form);
  request.basic_user = account.api_key;
  request.basic_password = account.api_token;
  request.connect_timeout = options_.connect_timeout;
  request.timeout = options_.timeout;

  // A response of any HTTP status comes back; transport failures become kUnavailable.
  const auto response = SendToProvider("exotel", request);
  if (!response.ok()) return response.status();
  if (response->status < 200 || response->status >= 300) return ErrorFromResponse(*response);

  const json parsed = json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  ExotelCall call;
  if (parsed.is_object() && parsed.contains("Call") && parsed["Call"].is_object()) {
    call.sid = JsonStringField(parsed["Call"], "Sid");
    call.status = JsonStringField(parsed["Call"], "Status");
  }
  if (call.sid.empty()) {
    return absl::InternalError("exotel answered HTTP " + std::to_string(response->status) +
                               " to connect without Call.Sid");
  }
  return call;
}

int ExotelErrorCode(const absl::Status& status) {
  if (!absl::IsFailedPrecondition(status)) return 0;
  return ErrorCodeOf(status, kErrorCodePayload);
}

}  // namespace callcontrol::providers
