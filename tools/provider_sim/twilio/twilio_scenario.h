// Twilio's simulated callee, chosen by the last four digits of the `To` number. The table lives
// in twilio_scenario.cc (AllScenarios) and is mirrored in tools/provider_sim/README.md.
//
//   suffix  name          what happens (times in scenario seconds, multiplied by --time-scale)
//   0100    answered      initiated +0.1, ringing +0.5, answered +1.5, completed +4.5 (talk 3 s)
//           (also every number whose suffix is not listed here)
//   0101    busy          initiated +0.1, ringing +0.5, busy +2 (SIP 486), never answered
//   0102    no-answer     initiated +0.1, ringing +0.5, no-answer +5 (SIP 480)
//   0103    failed        initiated +0.1, failed +1 (SIP 404)
//   0104    long-call     answered like 0100, then talks 3600 s (hang it up through the REST API)
//   0105    chaos         the answered timeline, callbacks out of order and twice (see the .cc)
//   0106    slow-answer   initiated +0.1, ringing +0.5, answered +8.5, completed +11.5 (talk 3 s)
//   0107    refused       the create request fails: 400, Twilio code 21215 (geo permissions)
#pragma once

#include <string_view>
#include <vector>

namespace callcontrol::provider_sim {

// The four StatusCallbackEvent words a create request may subscribe to.
enum class CallbackEvent { kInitiated = 0, kRinging = 1, kAnswered = 2, kCompleted = 3 };
inline constexpr int kNumCallbackEvents = 4;

// "initiated", "ringing", "answered", "completed".
std::string_view CallbackEventName(CallbackEvent event);

enum class StepKind {
  kInitiated,  // dialing starts; the `initiated` callback
  kRinging,    // the callee rings; the `ringing` callback
  kAnswered,   // the callee answers; the `answered` callback (CallStatus=in-progress)
  kEnd,        // the call ends with `final_status`; the `completed` callback
  kRedeliver,  // sends again (or late, if it was held) the callback of `event`
};

struct ScenarioStep {
  double at_seconds = 0;  // offset from the create request, before --time-scale
  StepKind kind = StepKind::kInitiated;
  // kEnd: the final Twilio status word and the SIP code reported as SipResponseCode.
  std::string_view final_status = {};
  int sip_response_code = 0;
  // kRedeliver: whose callback to send. Other kinds: which callback the step produces.
  CallbackEvent event = CallbackEvent::kInitiated;
  // The step's callback gets its SequenceNumber now but is not sent; a later kRedeliver step
  // sends it (a late callback).
  bool hold = false;
};

struct Scenario {
  std::string_view suffix;  // last four digits of To; "" for the default
  std::string_view name;
  std::string_view description;
  bool refuse_create = false;  // create fails with Twilio error 21215, no call exists
  std::vector<ScenarioStep> steps;
};

// Every scenario, the default (`answered`) first.
const std::vector<Scenario>& AllScenarios();

// The scenario for a To number (by its last four characters); `answered` when none matches.
const Scenario& ScenarioForNumber(std::string_view to);

}  // namespace callcontrol::provider_sim
