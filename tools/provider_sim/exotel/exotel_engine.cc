#include "tools/provider_sim/exotel/exotel_engine.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/logging.h"

namespace callcontrol::provider_sim {
namespace {

const std::shared_ptr<spdlog::logger>& Logger() {
  static const std::shared_ptr<spdlog::logger> logger = logging::Get("provider_sim");
  return logger;
}

Scheduler::Clock::time_point At(std::chrono::steady_clock::time_point start, double seconds,
                                double time_scale) {
  return start + std::chrono::duration_cast<Scheduler::Clock::duration>(
                     std::chrono::duration<double>(seconds * time_scale));
}

}  // namespace

absl::StatusOr<ExotelAccount> ParseExotelAccount(std::string_view spec) {
  const std::vector<std::string> parts =
      absl::StrSplit(absl::string_view(spec.data(), spec.size()), ':');
  if (parts.size() != 3 || parts[0].empty() || parts[1].empty() || parts[2].empty()) {
    return absl::InvalidArgumentError("exotel account must be SID:KEY:TOKEN, none empty");
  }
  for (char c : parts[0]) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
      return absl::InvalidArgumentError("exotel account SID must be letters, digits, - or _");
    }
  }
  return ExotelAccount{parts[0], parts[1], parts[2]};
}

std::string_view ExotelPhaseName(ExotelPhase phase) {
  switch (phase) {
    case ExotelPhase::kDialing:
      return "dialing";
    case ExotelPhase::kAnswered:
      return "answered";
    case ExotelPhase::kEnded:
      return "ended";
  }
  return "";
}

ExotelEngine::ExotelEngine(Options options, Scheduler* scheduler, WebhookSender* sender)
    : options_{options.time_scale, std::max<size_t>(options.max_ended_calls, 1)},
      scheduler_(scheduler),
      sender_(sender),
      rng_(std::random_device{}()) {}

ExotelCall ExotelEngine::Connect(const ExotelConnect& connect) {
  const ExotelScenario& scenario = ExotelScenarioForNumber(connect.from);
  absl::MutexLock lock(&mu_);
  auto call = std::make_unique<ExotelCall>();
  do {
    call->sid = SidLocked();
  } while (by_sid_.contains(call->sid));
  call->request = connect;
  call->scenario = &scenario;
  call->create_index = next_create_index_++;
  call->created_steady = std::chrono::steady_clock::now();
  call->date_created = absl::Now();
  call->date_updated = call->date_created;
  ExotelCall* c = call.get();
  by_sid_.emplace(c->sid, c);
  calls_.emplace(c->create_index, std::move(call));
  if (scenario.answer_at >= 0) {
    scheduler_->ScheduleAt(At(c->created_steady, scenario.answer_at, options_.time_scale),
                           [this, sid = c->sid] { OnTimer(sid, /*answer=*/true); });
  }
  scheduler_->ScheduleAt(At(c->created_steady, scenario.end_at, options_.time_scale),
                         [this, sid = c->sid] { OnTimer(sid, /*answer=*/false); });
  Logger()->info("exotel call connected sid={} from={} scenario={}", c->sid, connect.from,
                 scenario.name);
  return *c;
}

void ExotelEngine::OnTimer(const std::string& sid, bool answer) {
  absl::MutexLock lock(&mu_);
  auto it = by_sid_.find(sid);
  if (it == by_sid_.end()) return;  // evicted
  ExotelCall& call = *it->second;
  const absl::Time now = absl::Now();
  const bool callbacks = !call.request.status_callback.empty();
  const bool extended = call.request.answered_event || call.request.terminal_event;
  if (answer) {
    if (call.phase != ExotelPhase::kDialing) return;
    call.phase = ExotelPhase::kAnswered;
    call.answered_at = now;
    call.date_updated = now;
    if (callbacks && call.request.answered_event) {
      SendLocked(call, ExotelCallbackFieldsFor(call, "answered"));
    }
    return;
  }
  if (call.phase == ExotelPhase::kEnded) return;
  const ExotelScenario& s = *call.scenario;
  const bool talked = s.answer_at >= 0;
  call.phase = ExotelPhase::kEnded;
  call.status = std::string(s.final_status);
  call.end_time = now;
  call.date_updated = now;
  call.conversation_duration = talked ? std::llround(s.end_at - s.answer_at) : 0;
  call.price = ExotelPrice(*call.conversation_duration, call.status == "completed");
  if (call.request.record && talked) {
    call.recording_url = ExotelRecordingUrl(call.request.account_sid, call.sid);
  }
  ended_.push_back(call.create_index);
  Logger()->info("exotel call ended sid={} status={} conversation_duration={}", call.sid,
                 call.status, *call.conversation_duration);
  if (callbacks) {
    SendLocked(call, ExotelCallbackFieldsFor(call, extended ? "terminal" : ""));
  }
  EvictLocked();
}

ExotelCallbackFields ExotelCallbackFieldsFor(const ExotelCall& call, std::string_view event_type) {
  ExotelCallbackFields f;
  f.call_sid = call.sid;
  f.date_updated = FormatExotelTime(call.date_updated);
  f.status = event_type == "answered" ? "in-progress" : call.status;
  f.recording_url = call.recording_url;
  f.event_type = std::string(event_type);
  f.date_created = FormatExotelTime(call.date_created);
  f.to = call.To();
  f.from = call.request.from;
  f.phone_number_sid = call.request.caller_id;
  f.start_time = FormatExotelTime(call.date_created);
  f.end_time = call.end_time.has_value() ? FormatExotelTime(*call.end_time) : "";
  f.conversation_duration = std::to_string(call.conversation_duration.value_or(0));
  f.custom_field = call.request.custom_field;
  if (event_type == "terminal") f.price = call.price;
  return f;
}

void ExotelEngine::SendLocked(ExotelCall& call, const ExotelCallbackFields& fields) {
  const bool json = call.request.json_callbacks;
  const std::string& url = call.request.status_callback;
  WebhookRequest request = BuildExotelCallbackRequest(ExotelCallbackParams(fields), url, json);
  ExotelSentCallback sent;
  sent.event_type = fields.event_type;
  sent.status = fields.status;
  sent.content_type = json ? "application/json" : "application/x-www-form-urlencoded";
  sent.body = request.body;
  sent.at = absl::Now();
  call.sent.push_back(std::move(sent));
  Webhook webhook;
  webhook.on_attempt = [this](const DeliveryReport& report) { RecordDelivery(report); };
  webhook.call_sid = call.sid;
  webhook.url = url;
  webhook.call_status = fields.status;
  webhook.sequence_number = static_cast<int>(call.sent.size()) - 1;
  webhook.render = [request = std::move(request)](int) { return request; };
  sender_->Send(std::move(webhook));
}

void ExotelEngine::SendControlCallback(const std::string& url, const ExotelCallbackFields& fields,
                                       bool json, std::function<void(const DeliveryReport&)> done) {
  absl::MutexLock lock(&mu_);
  auto it = by_sid_.find(fields.call_sid);
  const http::FormParams params = ExotelCallbackParams(fields);
  WebhookRequest request = BuildExotelCallbackRequest(params, url, json);
  Webhook webhook;
  webhook.on_attempt = [this](const DeliveryReport& report) { RecordDelivery(report); };
  webhook.call_sid = fields.call_sid;
  webhook.url = url;
  webhook.call_status = fields.status;
  webhook.max_retries = 0;
  webhook.on_done = std::move(done);
  if (it != by_sid_.end()) {
    ExotelCall& call = *it->second;
    ExotelSentCallback sent;
    sent.event_type = fields.event_type;
    sent.status = fields.status;
    sent.content_type = json ? "application/json" : "application/x-www-form-urlencoded";
    sent.body = request.body;
    sent.control = true;
    sent.at = absl::Now();
    call.sent.push_back(std::move(sent));
    webhook.sequence_number = static_cast<int>(call.sent.size()) - 1;
  } else {
    webhook.sequence_number = -1;
  }
  webhook.render = [request = std::move(request)](int) { return request; };
  Logger()->info("exotel control callback call_sid={} status={} event_type={}", fields.call_sid,
                 fields.status, fields.event_type);
  sender_->Send(std::move(webhook));
}

absl::StatusOr<ExotelCall> ExotelEngine::GetCall(const std::string& account_sid,
                                                 const std::string& call_sid) const {
  absl::MutexLock lock(&mu_);
  auto it = by_sid_.find(call_sid);
  if (it == by_sid_.end() ||
      (!account_sid.empty() && it->second->request.account_sid != account_sid)) {
    return absl::NotFoundError(absl::StrCat("exotel call ", call_sid, " not found"));
  }
  return *it->second;
}

std::vector<ExotelCall> ExotelEngine::ListCalls(size_t limit) const {
  absl::MutexLock lock(&mu_);
  std::vector<ExotelCall> out;
  for (auto it = calls_.rbegin(); it != calls_.rend() && out.size() < limit; ++it) {
    out.push_back(*it->second);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

void ExotelEngine::RecordDelivery(const DeliveryReport& report) {
  if (report.sequence_number < 0) return;  // a control callback for no known call
  absl::MutexLock lock(&mu_);
  auto it = by_sid_.find(report.call_sid);
  if (it != by_sid_.end()) it->second->deliveries.push_back(report);
}

void ExotelEngine::EvictLocked() {
  while (ended_.size() > options_.max_ended_calls) {
    auto it = calls_.find(ended_.front());
    ended_.pop_front();
    if (it == calls_.end()) continue;
    by_sid_.erase(it->second->sid);
    calls_.erase(it);
  }
}

std::string ExotelEngine::SidLocked() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(32);
  for (int half = 0; half < 2; ++half) {
    uint64_t bits = rng_();
    for (int i = 0; i < 16; ++i) {
      out.push_back(kHex[bits & 0xf]);
      bits >>= 4;
    }
  }
  return out;
}

}  // namespace callcontrol::provider_sim
