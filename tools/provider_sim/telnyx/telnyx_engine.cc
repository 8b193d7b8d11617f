#include "tools/provider_sim/telnyx/telnyx_engine.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "tools/provider_sim/telnyx/telnyx_errors.h"
#include "tools/provider_sim/telnyx/telnyx_webhook.h"

namespace callcontrol::provider_sim {
namespace {

// Telnyx ignores a repeated command_id for this long
// (https://developers.telnyx.com/docs/voice/programmable-voice/receiving-webhooks).
constexpr absl::Duration kCommandIdWindow = absl::Seconds(60);

const std::shared_ptr<spdlog::logger>& Logger() {
  static const std::shared_ptr<spdlog::logger> logger = logging::Get("provider_sim");
  return logger;
}

absl::Status CallNotFound(const std::string& call_control_id) {
  return TelnyxError(absl::StatusCode::kNotFound, "90015", "Invalid Call Control ID",
                     absl::StrCat("The provided call_control_id was not valid: ", call_control_id),
                     "/call_control_id");
}

absl::Status CallEnded() {
  return TelnyxError(absl::StatusCode::kFailedPrecondition, "90018", "Call has already ended",
                     "This call is no longer active and can't receive commands.");
}

// Steps for a dial with `timeout_secs`: if the dialed leg would be answered (or end) later than
// the timeout, it hangs up with `timeout` at the timeout instead.
std::vector<TelnyxStep> StepsWithTimeout(const std::vector<TelnyxStep>& steps,
                                         std::optional<int> timeout_secs) {
  if (!timeout_secs.has_value()) return steps;
  for (size_t i = 0; i < steps.size(); ++i) {
    const TelnyxStep& step = steps[i];
    if (step.leg != 0 ||
        (step.kind != TelnyxStepKind::kAnswered && step.kind != TelnyxStepKind::kHangup)) {
      continue;
    }
    if (step.at_seconds <= *timeout_secs) return steps;
    std::vector<TelnyxStep> out(steps.begin(), steps.begin() + i);
    out.push_back({.at_seconds = static_cast<double>(*timeout_secs),
                   .kind = TelnyxStepKind::kHangup,
                   .hangup_cause = "timeout",
                   .hangup_source = "unknown",
                   .sip_hangup_cause = "480"});
    return out;
  }
  return steps;
}

}  // namespace

std::string_view TelnyxLegKindName(TelnyxLegKind kind) {
  switch (kind) {
    case TelnyxLegKind::kDial:
      return "dial";
    case TelnyxLegKind::kWebRtc:
      return "webrtc";
    case TelnyxLegKind::kPstn:
      return "pstn";
  }
  return "";
}

std::string_view TelnyxLegPhaseName(TelnyxLegPhase phase) {
  switch (phase) {
    case TelnyxLegPhase::kQueued:
      return "queued";
    case TelnyxLegPhase::kInitiated:
      return "initiated";
    case TelnyxLegPhase::kAnswered:
      return "answered";
    case TelnyxLegPhase::kHangup:
      return "hangup";
  }
  return "";
}

bool TelnyxCallView::is_alive() const {
  const TelnyxLegPhase phase = Leg().phase;
  return phase == TelnyxLegPhase::kInitiated || phase == TelnyxLegPhase::kAnswered;
}

TelnyxEngine::TelnyxEngine(Options options, Scheduler* scheduler, WebhookSender* sender)
    : options_{options.time_scale, std::move(options.private_key_base64),
               std::max<size_t>(options.max_ended_sessions, 1)},
      scheduler_(scheduler),
      sender_(sender),
      rng_(std::random_device{}()) {}

TelnyxCallView TelnyxEngine::Dial(const TelnyxDial& dial) {
  const TelnyxScenario& scenario = TelnyxScenarioForNumber(dial.to);
  absl::MutexLock lock(&mu_);
  const absl::Time now = absl::Now();
  while (!dial_command_order_.empty() &&
         now - dial_command_order_.front().first > kCommandIdWindow) {
    auto it = dial_commands_.find(dial_command_order_.front().second);
    if (it != dial_commands_.end() && it->second.at == dial_command_order_.front().first) {
      dial_commands_.erase(it);
    }
    dial_command_order_.pop_front();
  }
  if (dial.command_id.has_value()) {
    auto it = dial_commands_.find(*dial.command_id);
    if (it != dial_commands_.end()) {
      auto [session, leg] = FindLocked(it->second.call_control_id);
      if (session != nullptr) {
        Logger()->info("telnyx dial repeated command_id={} -> call_control_id={} (no new call)",
                       *dial.command_id, it->second.call_control_id);
        return ViewLocked(*session, leg);
      }
    }
  }
  auto session = std::make_unique<TelnyxSession>();
  session->call_session_id = UuidLocked();
  session->scenario = &scenario;
  session->steps = StepsWithTimeout(scenario.steps, dial.timeout_secs);
  TelnyxLeg leg = NewLegLocked(TelnyxLegKind::kDial, session->call_session_id);
  leg.connection_id = dial.connection_id;
  leg.from = dial.from;
  leg.to = dial.to;
  leg.direction = "outgoing";
  leg.initiated_state = "bridging";
  leg.caller_side = true;
  leg.client_state = dial.client_state;
  leg.webhook_url = dial.webhook_url;
  leg.fail_next_hangup = scenario.fail_first_hangup;
  if (dial.command_id.has_value()) {
    dial_commands_[*dial.command_id] = DialCommand{leg.call_control_id, now};
    dial_command_order_.emplace_back(now, *dial.command_id);
  }
  session->legs.push_back(std::move(leg));
  TelnyxCallView view = StartSessionLocked(std::move(session), 0);
  Logger()->info("telnyx call dialed call_control_id={} to={} scenario={}",
                 view.Leg().call_control_id, dial.to, scenario.name);
  return view;
}

TelnyxCallView TelnyxEngine::StartWebRtcCall(const TelnyxWebRtcCall& call) {
  const TelnyxScenario& scenario = TelnyxWebRtcPairScenario();
  absl::MutexLock lock(&mu_);
  auto session = std::make_unique<TelnyxSession>();
  session->call_session_id = UuidLocked();
  session->scenario = &scenario;
  session->steps = scenario.steps;
  TelnyxLeg webrtc = NewLegLocked(TelnyxLegKind::kWebRtc, session->call_session_id);
  webrtc.connection_id = call.connection_id;
  webrtc.from = absl::StrCat("sip:", call.sip_username, "@sip.telnyx.com");
  webrtc.to = call.to;
  webrtc.direction = "incoming";
  webrtc.initiated_state = "parked";
  webrtc.caller_side = true;
  webrtc.webhook_url = call.webhook_url;
  TelnyxLeg pstn = NewLegLocked(TelnyxLegKind::kPstn, session->call_session_id);
  pstn.connection_id = call.connection_id;
  pstn.from = call.from;
  pstn.to = call.to;
  pstn.direction = "outgoing";
  pstn.initiated_state = "bridging";
  pstn.caller_side = false;
  pstn.webhook_url = call.webhook_url;
  session->legs.push_back(std::move(webrtc));
  session->legs.push_back(std::move(pstn));
  TelnyxCallView view = StartSessionLocked(std::move(session), 0);
  Logger()->info("telnyx webrtc call started call_session_id={} webrtc={} pstn={} to={}",
                 view.session.call_session_id, view.session.legs[0].call_control_id,
                 view.session.legs[1].call_control_id, call.to);
  return view;
}

absl::Status TelnyxEngine::Hangup(const std::string& call_control_id,
                                  const std::optional<std::string>& command_id,
                                  const std::optional<std::string>& client_state) {
  absl::MutexLock lock(&mu_);
  auto [session, index] = FindLocked(call_control_id);
  if (session == nullptr) return CallNotFound(call_control_id);
  TelnyxLeg& leg = session->legs[index];
  TelnyxHangupRecord record;
  record.command_id = command_id;
  record.via = "api";
  record.at = absl::Now();
  absl::Status result;
  if (leg.fail_next_hangup) {
    leg.fail_next_hangup = false;
    result = TelnyxError(absl::StatusCode::kInternal, "10007", "Unexpected error", "");
    record.effect = "failed: simulated HTTP 500 (scenario hangup-500), no effect";
  } else if (command_id.has_value() && leg.applied_command_ids.contains(*command_id) &&
             record.at - leg.applied_command_ids[*command_id] <= kCommandIdWindow) {
    record.effect = "duplicate command_id: ignored";
  } else if (leg.phase == TelnyxLegPhase::kHangup) {
    result = CallEnded();
    record.effect = "rejected: call has already ended";
  } else {
    if (client_state.has_value()) leg.client_state = client_state;
    if (command_id.has_value()) leg.applied_command_ids[*command_id] = record.at;
    const std::string_view source = leg.caller_side ? "caller" : "callee";
    EndLegLocked(*session, index, "normal_clearing", source, "unspecified", "normal_clearing",
                 "unspecified", SimSecondsSince(*session));
    record.effect = "ended";
  }
  record.http_status = TelnyxHttpStatusFor(result);
  record.error_code = TelnyxErrorCode(result);
  session->legs[index].hangups.push_back(record);
  Logger()->info("telnyx hangup call_control_id={} command_id={} -> {} {}", call_control_id,
                 command_id.value_or(""), record.http_status, record.effect);
  EvictLocked();
  return result;
}

absl::Status TelnyxEngine::SdkHangup(const std::string& call_control_id) {
  absl::MutexLock lock(&mu_);
  auto [session, index] = FindLocked(call_control_id);
  if (session == nullptr) return CallNotFound(call_control_id);
  TelnyxLeg& leg = session->legs[index];
  if (leg.kind != TelnyxLegKind::kWebRtc) {
    return absl::InvalidArgumentError(absl::StrCat("call ", call_control_id, " is a ",
                                                   std::string(TelnyxLegKindName(leg.kind)),
                                                   " leg; sdk_hangup needs the WebRTC leg"));
  }
  TelnyxHangupRecord record;
  record.via = "sdk";
  record.at = absl::Now();
  absl::Status result;
  if (leg.phase == TelnyxLegPhase::kHangup) {
    result = CallEnded();
    record.effect = "rejected: call has already ended";
  } else {
    // The SDK's BYE carries cause USER_BUSY: Telnyx ends the bridged PSTN leg with user_busy,
    // which the phone hears as a busy tone.
    EndLegLocked(*session, index, "normal_clearing", "caller", "unspecified", "user_busy", "486",
                 SimSecondsSince(*session));
    record.effect = "ended (SDK BYE, cause USER_BUSY)";
  }
  record.http_status = TelnyxHttpStatusFor(result);
  record.error_code = TelnyxErrorCode(result);
  session->legs[index].hangups.push_back(record);
  Logger()->info("telnyx sdk hangup call_control_id={} -> {}", call_control_id, record.effect);
  EvictLocked();
  return result;
}

absl::StatusOr<TelnyxCallView> TelnyxEngine::GetCall(const std::string& call_control_id) const {
  absl::MutexLock lock(&mu_);
  auto [session, index] = FindLocked(call_control_id);
  if (session == nullptr) return CallNotFound(call_control_id);
  return ViewLocked(*session, index);
}

std::vector<TelnyxCallView> TelnyxEngine::ListCalls(size_t limit) const {
  absl::MutexLock lock(&mu_);
  std::vector<TelnyxCallView> out;
  for (auto it = sessions_.rbegin(); it != sessions_.rend() && out.size() < limit; ++it) {
    const TelnyxSession& session = *it->second;
    for (int i = static_cast<int>(session.legs.size()) - 1; i >= 0 && out.size() < limit; --i) {
      out.push_back(ViewLocked(session, i));
    }
  }
  std::reverse(out.begin(), out.end());
  return out;
}

void TelnyxEngine::RecordDelivery(const DeliveryReport& report) {
  absl::MutexLock lock(&mu_);
  auto [session, index] = FindLocked(report.call_sid);
  if (session != nullptr) session->legs[index].deliveries.push_back(report);
}

TelnyxLeg TelnyxEngine::NewLegLocked(TelnyxLegKind kind, const std::string& call_session_id) {
  TelnyxLeg leg;
  leg.kind = kind;
  do {
    leg.call_control_id = CallControlIdLocked();
  } while (by_call_control_id_.contains(leg.call_control_id));
  leg.call_leg_id = UuidLocked();
  leg.call_session_id = call_session_id;
  leg.created_at = absl::Now();
  return leg;
}

TelnyxCallView TelnyxEngine::StartSessionLocked(std::unique_ptr<TelnyxSession> session, int leg) {
  session->create_index = next_create_index_++;
  session->created_steady = std::chrono::steady_clock::now();
  TelnyxSession* s = session.get();
  by_session_id_.emplace(s->call_session_id, s);
  for (int i = 0; i < static_cast<int>(s->legs.size()); ++i) {
    by_call_control_id_.emplace(s->legs[i].call_control_id, std::make_pair(s, i));
  }
  sessions_.emplace(s->create_index, std::move(session));
  ScheduleNextStepLocked(*s);
  return ViewLocked(*s, leg);
}

void TelnyxEngine::ScheduleNextStepLocked(TelnyxSession& session) {
  if (session.next_step >= session.steps.size()) {
    session.timer_id = 0;
    session.timer_token = 0;
    return;
  }
  const double offset_seconds = session.steps[session.next_step].at_seconds * options_.time_scale;
  const auto when =
      session.created_steady + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                   std::chrono::duration<double>(offset_seconds));
  const uint64_t token = next_timer_token_++;
  session.timer_token = token;
  session.timer_id = scheduler_->ScheduleAt(
      when, [this, id = session.call_session_id, token] { OnTimer(id, token); });
}

void TelnyxEngine::StopTimelineLocked(TelnyxSession& session) {
  if (session.timer_id != 0) scheduler_->Cancel(session.timer_id);
  session.timer_id = 0;
  session.timer_token = 0;
  session.next_step = session.steps.size();
}

void TelnyxEngine::OnTimer(const std::string& call_session_id, uint64_t token) {
  absl::MutexLock lock(&mu_);
  auto it = by_session_id_.find(call_session_id);
  if (it == by_session_id_.end()) return;  // evicted
  TelnyxSession& session = *it->second;
  if (session.timer_token != token) return;  // the timeline was stopped
  session.timer_id = 0;
  if (session.next_step >= session.steps.size()) return;
  const TelnyxStep step = session.steps[session.next_step++];
  RunStepLocked(session, step);
  ScheduleNextStepLocked(session);
  EvictLocked();
}

void TelnyxEngine::RunStepLocked(TelnyxSession& session, const TelnyxStep& step) {
  TelnyxLeg& leg = session.legs[step.leg];
  const absl::Time now = absl::Now();
  switch (step.kind) {
    case TelnyxStepKind::kInitiated:
      if (leg.phase != TelnyxLegPhase::kQueued) return;
      leg.phase = TelnyxLegPhase::kInitiated;
      leg.start_time = now;
      EmitLocked(session, step.leg, TelnyxEvent::kInitiated);
      return;
    case TelnyxStepKind::kAnswered:
      if (leg.phase != TelnyxLegPhase::kInitiated) return;
      leg.phase = TelnyxLegPhase::kAnswered;
      leg.answered_at = now;
      leg.answered_sim = step.at_seconds;
      EmitLocked(session, step.leg, TelnyxEvent::kAnswered);
      return;
    case TelnyxStepKind::kBridged: {
      TelnyxLeg& peer = session.legs[step.peer];
      if (leg.phase != TelnyxLegPhase::kAnswered || peer.phase != TelnyxLegPhase::kAnswered) {
        return;
      }
      if (std::find(leg.bridged_with.begin(), leg.bridged_with.end(), step.peer) ==
          leg.bridged_with.end()) {
        leg.bridged_with.push_back(step.peer);
        peer.bridged_with.push_back(step.leg);
      }
      EmitLocked(session, step.leg, TelnyxEvent::kBridged);
      return;
    }
    case TelnyxStepKind::kHangup:
      if (leg.phase == TelnyxLegPhase::kHangup) return;
      EndLegLocked(session, step.leg, step.hangup_cause, step.hangup_source, step.sip_hangup_cause,
                   "normal_clearing", "unspecified", step.at_seconds);
      return;
    case TelnyxStepKind::kRedeliver:
      for (TelnyxSentEvent& event : leg.events) {
        if (event.event == step.event) {
          SendLocked(session, leg, event, /*redelivery=*/true);
          return;
        }
      }
      return;  // the event never happened (e.g. the call ended first)
  }
}

void TelnyxEngine::EndLegLocked(TelnyxSession& session, int index, std::string_view cause,
                                std::string_view source, std::string_view sip,
                                std::string_view peer_cause, std::string_view peer_sip,
                                double sim_now) {
  EndOneLegLocked(session, index, cause, source, sip, sim_now);
  // Telnyx tears the bridge down: every live leg bridged to this one ends too.
  const std::vector<int> peers = session.legs[index].bridged_with;
  for (int peer : peers) {
    if (session.legs[peer].phase != TelnyxLegPhase::kHangup) {
      EndOneLegLocked(session, peer, peer_cause, source, peer_sip, sim_now);
    }
  }
  const bool all_ended =
      std::all_of(session.legs.begin(), session.legs.end(),
                  [](const TelnyxLeg& l) { return l.phase == TelnyxLegPhase::kHangup; });
  if (all_ended && !session.ended) {
    session.ended = true;
    ended_.push_back(session.create_index);
  }
}

void TelnyxEngine::EndOneLegLocked(TelnyxSession& session, int index, std::string_view cause,
                                   std::string_view source, std::string_view sip, double sim_now) {
  TelnyxLeg& leg = session.legs[index];
  leg.phase = TelnyxLegPhase::kHangup;
  leg.end_time = absl::Now();
  leg.ended_sim = sim_now;
  leg.hangup_cause = std::string(cause);
  leg.hangup_source = std::string(source);
  leg.sip_hangup_cause = std::string(sip);
  EmitLocked(session, index, TelnyxEvent::kHangup);
  Logger()->info("telnyx leg ended call_control_id={} hangup_cause={} hangup_source={} sip={}",
                 leg.call_control_id, leg.hangup_cause, leg.hangup_source, leg.sip_hangup_cause);
}

void TelnyxEngine::EmitLocked(TelnyxSession& session, int index, TelnyxEvent event) {
  TelnyxLeg& leg = session.legs[index];
  const absl::Time now = absl::Now();
  TelnyxEventFields fields;
  fields.event = event;
  fields.id = UuidLocked();
  fields.occurred_at = now;
  fields.call_control_id = leg.call_control_id;
  fields.connection_id = leg.connection_id;
  fields.call_leg_id = leg.call_leg_id;
  fields.call_session_id = leg.call_session_id;
  fields.client_state = leg.client_state;
  fields.from = leg.from;
  fields.to = leg.to;
  fields.direction = leg.direction;
  switch (event) {
    case TelnyxEvent::kInitiated:
      fields.state = leg.initiated_state;
      break;
    case TelnyxEvent::kAnswered:
      fields.state = "answered";
      break;
    case TelnyxEvent::kBridged:
      break;
    case TelnyxEvent::kHangup:
      fields.state = "hangup";
      fields.hangup_cause = leg.hangup_cause;
      fields.hangup_source = leg.hangup_source;
      fields.sip_hangup_cause = leg.sip_hangup_cause;
      break;
  }
  fields.start_time = leg.start_time.value_or(now);
  TelnyxSentEvent sent;
  sent.event = event;
  sent.id = fields.id;
  sent.data = std::make_shared<const nlohmann::ordered_json>(TelnyxEventData(fields));
  leg.events.push_back(std::move(sent));
  SendLocked(session, leg, leg.events.back(), /*redelivery=*/false);
}

void TelnyxEngine::SendLocked(const TelnyxSession& session, const TelnyxLeg& leg,
                              TelnyxSentEvent& event, bool redelivery) {
  ++event.sends;
  Webhook webhook;
  webhook.on_attempt = [this](const DeliveryReport& report) { RecordDelivery(report); };
  webhook.call_sid = leg.call_control_id;
  webhook.order_key = session.call_session_id;
  webhook.url = leg.webhook_url;
  webhook.call_status = std::string(TelnyxEventType(event.event));
  webhook.idempotency_token = event.id;
  webhook.redelivery = redelivery;
  webhook.render = [data = event.data, url = leg.webhook_url,
                    key = options_.private_key_base64](int attempt) {
    return BuildTelnyxWebhookRequest(*data, attempt, url, key, absl::Now());
  };
  sender_->Send(std::move(webhook));
}

TelnyxCallView TelnyxEngine::ViewLocked(const TelnyxSession& session, int leg) const {
  TelnyxCallView view;
  view.session = session;
  view.leg = leg;
  const TelnyxLeg& l = session.legs[leg];
  if (l.answered_sim.has_value()) {
    const double end = l.ended_sim.value_or(SimSecondsSince(session));
    view.call_duration = std::llround(std::max(0.0, end - *l.answered_sim));
  }
  return view;
}

std::pair<TelnyxSession*, int> TelnyxEngine::FindLocked(const std::string& call_control_id) const {
  auto it = by_call_control_id_.find(call_control_id);
  if (it == by_call_control_id_.end()) return {nullptr, 0};
  return it->second;
}

void TelnyxEngine::EvictLocked() {
  while (ended_.size() > options_.max_ended_sessions) {
    auto it = sessions_.find(ended_.front());
    ended_.pop_front();
    if (it == sessions_.end()) continue;
    TelnyxSession& session = *it->second;
    StopTimelineLocked(session);
    for (const TelnyxLeg& leg : session.legs) by_call_control_id_.erase(leg.call_control_id);
    by_session_id_.erase(session.call_session_id);
    sessions_.erase(it);
  }
}

std::string TelnyxEngine::UuidLocked() {
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t halves[2] = {rng_(), rng_()};
  halves[0] = (halves[0] & ~0xf000ULL) | 0x4000ULL;            // version 4
  halves[1] = (halves[1] & ~(0xcULL << 60)) | (0x8ULL << 60);  // variant 10xx
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out.push_back('-');
    const uint64_t half = halves[i / 16];
    out.push_back(kHex[(half >> (60 - 4 * (i % 16))) & 0xf]);
  }
  return out;
}

std::string TelnyxEngine::CallControlIdLocked() {
  static constexpr char kUrlSafe[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out = "v3:";
  uint64_t bits = 0;
  for (int i = 0; i < 54; ++i) {
    if (i % 10 == 0) bits = rng_();
    out.push_back(kUrlSafe[bits & 0x3f]);
    bits >>= 6;
  }
  return out;
}

double TelnyxEngine::SimSecondsSince(const TelnyxSession& session) const {
  const std::chrono::duration<double> elapsed =
      std::chrono::steady_clock::now() - session.created_steady;
  return elapsed.count() / options_.time_scale;
}

}  // namespace callcontrol::provider_sim
