// Bolna execution webhooks as the simulator sends them: the execution object in the shape of
// Bolna's Get Execution response, which is also the webhook body
// (https://www.bolna.ai/docs/api-reference/executions/get_execution,
// https://www.bolna.ai/docs/api-reference/executions/payload; sample:
// tests/fixtures/bolna_execution.json), RFC 3339 times, the simulated cost breakdown, and the JSON
// POST (unsigned: Bolna has no webhook signature). BolnaEngine and the /sim/bolna/webhooks control
// use them.
#pragma once

#include <optional>
#include <string>

#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "tools/provider_sim/webhook_sender.h"

namespace callcontrol::provider_sim {

// The agent_id of an execution started without one.
inline constexpr char kDefaultBolnaAgentId[] = "3c90c3cc-0d44-4b50-8888-8dd25736052a";

// Cost in US cents. The simulator charges per second of conversation at platform 2.0, network
// 1.2, llm 1.2, synthesizer 1.8 and transcriber 0.6 cents per minute, each rounded to 0.01;
// total is their sum (6.8 cents per minute).
struct BolnaCost {
  double llm = 0;
  double network = 0;
  double platform = 0;
  double synthesizer = 0;
  double transcriber = 0;
  double total = 0;
};
BolnaCost BolnaCostFor(double conversation_seconds);

// What one webhook says about an execution. nullopt fields are JSON null.
struct BolnaExecutionFields {
  std::string id;  // execution id (UUID v4)
  std::string agent_id;
  std::string status;
  absl::Time created_at;
  absl::Time updated_at;
  std::optional<double> conversation_duration;  // seconds (float); also sent as conversation_time
  BolnaCost cost;                               // zero until `completed`
  std::optional<std::string> error_message;
  std::optional<std::string> transcript;
  // telephony_data
  std::optional<std::string> duration;  // whole seconds as a string ("28"), as observed
  std::string to_number;
  std::string from_number;
  std::optional<std::string> recording_url;
  std::string provider_call_id;  // the carrier's call id of the call Bolna placed
  std::optional<std::string> hangup_by;
  std::optional<std::string> hangup_reason;
  std::optional<int> hangup_provider_code;
};

// The execution object, keys in bolna_execution.json's order: id, agent_id, batch_id (null),
// conversation_time, conversation_duration, total_cost, status, error_message,
// answered_by_voice_mail (false), transcript, created_at, updated_at, cost_breakdown{llm,
// network, platform, synthesizer, transcriber}, telephony_data{duration, to_number, from_number,
// recording_url, hosted_telephony (true), provider_call_id, call_type "outbound", provider (the
// hosted carrier's name, as in the sample), hangup_by, hangup_reason, hangup_provider_code},
// transfer_call_data (null).
nlohmann::ordered_json BolnaExecutionJson(const BolnaExecutionFields& fields);

// The POST of `body` to `url` (query kept as given), Content-Type application/json.
WebhookRequest BuildBolnaWebhookRequest(const std::string& body, const std::string& url);

// RFC 3339 UTC to the second, as in Bolna's samples: "2024-01-23T01:14:37Z".
std::string FormatBolnaTime(absl::Time t);

}  // namespace callcontrol::provider_sim
