// CallManager's outbound side: StartCall (checks in start_call_request.h; the call is durable
// before its provider is asked) and HangupCall (every live leg of the session, through the
// provider's CallClient). Provider requests run on the provider workers, retried on the call
// domain's timers (provider_retry.h).
#include <memory>
#include <optional>
#include <utility>

#include "absl/time/time.h"
#include "common/http/http_client.h"
#include "common/logging.h"
#include "providers/registry.h"
#include "server/calls/call_ids.h"
#include "server/calls/call_manager.h"
#include "server/calls/call_records.h"
#include "server/calls/call_status.h"

namespace callcontrol::calls {
namespace {

const std::shared_ptr<spdlog::logger>& Logger() {
  static const std::shared_ptr<spdlog::logger> logger = logging::Get("calls");
  return logger;
}

// The answer of a request whose retry the shutdown canceled: the call is left as it is.
absl::Status ShuttingDown(const absl::Status& canceled) {
  return absl::UnavailableError("callcontrold is shutting down (" +
                                std::string(canceled.message()) + "); try again");
}

}  // namespace

void CallManager::StartCall(const std::string& tenant_id, const v1::StartCallRequest& request,
                            Callback<v1::Call> done) {
  auto checked = CheckStartCall(*config_, *clients_, tenant_id, request);
  if (!checked.ok()) return done(checked.status());
  if (absl::Status writable = CheckWritable(); !writable.ok()) return done(writable);
  NewCall call = *std::move(checked);
  if (call.idempotency_key.empty()) return CreateAndDial(std::move(call), std::move(done));
  {
    absl::ReleasableMutexLock lock(&mu_);
    if (CallEntry* entry = registry_.FindByIdempotencyKey(tenant_id, call.idempotency_key)) {
      auto result = ReplayIdempotent(entry->call, entry->request_hash, call);
      const int64_t sequence = entry->last_sequence;
      lock.Release();
      return AnswerWhenDurable(sequence, std::move(result), std::move(done));
    }
  }
  // The key is not in memory: an older call may still hold it on disk.
  runtime_.readers->Post([this, call = std::move(call), done = std::move(done)]() mutable {
    auto found = store_->FindByIdempotencyKey(call.dial.tenant->id, call.idempotency_key);
    if (!found.ok()) return done(found.status());
    if (found->has_value()) {
      return done(ReplayIdempotent((*found)->first, (*found)->second, call));
    }
    CreateAndDial(std::move(call), std::move(done));
  });
}

void CallManager::CreateAndDial(NewCall call, Callback<v1::Call> done) {
  absl::ReleasableMutexLock lock(&mu_);
  const config::TenantConfig* tenant = call.dial.tenant;
  // A concurrent request with the same key may have created the call meanwhile.
  if (!call.idempotency_key.empty()) {
    if (CallEntry* entry = registry_.FindByIdempotencyKey(tenant->id, call.idempotency_key)) {
      auto result = ReplayIdempotent(entry->call, entry->request_hash, call);
      const int64_t sequence = entry->last_sequence;
      lock.Release();
      return AnswerWhenDurable(sequence, std::move(result), std::move(done));
    }
  }
  const absl::Time now = Now();
  v1::Call c;
  c.set_call_id(NewCallId(now));
  c.set_tenant_id(tenant->id);
  c.set_provider(tenant->provider);
  c.set_direction(v1::CALL_DIRECTION_OUTBOUND);
  c.set_from(call.dial.from);
  c.set_to(call.dial.to);
  c.set_status(v1::CALL_STATUS_QUEUED);
  SetTimestamp(now, c.mutable_create_time());
  SetTimestamp(now, c.mutable_update_time());
  c.set_idempotency_key(call.idempotency_key);
  c.set_version(1);
  call.dial.call_id = c.call_id();
  CallEntry* entry = AddLocked(std::move(c), call.request_hash);
  // Durable before the provider is asked, so a crash after this point leaves a record.
  CommitLocked(entry, v1::EVENT_TYPE_CALL_CREATED,
               [this, call = std::move(call), done = std::move(done)](absl::Status s) mutable {
                 if (!s.ok()) return done(s);
                 DialWithProvider(std::move(call), std::move(done));
               });
}

void CallManager::DialWithProvider(NewCall call, Callback<v1::Call> done) {
  const providers::CallClient* client = call.client;
  auto request = std::make_shared<const providers::DialRequest>(call.dial);
  auto update = std::make_shared<providers::CallUpdate>();
  RunWithRetries(
      runtime_.provider_workers, runtime_.timers,
      Retries(client->dial_retryable() ? options_.provider_attempts : 1),
      [client, request, update]() -> absl::Status {
        auto dialed = client->Dial(*request);
        if (!dialed.ok()) return dialed.status();
        *update = *std::move(dialed);
        return absl::OkStatus();
      },
      [this, call = std::move(call), update, done = std::move(done)](absl::Status status) mutable {
        if (absl::IsCancelled(status)) return done(ShuttingDown(status));
        if (!status.ok() && http::RequestMayHaveArrived(status)) {
          return ApplyDialUnknown(call, status, std::move(done));
        }
        if (!status.ok()) return ApplyDialFailure(call, status, std::move(done));
        ApplyAndReply(call.dial.call_id, ReportOf(*update), std::move(done));
      });
}

void CallManager::ApplyDialFailure(const NewCall& call, const absl::Status& error,
                                   Callback<v1::Call> done) {
  Logger()->warn("provider request failed call_id={} tenant={} error={}", call.dial.call_id,
                 call.dial.tenant->id, error.message());
  ProviderReport report;
  report.status = v1::CALL_STATUS_FAILED;
  report.error_message = std::string(error.message());
  ApplyAndReply(call.dial.call_id, report,
                [error, done = std::move(done)](absl::StatusOr<v1::Call>) { done(error); });
}

void CallManager::ApplyDialUnknown(const NewCall& call, const absl::Status& error,
                                   Callback<v1::Call> done) {
  const std::string& call_id = call.dial.call_id;
  Logger()->warn(
      "provider answer lost call_id={} tenant={} error={}: the call may exist; it stays QUEUED "
      "for its callbacks",
      call_id, call.dial.tenant->id, error.message());
  const absl::Status answer = absl::DeadlineExceededError(
      std::string(error.message()) + "; call " + call_id +
      " may have been placed: it stays QUEUED until the provider's callbacks say (a retry with "
      "the same idempotency key returns it)");
  absl::ReleasableMutexLock lock(&mu_);
  CallEntry* entry = registry_.FindById(call_id);
  if (entry != nullptr && !IsTerminal(entry->call.status()) && !HasProviderId(entry->call)) {
    if (MarkUnconfirmedLocked(entry)) {
      CommitLocked(entry, v1::EVENT_TYPE_CALL_UPDATED,
                   [answer, done = std::move(done)](absl::Status s) { done(s.ok() ? answer : s); });
      return;
    }
  }
  lock.Release();
  // A callback confirmed the call meanwhile (or it ended): answer with it.
  FindCall(/*tenant_id=*/"", call_id, std::move(done));
}

bool CallManager::MarkUnconfirmedLocked(CallEntry* entry) {
  const absl::Time now = Now();
  const absl::Time expires =
      FromTimestamp(entry->call.create_time()) + options_.unconfirmed_dial_timeout;
  if (expires <= now) return false;
  entry->progress.dial_unconfirmed = true;
  entry->call.set_version(entry->call.version() + 1);
  SetTimestamp(now, entry->call.mutable_update_time());
  runtime_.timers->RunAfter(expires - now, [this, id = entry->call.call_id()](absl::Status fired) {
    if (fired.ok()) ExpireUnconfirmed(id);
  });
  return true;
}

void CallManager::ExpireUnconfirmed(const std::string& call_id) {
  absl::MutexLock lock(&mu_);
  CallEntry* entry = registry_.FindById(call_id);
  if (entry == nullptr || !entry->progress.dial_unconfirmed || IsTerminal(entry->call.status()) ||
      HasProviderId(entry->call)) {
    return;  // confirmed or ended meanwhile
  }
  Logger()->warn("unconfirmed dial expired call_id={}: no provider callback came", call_id);
  FailLocked(entry,
             "the provider never confirmed the call: its answer to the dial was lost and "
             "no callback came within " +
                 absl::FormatDuration(options_.unconfirmed_dial_timeout));
}

bool CallManager::DeferHangup(const std::string& tenant_id, const std::string& id,
                              Callback<v1::Call>* done) {
  absl::ReleasableMutexLock lock(&mu_);
  CallEntry* entry = registry_.Find(tenant_id, id);
  if (entry == nullptr || entry->call.tenant_id() != tenant_id ||
      !entry->progress.dial_unconfirmed || IsTerminal(entry->call.status()) ||
      HasProviderId(entry->call)) {
    return false;
  }
  Logger()->info("hangup of unconfirmed call_id={} deferred until the provider confirms it",
                 entry->call.call_id());
  if (entry->progress.hangup_requested) {
    v1::Call copy = entry->call;
    const int64_t sequence = entry->last_sequence;
    lock.Release();
    AnswerWhenDurable<v1::Call>(sequence, std::move(copy), std::move(*done));
    return true;
  }
  entry->progress.hangup_requested = true;
  entry->call.set_version(entry->call.version() + 1);
  SetTimestamp(Now(), entry->call.mutable_update_time());
  CommitLocked(entry, v1::EVENT_TYPE_CALL_UPDATED,
               [copy = entry->call, done = std::move(*done)](absl::Status s) mutable {
                 if (!s.ok()) return done(s);
                 done(std::move(copy));
               });
  return true;
}

void CallManager::RunDeferredHangupLocked(CallEntry* entry) {
  entry->progress.hangup_requested = false;
  Logger()->info("call_id={} confirmed by its provider: running the deferred hangup",
                 entry->call.call_id());
  runtime_.readers->Post(
      [this, tenant_id = entry->call.tenant_id(), call_id = entry->call.call_id()] {
        HangupCall(tenant_id, call_id, [call_id](absl::StatusOr<v1::Call> call) {
          if (!call.ok()) {
            Logger()->warn("deferred hangup of call_id={} failed: {}", call_id,
                           call.status().message());
          }
        });
      });
}

std::vector<v1::Call> CallManager::LiveLinkedLegs(const v1::Call& call,
                                                  const providers::Provider& provider) {
  std::vector<v1::Call> legs;
  absl::MutexLock lock(&mu_);
  for (const std::string& linked : call.linked_call_ids()) {
    CallEntry* leg = registry_.FindById(linked);
    if (leg != nullptr && leg->call.provider() == call.provider() &&
        !IsTerminal(leg->call.status()) && !provider.PrimaryId(leg->call.provider_ids()).empty()) {
      legs.push_back(leg->call);
    }
  }
  return legs;
}

void CallManager::HangupCall(const std::string& tenant_id, const std::string& id,
                             Callback<v1::Call> done) {
  if (id.empty()) return done(absl::InvalidArgumentError("call_id is required"));
  const config::TenantConfig* tenant = config_->FindTenant(tenant_id);
  if (tenant == nullptr) return done(absl::InvalidArgumentError("unknown tenant " + tenant_id));
  if (absl::Status writable = CheckWritable(); !writable.ok()) return done(writable);
  if (DeferHangup(tenant_id, id, &done)) return;
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
    std::vector<v1::Call> legs = LiveLinkedLegs(*call, *provider);
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
  RunWithRetries(
      runtime_.provider_workers, runtime_.timers, Retries(options_.provider_attempts),
      [client, tenant, leg, update]() -> absl::Status {
        auto answered = client->Hangup(*tenant, *leg);
        if (!answered.ok()) return answered.status();
        *update = *std::move(answered);
        return absl::OkStatus();
      },
      [this, call_id, tenant, client, leg, update, legs = std::move(legs),
       done = std::move(done)](absl::Status status) mutable {
        if (absl::IsCancelled(status)) return done(ShuttingDown(status));
        if (!status.ok()) {
          Logger()->warn("hangup failed call_id={} leg={} error={}", call_id, leg->call_id(),
                         status.message());
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

}  // namespace callcontrol::calls
