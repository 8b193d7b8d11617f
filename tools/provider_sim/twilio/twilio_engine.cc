#include "tools/provider_sim/twilio/twilio_engine.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "providers/twilio/twilio_time.h"
#include "tools/provider_sim/twilio/twilio_errors.h"
#include "tools/provider_sim/twilio/twilio_webhook.h"

namespace callcontrol::provider_sim {
namespace {

constexpr std::string_view kEventWords[] = {"initiated", "ringing", "answered", "completed"};

std::optional<CallbackEvent> ParseCallbackEvent(std::string_view word) {
  for (int i = 0; i < kNumCallbackEvents; ++i) {
    if (word == kEventWords[i]) return static_cast<CallbackEvent>(i);
  }
  return std::nullopt;
}

absl::Status CallNotFound(const std::string& account_sid, const std::string& call_sid) {
  return TwilioError(absl::StatusCode::kNotFound, 20404,
                     absl::StrCat("The requested resource /2010-04-01/Accounts/", account_sid,
                                  "/Calls/", call_sid, ".json was not found"));
}

const std::shared_ptr<spdlog::logger>& Logger() {
  static const std::shared_ptr<spdlog::logger> logger = logging::Get("provider_sim");
  return logger;
}

}  // namespace

std::string_view CallPhaseName(CallPhase phase) {
  switch (phase) {
    case CallPhase::kQueued:
      return "queued";
    case CallPhase::kInitiated:
      return "initiated";
    case CallPhase::kRinging:
      return "ringing";
    case CallPhase::kInProgress:
      return "in-progress";
    case CallPhase::kEnded:
      return "ended";
  }
  return "";
}

CallEngine::CallEngine(const Options& options, Scheduler* scheduler, WebhookSender* sender)
    : options_{options.time_scale, std::max<size_t>(options.max_ended_calls, 1)},
      scheduler_(scheduler),
      sender_(sender),
      rng_(std::random_device{}()) {}

absl::StatusOr<SimCall> CallEngine::CreateCall(const NewCall& request) {
  const Scenario& scenario = ScenarioForNumber(request.to);
  if (scenario.refuse_create) {
    Logger()->info("create refused (scenario {}) to={}", scenario.name, request.to);
    return TwilioError(absl::StatusCode::kInvalidArgument, 21215,
                       absl::StrCat("Account not authorized to call ", request.to,
                                    ". Perhaps you need to enable some international "
                                    "permissions: https://www.twilio.com/console/voice/calls/"
                                    "geo-permissions/low-risk"));
  }
  auto call = std::make_unique<SimCall>();
  call->account_sid = request.account_sid;
  call->auth_token = request.auth_token;
  call->to = request.to;
  call->from = request.from;
  call->status_callback = request.status_callback;
  call->status_callback_method = request.status_callback_method;
  call->status_callback_events = request.status_callback_events;
  call->scenario = &scenario;
  call->record = request.record;
  call->recording_status_callback = request.recording_status_callback;
  call->recording_status_callback_method = request.recording_status_callback_method;
  call->recording_status_callback_events = request.recording_status_callback_events;
  call->recording_channels = request.recording_channels;
  call->recording_track = request.recording_track;
  if (request.status_callback_events.empty()) {
    // Twilio: with no StatusCallbackEvent, only `completed` is sent.
    call->subscribed[static_cast<int>(CallbackEvent::kCompleted)] = true;
  }
  for (const std::string& word : request.status_callback_events) {
    const auto event = ParseCallbackEvent(word);
    if (!event.has_value()) {
      // Twilio answers 201 and logs warning 21626, then sends no callback at all.
      call->subscribed = {};
      call->callbacks_disabled_reason =
          absl::StrCat("21626: Invalid 'StatusCallbackEvent' \"", word,
                       "\" (send one parameter per event); no status callback will be sent");
      break;
    }
    call->subscribed[static_cast<int>(*event)] = true;
  }

  absl::MutexLock lock(&mu_);
  do {
    call->sid = "CA" + RandomHexLocked(32);
  } while (by_sid_.contains(call->sid));
  call->create_index = next_create_index_++;
  call->created_steady = std::chrono::steady_clock::now();
  call->date_created = absl::Now();
  call->date_updated = call->date_created;
  SimCall* c = call.get();
  by_sid_.emplace(c->sid, c);
  calls_.emplace(c->create_index, std::move(call));
  ScheduleNextStepLocked(*c);
  Logger()->info("call created call_sid={} to={} scenario={} events={}{}", c->sid, c->to,
                 scenario.name, c->status_callback_events.size(),
                 c->callbacks_disabled_reason.empty() ? "" : " (callbacks disabled: 21626)");
  return *c;
}

absl::StatusOr<SimCall> CallEngine::UpdateCall(const std::string& account_sid,
                                               const std::string& call_sid,
                                               const CallUpdate& update) {
  absl::MutexLock lock(&mu_);
  SimCall* c = FindLocked(call_sid);
  if (c == nullptr || c->account_sid != account_sid || c->deleted) {
    return CallNotFound(account_sid, call_sid);
  }
  UpdateRecord record;
  record.status = update.status.value_or("");
  record.redirect = update.redirect;
  record.at = absl::Now();
  absl::Status error;
  const bool answered = c->phase == CallPhase::kInProgress;
  if (update.status.has_value()) {
    const std::string& status = *update.status;
    if (status != "completed" && status != "canceled") {
      error = TwilioError(absl::StatusCode::kInvalidArgument, 21218,
                          absl::StrCat("Invalid value '", status,
                                       "' for Status: must be one of canceled, completed"));
    } else if (c->phase == CallPhase::kEnded) {
      error = TwilioError(absl::StatusCode::kFailedPrecondition, 21220,
                          "Call is not in-progress. Cannot redirect.");
    } else if (status == "canceled" && answered) {
      // Twilio's trap: canceled only ends calls that have not been answered.
      record.effect = "no effect: canceled does not end an in-progress call";
    } else if (status == "completed" && answered) {
      const double talk = SimSecondsSinceCreate(*c) - c->answered_at_sim.value_or(0);
      EndCallLocked(*c, "completed", 200, std::llround(std::max(0.0, talk)),
                    /*stop_timeline=*/true);
      record.effect = "ended: completed";
    } else {
      EndCallLocked(*c, "canceled", 487, 0, /*stop_timeline=*/true);
      record.effect = "ended: canceled";
    }
  } else if (update.redirect) {
    if (c->phase == CallPhase::kEnded) {
      error = TwilioError(absl::StatusCode::kFailedPrecondition, 21220,
                          "Call is not in-progress. Cannot redirect.");
    } else {
      record.effect = "redirect accepted (the simulator fetches no TwiML)";
    }
  } else {
    error = TwilioError(absl::StatusCode::kInvalidArgument, 20001,
                        "An update needs Status, Url or Twiml");
  }
  if (!error.ok()) {
    record.http_status = HttpStatusFor(error);
    record.error_code = TwilioErrorCode(error);
    record.effect = "rejected";
  }
  c->updates.push_back(record);
  Logger()->info("call update call_sid={} status={} redirect={} -> {} {}", call_sid, record.status,
                 record.redirect, record.http_status, record.effect);
  if (!error.ok()) return error;
  SimCall snapshot = *c;
  EvictLocked();
  return snapshot;
}

absl::StatusOr<SimCall> CallEngine::GetCall(const std::string& account_sid,
                                            const std::string& call_sid) const {
  absl::MutexLock lock(&mu_);
  const SimCall* c = FindLocked(call_sid);
  if (c == nullptr || c->account_sid != account_sid || c->deleted) {
    return CallNotFound(account_sid, call_sid);
  }
  return *c;
}

absl::Status CallEngine::DeleteCall(const std::string& account_sid, const std::string& call_sid) {
  absl::MutexLock lock(&mu_);
  SimCall* c = FindLocked(call_sid);
  if (c == nullptr || c->account_sid != account_sid || c->deleted) {
    return CallNotFound(account_sid, call_sid);
  }
  c->deleted = true;
  Logger()->info("call record deleted call_sid={} phase={} (the call is not hung up)", call_sid,
                 CallPhaseName(c->phase));
  return absl::OkStatus();
}

absl::StatusOr<SimCall> CallEngine::InspectCall(const std::string& call_sid) const {
  absl::MutexLock lock(&mu_);
  const SimCall* c = FindLocked(call_sid);
  if (c == nullptr) {
    return absl::NotFoundError(absl::StrCat("call ", call_sid, " not found"));
  }
  return *c;
}

std::vector<SimCall> CallEngine::ListCalls(size_t limit) const {
  absl::MutexLock lock(&mu_);
  std::vector<SimCall> out;
  out.reserve(std::min(limit, calls_.size()));
  for (auto it = calls_.rbegin(); it != calls_.rend() && out.size() < limit; ++it) {
    out.push_back(*it->second);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

void CallEngine::RecordDelivery(const DeliveryReport& report) {
  absl::MutexLock lock(&mu_);
  SimCall* c = FindLocked(report.call_sid);
  if (c != nullptr) c->deliveries.push_back(report);
}

void CallEngine::ScheduleNextStepLocked(SimCall& call) {
  const auto& steps = call.scenario->steps;
  if (call.next_step >= steps.size()) {
    call.timer_id = 0;
    call.timer_token = 0;
    return;
  }
  const double offset_seconds = steps[call.next_step].at_seconds * options_.time_scale;
  const auto when =
      call.created_steady + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                std::chrono::duration<double>(offset_seconds));
  const uint64_t token = next_timer_token_++;
  call.timer_token = token;
  call.timer_id =
      scheduler_->ScheduleAt(when, [this, sid = call.sid, token] { OnTimer(sid, token); });
}

void CallEngine::OnTimer(const std::string& call_sid, uint64_t token) {
  absl::MutexLock lock(&mu_);
  SimCall* c = FindLocked(call_sid);
  if (c == nullptr || c->timer_token != token) return;  // evicted, or the timeline was stopped
  c->timer_id = 0;
  const auto& steps = c->scenario->steps;
  if (c->next_step >= steps.size()) return;
  const ScenarioStep& step = steps[c->next_step++];
  RunStepLocked(*c, step);
  ScheduleNextStepLocked(*c);
  EvictLocked();
}

void CallEngine::RunStepLocked(SimCall& call, const ScenarioStep& step) {
  const absl::Time now = absl::Now();
  switch (step.kind) {
    case StepKind::kInitiated:
      call.phase = CallPhase::kInitiated;
      call.start_time = now;
      call.queue_time_ms = absl::ToInt64Milliseconds(now - call.date_created);
      call.date_updated = now;
      EmitLocked(call, CallbackEvent::kInitiated, step.hold);
      return;
    case StepKind::kRinging:
      call.phase = CallPhase::kRinging;
      call.status = "ringing";
      call.date_updated = now;
      EmitLocked(call, CallbackEvent::kRinging, step.hold);
      return;
    case StepKind::kAnswered:
      call.phase = CallPhase::kInProgress;
      call.status = "in-progress";
      call.answered_at_sim = step.at_seconds;
      call.answered_time = now;
      call.date_updated = now;
      EmitLocked(call, CallbackEvent::kAnswered, step.hold);
      return;
    case StepKind::kEnd: {
      const int64_t duration = call.answered_at_sim.has_value()
                                   ? std::llround(step.at_seconds - *call.answered_at_sim)
                                   : 0;
      EndCallLocked(call, step.final_status, step.sip_response_code, duration,
                    /*stop_timeline=*/false);
      return;
    }
    case StepKind::kRedeliver: {
      auto it = call.callbacks_by_event.find(step.event);
      if (it == call.callbacks_by_event.end()) return;  // not subscribed
      Webhook webhook = it->second;
      int& sends = call.sends[static_cast<int>(step.event)];
      webhook.redelivery = sends > 0;
      ++sends;
      sender_->Send(std::move(webhook));
      return;
    }
  }
}

void CallEngine::EndCallLocked(SimCall& call, std::string_view final_status, int sip_response_code,
                               int64_t duration_seconds, bool stop_timeline) {
  if (stop_timeline && call.timer_id != 0) {
    scheduler_->Cancel(call.timer_id);
  }
  if (stop_timeline) {
    call.timer_id = 0;
    call.timer_token = 0;
    call.next_step = call.scenario->steps.size();
  }
  const absl::Time now = absl::Now();
  call.phase = CallPhase::kEnded;
  call.status = std::string(final_status);
  call.end_time = now;
  call.date_updated = now;
  call.duration_seconds = duration_seconds;
  call.sip_response_code = sip_response_code;
  EmitLocked(call, CallbackEvent::kCompleted, /*hold=*/false);
  if (call.record && call.status == "completed" && call.answered_at_sim.has_value()) {
    EmitRecordingLocked(call);
  }
  ended_.push_back(call.create_index);
  Logger()->info("call ended call_sid={} status={} duration={}s", call.sid, call.status,
                 duration_seconds);
}

void CallEngine::EmitLocked(SimCall& call, CallbackEvent event, bool hold) {
  if (call.status_callback.empty() || !call.callbacks_disabled_reason.empty() ||
      !call.subscribed[static_cast<int>(event)]) {
    return;
  }
  std::string call_status;
  switch (event) {
    case CallbackEvent::kInitiated:
      call_status = "initiated";
      break;
    case CallbackEvent::kRinging:
      call_status = "ringing";
      break;
    case CallbackEvent::kAnswered:
      call_status = "in-progress";
      break;
    case CallbackEvent::kCompleted:
      call_status = call.status;
      break;
  }
  const int sequence_number = call.next_sequence_number++;
  http::FormParams params = {
      {"AccountSid", call.account_sid},
      {"ApiVersion", "2010-04-01"},
      {"CallSid", call.sid},
      {"CallStatus", call_status},
      {"CallbackSource", "call-progress-events"},
      {"Called", call.to},
      {"Caller", call.from},
      {"Direction", "outbound-api"},
      {"From", call.from},
      {"SequenceNumber", std::to_string(sequence_number)},
      {"Timestamp", twilio::FormatTwilioTime(absl::Now())},
      {"To", call.to},
  };
  if (event == CallbackEvent::kCompleted) {
    const int64_t seconds = call.duration_seconds.value_or(0);
    params.emplace_back("CallDuration", std::to_string(seconds));
    // Whole minutes, rounded up (49 s -> 1).
    params.emplace_back("Duration", std::to_string((seconds + 59) / 60));
    params.emplace_back("SipResponseCode", std::to_string(call.sip_response_code));
  }
  Webhook webhook =
      NewWebhookLocked(call, call.status_callback, call.status_callback_method, std::move(params));
  webhook.call_status = std::move(call_status);
  webhook.sequence_number = sequence_number;
  call.callbacks_by_event[event] = webhook;
  if (!hold) {
    ++call.sends[static_cast<int>(event)];
    sender_->Send(std::move(webhook));
  }
}

void CallEngine::EmitRecordingLocked(SimCall& call) {
  call.recording_sid = "RE" + RandomHexLocked(32);
  const bool wants_completed =
      call.recording_status_callback_events.empty() ||
      std::find(call.recording_status_callback_events.begin(),
                call.recording_status_callback_events.end(),
                "completed") != call.recording_status_callback_events.end();
  // Twilio's shape (tests/fixtures/twilio_recording_status_completed.form): the recording of an
  // outbound API call starts at answer and lasts as long as the call talked.
  call.recording_callback_params = {
      {"AccountSid", call.account_sid},
      {"CallSid", call.sid},
      {"RecordingSid", call.recording_sid},
      {"RecordingUrl", absl::StrCat("https://api.twilio.com/2010-04-01/Accounts/", call.account_sid,
                                    "/Recordings/", call.recording_sid)},
      {"RecordingStatus", "completed"},
      {"RecordingDuration", std::to_string(call.duration_seconds.value_or(0))},
      {"RecordingChannels", std::to_string(call.recording_channels)},
      {"RecordingStartTime", twilio::FormatTwilioTime(call.answered_time.value_or(absl::Now()))},
      {"RecordingSource", "OutboundAPI"},
      {"RecordingTrack", call.recording_track},
      {"ErrorCode", "0"},
  };
  if (call.recording_status_callback.empty() || !wants_completed) {
    Logger()->info("call recorded call_sid={} recording_sid={} (no recording callback asked for)",
                   call.sid, call.recording_sid);
    return;
  }
  Webhook webhook =
      NewWebhookLocked(call, call.recording_status_callback, call.recording_status_callback_method,
                       call.recording_callback_params);
  webhook.call_status = "recording:completed";
  webhook.sequence_number = -1;  // recording callbacks carry no SequenceNumber
  Logger()->info("recording callback call_sid={} recording_sid={} duration={}s", call.sid,
                 call.recording_sid, call.duration_seconds.value_or(0));
  sender_->Send(std::move(webhook));
}

SimCall* CallEngine::FindLocked(const std::string& call_sid) const {
  auto it = by_sid_.find(call_sid);
  return it == by_sid_.end() ? nullptr : it->second;
}

void CallEngine::EvictLocked() {
  while (ended_.size() > options_.max_ended_calls) {
    auto it = calls_.find(ended_.front());
    ended_.pop_front();
    if (it == calls_.end()) continue;
    by_sid_.erase(it->second->sid);
    calls_.erase(it);
  }
}

std::string CallEngine::RandomHexLocked(int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(digits);
  uint64_t bits = 0;
  for (int i = 0; i < digits; ++i) {
    if (i % 16 == 0) bits = rng_();
    out.push_back(kHex[bits & 0xf]);
    bits >>= 4;
  }
  return out;
}

Webhook CallEngine::NewWebhookLocked(const SimCall& call, const std::string& url,
                                     const std::string& method, http::FormParams params) {
  Webhook webhook;
  webhook.call_sid = call.sid;
  webhook.url = url;
  webhook.idempotency_token = IdempotencyTokenLocked();
  webhook.render = [callback = TwilioCallback{url, method, std::move(params), call.auth_token,
                                              webhook.idempotency_token}](int) {
    return BuildTwilioCallbackRequest(callback);
  };
  webhook.on_attempt = [this](const DeliveryReport& report) { RecordDelivery(report); };
  return webhook;
}

std::string CallEngine::IdempotencyTokenLocked() {
  const std::string hex = RandomHexLocked(32);
  return absl::StrCat(hex.substr(0, 8), "-", hex.substr(8, 4), "-", hex.substr(12, 4), "-",
                      hex.substr(16, 4), "-", hex.substr(20, 12));
}

double CallEngine::SimSecondsSinceCreate(const SimCall& call) const {
  const std::chrono::duration<double> elapsed =
      std::chrono::steady_clock::now() - call.created_steady;
  return elapsed.count() / options_.time_scale;
}

}  // namespace callcontrol::provider_sim
