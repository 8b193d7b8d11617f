// Telnyx Call Control's simulated callee: the dial table (POST /v2/calls), chosen by the last
// four digits of `to`, with the same suffixes as the other call tables where they mean the same
// thing plus 0108 (the first hangup answers 500), and the WebRTC + PSTN pair's timeline (POST
// /sim/telnyx/webrtc_calls). Mirrored in tools/provider_sim/README.md.
#pragma once

#include <string_view>
#include <vector>

namespace callcontrol::provider_sim {

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

}  // namespace callcontrol::provider_sim
