#include "tools/provider_sim/bolna/bolna_engine.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/logging.h"

namespace callcontrol::provider_sim {
namespace {

constexpr char kTranscript[] =
    "assistant: Hi there! This is the simulated Bolna agent. Is this a good time to talk?\n"
    "user:  hi yes\n"
    "assistant: Great, thanks for your time. Goodbye!\n";

// The simulated carrier account behind Bolna's hosted telephony (recording URLs).
constexpr char kRecordingAccount[] = "AC0000000000000000000000000000b01a";

const std::shared_ptr<spdlog::logger>& Logger() {
  static const std::shared_ptr<spdlog::logger> logger = logging::Get("provider_sim");
  return logger;
}

}  // namespace

bool IsBolnaTerminalStatus(std::string_view status) {
  return status == "completed" || status == "busy" || status == "no-answer" || status == "error" ||
         status == "failed" || status == "canceled" || status == "stopped" ||
         status == "balance-low";
}

BolnaExecutionFields BolnaFieldsFor(const BolnaExecution& e, const std::string& status,
                                    absl::Time now) {
  const BolnaScenario& s = *e.scenario;
  BolnaExecutionFields f;
  f.id = e.id;
  f.agent_id = e.request.agent_id;
  f.status = status;
  f.created_at = e.created_at;
  f.updated_at = now;
  f.to_number = e.request.to;
  f.from_number = e.request.from;
  f.provider_call_id = e.provider_call_id;
  const bool disconnected = status == "call-disconnected";
  const bool completed = status == "completed";
  const bool unanswered = IsBolnaTerminalStatus(status) && !completed;
  if (disconnected || completed) {
    f.conversation_duration = s.talk_seconds;
    f.transcript = kTranscript;
    f.recording_url = "";
  }
  if (disconnected || completed || unanswered) {
    f.hangup_by = std::string(s.hangup_by);
    f.hangup_reason = std::string(s.hangup_reason);
    f.hangup_provider_code = s.hangup_provider_code;
  }
  if (completed) {
    f.recording_url = e.recording_url;
    f.duration = std::to_string(static_cast<int64_t>(std::ceil(s.talk_seconds)));
    f.cost = BolnaCostFor(s.talk_seconds);
  }
  if (unanswered) {
    f.conversation_duration = 0.0;
    f.duration = "0";
    if (!s.error_message.empty()) f.error_message = std::string(s.error_message);
  }
  return f;
}

BolnaEngine::BolnaEngine(Options options, Scheduler* scheduler, WebhookSender* sender)
    : options_{options.time_scale, std::max<size_t>(options.max_ended_executions, 1)},
      scheduler_(scheduler),
      sender_(sender),
      rng_(std::random_device{}()) {}

BolnaExecution BolnaEngine::Start(const BolnaStart& start) {
  const BolnaScenario& scenario =
      start.scenario != nullptr ? *start.scenario : BolnaScenarioForNumber(start.to);
  absl::MutexLock lock(&mu_);
  auto e = std::make_unique<BolnaExecution>();
  do {
    e->id = UuidLocked();
  } while (by_id_.contains(e->id));
  e->request = start;
  e->scenario = &scenario;
  e->provider_call_id = "CA" + HexLocked(32);
  e->recording_url = absl::StrCat("https://bolna-call-recordings.s3.us-east-1.amazonaws.com/",
                                  kRecordingAccount, "/RE", HexLocked(32));
  e->create_index = next_create_index_++;
  e->created_at = absl::Now();
  e->fields = BolnaFieldsFor(*e, e->status, e->created_at);
  BolnaExecution* raw = e.get();
  by_id_.emplace(raw->id, raw);
  executions_.emplace(raw->create_index, std::move(e));
  const auto created = Scheduler::Clock::now();
  for (size_t i = 0; i < scenario.steps.size(); ++i) {
    const auto when =
        created +
        std::chrono::duration_cast<Scheduler::Clock::duration>(
            std::chrono::duration<double>(scenario.steps[i].at_seconds * options_.time_scale));
    scheduler_->ScheduleAt(when, [this, id = raw->id, i] { OnStep(id, i); });
  }
  Logger()->info("bolna execution started id={} to={} scenario={}", raw->id, start.to,
                 scenario.name);
  return *raw;
}

void BolnaEngine::OnStep(const std::string& id, size_t step) {
  absl::MutexLock lock(&mu_);
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return;  // evicted
  BolnaExecution& e = *it->second;
  if (e.ended) return;
  const std::string status(e.scenario->steps[step].status);
  const absl::Time now = absl::Now();
  e.status = status;
  e.fields = BolnaFieldsFor(e, status, now);
  const std::string body = BolnaExecutionJson(e.fields).dump();
  BolnaSentWebhook sent;
  sent.status = status;
  sent.body = body;
  sent.at = now;
  e.sent.push_back(std::move(sent));
  Webhook webhook;
  webhook.on_attempt = [this](const DeliveryReport& report) { RecordDelivery(report); };
  webhook.call_sid = e.id;
  webhook.url = e.request.webhook_url;
  webhook.call_status = status;
  webhook.sequence_number = static_cast<int>(e.sent.size()) - 1;
  webhook.render = [request = BuildBolnaWebhookRequest(body, e.request.webhook_url)](int) {
    return request;
  };
  sender_->Send(std::move(webhook));
  if (IsBolnaTerminalStatus(status)) {
    e.ended = true;
    ended_.push_back(e.create_index);
    Logger()->info("bolna execution ended id={} status={}", e.id, status);
    EvictLocked();
  }
}

void BolnaEngine::SendControlWebhook(const std::string& url, const BolnaExecutionFields& fields,
                                     std::function<void(const DeliveryReport&)> done) {
  const std::string body = BolnaExecutionJson(fields).dump();
  Webhook webhook;
  webhook.on_attempt = [this](const DeliveryReport& report) { RecordDelivery(report); };
  webhook.call_sid = fields.id;
  webhook.url = url;
  webhook.call_status = fields.status;
  webhook.max_retries = 0;
  webhook.on_done = std::move(done);
  webhook.sequence_number = -1;
  webhook.render = [request = BuildBolnaWebhookRequest(body, url)](int) { return request; };
  {
    absl::MutexLock lock(&mu_);
    if (auto it = by_id_.find(fields.id); it != by_id_.end()) {
      BolnaSentWebhook sent;
      sent.status = fields.status;
      sent.body = body;
      sent.control = true;
      sent.at = absl::Now();
      it->second->sent.push_back(std::move(sent));
      webhook.sequence_number = static_cast<int>(it->second->sent.size()) - 1;
    }
    Logger()->info("bolna control webhook id={} status={}", fields.id, fields.status);
    sender_->Send(std::move(webhook));
  }
}

absl::StatusOr<BolnaExecution> BolnaEngine::Get(const std::string& id) const {
  absl::MutexLock lock(&mu_);
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return absl::NotFoundError("bolna execution " + id + " not found");
  return *it->second;
}

std::vector<BolnaExecution> BolnaEngine::List(size_t limit) const {
  absl::MutexLock lock(&mu_);
  std::vector<BolnaExecution> out;
  for (auto it = executions_.rbegin(); it != executions_.rend() && out.size() < limit; ++it) {
    out.push_back(*it->second);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

void BolnaEngine::RecordDelivery(const DeliveryReport& report) {
  if (report.sequence_number < 0) return;  // a control webhook for no known execution
  absl::MutexLock lock(&mu_);
  auto it = by_id_.find(report.call_sid);
  if (it != by_id_.end()) it->second->deliveries.push_back(report);
}

void BolnaEngine::EvictLocked() {
  while (ended_.size() > options_.max_ended_executions) {
    auto it = executions_.find(ended_.front());
    ended_.pop_front();
    if (it == executions_.end()) continue;
    by_id_.erase(it->second->id);
    executions_.erase(it);
  }
}

std::string BolnaEngine::HexLocked(int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  uint64_t bits = 0;
  for (int i = 0; i < digits; ++i) {
    if (i % 16 == 0) bits = rng_();
    out.push_back(kHex[bits & 0xf]);
    bits >>= 4;
  }
  return out;
}

std::string BolnaEngine::UuidLocked() {
  std::string hex = HexLocked(32);
  hex[12] = '4';                                              // version 4
  hex[16] = "89ab"[static_cast<unsigned char>(hex[16]) % 4];  // variant 10xx
  return absl::StrCat(hex.substr(0, 8), "-", hex.substr(8, 4), "-", hex.substr(12, 4), "-",
                      hex.substr(16, 4), "-", hex.substr(20));
}

}  // namespace callcontrol::provider_sim
