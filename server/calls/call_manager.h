// The daemon's call domain: creates and ends calls through providers, applies provider reports
// through the state machine, records every change durably with its event, and answers reads.
//
// Threading: every method returns at once and completes through its callback, which runs on a
// store, reader or provider thread, never on the caller's (a gRPC thread). Memory state is
// changed under one mutex that is never held across I/O; each change gets the next event
// sequence and is queued to the store's group-commit writer in that order; the callback runs
// after the change is on disk. Reads answer only durable state: a read copies the call under the
// mutex and answers with that copy once the entry's last change is committed (DurableGate), so
// nobody sees a change a crash could still lose. Provider REST calls run on the provider
// workers, voice-clone uploads on the clone workers, disk reads on the readers; every wait is a
// timer of CallRuntime::timers (runtime.h), so a test drives all of it on a fake clock.
// Parts: StartCall checks (start_call_request.h), rows and events (call_records.h), the durable
// gate, the metrics publisher, provider retries (provider_retry.h), clone jobs (clone_job.h).
// Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "callcontrol/internal/v1/provider_event_service.pb.h"
#include "callcontrol/v1/call_control_service.pb.h"
#include "common/config/config.h"
#include "providers/provider.h"
#include "server/calls/call_registry.h"
#include "server/calls/durable_gate.h"
#include "server/calls/metrics_publisher.h"
#include "server/calls/provider_clients.h"
#include "server/calls/provider_retry.h"
#include "server/calls/runtime.h"
#include "server/calls/start_call_request.h"
#include "server/providers/voice_clone_client.h"
#include "server/store/call_store.h"

namespace callcontrol::calls {

class CallManager {
 public:
  template <typename T>
  using Callback = std::function<void(absl::StatusOr<T>)>;

  struct Options {
    CallRegistry::Options registry;
    // Attempts at a provider request that failed transiently (5xx, 429, timeout): hangups, and
    // dials of providers whose CallClient::dial_retryable() (a create that is not idempotent is
    // sent once). Waits `provider_backoff`, doubling, between attempts.
    int provider_attempts = 4;
    absl::Duration provider_backoff = absl::Milliseconds(200);
    // metrics:updated events are coalesced: at most one per tenant per interval, and one after
    // the last change within at most one interval.
    absl::Duration metrics_event_interval = absl::Milliseconds(250);
    // First wait before retrying a clone request that failed transiently (doubles, within the
    // job's deadline), and the longest one provider request may take.
    absl::Duration clone_retry_backoff = absl::Milliseconds(500);
    absl::Duration clone_request_timeout = absl::Seconds(10);
    // A dial whose outcome is unknown (the provider's answer timed out or the connection reset
    // after the request went out, or callcontrold stopped during it) leaves the call QUEUED,
    // for the provider's callbacks to move (they name the call by its id). If none has given
    // the call a provider id this long after it was created, it is ended FAILED.
    absl::Duration unconfirmed_dial_timeout = absl::Minutes(10);
    // A call not ended after this long without any change is presumed over (its final callback
    // was lost) and ended FAILED, so memory and restarts never carry it forever. Every provider
    // ends a call within 24 h (Twilio's and Telnyx's time limits). Checked every
    // `stale_sweep_interval`, and at Load.
    absl::Duration stale_call_timeout = absl::Hours(26);
    absl::Duration stale_sweep_interval = absl::Minutes(10);
    // Voice-sample storage one tenant may hold (bytes of audio, replaced samples counted once);
    // PutVoiceSample beyond it is RESOURCE_EXHAUSTED.
    int64_t max_sample_bytes_per_tenant = int64_t{1} << 30;
  };

  // Everything pointed to must outlive the manager.
  CallManager(const config::Config* config, store::CallStore* store, const ProviderClients* clients,
              const providers::VoiceCloner* cloner, const CallRuntime& runtime,
              const Options& options);

  // Publishes pending metrics events. Call before closing the store. Idempotent; the destructor
  // calls it. Destroy the manager only after the store is closed: reads still waiting for a
  // change that was never committed (none in an orderly shutdown) get kUnavailable.
  ~CallManager();
  void Stop();

  // Loads active calls, counters and the last sequence from the store; a call that a previous
  // run queued but never got a provider id for may have been created by the provider (the run
  // stopped during the request): it is left QUEUED as an unconfirmed dial (see
  // Options::unconfirmed_dial_timeout; one already past it is marked FAILED, committed in the
  // background); resumes or times out clone jobs. Call once before serving. Returns the store's
  // error.
  absl::Status Load();

  // The last event sequence assigned.
  int64_t last_sequence() const;
  // The last sequence already on disk when Load() read the store: where the event bus starts.
  // Not last_sequence(): the changes Load() itself makes (interrupted dials) may still be
  // committing, and are published like any other once durable.
  int64_t loaded_sequence() const;

  // Every event up to `sequence` is durable: the store's commit listener calls this once per
  // commit, on the writer thread, with the commit's last sequence (DurableGate::MarkDurable).
  void OnDurable(int64_t sequence) { durable_.MarkDurable(sequence); }

  // Places an outbound call; see StartCall in call_control_service.proto for errors. A repeated
  // idempotency key answers with the existing call once the state it shows is durable. When the
  // provider's answer never came (http::RequestMayHaveArrived), the call may exist: it stays
  // QUEUED (an unconfirmed dial, Options::unconfirmed_dial_timeout) and StartCall answers
  // kDeadlineExceeded naming the call id, so a retry with the same idempotency key finds it.
  void StartCall(const std::string& tenant_id, const v1::StartCallRequest& request,
                 Callback<v1::Call> done);

  // Ends a call through its provider's CallClient: every live leg of the call's session (linked
  // legs, of providers that have them) is hung up, the other legs first; the client makes
  // repeats safe. kNotFound, kPermissionDenied (another tenant's call), kFailedPrecondition (no
  // provider id yet, a provider without a hangup API or call client, or the provider refused),
  // kUnavailable. An ended call is answered unchanged once the state it shows is durable. A
  // call whose dial is unconfirmed is answered as it is (QUEUED) and hung up at the provider as
  // soon as a callback gives its provider id.
  void HangupCall(const std::string& tenant_id, const std::string& id, Callback<v1::Call> done);

  // Answers once the state it shows is durable (a change still being committed is waited for,
  // never shown early; later changes are not waited for). kNotFound, kPermissionDenied.
  void GetCall(const std::string& tenant_id, const std::string& id, Callback<v1::Call> done);

  // kInvalidArgument for a bad page token, page size or time range.
  void ListCalls(const std::string& tenant_id, const v1::ListCallsRequest& request,
                 Callback<v1::ListCallsResponse> done);

  v1::Metrics GetMetrics(const std::string& tenant_id) const;

  // Every tenant's metrics (for the Prometheus endpoint), and how many calls are in memory.
  std::vector<v1::Metrics> AllMetrics(size_t* calls_in_memory) const;

  // Applies a verified provider webhook. Unknown call id: kNotFound. A report for a provider id
  // never seen creates the call (calls placed outside callcontrol are tracked too). A call that
  // gains a call_session_id is linked with the other legs of that session in memory.
  // Answers once the report is durable: a change after its commit; a report that changes nothing
  // (applied=false, e.g. a redelivery) once the call's last change is durable, so a duplicate is
  // never acknowledged while the first delivery could still be lost.
  void ReportProviderEvent(const internal::v1::ReportProviderEventRequest& request,
                           Callback<internal::v1::ReportProviderEventResponse> done);

  // --- Voice-clone pre-call flow (call_manager_clone.cc) ---

  // Records an inbound call and, with the tenant's clone flow on, starts its clone job (see
  // StartInboundCall in provider_event_service.proto). Idempotent on the CallSid, in memory and
  // on disk (a replay after a restart, or after the call ended, finds the first call and starts
  // no second clone job); a repeat answers once the state it shows is durable.
  void StartInboundCall(const internal::v1::StartInboundCallRequest& request,
                        Callback<internal::v1::StartInboundCallResponse> done);
  // Answers once the state it shows is durable. kNotFound (no call, or no clone job),
  // kPermissionDenied.
  void GetCloneStatus(const std::string& tenant_id, const std::string& id,
                      Callback<v1::GetCloneStatusResponse> done);
  // The job, what the adapter does next (NextCloneAction) and, to connect the caller, the
  // agent token and voice id. Answers once the state it shows is durable.
  void GetCloneProgress(const internal::v1::GetCloneProgressRequest& request,
                        Callback<internal::v1::GetCloneProgressResponse> done);
  // Validates (voice_sample.h) and stores a caller's sample; answers once durable.
  void PutVoiceSample(const std::string& tenant_id, const v1::PutVoiceSampleRequest& request,
                      Callback<v1::PutVoiceSampleResponse> done);

  // Cancels every pending timer (provider retries, clone deadlines and retries; a dial or hangup
  // waiting for its retry answers kUnavailable) so the workers can be joined. Metrics still
  // pending are published by Stop().
  void CancelTimers() { runtime_.timers->CancelAll(); }

 private:
  using Done = std::function<void(absl::Status)>;

  // Outcome of applying a report.
  struct Applied {
    bool changed = false;
    std::string call_id;
    v1::Call call;  // the call after the report, when asked for
  };

  absl::Time Now() const { return runtime_.clock->Now(); }
  template <typename T>
  void AnswerWhenDurable(int64_t sequence, absl::StatusOr<T> result, Callback<T> done) {
    durable_.AnswerWhenDurable<T>(sequence, std::move(result), std::move(done));
  }

  // Records a change already applied to `entry` in memory: next sequence (also kept in
  // entry->last_sequence), event, store mutation. `done` runs after the commit.
  void CommitLocked(CallEntry* entry, v1::EventType type, Done done)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Adds `entry` (a new call, not yet committed) and notes its tenant's metrics moved.
  CallEntry* AddLocked(v1::Call call, std::string request_hash) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The MetricsPublisher's callback: one metrics:updated event per tenant.
  void PublishMetrics(const std::vector<std::string>& tenant_ids) ABSL_LOCKS_EXCLUDED(mu_);
  // Applies `report` to `entry` and, if it changed, commits it; `done` runs after the commit (or
  // once the entry's last change is durable when nothing changed). Releases `lock` (on mu_).
  void ApplyLocked(CallEntry* entry, const ProviderReport& report, absl::ReleasableMutexLock& lock,
                   bool want_call, Callback<Applied> done) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Applies a report to a call by id and answers with the call afterwards.
  void ApplyAndReply(const std::string& call_id, const ProviderReport& report,
                     Callback<v1::Call> done) ABSL_LOCKS_EXCLUDED(mu_);
  // ReportProviderEvent for a call not in memory (on a reader): an ended call read back from the
  // store, or a call never seen, created from the report.
  void ReportUnknownCall(const internal::v1::ReportProviderEventRequest& request,
                         const std::string& provider_id, const ProviderReport& report,
                         Callback<Applied> reply) ABSL_LOCKS_EXCLUDED(mu_);
  // Looks `id` up in memory, then in the store (on a reader). An empty `tenant_id` skips the
  // tenant check (internal use).
  void FindCall(const std::string& tenant_id, const std::string& id, Callback<v1::Call> done)
      ABSL_LOCKS_EXCLUDED(mu_);
  // kUnavailable while the store cannot commit (CallStore::writable): every change is refused
  // before it touches memory, so nothing in memory runs ahead of the disk; reads go on.
  absl::Status CheckWritable() const;
  // The tenant's rate for the call's provider, or nullptr.
  const config::Rate* RateFor(const v1::Call& call) const;
  // Links `entry` (just changed, not yet committed) with the other legs in memory that share its
  // call_session_id, committing their change (call:updated).
  void LinkSessionLocked(CallEntry* entry, absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Ends every call unchanged for stale_call_timeout, then sweeps again after
  // stale_sweep_interval (until the timers are cancelled).
  void SweepStaleCalls() ABSL_LOCKS_EXCLUDED(mu_);
  // Ends a call FAILED with `error_message` (committed in the background).
  void FailLocked(CallEntry* entry, const std::string& error_message)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Resumes the clone jobs a previous run left running, or times them out past their deadline.
  void ResumeCloneJobsLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Dialing and hanging up (call_manager_dial.cc).
  RetryPolicy Retries(int attempts) const { return {attempts, options_.provider_backoff}; }
  void CreateAndDial(NewCall call, Callback<v1::Call> done) ABSL_LOCKS_EXCLUDED(mu_);
  // Dials through the tenant's provider's client (retried while kUnavailable when the client
  // says a repeat is safe) and applies its answer.
  void DialWithProvider(NewCall call, Callback<v1::Call> done);
  // Marks the call FAILED with the provider's error and answers `done` with that error.
  void ApplyDialFailure(const NewCall& call, const absl::Status& error, Callback<v1::Call> done);
  // The dial's outcome is unknown: marks the call unconfirmed (it stays QUEUED), arms its
  // expiry and answers `done` with kDeadlineExceeded.
  void ApplyDialUnknown(const NewCall& call, const absl::Status& error, Callback<v1::Call> done);
  // Marks `entry` unconfirmed and arms the expiry at its create time +
  // unconfirmed_dial_timeout. Returns false, having changed nothing, if that is already past.
  bool MarkUnconfirmedLocked(CallEntry* entry) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The expiry: ends the call FAILED unless a callback confirmed it meanwhile.
  void ExpireUnconfirmed(const std::string& call_id) ABSL_LOCKS_EXCLUDED(mu_);
  // HangupCall of a call whose dial is unconfirmed: records the request (committed) and
  // answers with the call. False when `id` is no such call (then HangupCall goes on).
  bool DeferHangup(const std::string& tenant_id, const std::string& id, Callback<v1::Call>* done)
      ABSL_LOCKS_EXCLUDED(mu_);
  // After a report gave a deferred-hangup call its provider id: hangs it up now.
  void RunDeferredHangupLocked(CallEntry* entry) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The live legs of `call`'s session other than itself, with provider ids (hung up first).
  std::vector<v1::Call> LiveLinkedLegs(const v1::Call& call, const providers::Provider& provider)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Hangs up `legs` one after the other through `client` (each retried while kUnavailable),
  // applying what the provider answered, then answers with the call `call_id`.
  void HangupLegs(const std::string& call_id, const config::TenantConfig* tenant,
                  const providers::CallClient* client, std::vector<v1::Call> legs,
                  Callback<v1::Call> done);

  // Clone jobs (call_manager_clone.cc).
  // Schedules the job's deadline and its first attempt.
  void ScheduleCloneLocked(const CallEntry& entry) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // StartInboundCall once the store holds no call for the CallSid (on a reader).
  void CreateInboundCall(const config::TenantConfig* tenant,
                         const internal::v1::StartInboundCallRequest& request,
                         Callback<internal::v1::StartInboundCallResponse> done);
  static internal::v1::StartInboundCallResponse InboundResponse(const v1::Call& call);
  // One voice-clone request for the job of `call_id` (on a clone worker).
  void RunCloneAttempt(const std::string& call_id) ABSL_LOCKS_EXCLUDED(mu_);
  // Moves the job of `entry` (MoveCloneJob) and commits call:updated. No-op once it ended.
  void SetCloneStateLocked(CallEntry* entry, v1::CloneState state, const std::string& voice_id,
                           const std::string& error) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Applies one attempt's outcome (FinishCloneAttempt) to the job of `call_id`.
  void FinishCloneAttempt(const std::string& call_id, const absl::StatusOr<std::string>& voice)
      ABSL_LOCKS_EXCLUDED(mu_);

  const config::Config* const config_;
  store::CallStore* const store_;
  const ProviderClients* const clients_;
  const providers::VoiceCloner* const cloner_;
  const CallRuntime runtime_;
  const Options options_;
  DurableGate durable_;
  MetricsPublisher metrics_;

  mutable absl::Mutex mu_;
  CallRegistry registry_ ABSL_GUARDED_BY(mu_);
  int64_t last_sequence_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t loaded_sequence_ ABSL_GUARDED_BY(mu_) = 0;
  // Voice-sample bytes stored, per tenant, and per tenant + '\0' + caller number.
  absl::flat_hash_map<std::string, int64_t> sample_bytes_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, int64_t> sample_size_ ABSL_GUARDED_BY(mu_);
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace callcontrol::calls
