// CallManager's part of the voice-clone pre-call flow: inbound calls, clone jobs (start, retry
// within the deadline, time out, cancel on hangup, resume after a restart), voice samples and
// the agent token. The job's rules are clone_job.h's; this file carries them out: memory under
// mu_, voice-clone requests on the clone workers, deadlines and retries on the call domain's
// timers, store reads off the gRPC threads.
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "common/logging.h"
#include "server/calls/agent_token.h"
#include "server/calls/call_ids.h"
#include "server/calls/call_manager.h"
#include "server/calls/call_status.h"
#include "server/calls/clone_job.h"
#include "server/calls/report_limits.h"
#include "server/calls/voice_sample.h"

namespace callcontrol::calls {
namespace {

using internal::v1::GetCloneProgressRequest;
using internal::v1::GetCloneProgressResponse;
using internal::v1::StartInboundCallRequest;
using internal::v1::StartInboundCallResponse;

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

void CallManager::SetCloneStateLocked(CallEntry* entry, v1::CloneState state,
                                      const std::string& voice_id, const std::string& error) {
  const absl::Time now = Now();
  v1::CloneJob* job = entry->call.mutable_clone();
  if (!MoveCloneJob(job, state, now, voice_id, error)) return;
  entry->call.set_version(entry->call.version() + 1);
  SetTimestamp(now, entry->call.mutable_update_time());
  Logger()->info("clone call_id={} state={} attempts={}{}", entry->call.call_id(),
                 v1::CloneState_Name(state), job->attempts(),
                 error.empty() ? "" : " error=" + error);
  CommitLocked(entry, v1::EVENT_TYPE_CALL_UPDATED, [id = entry->call.call_id()](absl::Status s) {
    if (!s.ok()) Logger()->error("clone state of call_id={} not recorded: {}", id, s.message());
  });
}

void CallManager::ResumeCloneJobsLocked() {
  std::vector<CallEntry*> running;
  registry_.ForEach([&running](CallEntry* entry) {
    if (entry->call.has_clone() && !IsCloneTerminal(entry->call.clone().state())) {
      running.push_back(entry);
    }
  });
  for (CallEntry* entry : running) {
    if (Now() >= FromTimestamp(entry->call.clone().deadline())) {
      SetCloneStateLocked(entry, v1::CLONE_STATE_TIMED_OUT, "",
                          "callcontrold was restarted and the maximum wait passed meanwhile");
    } else {
      ScheduleCloneLocked(*entry);
    }
  }
}

void CallManager::ScheduleCloneLocked(const CallEntry& entry) {
  const std::string call_id = entry.call.call_id();
  const absl::Duration until_deadline = FromTimestamp(entry.call.clone().deadline()) - Now();
  runtime_.timers->RunAfter(until_deadline, [this, call_id](absl::Status fired) {
    if (!fired.ok()) return;  // shutdown: the job resumes at the next start
    absl::MutexLock lock(&mu_);
    CallEntry* entry = registry_.FindById(call_id);
    if (entry == nullptr || !entry->call.has_clone()) return;
    const config::TenantConfig* tenant = config_->FindTenant(entry->call.tenant_id());
    const int64_t wait = tenant == nullptr ? 0 : tenant->clone.max_wait_seconds;
    SetCloneStateLocked(
        entry, v1::CLONE_STATE_TIMED_OUT, "",
        "no voice from the voice-clone provider within " + std::to_string(wait) + " s");
  });
  runtime_.clone_workers->Post([this, call_id] { RunCloneAttempt(call_id); });
}

void CallManager::RunCloneAttempt(const std::string& call_id) {
  std::string tenant_id, caller, base_url, api_key;
  absl::Time deadline;
  {
    absl::MutexLock lock(&mu_);
    CallEntry* entry = registry_.FindById(call_id);
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
  auto sample = store_->ReadSample(tenant_id, caller);
  if (!sample.ok()) {
    return FinishCloneAttempt(call_id,
                              absl::FailedPreconditionError("reading the voice sample failed"));
  }
  if (!sample->has_value()) {
    return FinishCloneAttempt(
        call_id, absl::FailedPreconditionError("no voice sample stored for caller " + caller));
  }
  const absl::Duration remaining = deadline - Now();
  if (remaining <= absl::ZeroDuration()) return;  // the deadline timer ends the job
  providers::VoiceSample upload;
  upload.audio = std::move((*sample)->audio);
  upload.content_type = (*sample)->content_type;
  upload.filename = "sample-" + Digits(caller);
  auto voice = cloner_->AddVoice(
      base_url, api_key, "callcontrol-" + call_id + "-" + Digits(caller), upload,
      absl::ToChronoMilliseconds(std::min(remaining, options_.clone_request_timeout)));
  if (!voice.ok()) return FinishCloneAttempt(call_id, voice.status());
  FinishCloneAttempt(call_id, voice->voice_id);
}

void CallManager::FinishCloneAttempt(const std::string& call_id,
                                     const absl::StatusOr<std::string>& voice) {
  absl::MutexLock lock(&mu_);
  CallEntry* entry = registry_.FindById(call_id);
  if (entry == nullptr || !entry->call.has_clone() ||
      IsCloneTerminal(entry->call.clone().state())) {
    return;  // timed out or canceled meanwhile
  }
  const CloneStep step =
      AfterCloneAttempt(entry->call.clone(), voice, Now(), options_.clone_retry_backoff);
  switch (step.kind) {
    case CloneStep::Kind::kComplete:
      return SetCloneStateLocked(entry, v1::CLONE_STATE_COMPLETED, step.voice_id, "");
    case CloneStep::Kind::kFail:
      return SetCloneStateLocked(entry, v1::CLONE_STATE_FAILED, "", step.error);
    case CloneStep::Kind::kAwaitDeadline:
      Logger()->info("clone call_id={} attempt {} failed transiently: {}; no time for another",
                     call_id, entry->call.clone().attempts(), step.error);
      return;
    case CloneStep::Kind::kRetry:
      Logger()->info("clone call_id={} attempt {} failed transiently: {}; retrying in {} ms",
                     call_id, entry->call.clone().attempts(), step.error,
                     absl::ToInt64Milliseconds(step.retry_after));
      runtime_.timers->RunAfter(step.retry_after, [this, call_id](absl::Status fired) {
        if (!fired.ok()) return;
        runtime_.clone_workers->Post([this, call_id] { RunCloneAttempt(call_id); });
      });
      return;
  }
}

void CallManager::StartInboundCall(const StartInboundCallRequest& request,
                                   Callback<StartInboundCallResponse> done) {
  const config::TenantConfig* tenant = config_->FindTenant(request.tenant_id());
  if (tenant == nullptr) {
    return done(absl::InvalidArgumentError("unknown tenant"));
  }
  if (absl::Status checked = CheckInboundCall(request); !checked.ok()) return done(checked);
  if (absl::Status writable = CheckWritable(); !writable.ok()) return done(writable);
  const std::string& call_sid = request.provider_ids().call_sid();
  if (call_sid.empty()) return done(absl::InvalidArgumentError("the call has no CallSid"));
  {
    absl::ReleasableMutexLock lock(&mu_);
    if (CallEntry* existing = registry_.Find(tenant->id, call_sid)) {  // a retried webhook
      // The first delivery may still be committing: answer once what this shows is durable.
      StartInboundCallResponse response = InboundResponse(existing->call);
      const int64_t sequence = existing->last_sequence;
      lock.Release();
      return AnswerWhenDurable<StartInboundCallResponse>(sequence, std::move(response),
                                                         std::move(done));
    }
  }
  // Not in memory: it may still be on disk (a replay or a retry after a restart, or after the
  // call ended and left memory); never a second call for one CallSid.
  runtime_.readers->Post([this, tenant, request, done = std::move(done)]() mutable {
    auto stored = store_->FindCall(tenant->id, request.provider_ids().call_sid());
    if (!stored.ok()) return done(stored.status());
    if (stored->has_value()) return done(InboundResponse(**stored));
    CreateInboundCall(tenant, request, std::move(done));
  });
}

StartInboundCallResponse CallManager::InboundResponse(const v1::Call& call) {
  StartInboundCallResponse response;
  response.set_call_id(call.call_id());
  if (call.has_clone()) *response.mutable_clone() = call.clone();
  return response;
}

void CallManager::CreateInboundCall(const config::TenantConfig* tenant,
                                    const StartInboundCallRequest& request,
                                    Callback<StartInboundCallResponse> done) {
  absl::ReleasableMutexLock lock(&mu_);
  if (CallEntry* existing = registry_.Find(tenant->id, request.provider_ids().call_sid())) {
    // Created by a concurrent delivery meanwhile.
    StartInboundCallResponse response = InboundResponse(existing->call);
    const int64_t sequence = existing->last_sequence;
    lock.Release();
    return AnswerWhenDurable<StartInboundCallResponse>(sequence, std::move(response),
                                                       std::move(done));
  }
  const absl::Time now = Now();
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
    *call.mutable_clone() = NewCloneJob(now, absl::Seconds(tenant->clone.max_wait_seconds));
  }
  CallEntry* entry = AddLocked(std::move(call), "");
  StartInboundCallResponse response = InboundResponse(entry->call);
  const bool clone = entry->call.has_clone();
  const std::string call_id = entry->call.call_id();
  CommitLocked(entry, v1::EVENT_TYPE_CALL_CREATED,
               [this, clone, call_id, response = std::move(response),
                done = std::move(done)](absl::Status s) mutable {
                 if (!s.ok()) return done(s);
                 if (clone) {
                   absl::MutexLock lock(&mu_);
                   if (CallEntry* e = registry_.FindById(call_id)) ScheduleCloneLocked(*e);
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
    return done(absl::InvalidArgumentError("unknown tenant"));
  }
  if (request.call_id().empty()) return done(absl::InvalidArgumentError("call_id is required"));
  FindCall(tenant->id, request.call_id(),
           [this, tenant, done = std::move(done)](absl::StatusOr<v1::Call> call) {
             if (!call.ok()) return done(call.status());
             if (!call->has_clone()) {
               return done(absl::NotFoundError("call " + call->call_id() + " has no clone job"));
             }
             GetCloneProgressResponse response;
             response.set_call_id(call->call_id());
             *response.mutable_clone() = call->clone();
             const absl::Time now = Now();
             CloneAction next = NextCloneAction(call->clone(), tenant->clone, now);
             // An ended call is never connected: a replayed clone-status request of a call
             // that is over mints no agent token.
             if (IsTerminal(call->status())) next.action = internal::v1::CLONE_NEXT_ACTION_FAIL;
             response.set_next_action(next.action);
             if (next.action == internal::v1::CLONE_NEXT_ACTION_CONNECT) {
               AgentClaims claims;
               claims.call_id = call->call_id();
               claims.tenant_id = tenant->id;
               claims.voice_id = next.voice_id;
               claims.expires = now + absl::Seconds(tenant->clone.agent_token_ttl_seconds);
               response.set_voice_id(next.voice_id);
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
  if (absl::Status writable = CheckWritable(); !writable.ok()) return done(writable);
  const absl::Time now = Now();
  store::Mutation mutation;
  store::SampleRow& row = mutation.sample.emplace();
  row.tenant_id = tenant_id;
  row.caller_number = request.caller_number();
  row.content_type = *content_type;
  row.audio = request.audio();
  row.update_time_us = absl::ToUnixMicros(now);
  {
    // Counted before it is stored, so concurrent uploads cannot pass the quota together; a
    // failed commit gives the bytes back.
    absl::MutexLock lock(&mu_);
    const int64_t before = sample_size_[tenant_id + '\0' + row.caller_number];
    const int64_t after = static_cast<int64_t>(row.audio.size());
    int64_t& total = sample_bytes_[tenant_id];
    if (total - before + after > options_.max_sample_bytes_per_tenant) {
      return done(
          absl::ResourceExhaustedError("this tenant's voice samples would pass " +
                                       std::to_string(options_.max_sample_bytes_per_tenant) +
                                       " bytes (the limit); delete or replace some first"));
    }
    total += after - before;
    sample_size_[tenant_id + '\0' + row.caller_number] = after;
  }
  v1::PutVoiceSampleResponse response;
  response.set_caller_number(request.caller_number());
  response.set_size_bytes(static_cast<int64_t>(request.audio().size()));
  response.set_content_type(*content_type);
  SetTimestamp(now, response.mutable_update_time());
  store_->Submit(std::move(mutation), [this, tenant_id, size = response.size_bytes(),
                                       response = std::move(response),
                                       done = std::move(done)](absl::Status s) mutable {
    if (!s.ok()) {
      absl::MutexLock lock(&mu_);
      sample_bytes_[tenant_id] -= size;  // approximate: the replaced sample may still be stored
      return done(s);
    }
    done(std::move(response));
  });
}

}  // namespace callcontrol::calls
