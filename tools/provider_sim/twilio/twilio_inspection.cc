#include "tools/provider_sim/twilio/twilio_inspection.h"

#include <string>

#include "tools/provider_sim/inspection.h"
#include "tools/provider_sim/twilio/twilio_api.h"

namespace callcontrol::provider_sim {
namespace {

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

}  // namespace

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
