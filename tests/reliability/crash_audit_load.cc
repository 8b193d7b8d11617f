#include "tests/reliability/crash_audit_load.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "nlohmann/json.hpp"
#include "providers/twilio/twilio_signature.h"
#include "tests/integration/stack_fixture.h"
#include "tests/testing/wait.h"

namespace callcontrol::testing {
namespace {

constexpr int kMaxDialAttempts = 20;
constexpr size_t kMaxActiveCallsPerThread = 3;
constexpr auto kRpcDeadline = std::chrono::seconds(5);

// A number no provider-sim scenario refuses (suffix 0107 is "refused"), unique per thread and n.
std::string NumberFor(int thread, int n) {
  int value = (thread + 2) * 1000000 + n;
  if (value % 10000 == 107) value += 1;
  return "+1212" + std::to_string(value);
}

bool Retryable(grpc::StatusCode code) {
  // What a killed or restarting daemon answers, and the daemon's own "the provider's answer
  // was lost" (DEADLINE_EXCEEDED naming the call): a retry with the same key finds the call.
  return code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED ||
         code == grpc::StatusCode::CANCELLED || code == grpc::StatusCode::UNKNOWN ||
         code == grpc::StatusCode::INTERNAL;
}

}  // namespace

bool PortAccepts(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

LoadGenerator::LoadGenerator(Options options)
    : options_(std::move(options)),
      stub_(v1::CallControlService::NewStub(options_.daemon)),
      records_(options_.threads),
      figures_(options_.threads) {}

void LoadGenerator::Start() {
  for (int i = 0; i < options_.threads; ++i) threads_.emplace_back([this, i] { Run(i); });
}

void LoadGenerator::Stop() {
  stop_ = true;
  for (auto& t : threads_) t.join();
  threads_.clear();
}

std::vector<CallRecord> LoadGenerator::records() const {
  std::vector<CallRecord> all;
  for (const auto& mine : records_) all.insert(all.end(), mine.begin(), mine.end());
  return all;
}

LoadFigures LoadGenerator::figures() const {
  LoadFigures sum;
  for (const LoadFigures& f : figures_) {
    sum.start_calls_acked += f.start_calls_acked;
    sum.start_calls_unacked += f.start_calls_unacked;
    sum.replays_acked += f.replays_acked;
    sum.unconfirmed_dials += f.unconfirmed_dials;
    sum.unconfirmed_found += f.unconfirmed_found;
    sum.webhooks_acked += f.webhooks_acked;
    sum.webhooks_unacked += f.webhooks_unacked;
  }
  return sum;
}

std::vector<std::string> LoadGenerator::anomalies() const {
  std::lock_guard lock(mu_);
  return anomalies_;
}

void LoadGenerator::Anomaly(const std::string& what) {
  std::lock_guard lock(mu_);
  anomalies_.push_back(what);
}

void LoadGenerator::Run(int index) {
  std::mt19937_64 rng(options_.seed * 1000003 + static_cast<uint64_t>(index));
  std::deque<CallRecord>& mine = records_[index];
  LoadFigures& figures = figures_[index];
  http::HttpClient client;
  std::vector<CallRecord*> active;  // placed, with a CallSid, callbacks not all acknowledged
  int n = 0;
  while (!stop_) {
    const bool start_new =
        active.empty() || (active.size() < kMaxActiveCallsPerThread && rng() % 3 == 0);
    if (start_new) {
      CallRecord& r = mine.emplace_back();
      r.key = "audit-" + std::to_string(options_.seed) + "-" + std::to_string(index) + "-" +
              std::to_string(n);
      r.to = NumberFor(index, n++);
      r.duration_seconds = 1 + static_cast<int>(rng() % 600);
      if (!Dial(&r, &figures)) {
        if (stop_) break;
        return;  // an anomaly, recorded: this thread stops placing calls
      }
      ++figures.start_calls_acked;
      if (!r.call_sid.empty()) active.push_back(&r);
      continue;
    }
    const size_t i = rng() % active.size();
    CallRecord* r = active[i];
    Advance(r, &client, &figures);
    if (r->next_step < kNumCallbackSteps) continue;
    active.erase(active.begin() + static_cast<std::ptrdiff_t>(i));
    if (rng() % 4 == 0) Replay(r, &figures);
  }
}

grpc::Status LoadGenerator::CallStartCall(const CallRecord& record, v1::Call* call) {
  grpc::ClientContext ctx;
  Authorize(&ctx, kAcmeKey);
  // Waits for a restarting daemon (bounded by the deadline) instead of failing at once.
  ctx.set_wait_for_ready(true);
  ctx.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
  v1::StartCallRequest request;
  request.set_to(record.to);
  request.set_idempotency_key(record.key);
  v1::StartCallResponse response;
  grpc::Status s = stub_->StartCall(&ctx, request, &response);
  *call = response.call();
  return s;
}

bool LoadGenerator::Dial(CallRecord* r, LoadFigures* figures) {
  for (int attempt = 0; attempt < kMaxDialAttempts && !stop_; ++attempt) {
    v1::Call call;
    const grpc::Status s = CallStartCall(*r, &call);
    if (s.ok()) {
      acknowledged_.fetch_add(1);
      r->acked_call_ids.push_back(call.call_id());
      r->start_status = call.status();
      r->call_sid = call.provider_ids().call_sid();
      if (r->call_sid.empty()) {
        // The daemon was killed while dialing: the call stays QUEUED, unconfirmed, until a
        // callback names it. The simulator knows its CallSid (each call has its own number).
        ++figures->unconfirmed_dials;
        r->call_sid = SimCallSid(r->to);
        figures->unconfirmed_found += !r->call_sid.empty();
      }
      return true;
    }
    ++figures->start_calls_unacked;
    if (!Retryable(s.error_code())) {
      Anomaly("StartCall key=" + r->key + " answered " + std::to_string(s.error_code()) + ": " +
              s.error_message());
      return false;
    }
  }
  if (!stop_) {
    Anomaly("StartCall key=" + r->key + " not acknowledged in " + std::to_string(kMaxDialAttempts) +
            " attempts");
  }
  return false;
}

void LoadGenerator::Replay(CallRecord* r, LoadFigures* figures) {
  v1::Call call;
  const grpc::Status s = CallStartCall(*r, &call);
  if (s.ok()) {
    acknowledged_.fetch_add(1);
    ++figures->replays_acked;
    r->acked_call_ids.push_back(call.call_id());
  } else if (!Retryable(s.error_code())) {
    Anomaly("repeated StartCall key=" + r->key + " answered " + std::to_string(s.error_code()) +
            ": " + s.error_message());
  }
}

void LoadGenerator::Advance(CallRecord* r, http::HttpClient* client, LoadFigures* figures) {
  const CallbackStep& step = kCallbackSteps[r->next_step];
  http::FormParams params = {{"AccountSid", kAccountSid},
                             {"CallSid", r->call_sid},
                             {"CallStatus", step.twilio_status},
                             {"SequenceNumber", std::to_string(r->next_step)},
                             {"To", r->to},
                             {"Direction", "outbound-api"}};
  if (step.status == v1::CALL_STATUS_COMPLETED) {
    params.emplace_back("CallDuration", std::to_string(r->duration_seconds));
    params.emplace_back("SipResponseCode", "200");
  }
  const std::string target =
      std::string("/webhooks/twilio/") + kTenant + "/status?call_id=" + r->call_id();
  const std::string url = "http://127.0.0.1:" + std::to_string(options_.adapter_port) + target;
  http::ClientRequest request;
  request.method = "POST";
  request.url = url;
  request.body = http::EncodeForm(params);
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                     {"X-Twilio-Signature", twilio::ComputeSignature(kAuthToken, url, params)}};
  // The adapter holds a callback up to its daemon deadline (5 s) while the daemon restarts.
  request.timeout = std::chrono::seconds(10);
  r->sent = std::max(r->sent, step.status);
  const auto response = client->Send(request);
  const long status = response.ok() ? response->status : -1;
  if (status == 200) {
    acknowledged_.fetch_add(1);
    r->acked = step.status;
    ++r->next_step;
    ++figures->webhooks_acked;
    return;
  }
  if (status >= 500 || status < 0) {
    ++figures->webhooks_unacked;
    if (status < 0) {
      // The adapter is down (killed): wait for it to listen again, bounded.
      (void)WaitFor([&] { return stop_ || PortAccepts(options_.adapter_port); },
                    std::chrono::seconds(20), "webhook-adapter to listen again",
                    std::chrono::milliseconds(20));
    }
    return;
  }
  Anomaly("callback " + std::string(step.twilio_status) + " of call " + r->call_id() +
          " answered " + std::to_string(status) + ": " + (response.ok() ? response->body : ""));
  r->next_step = kNumCallbackSteps;  // nothing explains it; send no more for this call
}

std::string LoadGenerator::SimCallSid(const std::string& to) {
  http::HttpClient client;
  http::ClientRequest r;
  r.url = "http://127.0.0.1:" + std::to_string(options_.sim_port) + "/sim/calls?limit=1000";
  auto response = client.Send(r);
  if (!response.ok()) return "";
  const auto body = nlohmann::json::parse(response->body, nullptr, false);
  if (!body.is_object() || !body["calls"].is_array()) return "";
  for (const auto& call : body["calls"]) {
    if (call.value("to", "") == to) return call.value("sid", "");
  }
  return "";
}

ResumingSubscriber::ResumingSubscriber(std::shared_ptr<grpc::Channel> channel, std::string api_key)
    : stub_(v1::CallControlService::NewStub(channel)), api_key_(std::move(api_key)) {
  thread_ = std::thread([this] { Run(); });
}

void ResumingSubscriber::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    if (current_ != nullptr) current_->TryCancel();
  }
  if (thread_.joinable()) thread_.join();
}

void ResumingSubscriber::Run() {
  constexpr int kMaxSubscriptions = 1000;
  int64_t since = 0;
  for (int n = 0; n < kMaxSubscriptions; ++n) {
    grpc::ClientContext ctx;
    Authorize(&ctx, api_key_);
    // Waits for the restarted daemon instead of failing while it is down.
    ctx.set_wait_for_ready(true);
    {
      std::lock_guard lock(mu_);
      if (stop_) return;
      current_ = &ctx;
      ++subscriptions_;
    }
    v1::StreamEventsRequest request;
    request.set_since_sequence(since);
    auto reader = stub_->StreamEvents(&ctx, request);
    v1::StreamEventsResponse response;
    while (reader->Read(&response)) {
      std::lock_guard lock(mu_);
      for (const auto& e : response.events()) {
        events_.push_back(e);
        since = e.sequence();
      }
    }
    const grpc::Status s = reader->Finish();
    std::lock_guard lock(mu_);
    current_ = nullptr;
    if (stop_) return;
    endings_.push_back(s.error_code());
    if (s.error_code() == grpc::StatusCode::OUT_OF_RANGE) return;  // the audit reports it
  }
}

std::vector<v1::Event> ResumingSubscriber::events() const {
  std::lock_guard lock(mu_);
  return events_;
}

int64_t ResumingSubscriber::last_sequence() const {
  std::lock_guard lock(mu_);
  return events_.empty() ? 0 : events_.back().sequence();
}

int ResumingSubscriber::subscriptions() const {
  std::lock_guard lock(mu_);
  return subscriptions_;
}

std::vector<grpc::StatusCode> ResumingSubscriber::endings() const {
  std::lock_guard lock(mu_);
  return endings_;
}

}  // namespace callcontrol::testing
