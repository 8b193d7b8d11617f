// Bolna's simulated executions (POST /sim/bolna/executions), chosen by the last four digits of
// `to` (or named in the request), with 0125 (talks exactly 125 s) for billing. Mirrored in
// tools/provider_sim/README.md.
#pragma once

#include <string_view>
#include <vector>

namespace callcontrol::provider_sim {

// One status webhook of a Bolna execution.
struct BolnaStep {
  double at_seconds = 0;    // offset from the start request, before --time-scale
  std::string_view status;  // ringing, in-progress, call-disconnected, completed, busy, ...
};

// What happens to a Bolna execution (POST /sim/bolna/executions).
struct BolnaScenario {
  std::string_view suffix;  // last four digits of `to`
  std::string_view name;
  std::string_view description;
  double talk_seconds = 0;  // conversation_duration once disconnected; 0 when never answered
  std::string_view hangup_by;
  std::string_view hangup_reason;
  int hangup_provider_code = 0;
  std::string_view error_message;  // "" = null
  std::vector<BolnaStep> steps;
};

// Every Bolna scenario, the default (`answered`) first.
//
//   suffix  name        webhooks (scenario seconds, multiplied by --time-scale)
//   0100    answered    ringing +0.5, in-progress +1.5, call-disconnected +4.5, completed +5.5
//                       (conversation_duration 3.0)
//   0101    busy        ringing +0.5, busy +2
//   0102    no-answer   ringing +0.5, no-answer +5
//   0103    failed      error +1 (error_message set)
//   0104    long-call   like 0100 but talks 3600 s
//   0125    talk-125    like 0100 but talks 125 s (disconnected +126.5, completed +127.5)
const std::vector<BolnaScenario>& AllBolnaScenarios();

// The scenario for a `to` number (by its last four characters); `answered` when none matches.
const BolnaScenario& BolnaScenarioForNumber(std::string_view to);

// The scenario named `name` or with suffix `name`, or nullptr.
const BolnaScenario* FindBolnaScenario(std::string_view name);

}  // namespace callcontrol::provider_sim
