#include "server/calls/call_manager.h"

#include <openssl/evp.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <future>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "common/http/form.h"
#include "common/logging.h"
#include "common/thread_name.h"
#include "providers/registry.h"
#include "server/calls/call_ids.h"
#include "server/calls/call_status.h"

namespace callcontrol::calls {
namespace {

using internal::v1::ReportProviderEventRequest;
using internal::v1::ReportProviderEventResponse;

constexpr int kMaxPageSize = 1000;
constexpr int kDefaultPageSize = 50;
constexpr size_t kMaxIdempotencyKey = 128;
constexpr size_t kMaxTwiml = 4000;  // the largest TwiML document a provider takes inline

std::string_view EventName(v1::EventType type) {
  switch (type) {
    case v1::EVENT_TYPE_CALL_CREATED:
      return "call:created";
    case v1::EVENT_TYPE_CALL_UPDATED:
      return "call:updated";
    case v1::EVENT_TYPE_METRICS_UPDATED:
      return "metrics:updated";
    default:
      return "unspecified";
  }
}

// SHA-256 of the fields that define a StartCall, to tell a retry from a reuse of its key.
std::string RequestHash(const std::string& to, const std::string& from, const std::string& twiml) {
  std::string data = to;
  data.push_back('\0');
  data += from;
  data.push_back('\0');
  data += twiml;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), static_cast<size_t>(len)));
}

bool IsPrintableAscii(const std::string& s) {
  for (char c : s) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

ProviderReport ReportFrom(const ReportProviderEventRequest& r) {
  ProviderReport report;
  report.status = r.status();
  report.provider_status = r.provider_status();
  report.provider_sequence = r.provider_sequence();
  if (r.has_occurred_time()) report.occurred_time = FromTimestamp(r.occurred_time());
  report.duration_seconds = r.duration_seconds();
  report.sip_response_code = r.sip_response_code();
  report.provider_ids = r.provider_ids();
  report.direction = r.direction();
  report.from = r.from();
  report.to = r.to();
  report.provider_event_id = r.provider_event_id();
  if (r.has_hangup()) report.hangup = r.hangup();
  if (r.has_recording()) report.recording = r.recording();
  if (r.has_price()) report.price = r.price();
  return report;
}

// True once the call's provider gave the id that names it (Provider::PrimaryId).
bool HasProviderId(const v1::Call& call) {
  const providers::Provider* provider = providers::FindProvider(call.provider());
  return provider != nullptr && !provider->PrimaryId(call.provider_ids()).empty();
}

// A provider's answer to a dial or a hangup, as a report to apply.
ProviderReport ReportOf(const providers::CallUpdate& update) {
  ProviderReport report;
  report.provider_ids = update.provider_ids;
  report.status = update.status;
  report.provider_status = update.provider_status;
  report.duration_seconds = update.duration_seconds;
  return report;
}

// True for an answer that tells nothing about the call.
bool IsNoNews(const providers::CallUpdate& update) {
  return update.status == v1::CALL_STATUS_UNSPECIFIED && update.provider_status.empty() &&
         update.duration_seconds < 0 && update.provider_ids.ByteSizeLong() == 0;
}

// Provider ids present in `now` but not in `before` (the alias index only grows).
std::vector<std::string> NewAliases(const v1::ProviderIds& before, const v1::ProviderIds& now) {
  std::vector<std::string> out;
  auto add = [&out](const std::string& was, const std::string& is) {
    if (!is.empty() && was != is) out.push_back(is);
  };
  add(before.call_sid(), now.call_sid());
  add(before.call_control_id(), now.call_control_id());
  add(before.call_leg_id(), now.call_leg_id());
  add(before.call_session_id(), now.call_session_id());
  add(before.execution_id(), now.execution_id());
  return out;
}

std::string EncodePageToken(const v1::Call& last) {
  const int64_t us = absl::ToUnixMicros(FromTimestamp(last.create_time()));
  return absl::WebSafeBase64Escape(std::to_string(us) + ":" + last.call_id());
}

bool DecodePageToken(const std::string& token, int64_t* create_us, std::string* call_id) {
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw)) return false;
  const size_t colon = raw.find(':');
  if (colon == std::string::npos) return false;
  *call_id = raw.substr(colon + 1);
  return absl::SimpleAtoi(raw.substr(0, colon), create_us) && IsCallId(*call_id);
}

absl::Status CheckTenant(const v1::Call& call, const std::string& tenant_id,
                         const std::string& id) {
  if (call.tenant_id() != tenant_id) {
    return absl::PermissionDeniedError("call " + id + " belongs to another tenant");
  }
  return absl::OkStatus();
}

}  // namespace

CallManager::CallManager(const config::Config* config, store::Store* store,
                         boost::asio::thread_pool* readers,
                         boost::asio::thread_pool* provider_workers,
                         boost::asio::thread_pool* clone_workers, const ProviderClients* clients,
                         const Options& options)
    : config_(config),
      store_(store),
      readers_(readers),
      provider_workers_(provider_workers),
      clone_workers_(clone_workers),
      clients_(clients),
      options_(options),
      voice_(std::make_unique<providers::VoiceCloneClient>(providers::VoiceCloneClient::Options{})),
      registry_(options.registry) {}

CallManager::~CallManager() {
  Stop();
  // Every committed sequence released its reads before the store closed; what is left waits for
  // a change the store refused (it was closing) and will never be durable.
  std::multimap<int64_t, Answer> left;
  {
    std::lock_guard lock(waiters_mu_);
    left.swap(waiters_);
  }
  for (auto& [sequence, answer] : left) {
    answer(absl::UnavailableError("callcontrold stopped before the change was recorded"));
  }
}

void CallManager::OnDurable(int64_t sequence) {
  int64_t known = durable_sequence_.load(std::memory_order_relaxed);
  while (known < sequence &&
         !durable_sequence_.compare_exchange_weak(known, sequence, std::memory_order_release,
                                                  std::memory_order_relaxed)) {
  }
}

void CallManager::AfterDurable(int64_t sequence, Answer answer) {
  if (sequence > durable_sequence_.load(std::memory_order_acquire)) {
    std::lock_guard lock(waiters_mu_);
    // Checked again under the lock: ReleaseDurable advances the sequence before taking it, so
    // an answer queued here is always seen by the release of its sequence.
    if (sequence > durable_sequence_.load(std::memory_order_acquire)) {
      waiters_.emplace(sequence, std::move(answer));
      return;
    }
  }
  answer(absl::OkStatus());
}

void CallManager::ReleaseDurable(int64_t sequence) {
  OnDurable(sequence);
  std::vector<Answer> ready;
  {
    std::lock_guard lock(waiters_mu_);
    const auto end = waiters_.upper_bound(durable_sequence_.load(std::memory_order_acquire));
    for (auto it = waiters_.begin(); it != end; ++it) ready.push_back(std::move(it->second));
    waiters_.erase(waiters_.begin(), end);
  }
  for (Answer& answer : ready) answer(absl::OkStatus());
}

void CallManager::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  metrics_cv_.notify_all();
  if (metrics_publisher_.joinable()) metrics_publisher_.join();
}

const config::Rate* CallManager::RateFor(const v1::Call& call) const {
  const config::TenantConfig* tenant = config_->FindTenant(call.tenant_id());
  return tenant == nullptr ? nullptr : tenant->RateFor(call.provider());
}

void CallManager::MetricsMovedLocked(const std::string& tenant_id) {
  if (metrics_moved_.insert(tenant_id).second && metrics_moved_.size() == 1) {
    metrics_cv_.notify_one();
  }
}

void CallManager::PublishMetricsLoop() {
  std::unique_lock lock(mu_);
  for (;;) {
    metrics_cv_.wait(lock, [this] { return stopping_ || !metrics_moved_.empty(); });
    if (!stopping_) {
      // Let changes gather for one interval: under load one event carries many changes.
      metrics_cv_.wait_for(lock, absl::ToChronoMilliseconds(options_.metrics_event_interval),
                           [this] { return stopping_; });
    }
    const absl::Time now = absl::Now();
    for (const std::string& tenant_id : metrics_moved_) {
      v1::StreamEventsResponse wire;
      v1::Event* event = wire.add_events();
      event->set_sequence(++last_sequence_);
      event->set_type(v1::EVENT_TYPE_METRICS_UPDATED);
      event->set_name(std::string(EventName(v1::EVENT_TYPE_METRICS_UPDATED)));
      SetTimestamp(now, event->mutable_create_time());
      event->set_tenant_id(tenant_id);
      *event->mutable_metrics() = registry_.Metrics(tenant_id);
      store::Mutation mutation;
      mutation.events.push_back(
          store::EventRow{last_sequence_, tenant_id, wire.SerializeAsString()});
      store_->Submit(std::move(mutation), [tenant_id](absl::Status s) {
        if (!s.ok()) {
          logging::Get("calls")->error("metrics event of tenant={} not recorded: {}", tenant_id,
                                       s.message());
        }
      });
    }
    metrics_moved_.clear();
    if (stopping_) return;
  }
}

std::vector<v1::Metrics> CallManager::AllMetrics(size_t* calls_in_memory) const {
  std::lock_guard lock(mu_);
  std::vector<v1::Metrics> out;
  for (const std::string& tenant_id : registry_.Tenants()) {
    out.push_back(registry_.Metrics(tenant_id));
  }
  if (calls_in_memory != nullptr) *calls_in_memory = registry_.size();
  return out;
}

absl::Status CallManager::Load() {
  auto state = store_->Load();
  if (!state.ok()) return state.status();
  std::vector<std::future<absl::Status>> interrupted;
  std::unique_lock lock(mu_);
  last_sequence_ = state->last_sequence;
  durable_sequence_.store(state->last_sequence, std::memory_order_release);
  for (const auto& c : state->counts) {
    // Active calls are counted as they are added below.
    if (IsTerminal(static_cast<v1::CallStatus>(c.status))) {
      CallRegistry::StoredCounts counts;
      counts.calls = c.calls;
      counts.duration_seconds = c.duration_seconds;
      counts.billable_seconds = c.billable_seconds;
      counts.currency = c.currency;
      counts.cost_micros = c.cost_micros;
      registry_.AddCounts(c.tenant_id, static_cast<v1::CallStatus>(c.status), counts);
    }
  }
  for (size_t i = 0; i < state->active_calls.size(); ++i) {
    CallEntry* entry = registry_.Add(std::move(state->active_calls[i]), state->request_hashes[i]);
    entry->persisted_ids = entry->call.provider_ids();
    if (!entry->progress.Parse(state->progress[i])) {
      logging::Get("calls")->warn("unreadable progress of call_id={}; starting afresh",
                                  entry->call.call_id());
    }
    // A call still queued without a provider id was being placed when the daemon stopped: the
    // provider never accepted it, or its answer was lost. It will not progress; end it.
    if (entry->call.status() == v1::CALL_STATUS_QUEUED && !HasProviderId(entry->call)) {
      ProviderReport report;
      report.status = v1::CALL_STATUS_FAILED;
      report.error_message = "callcontrold stopped before the provider accepted the call";
      const Counted before = Counted::Of(entry->call);
      const absl::Time now = absl::Now();
      ApplyReport(report, now, &entry->call, &entry->progress, RateFor(entry->call));
      registry_.Updated(entry, before, now);
      auto promise = std::make_shared<std::promise<absl::Status>>();
      interrupted.push_back(promise->get_future());
      CommitLocked(entry, v1::EVENT_TYPE_CALL_UPDATED,
                   [promise](absl::Status s) { promise->set_value(s); });
    }
  }
  // Clone jobs that were running when the daemon stopped: resumed while their deadline allows,
  // else ended explicitly; none is left "processing" forever.
  std::vector<CallEntry*> clones;
  registry_.ForEach([&clones](CallEntry* entry) {
    if (entry->call.has_clone()) clones.push_back(entry);
  });
  for (CallEntry* entry : clones) {
    const v1::CloneState state = entry->call.clone().state();
    if (state != v1::CLONE_STATE_PENDING && state != v1::CLONE_STATE_PROCESSING) continue;
    if (absl::Now() >= FromTimestamp(entry->call.clone().deadline())) {
      SetCloneStateLocked(entry, v1::CLONE_STATE_TIMED_OUT, "",
                          "callcontrold was restarted and the maximum wait passed meanwhile");
    } else {
      ScheduleCloneLocked(*entry);
    }
  }
  logging::Get("calls")->info("loaded active_calls={} last_sequence={} interrupted={}",
                              registry_.size(), last_sequence_, interrupted.size());
  lock.unlock();
  metrics_publisher_ = std::thread([this] {
    SetCurrentThreadName("metrics-events");
    PublishMetricsLoop();
  });
  for (auto& f : interrupted) {
    if (auto s = f.get(); !s.ok()) return s;
  }
  return absl::OkStatus();
}

int64_t CallManager::last_sequence() const {
  std::lock_guard lock(mu_);
  return last_sequence_;
}

void CallManager::CommitLocked(CallEntry* entry, v1::EventType type, Done done) {
  const v1::Call& call = entry->call;
  store::Mutation mutation;
  store::CallRow& row = mutation.call.emplace();
  row.call_id = call.call_id();
  row.tenant_id = call.tenant_id();
  row.status = call.status();
  row.create_time_us = absl::ToUnixMicros(FromTimestamp(call.create_time()));
  row.update_time_us = absl::ToUnixMicros(FromTimestamp(call.update_time()));
  row.idempotency_key = call.idempotency_key();
  row.request_hash = entry->request_hash;
  row.call_sid = call.provider_ids().call_sid();
  row.duration_seconds = call.duration_seconds();
  row.billable_seconds = call.billable_seconds();
  if (call.has_cost()) {
    row.currency = call.cost().currency_code();
    row.cost_micros = call.cost().amount_micros();
  }
  call.SerializeToString(&row.data);
  row.progress = entry->progress.Serialize();
  row.new_aliases = NewAliases(entry->persisted_ids, call.provider_ids());
  if (!row.new_aliases.empty()) entry->persisted_ids = call.provider_ids();

  const int64_t sequence = ++last_sequence_;
  entry->last_sequence = sequence;
  v1::StreamEventsResponse wire;
  v1::Event* event = wire.add_events();
  event->set_sequence(sequence);
  event->set_type(type);
  event->set_name(std::string(EventName(type)));
  *event->mutable_create_time() = call.update_time();
  event->set_tenant_id(call.tenant_id());
  *event->mutable_call() = call;
  mutation.events.push_back(store::EventRow{sequence, call.tenant_id(), wire.SerializeAsString()});
  // A refused mutation (the store is closing) is answered at once, under mu_: its waiting reads
  // stay queued (~CallManager answers them); only a commit releases them.
  store_->Submit(std::move(mutation), [this, sequence, done = std::move(done)](absl::Status s) {
    if (done) done(s);
    if (s.ok()) ReleaseDurable(sequence);
  });
}

void CallManager::ApplyLocked(CallEntry* entry, const ProviderReport& report,
                              std::unique_lock<std::mutex>& lock, bool want_call,
                              Callback<Applied> done) {
  const Counted before = Counted::Of(entry->call);
  const absl::Time now = absl::Now();
  Applied applied;
  applied.changed = ApplyReport(report, now, &entry->call, &entry->progress, RateFor(entry->call));
  if (applied.changed) CancelCloneIfCallEnded(&entry->call, now);
  applied.call_id = entry->call.call_id();
  if (!applied.changed) {
    // Nothing to record, but the call's last change may still be committing (e.g. this is a
    // redelivery of it): acknowledge only once that is durable, so a duplicate acknowledged now
    // is never the only trace of an event a crash then loses.
    if (want_call) applied.call = entry->call;
    const int64_t sequence = entry->last_sequence;
    lock.unlock();
    return AnswerWhenDurable<Applied>(sequence, std::move(applied), std::move(done));
  }
  if (registry_.Updated(entry, before, now)) MetricsMovedLocked(entry->call.tenant_id());
  LinkSessionLocked(entry, now);
  if (want_call) applied.call = entry->call;
  CommitLocked(entry, v1::EVENT_TYPE_CALL_UPDATED,
               [applied = std::move(applied), done = std::move(done)](absl::Status s) mutable {
                 if (!s.ok()) return done(s);
                 done(std::move(applied));
               });
  registry_.EvictExpired(now);
  lock.unlock();
}

void CallManager::LinkSessionLocked(CallEntry* entry, absl::Time now) {
  const std::string& session = entry->call.provider_ids().call_session_id();
  if (session.empty()) return;
  auto is_linked = [](const v1::Call& call, const std::string& id) {
    return std::find(call.linked_call_ids().begin(), call.linked_call_ids().end(), id) !=
           call.linked_call_ids().end();
  };
  for (CallEntry* other : registry_.Session(session)) {
    if (other == entry || other->call.tenant_id() != entry->call.tenant_id()) continue;
    if (!is_linked(entry->call, other->call.call_id())) {
      entry->call.add_linked_call_ids(other->call.call_id());
    }
    if (!is_linked(other->call, entry->call.call_id())) {
      other->call.add_linked_call_ids(entry->call.call_id());
      other->call.set_version(other->call.version() + 1);
      SetTimestamp(now, other->call.mutable_update_time());
      CommitLocked(
          other, v1::EVENT_TYPE_CALL_UPDATED, [id = other->call.call_id()](absl::Status s) {
            if (!s.ok())
              logging::Get("calls")->error("linking call_id={} failed: {}", id, s.message());
          });
    }
  }
}

void CallManager::RetryOnProviderWorker(int attempts, std::function<absl::Status()> attempt,
                                        Done done) {
  RetryAttempt(std::make_shared<std::function<absl::Status()>>(std::move(attempt)), 1, attempts,
               options_.provider_backoff, std::move(done));
}

void CallManager::RetryAttempt(std::shared_ptr<std::function<absl::Status()>> attempt, int number,
                               int attempts, absl::Duration backoff, Done done) {
  boost::asio::post(*provider_workers_, [this, attempt, number, attempts, backoff,
                                         done = std::move(done)]() mutable {
    absl::Status status = (*attempt)();
    if (!absl::IsUnavailable(status) || number >= attempts) {
      return done(std::move(status));
    }
    logging::Get("calls")->info("provider request failed transiently (attempt {} of {}): {}",
                                number, attempts, status.message());
    auto timer = std::make_shared<boost::asio::steady_timer>(*provider_workers_,
                                                             absl::ToChronoMilliseconds(backoff));
    timer->async_wait([this, timer, attempt, number, attempts, backoff,
                       done = std::move(done)](const boost::system::error_code&) mutable {
      RetryAttempt(std::move(attempt), number + 1, attempts, backoff * 2, std::move(done));
    });
  });
}

void CallManager::ApplyAndReply(const std::string& call_id, const ProviderReport& report,
                                Callback<v1::Call> done) {
  std::unique_lock lock(mu_);
  CallEntry* entry = registry_.Find(call_id);
  if (entry == nullptr) {
    lock.unlock();
    // Ended and evicted while the provider request ran: answer from the store.
    return FindCall(/*tenant_id=*/"", call_id, std::move(done));
  }
  ApplyLocked(entry, report, lock, /*want_call=*/true,
              [done = std::move(done)](absl::StatusOr<Applied> applied) {
                if (!applied.ok()) return done(applied.status());
                done(std::move(applied->call));
              });
}

void CallManager::FindCall(const std::string& tenant_id, const std::string& id,
                           Callback<v1::Call> done) {
  {
    std::unique_lock lock(mu_);
    if (CallEntry* entry = registry_.Find(id)) {
      // The state as of now, answered once it is durable (later changes are not waited for).
      v1::Call copy = entry->call;
      const int64_t sequence = entry->last_sequence;
      lock.unlock();
      return AfterDurable(sequence, [tenant_id, id, copy = std::move(copy),
                                     done = std::move(done)](absl::Status durable) mutable {
        if (!durable.ok()) return done(durable);
        if (!tenant_id.empty()) {
          if (auto s = CheckTenant(copy, tenant_id, id); !s.ok()) return done(s);
        }
        done(std::move(copy));
      });
    }
  }
  boost::asio::post(*readers_, [this, tenant_id, id, done = std::move(done)] {
    auto found = store_->FindCall(id);
    if (!found.ok()) return done(found.status());
    if (!found->has_value()) return done(absl::NotFoundError("call " + id + " not found"));
    if (!tenant_id.empty()) {
      if (auto s = CheckTenant(**found, tenant_id, id); !s.ok()) return done(s);
    }
    done(std::move(**found));
  });
}

void CallManager::StartCall(const std::string& tenant_id, const v1::StartCallRequest& request,
                            Callback<v1::Call> done) {
  const config::TenantConfig* tenant = config_->FindTenant(tenant_id);
  if (tenant == nullptr) return done(absl::InvalidArgumentError("unknown tenant " + tenant_id));
  const providers::CallClient* client = clients_->Find(tenant->provider);
  if (client == nullptr) {
    const providers::Provider* provider = providers::FindProvider(tenant->provider);
    const std::string name(provider == nullptr ? "a provider" : provider->display_name());
    return done(absl::FailedPreconditionError("tenant " + tenant_id + " uses " + name +
                                              ", whose calls are started by " + name + " agents"));
  }
  if (!IsE164(request.to())) {
    return done(absl::InvalidArgumentError("to must be an E.164 number like +14155550100, got \"" +
                                           request.to().substr(0, 32) + "\""));
  }
  NewCall call;
  call.tenant = tenant;
  call.client = client;
  call.to = request.to();
  call.from = request.from().empty() ? tenant->default_from : request.from();
  if (call.from.empty()) {
    return done(absl::InvalidArgumentError("from is empty and tenant " + tenant_id +
                                           " has no default_from configured"));
  }
  if (!IsE164(call.from)) {
    return done(absl::InvalidArgumentError(
        "from must be an E.164 number like +14155550100, got \"" + call.from.substr(0, 32) + "\""));
  }
  call.idempotency_key = request.idempotency_key();
  if (call.idempotency_key.size() > kMaxIdempotencyKey || !IsPrintableAscii(call.idempotency_key)) {
    return done(absl::InvalidArgumentError(
        "idempotency_key must be at most 128 printable ASCII characters without spaces"));
  }
  if (auto s = client->CheckStartCall(*tenant, request); !s.ok()) return done(s);
  call.twiml = request.twiml().empty() ? tenant->default_twiml : request.twiml();
  if (call.twiml.size() > kMaxTwiml) {
    return done(absl::InvalidArgumentError("twiml is longer than 4000 characters"));
  }
  call.request_hash = RequestHash(call.to, call.from, call.twiml);

  if (call.idempotency_key.empty()) return CreateAndDial(std::move(call), std::move(done));
  {
    std::unique_lock lock(mu_);
    if (CallEntry* entry = registry_.FindByIdempotencyKey(tenant_id, call.idempotency_key)) {
      auto result = ReplayIdempotent(entry->call, entry->request_hash, call);
      const int64_t sequence = entry->last_sequence;
      lock.unlock();
      return AnswerWhenDurable(sequence, std::move(result), std::move(done));
    }
  }
  // The key is not in memory: an older call may still hold it on disk.
  boost::asio::post(*readers_, [this, call = std::move(call), done = std::move(done)]() mutable {
    auto found = store_->FindByIdempotencyKey(call.tenant->id, call.idempotency_key);
    if (!found.ok()) return done(found.status());
    if (found->has_value()) {
      return done(ReplayIdempotent((*found)->first, (*found)->second, call));
    }
    CreateAndDial(std::move(call), std::move(done));
  });
}

absl::StatusOr<v1::Call> CallManager::ReplayIdempotent(const v1::Call& existing,
                                                       const std::string& stored_hash,
                                                       const NewCall& call) {
  if (stored_hash != call.request_hash) {
    return absl::AlreadyExistsError("idempotency_key \"" + call.idempotency_key +
                                    "\" was already used for a different request (call " +
                                    existing.call_id() + ")");
  }
  return existing;
}

void CallManager::CreateAndDial(NewCall call, Callback<v1::Call> done) {
  std::unique_lock lock(mu_);
  // A concurrent request with the same key may have created the call meanwhile.
  if (!call.idempotency_key.empty()) {
    if (CallEntry* entry = registry_.FindByIdempotencyKey(call.tenant->id, call.idempotency_key)) {
      auto result = ReplayIdempotent(entry->call, entry->request_hash, call);
      const int64_t sequence = entry->last_sequence;
      lock.unlock();
      return AnswerWhenDurable(sequence, std::move(result), std::move(done));
    }
  }
  const absl::Time now = absl::Now();
  v1::Call c;
  c.set_call_id(NewCallId(now));
  c.set_tenant_id(call.tenant->id);
  c.set_provider(call.tenant->provider);
  c.set_direction(v1::CALL_DIRECTION_OUTBOUND);
  c.set_from(call.from);
  c.set_to(call.to);
  c.set_status(v1::CALL_STATUS_QUEUED);
  SetTimestamp(now, c.mutable_create_time());
  SetTimestamp(now, c.mutable_update_time());
  c.set_idempotency_key(call.idempotency_key);
  c.set_version(1);
  call.call_id = c.call_id();
  CallEntry* entry = registry_.Add(std::move(c), call.request_hash);
  MetricsMovedLocked(entry->call.tenant_id());
  // Durable before the provider is asked, so a crash after this point leaves a record.
  CommitLocked(entry, v1::EVENT_TYPE_CALL_CREATED,
               [this, call = std::move(call), done = std::move(done)](absl::Status s) mutable {
                 if (!s.ok()) return done(s);
                 DialWithProvider(std::move(call), std::move(done));
               });
}

void CallManager::DialWithProvider(NewCall call, Callback<v1::Call> done) {
  providers::DialRequest request;
  request.tenant = call.tenant;
  request.call_id = call.call_id;
  request.to = call.to;
  request.from = call.from;
  request.twiml = call.twiml;
  request.public_url = config_->adapter.public_url;
  const providers::CallClient* client = call.client;
  auto update = std::make_shared<providers::CallUpdate>();
  RetryOnProviderWorker(
      client->dial_retryable() ? options_.provider_attempts : 1,
      [client, request = std::move(request), update]() -> absl::Status {
        auto dialed = client->Dial(request);
        if (!dialed.ok()) return dialed.status();
        *update = *std::move(dialed);
        return absl::OkStatus();
      },
      [this, call = std::move(call), update, done = std::move(done)](absl::Status status) mutable {
        if (!status.ok()) return ApplyDialFailure(call, status, std::move(done));
        ApplyAndReply(call.call_id, ReportOf(*update), std::move(done));
      });
}

void CallManager::ApplyDialFailure(const NewCall& call, const absl::Status& error,
                                   Callback<v1::Call> done) {
  logging::Get("calls")->warn("provider request failed call_id={} tenant={} error={}", call.call_id,
                              call.tenant->id, error.message());
  ProviderReport report;
  report.status = v1::CALL_STATUS_FAILED;
  report.error_message = std::string(error.message());
  ApplyAndReply(call.call_id, report,
                [error, done = std::move(done)](absl::StatusOr<v1::Call>) { done(error); });
}

void CallManager::HangupCall(const std::string& tenant_id, const std::string& id,
                             Callback<v1::Call> done) {
  if (id.empty()) return done(absl::InvalidArgumentError("call_id is required"));
  const config::TenantConfig* tenant = config_->FindTenant(tenant_id);
  if (tenant == nullptr) return done(absl::InvalidArgumentError("unknown tenant " + tenant_id));
  // FindCall answers durable state, so the unchanged ("idempotent") answers below are durable.
  FindCall(tenant_id, id, [this, tenant, done = std::move(done)](absl::StatusOr<v1::Call> call) {
    if (!call.ok()) return done(call.status());
    const providers::Provider* provider = providers::FindProvider(call->provider());
    const providers::CallClient* client = clients_->Find(call->provider());
    if (provider == nullptr || client == nullptr) {
      if (IsTerminal(call->status())) return done(std::move(*call));  // idempotent
      const std::string name(provider == nullptr ? "its provider" : provider->display_name());
      return done(absl::FailedPreconditionError(name + " calls are ended by the " + name +
                                                " agent (call " + call->call_id() + ")"));
    }
    // Every live leg of the call's session, the other legs first: hanging up the phone leg from
    // the server is what spares the other side a busy signal. Only providers with linked legs
    // have any.
    std::vector<v1::Call> legs;
    {
      std::lock_guard lock(mu_);
      for (const std::string& linked : call->linked_call_ids()) {
        CallEntry* leg = registry_.Find(linked);
        if (leg != nullptr && leg->call.provider() == call->provider() &&
            !IsTerminal(leg->call.status()) &&
            !provider->PrimaryId(leg->call.provider_ids()).empty()) {
          legs.push_back(leg->call);
        }
      }
    }
    if (!IsTerminal(call->status())) {
      if (auto s = client->CheckHangup(*call); !s.ok()) return done(s);
      legs.push_back(*call);
    }
    if (legs.empty()) return done(std::move(*call));  // idempotent
    HangupLegs(call->call_id(), tenant, client, std::move(legs), std::move(done));
  });
}

void CallManager::HangupLegs(const std::string& call_id, const config::TenantConfig* tenant,
                             const providers::CallClient* client, std::vector<v1::Call> legs,
                             Callback<v1::Call> done) {
  if (legs.empty()) return FindCall(tenant->id, call_id, std::move(done));
  auto leg = std::make_shared<const v1::Call>(std::move(legs.front()));
  legs.erase(legs.begin());
  auto update = std::make_shared<std::optional<providers::CallUpdate>>();
  RetryOnProviderWorker(
      options_.provider_attempts,
      [client, tenant, leg, update]() -> absl::Status {
        auto answered = client->Hangup(*tenant, *leg);
        if (!answered.ok()) return answered.status();
        *update = *std::move(answered);
        return absl::OkStatus();
      },
      [this, call_id, tenant, client, leg, update, legs = std::move(legs),
       done = std::move(done)](absl::Status status) mutable {
        if (!status.ok()) {
          logging::Get("calls")->warn("hangup failed call_id={} leg={} error={}", call_id,
                                      leg->call_id(), status.message());
          return done(status);
        }
        // nullopt: already over at the provider, whose final webhook brings the outcome.
        if (!update->has_value() || IsNoNews(**update)) {
          return HangupLegs(call_id, tenant, client, std::move(legs), std::move(done));
        }
        const ProviderReport report = ReportOf(**update);
        if (legs.empty() && leg->call_id() == call_id) {
          return ApplyAndReply(call_id, report, std::move(done));
        }
        ApplyAndReply(leg->call_id(), report,
                      [this, call_id, tenant, client, legs = std::move(legs),
                       done = std::move(done)](absl::StatusOr<v1::Call>) mutable {
                        HangupLegs(call_id, tenant, client, std::move(legs), std::move(done));
                      });
      });
}

void CallManager::GetCall(const std::string& tenant_id, const std::string& id,
                          Callback<v1::Call> done) {
  if (id.empty()) return done(absl::InvalidArgumentError("call_id is required"));
  FindCall(tenant_id, id, std::move(done));
}

void CallManager::ListCalls(const std::string& tenant_id, const v1::ListCallsRequest& request,
                            Callback<v1::ListCallsResponse> done) {
  store::ListQuery query;
  query.tenant_id = tenant_id;
  if (request.page_size() < 0) {
    return done(absl::InvalidArgumentError("page_size must not be negative"));
  }
  query.limit =
      request.page_size() == 0 ? kDefaultPageSize : std::min(request.page_size(), kMaxPageSize);
  for (int s : request.statuses()) {
    if (s <= v1::CALL_STATUS_UNSPECIFIED || s > v1::CALL_STATUS_CANCELED) {
      return done(
          absl::InvalidArgumentError("statuses contains an invalid status " + std::to_string(s)));
    }
    query.status_mask |= 1u << s;
  }
  if (request.has_start_time()) {
    query.start_us = absl::ToUnixMicros(FromTimestamp(request.start_time()));
  }
  if (request.has_end_time()) query.end_us = absl::ToUnixMicros(FromTimestamp(request.end_time()));
  if (query.start_us > query.end_us) {
    return done(absl::InvalidArgumentError("start_time is after end_time"));
  }
  if (!request.page_token().empty() &&
      !DecodePageToken(request.page_token(), &query.after_create_us, &query.after_call_id)) {
    return done(absl::InvalidArgumentError("page_token is not a token ListCalls returned"));
  }
  boost::asio::post(*readers_, [this, query, done = std::move(done)]() mutable {
    const int page = query.limit;
    query.limit = page + 1;  // one more tells whether another page exists
    auto calls = store_->ListCalls(query);
    if (!calls.ok()) return done(calls.status());
    v1::ListCallsResponse response;
    const bool more = static_cast<int>(calls->size()) > page;
    if (more) calls->resize(page);
    for (auto& c : *calls) *response.add_calls() = std::move(c);
    if (more) response.set_next_page_token(EncodePageToken(response.calls(page - 1)));
    done(std::move(response));
  });
}

v1::Metrics CallManager::GetMetrics(const std::string& tenant_id) const {
  std::lock_guard lock(mu_);
  return registry_.Metrics(tenant_id);
}

void CallManager::ReportProviderEvent(const ReportProviderEventRequest& request,
                                      Callback<ReportProviderEventResponse> done) {
  if (config_->FindTenant(request.tenant_id()) == nullptr) {
    return done(absl::InvalidArgumentError("unknown tenant \"" + request.tenant_id() + "\""));
  }
  // The provider id that names this call (a leg, never a session shared by legs).
  const providers::Provider* provider = providers::FindProvider(request.provider());
  if (provider == nullptr) return done(absl::InvalidArgumentError("unsupported provider"));
  const std::string provider_id = provider->PrimaryId(request.provider_ids());
  if (request.call_id().empty() && provider_id.empty()) {
    return done(absl::InvalidArgumentError(
        "the event names no call (call_id, CallSid, call_control_id or execution id)"));
  }
  auto report = std::make_shared<ProviderReport>(ReportFrom(request));
  auto reply = [done](absl::StatusOr<Applied> applied) {
    if (!applied.ok()) return done(applied.status());
    ReportProviderEventResponse response;
    response.set_applied(applied->changed);
    response.set_call_id(applied->call_id);
    done(std::move(response));
  };

  std::unique_lock lock(mu_);
  CallEntry* entry = request.call_id().empty() ? nullptr : registry_.Find(request.call_id());
  if (entry == nullptr && !provider_id.empty()) entry = registry_.Find(provider_id);
  if (entry != nullptr) {
    if (entry->call.tenant_id() != request.tenant_id()) {
      lock.unlock();
      return done(absl::InvalidArgumentError("the event names a call of another tenant"));
    }
    return ApplyLocked(entry, *report, lock, /*want_call=*/false, std::move(reply));
  }
  lock.unlock();
  // Not in memory: a call that ended a while ago, or one never seen. Ask the store.
  boost::asio::post(*readers_, [this, request, provider_id, report,
                                reply = std::move(reply)]() mutable {
    const std::string& id = request.call_id().empty() ? provider_id : request.call_id();
    auto stored = store_->FindCall(id);
    if (!stored.ok()) return reply(stored.status());
    if (stored->has_value()) {
      // Only ended calls leave memory, and an ended call's status absorbs every later report;
      // but a recording or a price reported after the end still belongs to it.
      if (!report->recording.has_value() && !report->price.has_value()) {
        Applied applied;
        applied.call_id = (*stored)->call_id();
        return reply(std::move(applied));
      }
      if ((*stored)->tenant_id() != request.tenant_id()) {
        return reply(absl::InvalidArgumentError("the event names a call of another tenant"));
      }
      std::unique_lock lock(mu_);
      CallEntry* entry = registry_.Find((*stored)->call_id());
      if (entry == nullptr) {
        // Back into memory for a while; the loaded totals already count it.
        entry = registry_.Add(std::move(**stored), "", /*count=*/false);
        entry->persisted_ids = entry->call.provider_ids();
      }
      return ApplyLocked(entry, *report, lock, /*want_call=*/false, std::move(reply));
    }
    if (!request.call_id().empty()) {
      return reply(absl::NotFoundError("call " + request.call_id() + " not found"));
    }
    std::unique_lock lock(mu_);
    if (CallEntry* entry = registry_.Find(provider_id)) {
      // Created by a concurrent report for the same provider id.
      return ApplyLocked(entry, *report, lock, /*want_call=*/false, std::move(reply));
    }
    if (report->status == v1::CALL_STATUS_UNSPECIFIED) {
      lock.unlock();
      return reply(Applied{});  // nothing to record about an unknown call
    }
    // A call placed outside callcontrol (another app on the account, an inbound call): track it.
    const absl::Time now = absl::Now();
    v1::Call call;
    call.set_call_id(NewCallId(now));
    call.set_tenant_id(request.tenant_id());
    call.set_provider(request.provider());
    call.set_status(v1::CALL_STATUS_QUEUED);
    SetTimestamp(now, call.mutable_create_time());
    CallProgress progress;
    ApplyReport(*report, now, &call, &progress, RateFor(call));
    call.set_version(1);
    CallEntry* entry = registry_.Add(std::move(call), "");
    MetricsMovedLocked(entry->call.tenant_id());
    entry->progress = progress;
    LinkSessionLocked(entry, now);
    Applied applied;
    applied.changed = true;
    applied.call_id = entry->call.call_id();
    CommitLocked(entry, v1::EVENT_TYPE_CALL_CREATED,
                 [applied = std::move(applied), reply = std::move(reply)](absl::Status s) mutable {
                   if (!s.ok()) return reply(s);
                   reply(std::move(applied));
                 });
    registry_.EvictExpired(now);
  });
}

}  // namespace callcontrol::calls
