#include "tools/provider_sim/exotel/exotel_api.h"

#include <random>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/logging.h"
#include "tools/provider_sim/sim_http.h"

namespace callcontrol::provider_sim {
namespace {

const std::shared_ptr<spdlog::logger>& Logger() {
  static const std::shared_ptr<spdlog::logger> logger = logging::Get("provider_sim");
  return logger;
}

constexpr std::string_view kApiPrefix = "/v1/Accounts/";
constexpr std::string_view kSimStatusCallbacksPath = "/sim/exotel/status_callbacks";

// Exotel's error body: {"RestException":{"Status":401,"Message":"...","Code":"UNAUTHORIZED"}}
// (shape of https://developer.exotel.com/docs/sms-support/sms-api-errors).
http::Response ExotelError(int status, std::string_view code, std::string message) {
  nlohmann::ordered_json body;
  body["RestException"]["Status"] = status;
  body["RestException"]["Message"] = std::move(message);
  body["RestException"]["Code"] = std::string(code);
  http::Response response = JsonResponse(status, body.dump());
  if (status == 401) response.headers.emplace_back("WWW-Authenticate", "Basic realm=\"Exotel\"");
  return response;
}

http::Response BadRequest(std::string message) {
  return ExotelError(400, "BAD_REQUEST", std::move(message));
}

// Removes a trailing ".json" (Exotel answers XML without it; the simulator answers JSON both
// ways).
std::string StripJson(std::string_view segment) {
  if (absl::EndsWith(AbslView(segment), ".json")) segment.remove_suffix(5);
  return std::string(segment);
}

nlohmann::ordered_json OptionalTime(const std::optional<absl::Time>& t) {
  if (!t.has_value()) return nullptr;
  return FormatExotelTime(*t);
}

std::string RandomSid() {
  static constexpr char kHex[] = "0123456789abcdef";
  thread_local std::mt19937_64 rng(std::random_device{}());
  std::string out;
  for (int i = 0; i < 32; ++i) out.push_back(kHex[rng() & 0xf]);
  return out;
}

// Reads optional string field `name` of a control body into `out`; false (with `error`) when it
// is present but not a string.
bool ReadString(const nlohmann::json& body, const char* name, std::optional<std::string>* out,
                std::string* error) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return true;
  if (!it->is_string()) {
    *error = absl::StrCat("'", name, "' must be a string");
    return false;
  }
  *out = it->get<std::string>();
  return true;
}

}  // namespace

nlohmann::ordered_json ExotelCallJson(const ExotelCall& call) {
  nlohmann::ordered_json c;
  c["Sid"] = call.sid;
  c["ParentCallSid"] = nullptr;
  c["DateCreated"] = FormatExotelTime(call.date_created);
  c["DateUpdated"] = FormatExotelTime(call.date_updated);
  c["AccountSid"] = call.request.account_sid;
  c["To"] = call.To();
  c["From"] = call.request.from;
  c["PhoneNumberSid"] = call.request.caller_id;
  c["Status"] = call.status;
  c["StartTime"] = FormatExotelTime(call.date_created);
  c["EndTime"] = OptionalTime(call.end_time);
  c["Duration"] = call.conversation_duration.has_value()
                      ? nlohmann::ordered_json(*call.conversation_duration)
                      : nlohmann::ordered_json(nullptr);
  c["Price"] =
      call.price.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(call.price);
  c["Direction"] = "outbound-api";
  c["AnsweredBy"] = nullptr;
  c["ForwardedFrom"] = "";
  c["CallerName"] = "";
  c["Uri"] = absl::StrCat("/v1/Accounts/", call.request.account_sid, "/Calls/", call.sid, ".json");
  c["RecordingUrl"] = call.recording_url.empty() ? nlohmann::ordered_json(nullptr)
                                                 : nlohmann::ordered_json(call.recording_url);
  nlohmann::ordered_json out;
  out["Call"] = std::move(c);
  return out;
}

ExotelApi::ExotelApi(std::vector<ExotelAccount> accounts, ExotelEngine* engine)
    : accounts_(std::move(accounts)), engine_(engine) {}

const ExotelAccount* ExotelApi::Authenticate(const http::Request& request) const {
  const std::string_view header = request.Header("authorization");
  constexpr std::string_view kBasic = "basic ";
  if (header.size() <= kBasic.size() ||
      !absl::StartsWithIgnoreCase(AbslView(header), AbslView(kBasic))) {
    return nullptr;
  }
  std::string decoded;
  if (!absl::Base64Unescape(AbslView(header.substr(kBasic.size())), &decoded)) return nullptr;
  const size_t colon = decoded.find(':');
  if (colon == std::string::npos) return nullptr;
  const std::string_view key = std::string_view(decoded).substr(0, colon);
  const std::string_view token = std::string_view(decoded).substr(colon + 1);
  const ExotelAccount* match = nullptr;
  for (const ExotelAccount& account : accounts_) {
    if (ConstantTimeEquals(account.api_key, key) && ConstantTimeEquals(account.api_token, token)) {
      match = &account;
    }
  }
  return match;
}

http::Response ExotelApi::Handle(const http::Request& request) {
  if (!absl::StartsWith(AbslView(request.path), AbslView(kApiPrefix))) {
    return ExotelError(404, "NOT_FOUND", "The requested resource was not found: " + request.path);
  }
  const std::vector<std::string> parts =
      absl::StrSplit(AbslView(request.path).substr(kApiPrefix.size()), '/');
  const ExotelAccount* account = Authenticate(request);
  if (account == nullptr || parts.empty() || parts[0] != account->account_sid) {
    Logger()->info("exotel request rejected: bad credentials {} {}", request.method, request.path);
    return ExotelError(401, "UNAUTHORIZED", "Authentication failed. Invalid API Key or Token.");
  }
  if (parts.size() == 3 && parts[1] == "Calls" && StripJson(parts[2]) == "connect") {
    if (request.method != "POST") {
      return ExotelError(405, "METHOD_NOT_ALLOWED", "Use POST to connect a call");
    }
    return Connect(*account, request);
  }
  if (parts.size() == 3 && parts[1] == "Calls" && !parts[2].empty()) {
    if (request.method != "GET") {
      return ExotelError(405, "METHOD_NOT_ALLOWED", "Use GET for call details");
    }
    auto call = engine_->GetCall(account->account_sid, StripJson(parts[2]));
    if (!call.ok()) {
      return ExotelError(404, "NOT_FOUND", "Call " + StripJson(parts[2]) + " was not found");
    }
    return JsonResponse(200, ExotelCallJson(*call).dump());
  }
  return ExotelError(404, "NOT_FOUND", "The requested resource was not found: " + request.path);
}

http::Response ExotelApi::Connect(const ExotelAccount& account, const http::Request& request) {
  auto form = http::ParseForm(request.body);
  if (!form.ok()) return BadRequest("Malformed form body: " + std::string(form.status().message()));
  auto param = [&](std::string_view name) -> std::string {
    const std::string* value = http::FindParam(*form, name);
    return value == nullptr ? std::string() : *value;
  };
  ExotelConnect connect;
  connect.account_sid = account.account_sid;
  connect.params = *form;
  connect.from = param("From");
  connect.to = param("To");
  connect.caller_id = param("CallerId");
  connect.url = param("Url");
  connect.status_callback = param("StatusCallback");
  connect.custom_field = param("CustomField");
  if (connect.from.empty()) return BadRequest("Missing parameter: From");
  if (connect.caller_id.empty()) return BadRequest("Missing parameter: CallerId");
  if (connect.url.empty() && connect.to.empty()) {
    return BadRequest("Missing parameter: Url (call flow) or To (number to connect)");
  }
  if (!IsPhoneNumber(connect.from)) return BadRequest("Invalid phone number: From " + connect.from);
  if (!connect.to.empty() && !IsPhoneNumber(connect.to)) {
    return BadRequest("Invalid phone number: To " + connect.to);
  }
  if (!connect.url.empty() && !IsHttpUrl(connect.url)) {
    return BadRequest("Invalid parameter: Url must be an http(s) URL");
  }
  if (!connect.status_callback.empty() && !IsHttpUrl(connect.status_callback)) {
    return BadRequest("Invalid parameter: StatusCallback must be an http(s) URL");
  }
  for (const auto& [name, value] : *form) {
    if (!absl::StartsWith(name, "StatusCallbackEvents")) continue;
    if (value == "terminal") {
      connect.terminal_event = true;
    } else if (value == "answered") {
      connect.answered_event = true;
    } else {
      return BadRequest("Invalid parameter: " + name + "=" + value +
                        " (StatusCallbackEvents are terminal and answered)");
    }
  }
  const std::string content_type =
      absl::AsciiStrToLower(AbslView(param("StatusCallbackContentType")));
  if (content_type == "application/json") {
    connect.json_callbacks = true;
  } else if (!content_type.empty() && content_type != "multipart/form-data" &&
             content_type != "application/x-www-form-urlencoded") {
    return BadRequest("Invalid parameter: StatusCallbackContentType " + content_type);
  }
  const std::string record = absl::AsciiStrToLower(AbslView(param("Record")));
  if (record == "true") {
    connect.record = true;
  } else if (!record.empty() && record != "false") {
    return BadRequest("Invalid parameter: Record must be true or false");
  }
  const ExotelCall call = engine_->Connect(connect);
  return JsonResponse(200, ExotelCallJson(call).dump());
}

void ExotelApi::HandleSimControl(const http::Request& request, http::Responder respond) {
  if (request.path != kSimStatusCallbacksPath) {
    return respond(SimError(404, "unknown simulator endpoint " + request.path));
  }
  if (request.method != "POST") return respond(SimError(405, "use POST"));
  const nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return respond(SimError(400, "the body must be a JSON object"));
  }
  std::string error;
  std::optional<std::string> webhook_url, status, call_sid, event_type, price, recording_url,
      custom_field, content_type, from, to, phone_number_sid, direction;
  for (const auto& [name, field] :
       {std::make_pair("webhook_url", &webhook_url), std::make_pair("status", &status),
        std::make_pair("call_sid", &call_sid), std::make_pair("event_type", &event_type),
        std::make_pair("recording_url", &recording_url),
        std::make_pair("custom_field", &custom_field),
        std::make_pair("content_type", &content_type), std::make_pair("from", &from),
        std::make_pair("to", &to), std::make_pair("phone_number_sid", &phone_number_sid),
        std::make_pair("direction", &direction)}) {
    if (!ReadString(body, name, field, &error)) return respond(SimError(400, error));
  }
  if (auto it = body.find("price"); it != body.end() && !it->is_null()) {
    if (it->is_string()) {
      price = it->get<std::string>();
    } else if (it->is_number()) {
      price = absl::StrFormat("%.3f", it->get<double>());
    } else {
      return respond(SimError(400, "'price' must be a string or a number"));
    }
  }
  std::optional<int64_t> duration;
  if (auto it = body.find("duration"); it != body.end() && !it->is_null()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 0) {
      return respond(SimError(400, "'duration' must be a non-negative integer (seconds)"));
    }
    duration = it->get<int64_t>();
  }
  if (!webhook_url.has_value() || !IsHttpUrl(*webhook_url)) {
    return respond(SimError(400, "'webhook_url' (an http(s) URL) is required"));
  }
  if (!status.has_value()) return respond(SimError(400, "'status' (a string) is required"));

  ExotelCallbackFields fields;
  bool json = false;
  std::optional<ExotelCall> call;
  if (call_sid.has_value()) {
    if (auto found = engine_->GetCall("", *call_sid); found.ok()) call = *std::move(found);
  }
  const std::string type = event_type.value_or("terminal");
  if (call.has_value()) {
    fields = ExotelCallbackFieldsFor(*call, type);
    json = call->request.json_callbacks;
  } else {
    const std::string now = FormatExotelTime(absl::Now());
    fields.call_sid = call_sid.value_or(RandomSid());
    fields.date_updated = now;
    fields.event_type = type;
    fields.date_created = now;
    fields.to = "09999999999";
    fields.from = "08888888888";
    fields.phone_number_sid = "08033333333";
    fields.start_time = now;
    fields.end_time = now;
    fields.conversation_duration = "0";
  }
  fields.status = *status;
  fields.event_type = type;
  if (type == "terminal" && fields.price.empty()) fields.price = "0.000";
  if (duration.has_value()) fields.conversation_duration = std::to_string(*duration);
  if (price.has_value()) fields.price = *price;
  if (type.empty()) fields.price.clear();
  if (recording_url.has_value()) fields.recording_url = *recording_url;
  if (custom_field.has_value()) fields.custom_field = *custom_field;
  if (from.has_value()) fields.from = *from;
  if (to.has_value()) fields.to = *to;
  if (phone_number_sid.has_value()) fields.phone_number_sid = *phone_number_sid;
  if (direction.has_value()) fields.direction = *direction;
  if (content_type.has_value()) json = absl::AsciiStrToLower(*content_type) == "application/json";

  const std::string sent_body =
      BuildExotelCallbackRequest(ExotelCallbackParams(fields), *webhook_url, json).body;
  engine_->SendControlCallback(*webhook_url, fields, json,
                               [respond = std::move(respond), sid = fields.call_sid, json,
                                sent_body](const DeliveryReport& report) {
                                 nlohmann::ordered_json out;
                                 out["http_status"] = report.http_status;
                                 out["error"] = report.error;
                                 out["call_sid"] = sid;
                                 out["content_type"] = json ? "application/json"
                                                            : "application/x-www-form-urlencoded";
                                 out["body"] = sent_body;
                                 respond(JsonResponse(200, out.dump()));
                               });
}

}  // namespace callcontrol::provider_sim
