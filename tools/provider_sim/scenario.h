// The simulated callee's behaviour, chosen by the last four digits of the `To` number. The whole
// table lives in scenario.cc (AllScenarios) and is mirrored in tools/provider_sim/README.md.
//
//   suffix  name          what happens (times in scenario seconds, multiplied by --time-scale)
//   0100    answered      initiated +0.1, ringing +0.5, answered +1.5, completed +4.5 (talk 3 s)
//           (also every number whose suffix is not listed here)
//   0101    busy          initiated +0.1, ringing +0.5, busy +2 (SIP 486), never answered
//   0102    no-answer     initiated +0.1, ringing +0.5, no-answer +5 (SIP 480)
//   0103    failed        initiated +0.1, failed +1 (SIP 404)
//   0104    long-call     answered like 0100, then talks 3600 s (hang it up through the REST API)
//   0105    chaos         the answered timeline, callbacks out of order and twice (see scenario.cc)
//   0106    slow-answer   initiated +0.1, ringing +0.5, answered +8.5, completed +11.5 (talk 3 s)
//   0107    refused       the create request fails: 400, Twilio code 21215 (geo permissions)
//
// Telnyx Call Control dials (POST /v2/calls) have their own table (AllTelnyxScenarios) with the
// same suffixes where they mean the same thing, plus 0108 (the first hangup answers 500), and
// the WebRTC + PSTN pair's timeline (TelnyxWebRtcPairScenario). Exotel Connect calls
// (AllExotelScenarios, by the last four digits of `From`) and Bolna executions
// (AllBolnaScenarios, by `to`) have theirs too, with 0125 (talks exactly 125 s) for billing.
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

// --- Telnyx Call Control ---

// The Call Control webhooks the simulator sends.
enum class TelnyxEvent { kInitiated = 0, kAnswered = 1, kBridged = 2, kHangup = 3 };
inline constexpr int kNumTelnyxEvents = 4;

// "call.initiated", "call.answered", "call.bridged", "call.hangup".
std::string_view TelnyxEventType(TelnyxEvent event);

enum class TelnyxStepKind {
  kInitiated,  // the leg starts; call.initiated
  kAnswered,   // the leg is answered; call.answered
  kBridged,    // the leg is bridged to `peer`; call.bridged (of `leg` only)
  kHangup,     // the far end hangs up `leg` (and the legs bridged to it); call.hangup
  kRedeliver,  // sends `event` of `leg` again, same data.id (a duplicate or late delivery)
};

// One step of a Telnyx call session's timeline. A step whose leg has already ended is skipped,
// except kRedeliver (Telnyx delivers late duplicates after the hangup too).
struct TelnyxStep {
  double at_seconds = 0;  // offset from the dial request, before --time-scale
  TelnyxStepKind kind = TelnyxStepKind::kInitiated;
  int leg = 0;    // index in the session: 0 the dialed (or WebRTC) leg, 1 the PSTN leg
  int peer = -1;  // kBridged: the other leg's index
  // kHangup: the call.hangup fields of `leg`. Legs bridged to it end with normal_clearing.
  std::string_view hangup_cause = {};
  std::string_view hangup_source = {};
  std::string_view sip_hangup_cause = {};
  TelnyxEvent event = TelnyxEvent::kInitiated;  // kRedeliver: which webhook to send again
};

struct TelnyxScenario {
  std::string_view suffix;  // last four digits of `to`; "" for the default and the WebRTC pair
  std::string_view name;
  std::string_view description;
  bool fail_first_hangup = false;  // the first actions/hangup answers 500 (10007), no effect
  std::vector<TelnyxStep> steps;
};

// Every dial scenario, the default (`answered`) first.
//
//   suffix  name          timeline (scenario seconds, multiplied by --time-scale)
//   0100    answered      initiated +0.1, answered +1.5, hangup normal_clearing (callee) +4.5
//   0101    busy          initiated +0.1, hangup user_busy (SIP 486) +2; never answered
//   0102    no-answer     initiated +0.1, hangup timeout (SIP 480) +5
//   0103    failed        initiated +0.1, hangup not_found (SIP 404) +1
//   0104    long-call     answered at +1.5, talks 3600 s (hang it up through the API)
//   0105    duplicates    the 0100 timeline, every webhook twice (same data.id), and
//                         call.answered once more after call.hangup
//   0106    slow-answer   answered +8, hangup +11
//   0108    hangup-500    like 0104; the first actions/hangup answers 500 without effect
const std::vector<TelnyxScenario>& AllTelnyxScenarios();

// The dial scenario for a `to` number (by its last four characters); `answered` when none
// matches.
const TelnyxScenario& TelnyxScenarioForNumber(std::string_view to);

// The WebRTC + PSTN pair (POST /sim/telnyx/webrtc_calls): leg 0 = WebRTC leg, leg 1 = PSTN leg.
// A initiated +0.1, B initiated +0.2, B answered +1.5, A answered +1.6, A bridged +1.7,
// B bridged +1.7; then they talk until hung up (the phone hangs up at +3601.5).
const TelnyxScenario& TelnyxWebRtcPairScenario();

// --- Exotel Connect ---

// What happens to an Exotel Connect call (POST /v1/Accounts/{sid}/Calls/connect).
struct ExotelScenario {
  std::string_view suffix;  // last four digits of `From` (the number dialled first)
  std::string_view name;
  std::string_view description;
  double answer_at = -1;          // the `answered` event; < 0 when never answered
  double end_at = 0;              // the `terminal` event
  std::string_view final_status;  // completed | busy | no-answer | failed
};

// Every Exotel scenario, the default (`answered`) first. ConversationDuration is exactly
// end_at - answer_at (scenario seconds, whatever the --time-scale).
//
//   suffix  name        timeline (scenario seconds, multiplied by --time-scale)
//   0100    answered    answered +1.5, terminal completed +4.5 (ConversationDuration 3)
//   0101    busy        terminal busy +2
//   0102    no-answer   terminal no-answer +5
//   0103    failed      terminal failed +1
//   0104    long-call   answered +1.5, terminal completed +3601.5 (3600 s)
//   0125    talk-125    answered +1.5, terminal completed +126.5 (125 s, Price "2.400")
const std::vector<ExotelScenario>& AllExotelScenarios();

// The scenario for a `From` number (by its last four characters); `answered` when none matches.
const ExotelScenario& ExotelScenarioForNumber(std::string_view from);

// --- Bolna ---

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
