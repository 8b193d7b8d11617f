#include "tools/provider_sim/telnyx/telnyx_webhook.h"

#include <utility>

#include "common/logging.h"
#include "providers/telnyx/telnyx_signature.h"

namespace callcontrol::provider_sim {

namespace {

const std::shared_ptr<spdlog::logger>& Logger() {
  static const std::shared_ptr<spdlog::logger> logger = logging::Get("provider_sim");
  return logger;
}

}  // namespace

std::string FormatTelnyxTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", t, absl::UTCTimeZone());
}

nlohmann::ordered_json TelnyxEventData(const TelnyxEventFields& f) {
  nlohmann::ordered_json payload;
  payload["call_control_id"] = f.call_control_id;
  payload["connection_id"] = f.connection_id;
  payload["call_leg_id"] = f.call_leg_id;
  payload["call_session_id"] = f.call_session_id;
  if (f.client_state.has_value()) {
    payload["client_state"] = *f.client_state;
  } else {
    payload["client_state"] = nullptr;
  }
  if (f.event == TelnyxEvent::kInitiated) payload["caller_id_name"] = f.from;
  payload["from"] = f.from;
  payload["to"] = f.to;
  if (f.event == TelnyxEvent::kInitiated) payload["direction"] = f.direction;
  if (f.event != TelnyxEvent::kBridged) payload["state"] = f.state;
  payload["start_time"] = FormatTelnyxTime(f.start_time);
  if (f.event == TelnyxEvent::kInitiated && f.direction == "incoming") {
    payload["offered_codecs"] = "PCMU,PCMA,G722,OPUS";
    payload["connection_codecs"] = "G722,PCMU,PCMA,G729,OPUS";
  }
  if (f.event == TelnyxEvent::kHangup) {
    payload["hangup_cause"] = f.hangup_cause;
    payload["hangup_source"] = f.hangup_source;
    payload["sip_hangup_cause"] = f.sip_hangup_cause;
    payload["call_quality_stats"] = {
        {"inbound",
         {{"jitter_max_variance", "2.74"},
          {"jitter_packet_count", "0"},
          {"mos", "4.50"},
          {"packet_count", "591"},
          {"skip_packet_count", "0"}}},
        {"outbound", {{"packet_count", "0"}, {"skip_packet_count", "0"}}},
    };
  }
  nlohmann::ordered_json data;
  data["record_type"] = "event";
  data["event_type"] = std::string(TelnyxEventType(f.event));
  data["id"] = f.id;
  data["occurred_at"] = FormatTelnyxTime(f.occurred_at);
  data["payload"] = std::move(payload);
  return data;
}

std::string TelnyxWebhookBody(const nlohmann::ordered_json& data, int attempt,
                              std::string_view url) {
  nlohmann::ordered_json body;
  body["data"] = data;
  body["meta"] = {{"attempt", attempt + 1}, {"delivered_to", std::string(url)}};
  return body.dump();
}

WebhookRequest BuildTelnyxWebhookRequest(const nlohmann::ordered_json& data, int attempt,
                                         const std::string& url,
                                         const std::string& private_key_base64, absl::Time now) {
  WebhookRequest request;
  request.method = "POST";
  request.url = url;
  request.body = TelnyxWebhookBody(data, attempt, url);
  const std::string timestamp = std::to_string(absl::ToUnixSeconds(now));
  auto signature = telnyx::SignWebhook(private_key_base64, timestamp, request.body);
  if (!signature.ok()) {
    Logger()->error("cannot sign telnyx webhook: {}", std::string(signature.status().message()));
  }
  request.headers.emplace_back("Content-Type", "application/json");
  request.headers.emplace_back(std::string(telnyx::kTimestampHeader), timestamp);
  request.headers.emplace_back(std::string(telnyx::kSignatureHeader),
                               signature.ok() ? *std::move(signature) : std::string());
  request.headers.emplace_back("Accept", "*/*");
  return request;
}

}  // namespace callcontrol::provider_sim
