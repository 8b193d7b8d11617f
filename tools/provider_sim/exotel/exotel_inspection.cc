#include "tools/provider_sim/exotel/exotel_inspection.h"

#include <string>

#include "tools/provider_sim/exotel/exotel_api.h"
#include "tools/provider_sim/inspection.h"

namespace callcontrol::provider_sim {
namespace {

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

}  // namespace callcontrol::provider_sim
