#include "providers/twilio/twilio_client.h"

#include "absl/strings/numbers.h"
#include "common/http/form.h"
#include "common/http/http_client.h"
#include "nlohmann/json.hpp"
#include "providers/provider_http.h"

namespace callcontrol::providers {
namespace {

using json = nlohmann::json;

constexpr char kErrorCodePayload[] = "type.callcontrol/twilio_error_code";

std::string CallsUrl(const twilio::TwilioAccount& account) {
  return account.api_base_url + "/2010-04-01/Accounts/" + account.account_sid + "/Calls";
}

// Maps a non-2xx Twilio answer to a status. Handles both error shapes Twilio uses: legacy
// {"code","message","more_info","status"} and RFC 9457 {"type","title","status","code","detail"}.
absl::Status ErrorFromResponse(const http::ClientResponse& response) {
  int code = 0;
  std::string message;
  const json body = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_object()) {
    if (body.contains("code") && body["code"].is_number_integer()) code = body["code"].get<int>();
    if (body.contains("message") && body["message"].is_string()) {
      message = body["message"].get<std::string>();
    } else if (body.contains("detail") && body["detail"].is_string()) {
      message = body["detail"].get<std::string>();
    } else if (body.contains("title") && body["title"].is_string()) {
      message = body["title"].get<std::string>();
    }
  }
  if (message.empty()) message = "no error body";
  const std::string text = "twilio error " + std::to_string(code) + ": " + message + " (HTTP " +
                           std::to_string(response.status) + ")";
  if (response.status >= 500 || response.status == 429) return absl::UnavailableError(text);
  return WithErrorCode(absl::FailedPreconditionError(text), kErrorCodePayload, code);
}

absl::StatusOr<TwilioCall> ParseCall(const http::ClientResponse& response) {
  const json body = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object() || !body.contains("sid") || !body["sid"].is_string() ||
      !body.contains("status") || !body["status"].is_string()) {
    return absl::UnavailableError("twilio answered HTTP " + std::to_string(response.status) +
                                  " without a Call resource");
  }
  TwilioCall call;
  call.sid = body["sid"].get<std::string>();
  call.status = body["status"].get<std::string>();
  if (body.contains("duration") && body["duration"].is_string()) {
    int64_t d = 0;
    if (absl::SimpleAtoi(body["duration"].get<std::string>(), &d)) call.duration_seconds = d;
  }
  return call;
}

absl::StatusOr<TwilioCall> Send(const http::ClientRequest& request) {
  // Twilio words a timeout or a malformed URL like any other transport failure.
  auto response =
      SendToProvider(TransportErrorWording{.unreachable = "twilio unreachable"}, request);
  if (!response.ok()) return response.status();
  if (response->status < 200 || response->status >= 300) return ErrorFromResponse(*response);
  return ParseCall(*response);
}

}  // namespace

absl::StatusOr<TwilioCall> TwilioClient::CreateCall(const twilio::TwilioAccount& account,
                                                    const TwilioCreateCall& create) const {
  http::FormParams form = {
      {"To", create.to},
      {"From", create.from},
      {"Twiml", create.twiml},
      {"StatusCallback", create.status_callback},
      {"StatusCallbackMethod", "POST"},
      {"StatusCallbackEvent", "initiated"},
      {"StatusCallbackEvent", "ringing"},
      {"StatusCallbackEvent", "answered"},
      {"StatusCallbackEvent", "completed"},
  };
  if (create.record) {
    form.emplace_back("Record", "true");
    if (!create.recording_status_callback.empty()) {
      form.emplace_back("RecordingStatusCallback", create.recording_status_callback);
      form.emplace_back("RecordingStatusCallbackMethod", "POST");
      form.emplace_back("RecordingStatusCallbackEvent", "completed");
    }
  }
  http::ClientRequest request;
  request.method = "POST";
  request.url = CallsUrl(account) + ".json";
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                     {"Accept", "application/json"}};
  request.body = http::EncodeForm(form);
  request.basic_user = account.account_sid;
  request.basic_password = account.auth_token;
  request.connect_timeout = options_.connect_timeout;
  request.timeout = options_.timeout;
  return Send(request);
}

absl::StatusOr<TwilioCall> TwilioClient::UpdateCallStatus(const twilio::TwilioAccount& account,
                                                          std::string_view call_sid,
                                                          std::string_view status) const {
  http::ClientRequest request;
  request.method = "POST";
  request.url = CallsUrl(account) + "/" + http::PercentEncode(call_sid) + ".json";
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                     {"Accept", "application/json"}};
  request.body = http::EncodeForm({{"Status", std::string(status)}});
  request.basic_user = account.account_sid;
  request.basic_password = account.auth_token;
  request.connect_timeout = options_.connect_timeout;
  request.timeout = options_.timeout;
  return Send(request);
}

int TwilioErrorCode(const absl::Status& status) { return ErrorCodeOf(status, kErrorCodePayload); }

}  // namespace callcontrol::providers
