#include "tools/provider_sim/twilio/twilio_api.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/http/form.h"
#include "common/logging.h"
#include "providers/twilio/twilio_time.h"
#include "tools/provider_sim/sim_http.h"
#include "tools/provider_sim/twilio/twilio_errors.h"

namespace callcontrol::provider_sim {
namespace {

const std::shared_ptr<spdlog::logger>& Logger() {
  static const std::shared_ptr<spdlog::logger> logger = logging::Get("provider_sim");
  return logger;
}

constexpr std::string_view kApiPrefix = "/2010-04-01/Accounts/";

http::Response ErrorResponse(const absl::Status& status) {
  http::Response response = JsonResponse(HttpStatusFor(status), TwilioErrorJson(status));
  if (status.code() == absl::StatusCode::kUnauthenticated) {
    response.headers.emplace_back("WWW-Authenticate", "Basic realm=\"Twilio API\"");
  }
  return response;
}

absl::Status NotFound(std::string_view path) {
  return TwilioError(absl::StatusCode::kNotFound, 20404,
                     absl::StrCat("The requested resource ", AbslView(path), " was not found"));
}

absl::Status MethodNotAllowed() {
  return TwilioError(absl::StatusCode::kUnimplemented, 20004, "Method not allowed");
}

absl::Status Unauthenticated() {
  return TwilioError(absl::StatusCode::kUnauthenticated, 20003, "Authenticate");
}

bool IsHex(std::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// "(415) 867-5309" for a NANP number, as Twilio's *_formatted fields; else the number.
std::string FormatPhoneNumber(const std::string& number) {
  if (number.size() == 12 && absl::StartsWith(number, "+1")) {
    return absl::StrCat("(", number.substr(2, 3), ") ", number.substr(5, 3), "-",
                        number.substr(8, 4));
  }
  return number;
}

nlohmann::json OptionalTime(const std::optional<absl::Time>& t) {
  if (!t.has_value()) return nullptr;
  return twilio::FormatTwilioTime(*t);
}

}  // namespace

absl::StatusOr<TwilioAccount> ParseTwilioAccount(std::string_view spec) {
  const size_t colon = spec.find(':');
  if (colon == std::string_view::npos) {
    return absl::InvalidArgumentError("twilio account must be SID:TOKEN");
  }
  TwilioAccount account{std::string(spec.substr(0, colon)), std::string(spec.substr(colon + 1))};
  if (account.account_sid.size() != 34 || !absl::StartsWith(account.account_sid, "AC") ||
      !IsHex(std::string_view(account.account_sid).substr(2))) {
    return absl::InvalidArgumentError(
        "twilio account SID must be \"AC\" followed by 32 hex digits");
  }
  if (account.auth_token.empty()) {
    return absl::InvalidArgumentError("twilio account " + account.account_sid +
                                      " has an empty auth token");
  }
  return account;
}

nlohmann::json CallResourceJson(const SimCall& call) {
  const std::string base = absl::StrCat("/2010-04-01/Accounts/", call.account_sid, "/Calls/");
  const std::string uri_prefix = base + call.sid;
  nlohmann::json subresources = {
      {"notifications", uri_prefix + "/Notifications.json"},
      {"recordings", uri_prefix + "/Recordings.json"},
      {"feedback", uri_prefix + "/Feedback.json"},
      {"feedback_summaries", base + "FeedbackSummary.json"},
      {"payments", uri_prefix + "/Payments.json"},
      {"events", uri_prefix + "/Events.json"},
      {"siprec", uri_prefix + "/Siprec.json"},
      {"streams", uri_prefix + "/Streams.json"},
      {"user_defined_message_subscriptions", uri_prefix + "/UserDefinedMessageSubscriptions.json"},
      {"user_defined_messages", uri_prefix + "/UserDefinedMessages.json"},
  };
  nlohmann::json duration = nullptr;
  if (call.duration_seconds.has_value()) duration = std::to_string(*call.duration_seconds);
  return {
      {"account_sid", call.account_sid},
      {"annotation", nullptr},
      {"answered_by", nullptr},
      {"api_version", "2010-04-01"},
      {"caller_name", nullptr},
      {"date_created", twilio::FormatTwilioTime(call.date_created)},
      {"date_updated", twilio::FormatTwilioTime(call.date_updated)},
      {"direction", "outbound-api"},
      {"duration", duration},
      {"end_time", OptionalTime(call.end_time)},
      {"forwarded_from", nullptr},
      {"from", call.from},
      {"from_formatted", FormatPhoneNumber(call.from)},
      {"group_sid", nullptr},
      {"parent_call_sid", nullptr},
      {"phone_number_sid", nullptr},
      {"price", nullptr},
      {"price_unit", "USD"},
      {"queue_time", std::to_string(call.queue_time_ms.value_or(0))},
      {"sid", call.sid},
      {"start_time", OptionalTime(call.start_time)},
      {"status", call.status},
      {"subresource_uris", std::move(subresources)},
      {"to", call.to},
      {"to_formatted", FormatPhoneNumber(call.to)},
      {"trunk_sid", nullptr},
      {"uri", uri_prefix + ".json"},
  };
}

TwilioApi::TwilioApi(std::vector<TwilioAccount> accounts, CallEngine* engine)
    : accounts_(std::move(accounts)), engine_(engine) {}

absl::StatusOr<const TwilioAccount*> TwilioApi::Authenticate(const http::Request& request) const {
  const std::string_view header = request.Header("authorization");
  constexpr std::string_view kBasic = "basic ";
  if (header.size() <= kBasic.size() ||
      !absl::StartsWithIgnoreCase(AbslView(header), AbslView(kBasic))) {
    return Unauthenticated();
  }
  std::string decoded;
  if (!absl::Base64Unescape(AbslView(header.substr(kBasic.size())), &decoded)) {
    return Unauthenticated();
  }
  const size_t colon = decoded.find(':');
  if (colon == std::string::npos) return Unauthenticated();
  const std::string_view user = std::string_view(decoded).substr(0, colon);
  const std::string_view password = std::string_view(decoded).substr(colon + 1);
  for (const TwilioAccount& account : accounts_) {
    if (account.account_sid == user) {
      if (ConstantTimeEquals(account.auth_token, password)) return &account;
      break;
    }
  }
  return Unauthenticated();
}

http::Response TwilioApi::Handle(const http::Request& request) {
  auto account = Authenticate(request);
  if (!account.ok()) {
    Logger()->info("REST request rejected: bad credentials {} {}", request.method, request.path);
    return ErrorResponse(account.status());
  }
  if (!absl::StartsWith(AbslView(request.path), AbslView(kApiPrefix))) {
    return ErrorResponse(NotFound(request.path));
  }
  const std::vector<std::string> parts =
      absl::StrSplit(AbslView(request.path).substr(kApiPrefix.size()), '/');
  if (parts.empty() || parts.size() > 3) return ErrorResponse(NotFound(request.path));
  if (parts[0] != (*account)->account_sid) {
    return ErrorResponse(
        TwilioError(absl::StatusCode::kPermissionDenied, 20003,
                    "Authenticate: the credentials are not those of account " + parts[0]));
  }
  if (parts.size() == 2 && parts[1] == "Calls.json") {
    if (request.method != "POST") return ErrorResponse(MethodNotAllowed());
    return CreateCall(**account, request);
  }
  if (parts.size() == 3 && parts[1] == "Calls" && absl::EndsWith(parts[2], ".json")) {
    const std::string call_sid = parts[2].substr(0, parts[2].size() - 5);
    const std::string& account_sid = (*account)->account_sid;
    if (request.method == "GET") {
      auto call = engine_->GetCall(account_sid, call_sid);
      if (!call.ok()) return ErrorResponse(call.status());
      return JsonResponse(200, CallResourceJson(*call).dump());
    }
    if (request.method == "POST") return UpdateCall(**account, call_sid, request);
    if (request.method == "DELETE") {
      const absl::Status deleted = engine_->DeleteCall(account_sid, call_sid);
      if (!deleted.ok()) return ErrorResponse(deleted);
      http::Response response;
      response.status = 204;
      return response;
    }
    return ErrorResponse(MethodNotAllowed());
  }
  return ErrorResponse(NotFound(request.path));
}

http::Response TwilioApi::CreateCall(const TwilioAccount& account, const http::Request& request) {
  auto form = http::ParseForm(request.body);
  if (!form.ok()) {
    return ErrorResponse(TwilioError(absl::StatusCode::kInvalidArgument, 20001,
                                     "Bad request: " + std::string(form.status().message())));
  }
  auto param = [&](std::string_view name) -> std::string {
    const std::string* value = http::FindParam(*form, name);
    return value == nullptr ? std::string() : *value;
  };
  auto invalid = [](int code, std::string message) {
    return ErrorResponse(TwilioError(absl::StatusCode::kInvalidArgument, code, std::move(message)));
  };
  NewCall call;
  call.account_sid = account.account_sid;
  call.auth_token = account.auth_token;
  call.to = param("To");
  call.from = param("From");
  const std::string url = param("Url");
  const std::string twiml = param("Twiml");
  const std::string application_sid = param("ApplicationSid");
  call.status_callback = param("StatusCallback");
  const std::string method = absl::AsciiStrToUpper(AbslView(param("StatusCallbackMethod")));
  for (const auto& [name, value] : *form) {
    if (name == "StatusCallbackEvent") call.status_callback_events.push_back(value);
    if (name == "RecordingStatusCallbackEvent") {
      // Twilio takes the words repeated or space-separated in one value.
      for (absl::string_view word : absl::StrSplit(AbslView(value), ' ', absl::SkipEmpty())) {
        call.recording_status_callback_events.emplace_back(word.data(), word.size());
      }
    }
  }
  const std::string record = absl::AsciiStrToLower(AbslView(param("Record")));
  call.record = record == "true";
  call.recording_status_callback = param("RecordingStatusCallback");
  const std::string recording_method =
      absl::AsciiStrToUpper(AbslView(param("RecordingStatusCallbackMethod")));
  const std::string recording_channels =
      absl::AsciiStrToLower(AbslView(param("RecordingChannels")));
  const std::string recording_track = absl::AsciiStrToLower(AbslView(param("RecordingTrack")));

  if (call.to.empty()) return invalid(21201, "No 'To' number is specified");
  if (call.from.empty()) return invalid(21213, "No 'From' number is specified");
  if (url.empty() && twiml.empty() && application_sid.empty()) {
    return invalid(21205, "Url parameter is required (or Twiml, or ApplicationSid)");
  }
  if (!IsE164(call.to)) {
    return invalid(21211, "Invalid 'To' Phone Number: The 'To' number " + call.to +
                              " is not a valid phone number.");
  }
  if (!IsE164(call.from)) {
    return invalid(21212, "Invalid 'From' Phone Number: The 'From' number " + call.from +
                              " is not a valid phone number.");
  }
  if (!url.empty() && !IsHttpUrl(url)) return invalid(21205, "Url is not a valid URL: " + url);
  if (!call.status_callback.empty() && !IsHttpUrl(call.status_callback)) {
    return invalid(21609, "Invalid StatusCallback URL: " + call.status_callback);
  }
  if (!method.empty() && method != "GET" && method != "POST") {
    return invalid(20001, "StatusCallbackMethod must be GET or POST");
  }
  call.status_callback_method = method.empty() ? "POST" : method;
  if (!record.empty() && record != "true" && record != "false") {
    return invalid(20001, "Record must be true or false");
  }
  if (!call.recording_status_callback.empty() && !IsHttpUrl(call.recording_status_callback)) {
    return invalid(21609, "Invalid RecordingStatusCallback URL: " + call.recording_status_callback);
  }
  if (!recording_method.empty() && recording_method != "GET" && recording_method != "POST") {
    return invalid(20001, "RecordingStatusCallbackMethod must be GET or POST");
  }
  call.recording_status_callback_method = recording_method.empty() ? "POST" : recording_method;
  for (const std::string& word : call.recording_status_callback_events) {
    if (word != "in-progress" && word != "completed" && word != "absent") {
      return invalid(20001,
                     "RecordingStatusCallbackEvent must be in-progress, completed or absent");
    }
  }
  if (!recording_channels.empty() && recording_channels != "mono" && recording_channels != "dual") {
    return invalid(20001, "RecordingChannels must be mono or dual");
  }
  call.recording_channels = recording_channels == "dual" ? 2 : 1;
  if (!recording_track.empty() && recording_track != "inbound" && recording_track != "outbound" &&
      recording_track != "both") {
    return invalid(20001, "RecordingTrack must be inbound, outbound or both");
  }
  call.recording_track = recording_track.empty() ? "both" : recording_track;

  auto created = engine_->CreateCall(call);
  if (!created.ok()) return ErrorResponse(created.status());
  return JsonResponse(201, CallResourceJson(*created).dump());
}

http::Response TwilioApi::UpdateCall(const TwilioAccount& account, const std::string& call_sid,
                                     const http::Request& request) {
  auto form = http::ParseForm(request.body);
  if (!form.ok()) {
    return ErrorResponse(TwilioError(absl::StatusCode::kInvalidArgument, 20001,
                                     "Bad request: " + std::string(form.status().message())));
  }
  CallUpdate update;
  if (const std::string* status = http::FindParam(*form, "Status")) update.status = *status;
  update.redirect =
      http::FindParam(*form, "Url") != nullptr || http::FindParam(*form, "Twiml") != nullptr;
  auto call = engine_->UpdateCall(account.account_sid, call_sid, update);
  if (!call.ok()) return ErrorResponse(call.status());
  return JsonResponse(200, CallResourceJson(*call).dump());
}

}  // namespace callcontrol::provider_sim
