#include "tools/provider_sim/telnyx/telnyx_api.h"

#include <optional>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/http/form.h"
#include "common/logging.h"
#include "tools/provider_sim/sim_http.h"
#include "tools/provider_sim/telnyx/telnyx_errors.h"
#include "tools/provider_sim/telnyx/telnyx_webhook.h"

namespace callcontrol::provider_sim {
namespace {

const std::shared_ptr<spdlog::logger>& Logger() {
  static const std::shared_ptr<spdlog::logger> logger = logging::Get("provider_sim");
  return logger;
}

constexpr std::string_view kCallsPath = "/v2/calls";
constexpr std::string_view kSimWebRtcPath = "/sim/telnyx/webrtc_calls";
constexpr std::string_view kSimCallsPrefix = "/sim/telnyx/calls/";

http::Response ErrorResponse(const absl::Status& status) {
  return JsonResponse(TelnyxHttpStatusFor(status), TelnyxErrorJson(status));
}

absl::Status Unauthenticated() {
  return TelnyxError(absl::StatusCode::kUnauthenticated, "10009", "Authentication failed",
                     "The required authentication headers were either invalid or not included "
                     "in the request.");
}

absl::Status PathNotFound(std::string_view path) {
  return TelnyxError(
      absl::StatusCode::kNotFound, "10005", "Resource not found",
      absl::StrCat("The requested resource or URL could not be found: ", AbslView(path)));
}

absl::Status MethodNotAllowed() {
  return TelnyxError(absl::StatusCode::kUnimplemented, "10015", "Bad Request",
                     "Method not allowed");
}

absl::Status MissingParameter(std::string_view name) {
  return TelnyxError(absl::StatusCode::kInvalidArgument, "10004", "Missing required parameter",
                     absl::StrCat("The '", AbslView(name), "' parameter is required."),
                     absl::StrCat("/", AbslView(name)));
}

absl::Status InvalidValue(std::string_view name, std::string detail) {
  return TelnyxError(absl::StatusCode::kInvalidArgument, "10015", "Invalid value",
                     std::move(detail), absl::StrCat("/", AbslView(name)));
}

// Decodes %XX in one path segment (a client may send "v3%3A..."); a bad escape stays as is.
std::string DecodePathSegment(std::string_view segment) {
  auto decoded = http::PercentDecode(segment);
  return decoded.ok() ? *std::move(decoded) : std::string(segment);
}

// The request body as a JSON object; an empty body is {} when `empty_ok`. Returns
// TelnyxBadRequest (400, 10015) otherwise.
absl::StatusOr<nlohmann::json> ParseBody(const std::string& body, bool empty_ok) {
  if (body.empty() && empty_ok) return nlohmann::json::object();
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return TelnyxBadRequest("The request body must be a JSON object.");
  }
  return parsed;
}

// Reads optional string field `name`: nullopt when absent or null; kInvalidArgument when it is
// not a string.
absl::StatusOr<std::optional<std::string>> OptionalString(const nlohmann::json& body,
                                                          std::string_view name) {
  auto it = body.find(std::string(name));
  if (it == body.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) {
    return InvalidValue(name, absl::StrCat("'", AbslView(name), "' must be a string."));
  }
  return std::optional<std::string>(it->get<std::string>());
}

// Reads required non-empty string field `name` (10004 when absent or empty).
absl::StatusOr<std::string> RequiredString(const nlohmann::json& body, std::string_view name) {
  auto value = OptionalString(body, name);
  if (!value.ok()) return value.status();
  if (!value->has_value() || (*value)->empty()) return MissingParameter(name);
  return **value;
}

// client_state must be base64 (Telnyx echoes it in webhooks).
absl::Status CheckClientState(const std::optional<std::string>& client_state) {
  std::string decoded;
  if (client_state.has_value() && !absl::Base64Unescape(AbslView(*client_state), &decoded)) {
    return InvalidValue("client_state", "'client_state' must be base64 encoded.");
  }
  return absl::OkStatus();
}

}  // namespace

nlohmann::ordered_json TelnyxLegIdsJson(const TelnyxCallView& view) {
  const TelnyxLeg& leg = view.Leg();
  nlohmann::ordered_json data;
  data["call_control_id"] = leg.call_control_id;
  data["call_leg_id"] = leg.call_leg_id;
  data["call_session_id"] = leg.call_session_id;
  data["is_alive"] = view.is_alive();
  data["record_type"] = "call";
  return data;
}

nlohmann::ordered_json TelnyxCallJson(const TelnyxCallView& view) {
  const TelnyxLeg& leg = view.Leg();
  nlohmann::ordered_json data;
  data["call_control_id"] = leg.call_control_id;
  data["call_leg_id"] = leg.call_leg_id;
  data["call_session_id"] = leg.call_session_id;
  data["is_alive"] = view.is_alive();
  data["call_duration"] = view.call_duration;
  data["record_type"] = "call";
  data["start_time"] = leg.start_time.has_value()
                           ? nlohmann::ordered_json(FormatTelnyxTime(*leg.start_time))
                           : nlohmann::ordered_json(nullptr);
  if (leg.end_time.has_value()) data["end_time"] = FormatTelnyxTime(*leg.end_time);
  data["client_state"] = leg.client_state.has_value() ? nlohmann::ordered_json(*leg.client_state)
                                                      : nlohmann::ordered_json(nullptr);
  return data;
}

TelnyxApi::TelnyxApi(std::vector<std::string> api_keys, TelnyxEngine* engine)
    : api_keys_(std::move(api_keys)), engine_(engine) {}

bool TelnyxApi::Authenticated(const http::Request& request) const {
  const std::string_view header = request.Header("authorization");
  constexpr std::string_view kBearer = "bearer ";
  if (header.size() <= kBearer.size() ||
      !absl::StartsWithIgnoreCase(AbslView(header), AbslView(kBearer))) {
    return false;
  }
  const std::string_view key = header.substr(kBearer.size());
  bool match = false;
  for (const std::string& accepted : api_keys_) match |= ConstantTimeEquals(accepted, key);
  return match;
}

http::Response TelnyxApi::Handle(const http::Request& request) {
  if (!Authenticated(request)) {
    Logger()->info("telnyx request rejected: bad API key {} {}", request.method, request.path);
    return ErrorResponse(Unauthenticated());
  }
  if (request.path == kCallsPath) {
    if (request.method != "POST") return ErrorResponse(MethodNotAllowed());
    return Dial(request);
  }
  if (!absl::StartsWith(AbslView(request.path), absl::StrCat(AbslView(kCallsPath), "/"))) {
    return ErrorResponse(PathNotFound(request.path));
  }
  const std::vector<std::string> parts =
      absl::StrSplit(AbslView(request.path).substr(kCallsPath.size() + 1), '/');
  if (parts.empty() || parts[0].empty()) return ErrorResponse(PathNotFound(request.path));
  const std::string call_control_id = DecodePathSegment(parts[0]);
  if (parts.size() == 1) {
    if (request.method != "GET") return ErrorResponse(MethodNotAllowed());
    auto call = engine_->GetCall(call_control_id);
    if (!call.ok()) return ErrorResponse(call.status());
    nlohmann::ordered_json body;
    body["data"] = TelnyxCallJson(*call);
    return JsonResponse(200, body.dump());
  }
  if (parts.size() == 3 && parts[1] == "actions" && parts[2] == "hangup") {
    if (request.method != "POST") return ErrorResponse(MethodNotAllowed());
    return Hangup(call_control_id, request);
  }
  return ErrorResponse(PathNotFound(request.path));
}

http::Response TelnyxApi::Dial(const http::Request& request) {
  auto body = ParseBody(request.body, /*empty_ok=*/false);
  if (!body.ok()) return ErrorResponse(body.status());
  TelnyxDial dial;
  for (const auto& [name, field] :
       {std::make_pair("connection_id", &dial.connection_id), std::make_pair("to", &dial.to),
        std::make_pair("from", &dial.from)}) {
    auto value = RequiredString(*body, name);
    if (!value.ok()) return ErrorResponse(value.status());
    *field = *std::move(value);
  }
  auto webhook_url = RequiredString(*body, "webhook_url");
  if (!webhook_url.ok()) {
    // Telnyx falls back to the connection's webhook URL; the simulator has no connections.
    return ErrorResponse(webhook_url.status());
  }
  dial.webhook_url = *std::move(webhook_url);
  auto command_id = OptionalString(*body, "command_id");
  if (!command_id.ok()) return ErrorResponse(command_id.status());
  dial.command_id = *std::move(command_id);
  auto client_state = OptionalString(*body, "client_state");
  if (!client_state.ok()) return ErrorResponse(client_state.status());
  dial.client_state = *std::move(client_state);
  if (!IsE164(dial.to)) {
    return ErrorResponse(TelnyxError(absl::StatusCode::kInvalidArgument, "10016",
                                     "Phone number must be in +E.164 format",
                                     "The 'to' parameter must be in +E.164 format.", "/to"));
  }
  if (!IsHttpUrl(dial.webhook_url)) {
    return ErrorResponse(TelnyxError(absl::StatusCode::kInvalidArgument, "10003", "Invalid URL",
                                     "The 'webhook_url' is not a valid http(s) URL.",
                                     "/webhook_url"));
  }
  if (absl::Status s = CheckClientState(dial.client_state); !s.ok()) return ErrorResponse(s);
  if (auto it = body->find("timeout_secs"); it != body->end() && !it->is_null()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 5 || it->get<int64_t>() > 600) {
      return ErrorResponse(
          InvalidValue("timeout_secs", "'timeout_secs' must be an integer from 5 to 600."));
    }
    dial.timeout_secs = it->get<int>();
  }
  const TelnyxCallView view = engine_->Dial(dial);
  nlohmann::ordered_json response;
  response["data"] = TelnyxLegIdsJson(view);
  // The dial response is written before the call starts: is_alive is false, as Telnyx shows it.
  response["data"]["is_alive"] = false;
  return JsonResponse(200, response.dump());
}

http::Response TelnyxApi::Hangup(const std::string& call_control_id, const http::Request& request) {
  auto body = ParseBody(request.body, /*empty_ok=*/true);
  if (!body.ok()) return ErrorResponse(body.status());
  auto command_id = OptionalString(*body, "command_id");
  if (!command_id.ok()) return ErrorResponse(command_id.status());
  auto client_state = OptionalString(*body, "client_state");
  if (!client_state.ok()) return ErrorResponse(client_state.status());
  if (absl::Status s = CheckClientState(*client_state); !s.ok()) return ErrorResponse(s);
  const absl::Status result = engine_->Hangup(call_control_id, *command_id, *client_state);
  if (!result.ok()) return ErrorResponse(result);
  return JsonResponse(200, R"({"data":{"result":"ok"}})");
}

http::Response TelnyxApi::HandleSimControl(const http::Request& request) {
  if (request.path == kSimWebRtcPath) {
    if (request.method != "POST") return SimError(405, "use POST");
    return StartWebRtcCall(request);
  }
  if (absl::StartsWith(AbslView(request.path), AbslView(kSimCallsPrefix)) &&
      absl::EndsWith(AbslView(request.path), "/sdk_hangup")) {
    if (request.method != "POST") return SimError(405, "use POST");
    const std::string_view middle =
        std::string_view(request.path)
            .substr(kSimCallsPrefix.size(), request.path.size() - kSimCallsPrefix.size() -
                                                std::string_view("/sdk_hangup").size());
    const absl::Status result = engine_->SdkHangup(DecodePathSegment(middle));
    if (result.ok()) return JsonResponse(200, R"({"result":"ok"})");
    const int status = result.code() == absl::StatusCode::kNotFound             ? 404
                       : result.code() == absl::StatusCode::kFailedPrecondition ? 409
                                                                                : 400;
    return SimError(status, std::string(result.message()));
  }
  return SimError(404, "unknown simulator endpoint " + request.path);
}

http::Response TelnyxApi::StartWebRtcCall(const http::Request& request) {
  nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return SimError(400, "the body must be a JSON object");
  }
  TelnyxWebRtcCall call;
  for (const auto& [name, field] :
       {std::make_pair("connection_id", &call.connection_id), std::make_pair("to", &call.to),
        std::make_pair("from", &call.from), std::make_pair("webhook_url", &call.webhook_url)}) {
    auto it = body.find(name);
    if (it == body.end() || !it->is_string() || it->get<std::string>().empty()) {
      return SimError(400, absl::StrCat("'", name, "' (a non-empty string) is required"));
    }
    *field = it->get<std::string>();
  }
  if (auto it = body.find("sip_username"); it != body.end() && !it->is_null()) {
    if (!it->is_string() || it->get<std::string>().empty()) {
      return SimError(400, "'sip_username' must be a non-empty string");
    }
    call.sip_username = it->get<std::string>();
  }
  if (!IsE164(call.to)) return SimError(400, "'to' must be an E.164 number");
  if (!IsE164(call.from)) return SimError(400, "'from' must be an E.164 number");
  if (!IsHttpUrl(call.webhook_url)) return SimError(400, "'webhook_url' must be an http(s) URL");
  TelnyxCallView view = engine_->StartWebRtcCall(call);
  nlohmann::ordered_json response;
  response["webrtc_leg"] = TelnyxLegIdsJson(view);
  view.leg = 1;
  response["pstn_leg"] = TelnyxLegIdsJson(view);
  return JsonResponse(200, response.dump());
}

}  // namespace callcontrol::provider_sim
