#include "tools/provider_sim/inspection.h"

#include <string>

#include "absl/time/time.h"
#include "tools/provider_sim/exotel/exotel_api.h"
#include "tools/provider_sim/telnyx/telnyx_api.h"
#include "tools/provider_sim/twilio/twilio_api.h"

namespace callcontrol::provider_sim {
namespace {

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime(absl::RFC3339_full, t, absl::UTCTimeZone());
}

nlohmann::json Summary(const SimCall& call) {
  return {
      {"sid", call.sid},
      {"to", call.to},
      {"scenario", std::string(call.scenario->name)},
      {"phase", std::string(CallPhaseName(call.phase))},
      {"status", call.status},
      {"deleted", call.deleted},
      {"updates", call.updates.size()},
      {"callbacks", call.deliveries.size()},
  };
}

nlohmann::json OptionalString(const std::optional<std::string>& value) {
  if (!value.has_value()) return nullptr;
  return *value;
}

nlohmann::json StringOrNull(const std::string& value) {
  if (value.empty()) return nullptr;
  return value;
}

nlohmann::json TelnyxSummary(const TelnyxCallView& view) {
  const TelnyxLeg& leg = view.Leg();
  return {
      {"provider", "telnyx"},
      {"call_control_id", leg.call_control_id},
      {"call_session_id", leg.call_session_id},
      {"kind", std::string(TelnyxLegKindName(leg.kind))},
      {"to", leg.to},
      {"scenario", std::string(view.session.scenario->name)},
      {"state", std::string(TelnyxLegPhaseName(leg.phase))},
      {"is_alive", view.is_alive()},
      {"hangup_requests", leg.hangups.size()},
      {"webhooks", leg.deliveries.size()},
  };
}

nlohmann::json DeliveriesJson(const std::vector<DeliveryReport>& deliveries) {
  nlohmann::json out = nlohmann::json::array();
  for (const DeliveryReport& d : deliveries) {
    out.push_back({
        {"index", d.sequence_number},
        {"status", d.call_status},
        {"attempt", d.attempt},
        {"http_status", d.http_status},
        {"error", d.error},
        {"at", Rfc3339(d.at)},
    });
  }
  return out;
}

nlohmann::json ExotelSummary(const ExotelCall& call) {
  return {
      {"provider", "exotel"},
      {"sid", call.sid},
      {"from", call.request.from},
      {"scenario", std::string(call.scenario->name)},
      {"phase", std::string(ExotelPhaseName(call.phase))},
      {"status", call.status},
      {"sent", call.sent.size()},
      {"deliveries", call.deliveries.size()},
  };
}

nlohmann::json BolnaSummary(const BolnaExecution& e) {
  return {
      {"provider", "bolna"},   {"execution_id", e.id},
      {"to", e.request.to},    {"scenario", std::string(e.scenario->name)},
      {"status", e.status},    {"ended", e.ended},
      {"sent", e.sent.size()}, {"deliveries", e.deliveries.size()},
  };
}

}  // namespace

nlohmann::json ExotelInspectionJson(const ExotelCall& call) {
  nlohmann::json out = ExotelSummary(call);
  out["account_sid"] = call.request.account_sid;
  out["to"] = call.To();
  out["caller_id"] = call.request.caller_id;
  out["url"] = call.request.url;
  out["record"] = call.request.record;
  out["custom_field"] = call.request.custom_field;
  out["status_callback"] = call.request.status_callback;
  nlohmann::json events = nlohmann::json::array();
  if (call.request.terminal_event) events.push_back("terminal");
  if (call.request.answered_event) events.push_back("answered");
  out["status_callback_events"] = std::move(events);
  out["status_callback_content_type"] =
      call.request.json_callbacks ? "application/json" : "application/x-www-form-urlencoded";
  nlohmann::json request = nlohmann::json::array();
  for (const auto& [name, value] : call.request.params) request.push_back({name, value});
  out["request"] = std::move(request);
  out["call"] = nlohmann::json::parse(ExotelCallJson(call).dump());
  nlohmann::json sent = nlohmann::json::array();
  for (size_t i = 0; i < call.sent.size(); ++i) {
    const ExotelSentCallback& c = call.sent[i];
    sent.push_back({
        {"index", i},
        {"event_type", c.event_type},
        {"status", c.status},
        {"content_type", c.content_type},
        {"body", c.body},
        {"control", c.control},
        {"at", Rfc3339(c.at)},
    });
  }
  out["sent"] = std::move(sent);
  out["deliveries"] = DeliveriesJson(call.deliveries);
  return out;
}

nlohmann::json ExotelInspectionListJson(const std::vector<ExotelCall>& calls) {
  nlohmann::json list = nlohmann::json::array();
  for (const ExotelCall& call : calls) list.push_back(ExotelSummary(call));
  return {{"calls", std::move(list)}};
}

nlohmann::json BolnaInspectionJson(const BolnaExecution& e) {
  nlohmann::json out = BolnaSummary(e);
  out["agent_id"] = e.request.agent_id;
  out["from"] = e.request.from;
  out["webhook_url"] = e.request.webhook_url;
  out["execution"] = nlohmann::json::parse(BolnaExecutionJson(e.fields).dump());
  nlohmann::json sent = nlohmann::json::array();
  for (size_t i = 0; i < e.sent.size(); ++i) {
    const BolnaSentWebhook& w = e.sent[i];
    sent.push_back({
        {"index", i},
        {"status", w.status},
        {"body", w.body},
        {"control", w.control},
        {"at", Rfc3339(w.at)},
    });
  }
  out["sent"] = std::move(sent);
  out["deliveries"] = DeliveriesJson(e.deliveries);
  return out;
}

nlohmann::json BolnaInspectionListJson(const std::vector<BolnaExecution>& executions) {
  nlohmann::json list = nlohmann::json::array();
  for (const BolnaExecution& e : executions) list.push_back(BolnaSummary(e));
  return {{"executions", std::move(list)}};
}

nlohmann::json TelnyxInspectionJson(const TelnyxCallView& view) {
  const TelnyxLeg& leg = view.Leg();
  nlohmann::json out = TelnyxSummary(view);
  out["call_leg_id"] = leg.call_leg_id;
  out["connection_id"] = leg.connection_id;
  out["from"] = leg.from;
  out["direction"] = leg.direction;
  out["client_state"] = OptionalString(leg.client_state);
  out["webhook_url"] = leg.webhook_url;
  out["call_duration"] = view.call_duration;
  out["hangup_cause"] = StringOrNull(leg.hangup_cause);
  out["hangup_source"] = StringOrNull(leg.hangup_source);
  out["sip_hangup_cause"] = StringOrNull(leg.sip_hangup_cause);
  nlohmann::json bridged = nlohmann::json::array();
  for (int peer : leg.bridged_with) {
    bridged.push_back(view.session.legs[peer].call_control_id);
  }
  out["bridged_with"] = std::move(bridged);
  nlohmann::json legs = nlohmann::json::array();
  for (const TelnyxLeg& l : view.session.legs) {
    legs.push_back({
        {"call_control_id", l.call_control_id},
        {"call_leg_id", l.call_leg_id},
        {"kind", std::string(TelnyxLegKindName(l.kind))},
        {"state", std::string(TelnyxLegPhaseName(l.phase))},
        {"is_alive", l.phase == TelnyxLegPhase::kInitiated || l.phase == TelnyxLegPhase::kAnswered},
        {"hangup_cause", StringOrNull(l.hangup_cause)},
    });
  }
  out["legs"] = std::move(legs);
  nlohmann::json hangups = nlohmann::json::array();
  for (const TelnyxHangupRecord& h : leg.hangups) {
    hangups.push_back({
        {"command_id", OptionalString(h.command_id)},
        {"via", h.via},
        {"http_status", h.http_status},
        {"error_code", StringOrNull(h.error_code)},
        {"effect", h.effect},
        {"at", Rfc3339(h.at)},
    });
  }
  out["hangup_requests"] = std::move(hangups);
  nlohmann::json events = nlohmann::json::array();
  for (const TelnyxSentEvent& e : leg.events) {
    events.push_back({
        {"event_type", std::string(TelnyxEventType(e.event))},
        {"id", e.id},
        {"sends", e.sends},
    });
  }
  out["events"] = std::move(events);
  nlohmann::json webhooks = nlohmann::json::array();
  for (const DeliveryReport& d : leg.deliveries) {
    webhooks.push_back({
        {"event_type", d.call_status},
        {"id", d.idempotency_token},
        {"attempt", d.attempt + 1},
        {"redelivery", d.redelivery},
        {"http_status", d.http_status},
        {"error", d.error},
        {"at", Rfc3339(d.at)},
    });
  }
  out["webhooks"] = std::move(webhooks);
  out["call"] = nlohmann::json::parse(TelnyxCallJson(view).dump());
  return out;
}

nlohmann::json TelnyxInspectionListJson(const std::vector<TelnyxCallView>& views) {
  nlohmann::json list = nlohmann::json::array();
  for (const TelnyxCallView& view : views) list.push_back(TelnyxSummary(view));
  return {{"calls", std::move(list)}};
}

nlohmann::json InspectionJson(const SimCall& call) {
  nlohmann::json out = Summary(call);
  out["account_sid"] = call.account_sid;
  out["from"] = call.from;
  out["status_callback"] = call.status_callback;
  out["status_callback_method"] = call.status_callback_method;
  out["status_callback_events"] = call.status_callback_events;
  out["callbacks_disabled_reason"] = call.callbacks_disabled_reason;
  out["record"] = call.record;
  out["recording_status_callback"] = call.recording_status_callback;
  out["recording_status_callback_method"] = call.recording_status_callback_method;
  out["recording_status_callback_events"] = call.recording_status_callback_events;
  // The recording status callback's parameters in the order sent, once the call was recorded.
  nlohmann::json recording = nlohmann::json::array();
  for (const auto& [name, value] : call.recording_callback_params) {
    recording.push_back({name, value});
  }
  out["recording_callback"] = std::move(recording);
  out["resource"] = CallResourceJson(call);
  nlohmann::json updates = nlohmann::json::array();
  for (const UpdateRecord& u : call.updates) {
    updates.push_back({
        {"status", u.status},
        {"redirect", u.redirect},
        {"at", Rfc3339(u.at)},
        {"http_status", u.http_status},
        {"error_code", u.error_code},
        {"effect", u.effect},
    });
  }
  out["updates"] = std::move(updates);
  nlohmann::json callbacks = nlohmann::json::array();
  for (const DeliveryReport& d : call.deliveries) {
    callbacks.push_back({
        {"call_status", d.call_status},
        {"sequence_number", d.sequence_number},
        {"attempt", d.attempt},
        {"redelivery", d.redelivery},
        {"http_status", d.http_status},
        {"error", d.error},
        {"idempotency_token", d.idempotency_token},
        {"at", Rfc3339(d.at)},
    });
  }
  out["callbacks"] = std::move(callbacks);
  return out;
}

nlohmann::json InspectionListJson(const std::vector<SimCall>& calls) {
  nlohmann::json list = nlohmann::json::array();
  for (const SimCall& call : calls) list.push_back(Summary(call));
  return {{"calls", std::move(list)}};
}

}  // namespace callcontrol::provider_sim
