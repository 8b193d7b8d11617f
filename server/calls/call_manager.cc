#include "server/calls/call_manager.h"

#include <tuple>
#include <utility>
#include <vector>

#include "common/logging.h"
#include "providers/registry.h"
#include "server/calls/call_ids.h"
#include "server/calls/call_records.h"
#include "server/calls/call_status.h"
#include "server/calls/clone_job.h"
#include "server/calls/report_limits.h"

namespace callcontrol::calls {
namespace {

using internal::v1::ReportProviderEventRequest;
using internal::v1::ReportProviderEventResponse;

constexpr int kMaxPageSize = 1000;
constexpr int kDefaultPageSize = 50;
constexpr size_t kMaxPageBytes = 1 << 20;

const std::shared_ptr<spdlog::logger>& Logger() {
  static const std::shared_ptr<spdlog::logger> logger = logging::Get("calls");
  return logger;
}

absl::Status CheckTenant(const v1::Call& call, const std::string& tenant_id,
                         const std::string& id) {
  if (call.tenant_id() != tenant_id) {
    return absl::PermissionDeniedError("call " + IdForMessage(id) + " belongs to another tenant");
  }
  return absl::OkStatus();
}

}  // namespace

CallManager::CallManager(const config::Config* config, store::CallStore* store,
                         const ProviderClients* clients, const providers::VoiceCloner* cloner,
                         const CallRuntime& runtime, const Options& options)
    : config_(config),
      store_(store),
      clients_(clients),
      cloner_(cloner),
      runtime_(runtime),
      options_(options),
      durable_(runtime.durable_answers),
      metrics_(runtime.timers, options.metrics_event_interval,
               [this](const std::vector<std::string>& tenants) { PublishMetrics(tenants); }),
      registry_(options.registry) {}

CallManager::~CallManager() { Stop(); }

void CallManager::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  metrics_.Flush();
}

const config::Rate* CallManager::RateFor(const v1::Call& call) const {
  const config::TenantConfig* tenant = config_->FindTenant(call.tenant_id());
  return tenant == nullptr ? nullptr : tenant->RateFor(call.provider());
}

absl::Status CallManager::CheckWritable() const {
  if (store_->writable()) return absl::OkStatus();
  return absl::UnavailableError(
      "callcontrold's database is not writable (disk full?): nothing was changed; try again");
}

void CallManager::PublishMetrics(const std::vector<std::string>& tenant_ids) {
  if (!store_->writable()) {
    // Nothing new is queued behind a failing commit; they are published once it succeeds.
    for (const std::string& tenant_id : tenant_ids) metrics_.Moved(tenant_id);
    return;
  }
  absl::MutexLock lock(&mu_);
  const absl::Time now = Now();
  for (const std::string& tenant_id : tenant_ids) {
    store::Mutation mutation;
    mutation.events.push_back(
        MetricsEvent(tenant_id, registry_.Metrics(tenant_id), ++last_sequence_, now));
    store_->Submit(std::move(mutation), [tenant_id](absl::Status s) {
      if (!s.ok()) {
        Logger()->error("metrics event of tenant={} not recorded: {}", tenant_id, s.message());
      }
    });
  }
}

std::vector<v1::Metrics> CallManager::AllMetrics(size_t* calls_in_memory) const {
  absl::MutexLock lock(&mu_);
  std::vector<v1::Metrics> out;
  for (const std::string& tenant_id : registry_.Tenants()) {
    out.push_back(registry_.Metrics(tenant_id));
  }
  if (calls_in_memory != nullptr) *calls_in_memory = registry_.size();
  return out;
}

v1::Metrics CallManager::GetMetrics(const std::string& tenant_id) const {
  absl::MutexLock lock(&mu_);
  return registry_.Metrics(tenant_id);
}

absl::Status CallManager::Load() {
  auto state = store_->Load();
  if (!state.ok()) return state.status();
  absl::MutexLock lock(&mu_);
  last_sequence_ = state->last_sequence;
  loaded_sequence_ = state->last_sequence;
  durable_.Reset(state->last_sequence);
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
  for (const auto& sample : state->sample_sizes) {
    sample_bytes_[sample.tenant_id] += sample.bytes;
    sample_size_[sample.tenant_id + '\0' + sample.caller_number] = sample.bytes;
  }
  size_t interrupted = 0;
  for (size_t i = 0; i < state->active_calls.size(); ++i) {
    CallEntry* entry = registry_.Add(std::move(state->active_calls[i]), state->request_hashes[i]);
    entry->persisted_ids = entry->call.provider_ids();
    if (!entry->progress.Parse(state->progress[i])) {
      Logger()->warn("unreadable progress of call_id={}; starting afresh", entry->call.call_id());
    }
    // A call still queued without a provider id was being placed when the daemon stopped: the
    // provider may never have got the request, or may have created the call and its answer was
    // lost. Its callbacks (which name the call) can still come: it waits for them, as an
    // unconfirmed dial, until unconfirmed_dial_timeout after its creation.
    if (entry->call.status() == v1::CALL_STATUS_QUEUED && !HasProviderId(entry->call)) {
      ++interrupted;
      if (MarkUnconfirmedLocked(entry)) {
        CommitLocked(
            entry, v1::EVENT_TYPE_CALL_UPDATED, [id = entry->call.call_id()](absl::Status s) {
              if (!s.ok())
                Logger()->error("marking call_id={} unconfirmed failed: {}", id, s.message());
            });
      } else {
        FailLocked(entry,
                   "callcontrold stopped while asking the provider to create the call, and no "
                   "callback confirmed it");
      }
    }
  }
  ResumeCloneJobsLocked();
  Logger()->info("loaded active_calls={} last_sequence={} interrupted={}", registry_.size(),
                 last_sequence_, interrupted);
  runtime_.timers->RunAfter(absl::ZeroDuration(), [this](absl::Status fired) {
    if (fired.ok()) SweepStaleCalls();
  });
  return absl::OkStatus();
}

void CallManager::SweepStaleCalls() {
  {
    absl::MutexLock lock(&mu_);
    const absl::Time cutoff = Now() - options_.stale_call_timeout;
    std::vector<CallEntry*> stale;
    registry_.ForEach([&](CallEntry* entry) {
      if (!IsTerminal(entry->call.status()) && FromTimestamp(entry->call.update_time()) < cutoff) {
        stale.push_back(entry);
      }
    });
    for (CallEntry* entry : stale) {
      Logger()->warn("call_id={} unchanged for {}: presumed over", entry->call.call_id(),
                     absl::FormatDuration(options_.stale_call_timeout));
      FailLocked(entry, "no provider event for " +
                            absl::FormatDuration(options_.stale_call_timeout) +
                            ": presumed over (its final callback was lost)");
    }
  }
  runtime_.timers->RunAfter(options_.stale_sweep_interval, [this](absl::Status fired) {
    if (fired.ok()) SweepStaleCalls();
  });
}

void CallManager::FailLocked(CallEntry* entry, const std::string& error_message) {
  ProviderReport report;
  report.status = v1::CALL_STATUS_FAILED;
  report.error_message = error_message;
  const Counted before = Counted::Of(entry->call);
  const absl::Time now = Now();
  entry->progress.dial_unconfirmed = false;
  entry->progress.hangup_requested = false;
  ApplyReport(report, now, &entry->call, &entry->progress, RateFor(entry->call));
  if (registry_.Updated(entry, before, now)) metrics_.Moved(entry->call.tenant_id());
  CommitLocked(entry, v1::EVENT_TYPE_CALL_UPDATED, [id = entry->call.call_id()](absl::Status s) {
    if (!s.ok()) Logger()->error("ending call_id={} failed: {}", id, s.message());
  });
}

int64_t CallManager::last_sequence() const {
  absl::MutexLock lock(&mu_);
  return last_sequence_;
}

int64_t CallManager::loaded_sequence() const {
  absl::MutexLock lock(&mu_);
  return loaded_sequence_;
}

CallEntry* CallManager::AddLocked(v1::Call call, std::string request_hash) {
  CallEntry* entry = registry_.Add(std::move(call), std::move(request_hash));
  metrics_.Moved(entry->call.tenant_id());
  return entry;
}

void CallManager::CommitLocked(CallEntry* entry, v1::EventType type, Done done) {
  const int64_t sequence = ++last_sequence_;
  entry->last_sequence = sequence;
  // Reads waiting for this change are released by the commit listener (OnDurable); a refused
  // mutation (the store is closing) leaves them waiting, and ~DurableGate answers them.
  store_->Submit(CallChange(entry, type, sequence), [done = std::move(done)](absl::Status s) {
    if (done) done(s);
  });
}

void CallManager::ApplyLocked(CallEntry* entry, const ProviderReport& report,
                              absl::ReleasableMutexLock& lock, bool want_call,
                              Callback<Applied> done) {
  if (absl::Status ids = registry_.CheckProviderIds(*entry, report.provider_ids); !ids.ok()) {
    // Signed for another call (a replay with another call_id, or another leg's id): it must
    // not move this one.
    Logger()->warn("provider event refused for call_id={}: {}", entry->call.call_id(),
                   ids.message());
    lock.Release();
    return done(ids);
  }
  const Counted before = Counted::Of(entry->call);
  const absl::Time now = Now();
  Applied applied;
  applied.changed = ApplyReport(report, now, &entry->call, &entry->progress, RateFor(entry->call));
  if (applied.changed) CancelCloneIfCallEnded(&entry->call, now);
  if (applied.changed && (HasProviderId(entry->call) || IsTerminal(entry->call.status()))) {
    // Confirmed by its provider (or over): no longer an unconfirmed dial.
    entry->progress.dial_unconfirmed = false;
    if (entry->progress.hangup_requested) {
      if (IsTerminal(entry->call.status())) {
        entry->progress.hangup_requested = false;
      } else {
        RunDeferredHangupLocked(entry);
      }
    }
  }
  applied.call_id = entry->call.call_id();
  if (!applied.changed) {
    // Nothing to record, but the call's last change may still be committing (e.g. this is a
    // redelivery of it): acknowledge only once that is durable, so a duplicate acknowledged now
    // is never the only trace of an event a crash then loses.
    if (want_call) applied.call = entry->call;
    const int64_t sequence = entry->last_sequence;
    lock.Release();
    return AnswerWhenDurable<Applied>(sequence, std::move(applied), std::move(done));
  }
  if (registry_.Updated(entry, before, now)) metrics_.Moved(entry->call.tenant_id());
  LinkSessionLocked(entry, now);
  if (want_call) applied.call = entry->call;
  CommitLocked(entry, v1::EVENT_TYPE_CALL_UPDATED,
               [applied = std::move(applied), done = std::move(done)](absl::Status s) mutable {
                 if (!s.ok()) return done(s);
                 done(std::move(applied));
               });
  registry_.EvictExpired(now);
  lock.Release();
}

void CallManager::LinkSessionLocked(CallEntry* entry, absl::Time now) {
  const std::string& session = entry->call.provider_ids().call_session_id();
  if (session.empty()) return;
  auto is_linked = [](const v1::Call& call, const std::string& id) {
    return std::find(call.linked_call_ids().begin(), call.linked_call_ids().end(), id) !=
           call.linked_call_ids().end();
  };
  // Bounded (kMaxLinkedCalls): a session's legs beyond it are not linked.
  const int max_linked = static_cast<int>(kMaxLinkedCalls);
  for (CallEntry* other : registry_.Session(entry->call.tenant_id(), session)) {
    if (other == entry) continue;
    if (entry->call.linked_call_ids_size() >= max_linked) break;
    if (!is_linked(entry->call, other->call.call_id())) {
      entry->call.add_linked_call_ids(other->call.call_id());
    }
    if (!is_linked(other->call, entry->call.call_id()) &&
        other->call.linked_call_ids_size() < max_linked) {
      other->call.add_linked_call_ids(entry->call.call_id());
      other->call.set_version(other->call.version() + 1);
      SetTimestamp(now, other->call.mutable_update_time());
      CommitLocked(other, v1::EVENT_TYPE_CALL_UPDATED,
                   [id = other->call.call_id()](absl::Status s) {
                     if (!s.ok()) Logger()->error("linking call_id={} failed: {}", id, s.message());
                   });
    }
  }
}

void CallManager::ApplyAndReply(const std::string& call_id, const ProviderReport& report,
                                Callback<v1::Call> done) {
  absl::ReleasableMutexLock lock(&mu_);
  CallEntry* entry = registry_.FindById(call_id);
  if (entry == nullptr) {
    lock.Release();
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
    absl::ReleasableMutexLock lock(&mu_);
    if (CallEntry* entry = registry_.Find(tenant_id, id)) {
      // The state as of now, answered once it is durable (later changes are not waited for).
      v1::Call copy = entry->call;
      const int64_t sequence = entry->last_sequence;
      lock.Release();
      if (!tenant_id.empty()) {
        if (auto s = CheckTenant(copy, tenant_id, id); !s.ok()) {
          return AnswerWhenDurable<v1::Call>(sequence, s, std::move(done));
        }
      }
      return AnswerWhenDurable<v1::Call>(sequence, std::move(copy), std::move(done));
    }
  }
  runtime_.readers->Post([this, tenant_id, id, done = std::move(done)] {
    auto found = store_->FindCall(tenant_id, id);
    if (!found.ok()) return done(found.status());
    if (!found->has_value()) {
      return done(absl::NotFoundError("call " + IdForMessage(id) + " not found"));
    }
    if (!tenant_id.empty()) {
      if (auto s = CheckTenant(**found, tenant_id, id); !s.ok()) return done(s);
    }
    done(std::move(**found));
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
  for (const auto& [set, ts, name] :
       {std::tuple{request.has_start_time(), &request.start_time(), "start_time"},
        {request.has_end_time(), &request.end_time(), "end_time"}}) {
    if (set && !IsValidTimestamp(*ts)) {
      return done(
          absl::InvalidArgumentError(std::string(name) + " is not a timestamp of years 1 to 9999"));
    }
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
  runtime_.readers->Post([this, query, done = std::move(done)]() mutable {
    const int page = query.limit;
    query.limit = page + 1;  // one more tells whether another page exists
    auto calls = store_->ListCalls(query);
    if (!calls.ok()) return done(calls.status());
    v1::ListCallsResponse response;
    bool more = static_cast<int>(calls->size()) > page;
    if (more) calls->resize(page);
    // A page also ends before it passes kMaxPageBytes (at least one call), so a client's 4 MiB
    // receive limit is never reached; the token resumes after the last call sent.
    size_t bytes = 0;
    for (auto& c : *calls) {
      const size_t size = c.ByteSizeLong();
      if (response.calls_size() > 0 && bytes + size > kMaxPageBytes) {
        more = true;
        break;
      }
      bytes += size;
      *response.add_calls() = std::move(c);
    }
    if (more) {
      response.set_next_page_token(EncodePageToken(response.calls(response.calls_size() - 1)));
    }
    done(std::move(response));
  });
}

void CallManager::ReportProviderEvent(const ReportProviderEventRequest& request,
                                      Callback<ReportProviderEventResponse> done) {
  if (config_->FindTenant(request.tenant_id()) == nullptr) {
    return done(absl::InvalidArgumentError("unknown tenant"));
  }
  if (absl::Status checked = CheckProviderEvent(request); !checked.ok()) return done(checked);
  if (absl::Status writable = CheckWritable(); !writable.ok()) return done(writable);
  // The provider id that names this call (a leg, never a session shared by legs).
  const providers::Provider* provider = providers::FindProvider(request.provider());
  if (provider == nullptr) return done(absl::InvalidArgumentError("unsupported provider"));
  const std::string provider_id = provider->PrimaryId(request.provider_ids());
  if (request.call_id().empty() && provider_id.empty()) {
    return done(absl::InvalidArgumentError(
        "the event names no call (call_id, CallSid, call_control_id or execution id)"));
  }
  ProviderReport report = ReportFrom(request);
  auto reply = [done = std::move(done)](absl::StatusOr<Applied> applied) {
    if (!applied.ok()) return done(applied.status());
    ReportProviderEventResponse response;
    response.set_applied(applied->changed);
    response.set_call_id(applied->call_id);
    done(std::move(response));
  };

  absl::ReleasableMutexLock lock(&mu_);
  CallEntry* entry = request.call_id().empty() ? nullptr : registry_.FindById(request.call_id());
  if (entry == nullptr && !provider_id.empty()) {
    entry = registry_.Find(request.tenant_id(), provider_id);
  }
  if (entry != nullptr) {
    if (entry->call.tenant_id() != request.tenant_id()) {
      lock.Release();
      return reply(absl::InvalidArgumentError("the event names a call of another tenant"));
    }
    return ApplyLocked(entry, report, lock, /*want_call=*/false, std::move(reply));
  }
  lock.Release();
  // Not in memory: a call that ended a while ago, or one never seen. Ask the store.
  runtime_.readers->Post(
      [this, request, provider_id, report = std::move(report), reply = std::move(reply)]() mutable {
        ReportUnknownCall(request, provider_id, report, std::move(reply));
      });
}

void CallManager::ReportUnknownCall(const ReportProviderEventRequest& request,
                                    const std::string& provider_id, const ProviderReport& report,
                                    Callback<Applied> reply) {
  const std::string& id = request.call_id().empty() ? provider_id : request.call_id();
  auto stored = store_->FindCall(request.tenant_id(), id);
  if (!stored.ok()) return reply(stored.status());
  if (stored->has_value()) {
    // Only ended calls leave memory, and an ended call's status absorbs every later report;
    // but a recording or a price reported after the end still belongs to it.
    if (!report.recording.has_value() && !report.price.has_value()) {
      Applied applied;
      applied.call_id = (*stored)->call_id();
      return reply(std::move(applied));
    }
    if ((*stored)->tenant_id() != request.tenant_id()) {
      return reply(absl::InvalidArgumentError("the event names a call of another tenant"));
    }
    // Its StartCall fingerprint comes back with it, so an idempotent retry of that StartCall
    // still replays the call instead of being refused as a different request.
    std::string request_hash;
    if (const std::string& key = (*stored)->idempotency_key(); !key.empty()) {
      auto keyed = store_->FindByIdempotencyKey((*stored)->tenant_id(), key);
      if (!keyed.ok()) return reply(keyed.status());
      if (keyed->has_value()) request_hash = (*keyed)->second;
    }
    absl::ReleasableMutexLock lock(&mu_);
    CallEntry* entry = registry_.FindById((*stored)->call_id());
    if (entry == nullptr) {
      // Back into memory for a while; the loaded totals already count it.
      entry = registry_.Add(std::move(**stored), std::move(request_hash), /*count=*/false);
      entry->persisted_ids = entry->call.provider_ids();
    }
    return ApplyLocked(entry, report, lock, /*want_call=*/false, std::move(reply));
  }
  if (!request.call_id().empty()) {
    return reply(absl::NotFoundError("call " + IdForMessage(request.call_id()) + " not found"));
  }
  absl::ReleasableMutexLock lock(&mu_);
  if (CallEntry* entry = registry_.Find(request.tenant_id(), provider_id)) {
    // Created by a concurrent report for the same provider id.
    return ApplyLocked(entry, report, lock, /*want_call=*/false, std::move(reply));
  }
  if (report.status == v1::CALL_STATUS_UNSPECIFIED) {
    lock.Release();
    return reply(Applied{});  // nothing to record about an unknown call
  }
  // A call placed outside callcontrol (another app on the account, an inbound call): track it.
  const absl::Time now = Now();
  v1::Call call;
  call.set_call_id(NewCallId(now));
  call.set_tenant_id(request.tenant_id());
  call.set_provider(request.provider());
  call.set_status(v1::CALL_STATUS_QUEUED);
  SetTimestamp(now, call.mutable_create_time());
  {
    CallEntry untracked;
    untracked.call = call;
    if (absl::Status ids = registry_.CheckProviderIds(untracked, report.provider_ids); !ids.ok()) {
      lock.Release();
      return reply(ids);  // one of its ids already names a call that lacks the others
    }
  }
  CallProgress progress;
  ApplyReport(report, now, &call, &progress, RateFor(call));
  call.set_version(1);
  CallEntry* entry = AddLocked(std::move(call), "");
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
}

}  // namespace callcontrol::calls
