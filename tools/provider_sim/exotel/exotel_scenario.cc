#include "tools/provider_sim/exotel/exotel_scenario.h"

#include "tools/provider_sim/scenario.h"

namespace callcontrol::provider_sim {
namespace {

const std::vector<ExotelScenario>* BuildExotelScenarios() {
  return new std::vector<ExotelScenario>{
      {"0100", "answered", "answered at 1.5 s, talks 3 s, completed (the default)", 1.5, 4.5,
       "completed"},
      {"0101", "busy", "busy at 2 s; never answered", -1, 2.0, "busy"},
      {"0102", "no-answer", "rings until no-answer at 5 s", -1, 5.0, "no-answer"},
      {"0103", "failed", "fails at 1 s", -1, 1.0, "failed"},
      {"0104", "long-call", "answered at 1.5 s, talks 3600 s", 1.5, 3601.5, "completed"},
      {"0125", "talk-125", "answered at 1.5 s, talks exactly 125 s (Price 2.400)", 1.5, 126.5,
       "completed"},
  };
}

}  // namespace

const std::vector<ExotelScenario>& AllExotelScenarios() {
  static const std::vector<ExotelScenario>* const kScenarios = BuildExotelScenarios();
  return *kScenarios;
}

const ExotelScenario& ExotelScenarioForNumber(std::string_view from) {
  return ScenarioBySuffix(AllExotelScenarios(), from);
}

}  // namespace callcontrol::provider_sim
