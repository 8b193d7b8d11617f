// CallManager's part of the voice-clone pre-call flow: inbound calls, clone jobs (start, retry
// within the deadline, time out, cancel on hangup, resume after a restart), voice samples and
// the agent token. Same threading rules as call_manager.cc: memory under mu_, provider requests
// on provider workers, store reads off the gRPC threads.
#include <boost/asio/post.hpp>

#include "absl/strings/ascii.h"
#include "common/logging.h"
#include "server/calls/agent_token.h"
#include "server/calls/call_ids.h"
#include "server/calls/call_manager.h"
#include "server/calls/call_status.h"
#include "server/calls/voice_sample.h"

namespace callcontrol::calls {
namespace {

using internal::v1::GetCloneProgressRequest;
using internal::v1::GetCloneProgressResponse;
using internal::v1::StartInboundCallRequest;
using internal::v1::StartInboundCallResponse;

bool IsCloneTerminal(v1::CloneState state) {
  return state == v1::CLONE_STATE_COMPLETED || state == v1::CLONE_STATE_FAILED ||
         state == v1::CLONE_STATE_TIMED_OUT || state == v1::CLONE_STATE_CANCELED;
}

std::string Digits(const std::string& number) {
  std::string out;
  for (char c : number) {
    if (absl::ascii_isdigit(static_cast<unsigned char>(c))) out.push_back(c);
  }
  return out;
}

const std::shared_ptr<spdlog::logger>& Logger() {
  static const std::shared_ptr<spdlog::logger> logger = logging::Get("clone");
  return logger;
}

}  // namespace

void CallManager::CancelCloneIfCallEnded(v1::Call* call, absl::Time now) {
  if (!call->has_clone() || !IsTerminal(call->status()) || IsCloneTerminal(call->clone().state())) {
    return;
  }
  v1::CloneJob* job = call->mutable_clone();
  job->set_state(v1::CLONE_STATE_CANCELED);
  job->set_error("the caller hung up while the voice was being cloned");
  SetTimestamp(now, job->mutable_update_time());
  SetTimestamp(now, job->mutable_end_time());
}

void CallManager::RunAfter(absl::Duration delay, std::function<void()> fn) {
  auto timer = std::make_shared<boost::asio::steady_timer>(*provider_workers_,
                                                           absl::ToChronoMilliseconds(delay));
  {
    std::lock_guard lock(timers_mu_);
    if (timers_canceled_) return;
    timers_.insert(timer);
  }
  timer->async_wait([this, timer, fn = std::move(fn)](const boost::system::error_code& error) {
    {
      std::lock_guard lock(timers_mu_);
      timers_.erase(timer);
    }
    if (!error) fn();
  });
}

void CallManager::CancelTimers() {
  std::lock_guard lock(timers_mu_);
  timers_canceled_ = true;
  for (const auto& timer : timers_) timer->cancel();
}

void CallManager::SetCloneStateLocked(CallEntry* entry, v1::CloneState state,
                                      const std::string& voice_id, const std::string& error) {
  v1::CloneJob* job = entry->call.mutable_clone();
  if (IsCloneTerminal(job->state())) return;
  const absl::Time now = absl::Now();
  job->set_state(state);
  if (!voice_id.empty()) job->set_voice_id(voice_id);
  if (!error.empty()) job->set_error(error);
  SetTimestamp(now, job->mutable_update_time());
  if (IsCloneTerminal(state)) SetTimestamp(now, job->mutable_end_time());
  entry->call.set_version(entry->call.version() + 1);
  SetTimestamp(now, entry->call.mutable_update_time());
  Logger()->info("clone call_id={} state={} attempts={}{}", entry->call.call_id(),
                 v1::CloneState_Name(state), job->attempts(),
                 error.empty() ? "" : " error=" + error);
  CommitLocked(entry, v1::EVENT_TYPE_CALL_UPDATED, [id = entry->call.call_id()](absl::Status s) {
    if (!s.ok()) Logger()->error("clone state of call_id={} not recorded: {}", id, s.message());
  });
}

void CallManager::ScheduleCloneLocked(const CallEntry& entry) {
  const std::string call_id = entry.call.call_id();
  const absl::Duration until_deadline = FromTimestamp(entry.call.clone().deadline()) - absl::Now();
  RunAfter(std::max(until_deadline, absl::ZeroDuration()), [this, call_id] {
    std::lock_guard lock(mu_);
    CallEntry* entry = registry_.Find(call_id);
    if (entry == nullptr || !entry->call.has_clone()) return;
    const config::TenantConfig* tenant = config_->FindTenant(entry->call.tenant_id());
    const int64_t wait = tenant == nullptr ? 0 : tenant->clone.max_wait_seconds;
    SetCloneStateLocked(
        entry, v1::CLONE_STATE_TIMED_OUT, "",
        "no voice from the voice-clone provider within " + std::to_string(wait) + " s");
  });
  boost::asio::post(*clone_workers_, [this, call_id] { RunCloneAttempt(call_id); });
}

void CallManager::RunCloneAttempt(const std::string& call_id) {
  std::string tenant_id, caller, base_url, api_key;
  absl::Time deadline;
  {
    std::lock_guard lock(mu_);
    CallEntry* entry = registry_.Find(call_id);
    if (entry == nullptr || !entry->call.has_clone() ||
        IsCloneTerminal(entry->call.clone().state())) {
      return;
    }
    const config::TenantConfig* tenant = config_->FindTenant(entry->call.tenant_id());
    if (tenant == nullptr) return;
    tenant_id = tenant->id;
    caller = entry->call.from();
    base_url = tenant->clone.voice_api_base_url;
    api_key = tenant->clone.voice_api_key;
    deadline = FromTimestamp(entry->call.clone().deadline());
    entry->call.mutable_clone()->set_attempts(entry->call.clone().attempts() + 1);
    SetCloneStateLocked(entry, v1::CLONE_STATE_PROCESSING, "", "");
  }
  auto finish = [this, &call_id](v1::CloneState state, const std::string& voice_id,
                                 const std::string& error) {
    std::lock_guard lock(mu_);
    if (CallEntry* entry = registry_.Find(call_id)) {
      SetCloneStateLocked(entry, state, voice_id, error);
    }
  };
  auto sample = store_->ReadSample(tenant_id, caller);
  if (!sample.ok()) {
    return finish(v1::CLONE_STATE_FAILED, "", "reading the voice sample failed");
  }
  if (!sample->has_value()) {
    return finish(v1::CLONE_STATE_FAILED, "", "no voice sample stored for caller " + caller);
  }
  const absl::Duration remaining = deadline - absl::Now();
  if (remaining <= absl::ZeroDuration()) return;  // the deadline timer ends the job
  providers::VoiceSample upload;
  upload.audio = std::move((*sample)->audio);
  upload.content_type = (*sample)->content_type;
  upload.filename = "sample-" + Digits(caller);
  auto voice = voice_->AddVoice(
      base_url, api_key, "callcontrol-" + call_id + "-" + Digits(caller), upload,
      absl::ToChronoMilliseconds(std::min(remaining, options_.clone_request_timeout)));
  if (voice.ok()) return finish(v1::CLONE_STATE_COMPLETED, voice->voice_id, "");
  if (!absl::IsUnavailable(voice.status())) {
    return finish(v1::CLONE_STATE_FAILED, "", std::string(voice.status().message()));
  }
  // Transient: try again after a backoff, while time remains (the deadline timer ends it).
  int attempts = 1;
  {
    std::lock_guard lock(mu_);
    if (CallEntry* entry = registry_.Find(call_id); entry != nullptr && entry->call.has_clone()) {
      attempts = entry->call.clone().attempts();
    }
  }
  const absl::Duration backoff = options_.clone_retry_backoff * (1 << std::min(attempts - 1, 5));
  Logger()->info("clone call_id={} attempt {} failed transiently: {}; retrying in {} ms", call_id,
                 attempts, voice.status().message(), absl::ToInt64Milliseconds(backoff));
  if (absl::Now() + backoff < deadline) {
    RunAfter(backoff, [this, call_id] {
      boost::asio::post(*clone_workers_, [this, call_id] { RunCloneAttempt(call_id); });
    });
  }
}

void CallManager::StartInboundCall(const StartInboundCallRequest& request,
                                   Callback<StartInboundCallResponse> done) {
  const config::TenantConfig* tenant = config_->FindTenant(request.tenant_id());
  if (tenant == nullptr) {
    return done(absl::InvalidArgumentError("unknown tenant \"" + request.tenant_id() + "\""));
  }
  const std::string& call_sid = request.provider_ids().call_sid();
  if (call_sid.empty()) return done(absl::InvalidArgumentError("the call has no CallSid"));
  auto reply = [](const v1::Call& call) {
    StartInboundCallResponse response;
    response.set_call_id(call.call_id());
    if (call.has_clone()) *response.mutable_clone() = call.clone();
    return response;
  };
  std::unique_lock lock(mu_);
  if (CallEntry* existing = registry_.Find(call_sid)) {  // a retried webhook
    if (existing->call.tenant_id() != tenant->id) {
      lock.unlock();
      return done(absl::InvalidArgumentError("the CallSid belongs to another tenant's call"));
    }
    // The first delivery may still be committing: answer once what this shows is durable.
    StartInboundCallResponse response = reply(existing->call);
    const int64_t sequence = existing->last_sequence;
    lock.unlock();
    return AnswerWhenDurable<StartInboundCallResponse>(sequence, std::move(response),
                                                       std::move(done));
  }
  const absl::Time now = absl::Now();
  v1::Call call;
  call.set_call_id(NewCallId(now));
  call.set_tenant_id(tenant->id);
  call.set_provider(request.provider() == v1::PROVIDER_UNSPECIFIED ? tenant->provider
                                                                   : request.provider());
  *call.mutable_provider_ids() = request.provider_ids();
  call.set_direction(v1::CALL_DIRECTION_INBOUND);
  call.set_from(request.from());
  call.set_to(request.to());
  call.set_status(v1::CALL_STATUS_RINGING);
  call.set_provider_status(request.provider_status());
  SetTimestamp(now, call.mutable_create_time());
  SetTimestamp(now, call.mutable_update_time());
  call.set_version(1);
  if (tenant->clone.enabled) {
    v1::CloneJob* job = call.mutable_clone();
    job->set_state(v1::CLONE_STATE_PENDING);
    SetTimestamp(now, job->mutable_create_time());
    SetTimestamp(now, job->mutable_update_time());
    SetTimestamp(now + absl::Seconds(tenant->clone.max_wait_seconds), job->mutable_deadline());
  }
  CallEntry* entry = registry_.Add(std::move(call), "");
  MetricsMovedLocked(entry->call.tenant_id());
  StartInboundCallResponse response = reply(entry->call);
  const bool clone = entry->call.has_clone();
  const std::string call_id = entry->call.call_id();
  CommitLocked(entry, v1::EVENT_TYPE_CALL_CREATED,
               [this, clone, call_id, response = std::move(response),
                done = std::move(done)](absl::Status s) mutable {
                 if (!s.ok()) return done(s);
                 if (clone) {
                   std::lock_guard lock(mu_);
                   if (CallEntry* e = registry_.Find(call_id)) ScheduleCloneLocked(*e);
                 }
                 done(std::move(response));
               });
}

void CallManager::GetCloneStatus(const std::string& tenant_id, const std::string& id,
                                 Callback<v1::GetCloneStatusResponse> done) {
  if (id.empty()) return done(absl::InvalidArgumentError("call_id is required"));
  FindCall(tenant_id, id, [done = std::move(done)](absl::StatusOr<v1::Call> call) {
    if (!call.ok()) return done(call.status());
    if (!call->has_clone()) {
      return done(absl::NotFoundError("call " + call->call_id() + " has no clone job"));
    }
    v1::GetCloneStatusResponse response;
    response.set_call_id(call->call_id());
    *response.mutable_clone() = call->clone();
    done(std::move(response));
  });
}

void CallManager::GetCloneProgress(const GetCloneProgressRequest& request,
                                   Callback<GetCloneProgressResponse> done) {
  const config::TenantConfig* tenant = config_->FindTenant(request.tenant_id());
  if (tenant == nullptr) {
    return done(absl::InvalidArgumentError("unknown tenant \"" + request.tenant_id() + "\""));
  }
  if (request.call_id().empty()) return done(absl::InvalidArgumentError("call_id is required"));
  FindCall(tenant->id, request.call_id(),
           [tenant, done = std::move(done)](absl::StatusOr<v1::Call> call) {
             if (!call.ok()) return done(call.status());
             if (!call->has_clone()) {
               return done(absl::NotFoundError("call " + call->call_id() + " has no clone job"));
             }
             GetCloneProgressResponse response;
             response.set_call_id(call->call_id());
             *response.mutable_clone() = call->clone();
             const v1::CloneJob& job = call->clone();
             const absl::Time now = absl::Now();
             const bool failed =
                 (IsCloneTerminal(job.state()) && job.state() != v1::CLONE_STATE_COMPLETED) ||
                 (!IsCloneTerminal(job.state()) && now >= FromTimestamp(job.deadline()));
             std::string voice_id;
             if (job.state() == v1::CLONE_STATE_COMPLETED) {
               voice_id = job.voice_id();
             } else if (failed && tenant->clone.on_failure ==
                                      config::CloneFlow::OnFailure::kConnectDefaultVoice) {
               voice_id = tenant->clone.default_voice_id;
             }
             if (!voice_id.empty()) {
               AgentClaims claims;
               claims.call_id = call->call_id();
               claims.tenant_id = tenant->id;
               claims.voice_id = voice_id;
               claims.expires = now + absl::Seconds(tenant->clone.agent_token_ttl_seconds);
               response.set_voice_id(voice_id);
               response.set_agent_token(MakeAgentToken(claims, tenant->clone.agent_token_secret));
             }
             done(std::move(response));
           });
}

void CallManager::PutVoiceSample(const std::string& tenant_id,
                                 const v1::PutVoiceSampleRequest& request,
                                 Callback<v1::PutVoiceSampleResponse> done) {
  if (!IsE164(request.caller_number())) {
    return done(absl::InvalidArgumentError(
        "caller_number must be an E.164 number like +14155550100, got \"" +
        request.caller_number().substr(0, 32) + "\""));
  }
  auto content_type = CheckVoiceSample(request.audio(), request.content_type());
  if (!content_type.ok()) return done(content_type.status());
  const absl::Time now = absl::Now();
  store::Mutation mutation;
  store::SampleRow& row = mutation.sample.emplace();
  row.tenant_id = tenant_id;
  row.caller_number = request.caller_number();
  row.content_type = *content_type;
  row.audio = request.audio();
  row.update_time_us = absl::ToUnixMicros(now);
  v1::PutVoiceSampleResponse response;
  response.set_caller_number(request.caller_number());
  response.set_size_bytes(static_cast<int64_t>(request.audio().size()));
  response.set_content_type(*content_type);
  SetTimestamp(now, response.mutable_update_time());
  store_->Submit(std::move(mutation),
                 [response = std::move(response), done = std::move(done)](absl::Status s) mutable {
                   if (!s.ok()) return done(s);
                   done(std::move(response));
                 });
}

}  // namespace callcontrol::calls
