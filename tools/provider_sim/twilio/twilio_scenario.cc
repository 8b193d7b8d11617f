#include "tools/provider_sim/twilio/twilio_scenario.h"

#include "tools/provider_sim/scenario.h"

namespace callcontrol::provider_sim {
namespace {

ScenarioStep Initiated(double at) {
  return {.at_seconds = at, .kind = StepKind::kInitiated, .event = CallbackEvent::kInitiated};
}
ScenarioStep Ringing(double at, bool hold = false) {
  return {
      .at_seconds = at, .kind = StepKind::kRinging, .event = CallbackEvent::kRinging, .hold = hold};
}
ScenarioStep Answered(double at) {
  return {.at_seconds = at, .kind = StepKind::kAnswered, .event = CallbackEvent::kAnswered};
}
ScenarioStep End(double at, std::string_view final_status, int sip_response_code) {
  return {.at_seconds = at,
          .kind = StepKind::kEnd,
          .final_status = final_status,
          .sip_response_code = sip_response_code,
          .event = CallbackEvent::kCompleted};
}
ScenarioStep Redeliver(double at, CallbackEvent event) {
  return {.at_seconds = at, .kind = StepKind::kRedeliver, .event = event};
}

const std::vector<Scenario>* BuildScenarios() {
  return new std::vector<Scenario>{
      {"0100",
       "answered",
       "rings, answers at 1.5 s, talks 3 s, completed (the default)",
       false,
       {Initiated(0.1), Ringing(0.5), Answered(1.5), End(4.5, "completed", 200)}},
      {"0101",
       "busy",
       "rings, then busy at 2 s (SIP 486); never answered",
       false,
       {Initiated(0.1), Ringing(0.5), End(2.0, "busy", 486)}},
      {"0102",
       "no-answer",
       "rings until no-answer at 5 s (SIP 480)",
       false,
       {Initiated(0.1), Ringing(0.5), End(5.0, "no-answer", 480)}},
      {"0103",
       "failed",
       "fails at 1 s (SIP 404) without ringing",
       false,
       {Initiated(0.1), End(1.0, "failed", 404)}},
      {"0104",
       "long-call",
       "answers at 1.5 s and talks for 3600 s (for hangup tests)",
       false,
       {Initiated(0.1), Ringing(0.5), Answered(1.5), End(3601.5, "completed", 200)}},
      // True order: initiated(0) ringing(1) in-progress(2) completed(3). Delivered:
      // initiated#0, in-progress#2, ringing#1 (late), in-progress#2 (duplicate), completed#3,
      // completed#3 (duplicate), ringing#1 (late again, after completed).
      {"0105",
       "chaos",
       "the answered timeline, callbacks delivered out of order and twice",
       false,
       {Initiated(0.1), Ringing(0.5, /*hold=*/true), Answered(1.5),
        Redeliver(1.6, CallbackEvent::kRinging), Redeliver(1.7, CallbackEvent::kAnswered),
        End(4.5, "completed", 200), Redeliver(4.6, CallbackEvent::kCompleted),
        Redeliver(4.7, CallbackEvent::kRinging)}},
      {"0106",
       "slow-answer",
       "rings for 8 s, answers at 8.5 s, talks 3 s (hangup-before-answer)",
       false,
       {Initiated(0.1), Ringing(0.5), Answered(8.5), End(11.5, "completed", 200)}},
      {"0107", "refused", "create fails: 400, code 21215 (geo permissions); no call", true, {}},
  };
}

}  // namespace

std::string_view CallbackEventName(CallbackEvent event) {
  switch (event) {
    case CallbackEvent::kInitiated:
      return "initiated";
    case CallbackEvent::kRinging:
      return "ringing";
    case CallbackEvent::kAnswered:
      return "answered";
    case CallbackEvent::kCompleted:
      return "completed";
  }
  return "";
}

const std::vector<Scenario>& AllScenarios() {
  static const std::vector<Scenario>* const kScenarios = BuildScenarios();
  return *kScenarios;
}

const Scenario& ScenarioForNumber(std::string_view to) {
  return ScenarioBySuffix(AllScenarios(), to);
}

}  // namespace callcontrol::provider_sim
