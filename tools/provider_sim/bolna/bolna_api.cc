#include "tools/provider_sim/bolna/bolna_api.h"
#include "tools/provider_sim/sim_http.h"

#include <cmath>
#include <optional>
#include <random>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace callcontrol::provider_sim {
namespace {

// Optional string field: absent/null leaves `out` alone; false when not a string.
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

// Optional number field.
bool ReadNumber(const nlohmann::json& body, const char* name, std::optional<double>* out,
                std::string* error) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return true;
  if (!it->is_number()) {
    *error = absl::StrCat("'", name, "' must be a number");
    return false;
  }
  *out = it->get<double>();
  return true;
}

std::string RandomUuid() {
  static constexpr char kHex[] = "0123456789abcdef";
  thread_local std::mt19937_64 rng(std::random_device{}());
  std::string out;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out.push_back('-');
    char c = kHex[rng() & 0xf];
    if (i == 12) c = '4';
    if (i == 16) c = "89ab"[rng() & 0x3];
    out.push_back(c);
  }
  return out;
}

}  // namespace

BolnaApi::BolnaApi(BolnaEngine* engine) : engine_(engine) {}

void BolnaApi::HandleSimControl(const http::Request& request, http::Responder respond) {
  if (request.path == "/sim/bolna/executions") {
    if (request.method != "POST") return respond(SimError(405, "use POST (or GET .../{id})"));
    return respond(StartExecution(request));
  }
  if (request.path == "/sim/bolna/webhooks") {
    if (request.method != "POST") return respond(SimError(405, "use POST"));
    return SendWebhook(request, std::move(respond));
  }
  respond(SimError(404, "unknown simulator endpoint " + request.path));
}

http::Response BolnaApi::StartExecution(const http::Request& request) {
  const nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return SimError(400, "the body must be a JSON object");
  }
  std::string error;
  std::optional<std::string> to, from, webhook_url, agent_id, scenario;
  for (const auto& [name, field] :
       {std::make_pair("to", &to), std::make_pair("from", &from),
        std::make_pair("webhook_url", &webhook_url), std::make_pair("agent_id", &agent_id),
        std::make_pair("scenario", &scenario)}) {
    if (!ReadString(body, name, field, &error)) return SimError(400, error);
  }
  if (!to.has_value() || !IsPhoneNumber(*to)) {
    return SimError(400, "'to' (a phone number) is required");
  }
  if (!from.has_value() || !IsPhoneNumber(*from)) {
    return SimError(400, "'from' (a phone number) is required");
  }
  if (!webhook_url.has_value() || !IsHttpUrl(*webhook_url)) {
    return SimError(400, "'webhook_url' (an http(s) URL) is required");
  }
  BolnaStart start;
  start.to = *to;
  start.from = *from;
  start.webhook_url = *webhook_url;
  if (agent_id.has_value() && !agent_id->empty()) start.agent_id = *agent_id;
  if (scenario.has_value()) {
    start.scenario = FindBolnaScenario(*scenario);
    if (start.scenario == nullptr) return SimError(400, "unknown scenario " + *scenario);
  }
  const BolnaExecution execution = engine_->Start(start);
  nlohmann::ordered_json out;
  out["message"] = "done";
  out["status"] = "queued";
  out["execution_id"] = execution.id;
  return JsonResponse(200, out.dump());
}

void BolnaApi::SendWebhook(const http::Request& request, http::Responder respond) {
  const nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return respond(SimError(400, "the body must be a JSON object"));
  }
  std::string error;
  std::optional<std::string> webhook_url, status, execution_id, recording_url, transcript,
      error_message, to, from, agent_id, hangup_by, hangup_reason;
  for (const auto& [name, field] :
       {std::make_pair("webhook_url", &webhook_url), std::make_pair("status", &status),
        std::make_pair("execution_id", &execution_id),
        std::make_pair("recording_url", &recording_url), std::make_pair("transcript", &transcript),
        std::make_pair("error_message", &error_message), std::make_pair("to", &to),
        std::make_pair("from", &from), std::make_pair("agent_id", &agent_id),
        std::make_pair("hangup_by", &hangup_by), std::make_pair("hangup_reason", &hangup_reason)}) {
    if (!ReadString(body, name, field, &error)) return respond(SimError(400, error));
  }
  std::optional<double> duration, total_cost, price, hangup_code;
  for (const auto& [name, field] :
       {std::make_pair("duration", &duration), std::make_pair("total_cost", &total_cost),
        std::make_pair("price", &price), std::make_pair("hangup_provider_code", &hangup_code)}) {
    if (!ReadNumber(body, name, field, &error)) return respond(SimError(400, error));
  }
  if (!webhook_url.has_value() || !IsHttpUrl(*webhook_url)) {
    return respond(SimError(400, "'webhook_url' (an http(s) URL) is required"));
  }
  if (!status.has_value()) return respond(SimError(400, "'status' (a string) is required"));
  if (duration.has_value() && *duration < 0) {
    return respond(SimError(400, "'duration' must not be negative"));
  }

  BolnaExecutionFields fields;
  std::optional<BolnaExecution> known;
  if (execution_id.has_value()) {
    if (auto found = engine_->Get(*execution_id); found.ok()) known = *std::move(found);
  }
  if (known.has_value()) {
    fields = known->fields;
    fields.updated_at = absl::Now();
  } else {
    fields.id = execution_id.value_or(RandomUuid());
    fields.agent_id = kDefaultBolnaAgentId;
    fields.created_at = absl::Now();
    fields.updated_at = fields.created_at;
    fields.to_number = "+10123456789";
    fields.from_number = "+19876543007";
    fields.provider_call_id = "CA00000000000000000000000000000000";
  }
  fields.status = *status;
  if (duration.has_value()) {
    fields.conversation_duration = *duration;
    fields.duration = std::to_string(static_cast<int64_t>(std::ceil(*duration)));
    fields.cost = BolnaCostFor(*duration);
  }
  if (price.has_value()) total_cost = price;
  if (total_cost.has_value()) fields.cost.total = *total_cost;
  if (recording_url.has_value()) fields.recording_url = *recording_url;
  if (transcript.has_value()) fields.transcript = *transcript;
  if (error_message.has_value()) fields.error_message = *error_message;
  if (to.has_value()) fields.to_number = *to;
  if (from.has_value()) fields.from_number = *from;
  if (agent_id.has_value()) fields.agent_id = *agent_id;
  if (hangup_by.has_value()) fields.hangup_by = *hangup_by;
  if (hangup_reason.has_value()) fields.hangup_reason = *hangup_reason;
  if (hangup_code.has_value()) fields.hangup_provider_code = static_cast<int>(*hangup_code);

  const std::string sent_body = BolnaExecutionJson(fields).dump();
  engine_->SendControlWebhook(
      *webhook_url, fields,
      [respond = std::move(respond), id = fields.id, sent_body](const DeliveryReport& report) {
        nlohmann::ordered_json out;
        out["http_status"] = report.http_status;
        out["error"] = report.error;
        out["execution_id"] = id;
        out["body"] = sent_body;
        respond(JsonResponse(200, out.dump()));
      });
}

}  // namespace callcontrol::provider_sim
