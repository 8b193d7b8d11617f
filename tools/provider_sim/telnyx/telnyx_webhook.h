// Telnyx Call Control webhooks as the simulator sends them: the event's `data` object in the
// shape Telnyx documents (https://developers.telnyx.com/api-reference/callbacks/call-hangup and
// its sibling call.* callbacks; samples: tests/fixtures/telnyx_call_*.json), and each delivery
// attempt's request (JSON body with meta.attempt, telnyx-timestamp, Ed25519
// telnyx-signature-ed25519 over the exact bytes). TelnyxEngine builds the events; WebhookSender
// renders the attempts.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "tools/provider_sim/telnyx/telnyx_scenario.h"
#include "tools/provider_sim/webhook_sender.h"

namespace callcontrol::provider_sim {

// What one event says about one leg.
struct TelnyxEventFields {
  TelnyxEvent event = TelnyxEvent::kInitiated;
  std::string id;  // data.id: a UUID v4, unique per event, kept on retries and duplicates
  absl::Time occurred_at;
  std::string call_control_id;
  std::string connection_id;
  std::string call_leg_id;
  std::string call_session_id;
  std::optional<std::string> client_state;  // base64 as given; null when none
  std::string from;
  std::string to;
  std::string direction;  // "incoming" | "outgoing"; sent on call.initiated only
  std::string state;      // "parked" | "bridging" | "answered" | "hangup"; not on call.bridged
  absl::Time start_time;
  // call.hangup only.
  std::string hangup_cause;
  std::string hangup_source;
  std::string sip_hangup_cause;
};

// The `data` object: record_type "event", event_type, id, occurred_at and payload
// {call_control_id, connection_id, call_leg_id, call_session_id, client_state, from, to, ...}.
// call.initiated adds direction, state, caller_id_name and codecs; call.hangup adds
// hangup_cause, hangup_source, sip_hangup_cause and call_quality_stats, never end_time.
nlohmann::ordered_json TelnyxEventData(const TelnyxEventFields& fields);

// The exact body of delivery attempt `attempt` (0 = first): {"data": data, "meta": {"attempt":
// attempt + 1, "delivered_to": url}}.
std::string TelnyxWebhookBody(const nlohmann::ordered_json& data, int attempt,
                              std::string_view url);

// The POST for attempt `attempt` at `now`: the body above, content-type application/json,
// telnyx-timestamp (unix seconds of `now`) and telnyx-signature-ed25519 =
// SignWebhook(private_key_base64, timestamp, body). `private_key_base64` must be a valid seed
// (the server checks it at start); with a bad one the signature header is empty.
WebhookRequest BuildTelnyxWebhookRequest(const nlohmann::ordered_json& data, int attempt,
                                         const std::string& url,
                                         const std::string& private_key_base64, absl::Time now);

// RFC 3339 UTC with microseconds, as Telnyx writes times: "2026-11-23T10:00:00.123456Z".
std::string FormatTelnyxTime(absl::Time t);

}  // namespace callcontrol::provider_sim
