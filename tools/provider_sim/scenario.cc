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

const std::vector<ExotelScenario>& AllExotelScenarios() {
  static const std::vector<ExotelScenario>* const kScenarios = BuildExotelScenarios();
  return *kScenarios;
}

const ExotelScenario& ExotelScenarioForNumber(std::string_view from) {
  const auto& all = AllExotelScenarios();
  if (from.size() >= 4) {
    const std::string_view suffix = from.substr(from.size() - 4);
    for (const ExotelScenario& s : all) {
      if (s.suffix == suffix) return s;
    }
  }
  return all.front();
}

const std::vector<BolnaScenario>& AllBolnaScenarios() {
  static const std::vector<BolnaScenario>* const kScenarios = BuildBolnaScenarios();
  return *kScenarios;
}

const BolnaScenario& BolnaScenarioForNumber(std::string_view to) {
  const auto& all = AllBolnaScenarios();
  if (to.size() >= 4) {
    const std::string_view suffix = to.substr(to.size() - 4);
    for (const BolnaScenario& s : all) {
      if (s.suffix == suffix) return s;
    }
  }
  return all.front();
}

const BolnaScenario* FindBolnaScenario(std::string_view name) {
  for (const BolnaScenario& s : AllBolnaScenarios()) {
    if (s.name == name || s.suffix == name) return &s;
  }
  return nullptr;
}

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
  const auto& all = AllTelnyxScenarios();
  if (to.size() >= 4) {
    const std::string_view suffix = to.substr(to.size() - 4);
    for (const TelnyxScenario& s : all) {
      if (s.suffix == suffix) return s;
    }
  }
  return all.front();
}

const TelnyxScenario& TelnyxWebRtcPairScenario() {
  static const TelnyxScenario* const kPair = BuildWebRtcPair();
  return *kPair;
}

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
  const auto& all = AllScenarios();
  if (to.size() >= 4) {
    const std::string_view suffix = to.substr(to.size() - 4);
    for (const Scenario& s : all) {
      if (s.suffix == suffix) return s;
    }
  }
  return all.front();
}

}  // namespace callcontrol::provider_sim
