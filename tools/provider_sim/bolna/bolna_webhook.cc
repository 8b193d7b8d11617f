#include "tools/provider_sim/bolna/bolna_webhook.h"

#include <cmath>
#include <utility>

namespace callcontrol::provider_sim {
namespace {

double Cents(double seconds, double cents_per_minute) {
  return std::round(seconds * cents_per_minute / 60.0 * 100.0) / 100.0;
}

template <typename T>
nlohmann::ordered_json OrNull(const std::optional<T>& value) {
  if (!value.has_value()) return nullptr;
  return *value;
}

}  // namespace

BolnaCost BolnaCostFor(double conversation_seconds) {
  BolnaCost cost;
  if (!(conversation_seconds > 0)) return cost;
  cost.platform = Cents(conversation_seconds, 2.0);
  cost.network = Cents(conversation_seconds, 1.2);
  cost.llm = Cents(conversation_seconds, 1.2);
  cost.synthesizer = Cents(conversation_seconds, 1.8);
  cost.transcriber = Cents(conversation_seconds, 0.6);
  cost.total =
      std::round((cost.platform + cost.network + cost.llm + cost.synthesizer + cost.transcriber) *
                 100.0) /
      100.0;
  return cost;
}

nlohmann::ordered_json BolnaExecutionJson(const BolnaExecutionFields& f) {
  nlohmann::ordered_json out;
  out["id"] = f.id;
  out["agent_id"] = f.agent_id;
  out["batch_id"] = nullptr;
  out["conversation_time"] = OrNull(f.conversation_duration);
  out["conversation_duration"] = OrNull(f.conversation_duration);
  out["total_cost"] = f.cost.total;
  out["status"] = f.status;
  out["error_message"] = OrNull(f.error_message);
  out["answered_by_voice_mail"] = false;
  out["transcript"] = OrNull(f.transcript);
  out["created_at"] = FormatBolnaTime(f.created_at);
  out["updated_at"] = FormatBolnaTime(f.updated_at);
  nlohmann::ordered_json cost;
  cost["llm"] = f.cost.llm;
  cost["network"] = f.cost.network;
  cost["platform"] = f.cost.platform;
  cost["synthesizer"] = f.cost.synthesizer;
  cost["transcriber"] = f.cost.transcriber;
  out["cost_breakdown"] = std::move(cost);
  nlohmann::ordered_json telephony;
  telephony["duration"] = OrNull(f.duration);
  telephony["to_number"] = f.to_number;
  telephony["from_number"] = f.from_number;
  telephony["recording_url"] = OrNull(f.recording_url);
  telephony["hosted_telephony"] = true;
  telephony["provider_call_id"] = f.provider_call_id;
  telephony["call_type"] = "outbound";
  telephony["provider"] = "twilio";
  telephony["hangup_by"] = OrNull(f.hangup_by);
  telephony["hangup_reason"] = OrNull(f.hangup_reason);
  telephony["hangup_provider_code"] = OrNull(f.hangup_provider_code);
  out["telephony_data"] = std::move(telephony);
  out["transfer_call_data"] = nullptr;
  return out;
}

WebhookRequest BuildBolnaWebhookRequest(const std::string& body, const std::string& url) {
  WebhookRequest request;
  request.method = "POST";
  request.url = url;
  request.body = body;
  request.headers.emplace_back("Content-Type", "application/json");
  request.headers.emplace_back("Accept", "*/*");
  return request;
}

std::string FormatBolnaTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

}  // namespace callcontrol::provider_sim
