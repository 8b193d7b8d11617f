#include "tools/provider_sim/telnyx/telnyx_inspection.h"

#include <string>

#include "tools/provider_sim/inspection.h"
#include "tools/provider_sim/telnyx/telnyx_api.h"

namespace callcontrol::provider_sim {
namespace {

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

}  // namespace

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

}  // namespace callcontrol::provider_sim
