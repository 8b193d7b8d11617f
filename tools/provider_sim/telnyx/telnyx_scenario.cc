#include "tools/provider_sim/telnyx/telnyx_scenario.h"

#include "tools/provider_sim/scenario.h"

namespace callcontrol::provider_sim {
namespace {

TelnyxStep TxInitiated(double at, int leg = 0) {
  return {.at_seconds = at, .kind = TelnyxStepKind::kInitiated, .leg = leg};
}
TelnyxStep TxAnswered(double at, int leg = 0) {
  return {.at_seconds = at, .kind = TelnyxStepKind::kAnswered, .leg = leg};
}
TelnyxStep TxBridged(double at, int leg, int peer) {
  return {.at_seconds = at, .kind = TelnyxStepKind::kBridged, .leg = leg, .peer = peer};
}
TelnyxStep TxHangup(double at, std::string_view cause, std::string_view source,
                    std::string_view sip, int leg = 0) {
  return {.at_seconds = at,
          .kind = TelnyxStepKind::kHangup,
          .leg = leg,
          .hangup_cause = cause,
          .hangup_source = source,
          .sip_hangup_cause = sip};
}
TelnyxStep TxRedeliver(double at, TelnyxEvent event, int leg = 0) {
  return {.at_seconds = at, .kind = TelnyxStepKind::kRedeliver, .leg = leg, .event = event};
}

const std::vector<TelnyxScenario>* BuildTelnyxScenarios() {
  return new std::vector<TelnyxScenario>{
      {"0100",
       "answered",
       "answers at 1.5 s, talks 3 s, the callee hangs up (normal_clearing; the default)",
       false,
       {TxInitiated(0.1), TxAnswered(1.5), TxHangup(4.5, "normal_clearing", "callee", "200")}},
      {"0101",
       "busy",
       "busy at 2 s (user_busy, SIP 486); never answered",
       false,
       {TxInitiated(0.1), TxHangup(2.0, "user_busy", "callee", "486")}},
      {"0102",
       "no-answer",
       "rings until timeout at 5 s (SIP 480)",
       false,
       {TxInitiated(0.1), TxHangup(5.0, "timeout", "unknown", "480")}},
      {"0103",
       "failed",
       "fails at 1 s (not_found, SIP 404)",
       false,
       {TxInitiated(0.1), TxHangup(1.0, "not_found", "unknown", "404")}},
      {"0104",
       "long-call",
       "answers at 1.5 s and talks for 3600 s (hang it up through the API)",
       false,
       {TxInitiated(0.1), TxAnswered(1.5), TxHangup(3601.5, "normal_clearing", "callee", "200")}},
      {"0105",
       "duplicates",
       "the answered timeline with every webhook delivered twice (same data.id), and "
       "call.answered once more after call.hangup",
       false,
       {TxInitiated(0.1), TxRedeliver(0.15, TelnyxEvent::kInitiated), TxAnswered(1.5),
        TxRedeliver(1.55, TelnyxEvent::kAnswered),
        TxHangup(4.5, "normal_clearing", "callee", "200"), TxRedeliver(4.55, TelnyxEvent::kHangup),
        TxRedeliver(4.7, TelnyxEvent::kAnswered)}},
      {"0106",
       "slow-answer",
       "rings for 8 s, answers at 8 s, talks 3 s (hangup-before-answer)",
       false,
       {TxInitiated(0.1), TxAnswered(8.0), TxHangup(11.0, "normal_clearing", "callee", "200")}},
      {"0108",
       "hangup-500",
       "like long-call, but the first actions/hangup answers HTTP 500 (10007) without effect",
       true,
       {TxInitiated(0.1), TxAnswered(1.5), TxHangup(3601.5, "normal_clearing", "callee", "200")}},
  };
}

const TelnyxScenario* BuildWebRtcPair() {
  return new TelnyxScenario{"",
                            "webrtc-pair",
                            "WebRTC leg (0) and PSTN leg (1) of one call session, bridged at 1.7 s",
                            false,
                            {TxInitiated(0.1, 0), TxInitiated(0.2, 1), TxAnswered(1.5, 1),
                             TxAnswered(1.6, 0), TxBridged(1.7, 0, 1), TxBridged(1.7, 1, 0),
                             TxHangup(3601.5, "normal_clearing", "callee", "200", 1)}};
}

}  // namespace

std::string_view TelnyxEventType(TelnyxEvent event) {
  switch (event) {
    case TelnyxEvent::kInitiated:
      return "call.initiated";
    case TelnyxEvent::kAnswered:
      return "call.answered";
    case TelnyxEvent::kBridged:
      return "call.bridged";
    case TelnyxEvent::kHangup:
      return "call.hangup";
  }
  return "";
}

const std::vector<TelnyxScenario>& AllTelnyxScenarios() {
  static const std::vector<TelnyxScenario>* const kScenarios = BuildTelnyxScenarios();
  return *kScenarios;
}

const TelnyxScenario& TelnyxScenarioForNumber(std::string_view to) {
  return ScenarioBySuffix(AllTelnyxScenarios(), to);
}

const TelnyxScenario& TelnyxWebRtcPairScenario() {
  static const TelnyxScenario* const kPair = BuildWebRtcPair();
  return *kPair;
}

}  // namespace callcontrol::provider_sim
