#include "tools/provider_sim/bolna/bolna_scenario.h"

#include "tools/provider_sim/scenario.h"

namespace callcontrol::provider_sim {
namespace {

std::vector<BolnaStep> BolnaAnsweredSteps(double talk_seconds) {
  return {{0.5, "ringing"},
          {1.5, "in-progress"},
          {1.5 + talk_seconds, "call-disconnected"},
          {2.5 + talk_seconds, "completed"}};
}

const std::vector<BolnaScenario>* BuildBolnaScenarios() {
  return new std::vector<BolnaScenario>{
      {"0100", "answered",
       "ringing, in-progress at 1.5 s, talks 3 s, call-disconnected, completed (the default)", 3.0,
       "Callee", "Call recipient hungup", 4000, "", BolnaAnsweredSteps(3.0)},
      {"0101",
       "busy",
       "ringing, busy at 2 s",
       0,
       "Carrier",
       "Call recipient was busy",
       3010,
       "",
       {{0.5, "ringing"}, {2.0, "busy"}}},
      {"0102",
       "no-answer",
       "ringing until no-answer at 5 s",
       0,
       "Carrier",
       "Call recipient did not answer",
       3020,
       "",
       {{0.5, "ringing"}, {5.0, "no-answer"}}},
      {"0103",
       "failed",
       "status error at 1 s, with an error_message",
       0,
       "Error",
       "Call could not be connected",
       5010,
       "Call failed: the number could not be reached",
       {{1.0, "error"}}},
      {"0104", "long-call", "like answered, but talks 3600 s", 3600.0, "Callee",
       "Call recipient hungup", 4000, "", BolnaAnsweredSteps(3600.0)},
      {"0125", "talk-125", "like answered, but talks exactly 125 s", 125.0, "Callee",
       "Call recipient hungup", 4000, "", BolnaAnsweredSteps(125.0)},
  };
}

}  // namespace

const std::vector<BolnaScenario>& AllBolnaScenarios() {
  static const std::vector<BolnaScenario>* const kScenarios = BuildBolnaScenarios();
  return *kScenarios;
}

const BolnaScenario& BolnaScenarioForNumber(std::string_view to) {
  return ScenarioBySuffix(AllBolnaScenarios(), to);
}

const BolnaScenario* FindBolnaScenario(std::string_view name) {
  for (const BolnaScenario& s : AllBolnaScenarios()) {
    if (s.name == name || s.suffix == name) return &s;
  }
  return nullptr;
}

}  // namespace callcontrol::provider_sim
