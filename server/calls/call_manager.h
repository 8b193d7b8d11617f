// The daemon's call domain: creates and ends calls through providers, applies provider reports
// through the state machine, records every change durably with its event, and answers reads.
//
// Threading: every method returns at once and completes through its callback, which runs on a
// store, reader or provider thread, never on the caller's (a gRPC thread). Memory state is
// changed under one mutex that is never held across I/O; each change gets the next event
// sequence and is queued to the store's group-commit writer in that order; the callback runs
// after the change is on disk. Reads answer only durable state: a read copies the call under the
// mutex and answers with that copy once the entry's last change is committed (at once when it
// already is; else on the store's completion thread), so nobody sees a change a crash could
// still lose. Provider REST calls run on the provider pool; disk reads on the reader pool.
// Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "callcontrol/internal/v1/provider_event_service.pb.h"
#include "callcontrol/v1/call_control_service.pb.h"
#include "common/config/config.h"
#include "providers/provider.h"
#include "server/calls/call_registry.h"
#include "server/calls/provider_clients.h"
#include "server/providers/voice_clone_client.h"
#include "server/store/store.h"

namespace callcontrol::calls {

class CallManager {
 public:
  template <typename T>
  using Callback = std::function<void(absl::StatusOr<T>)>;

  struct Options {
    CallRegistry::Options registry;
    // Attempts at a provider request that failed transiently (5xx, 429, timeout): hangups, and
    // dials of providers whose CallClient::dial_retryable() (a create that is not idempotent is
    // sent once).
    // Waits `provider_backoff`, doubling, between attempts, on a timer (no worker sleeps).
    int provider_attempts = 4;
    absl::Duration provider_backoff = absl::Milliseconds(200);
    // metrics:updated events are coalesced: at most one per tenant per interval, and one after
    // the last change within at most one interval.
    absl::Duration metrics_event_interval = absl::Milliseconds(250);
    // First wait before retrying a clone request that failed transiently (doubles, within the
    // job's deadline), and the longest one provider request may take.
    absl::Duration clone_retry_backoff = absl::Milliseconds(500);
    absl::Duration clone_request_timeout = absl::Seconds(10);
  };

  // `config` must outlive the manager; so must the store, pools and clients. `clone_workers`
  // runs the voice-clone uploads (each may block up to clone_request_timeout), apart from
  // `provider_workers`, which dial and hang up.
  CallManager(const config::Config* config, store::Store* store, boost::asio::thread_pool* readers,
              boost::asio::thread_pool* provider_workers, boost::asio::thread_pool* clone_workers,
              const ProviderClients* clients, const Options& options);

  // Stops the metrics publisher after it published what is pending. Call before closing the
  // store. Idempotent; the destructor calls it. Destroy the manager only after the store is
  // closed: the destructor answers reads still waiting for a change that was never committed
  // (none in an orderly shutdown) with kUnavailable.
  ~CallManager();
  void Stop();

  // Loads active calls, counters and the last sequence from the store; ends calls that a
  // previous run queued but never got a provider id for (they are marked FAILED); starts the
  // metrics publisher. Call once before serving. Returns the store's error.
  absl::Status Load();

  // The last event sequence assigned (for the event bus at startup).
  int64_t last_sequence() const;

  // Tells the manager that every event up to `sequence` is durable. Called by the store's commit
  // listener on the writer thread with the last event sequence of each commit: only advances a
  // counter (no lock, no callback), so reads arriving from then on answer at once. Reads already
  // waiting are answered after the commit, on the store's completion thread.
  void OnDurable(int64_t sequence);

  // Places an outbound call; see StartCall in call_control_service.proto for errors. A repeated
  // idempotency key answers with the existing call once the state it shows is durable.
  void StartCall(const std::string& tenant_id, const v1::StartCallRequest& request,
                 Callback<v1::Call> done);

  // Ends a call through its provider's CallClient: every live leg of the call's session (linked
  // legs, of providers that have them) is hung up, the other legs first; the client makes
  // repeats safe. kNotFound, kPermissionDenied (another tenant's call), kFailedPrecondition (no
  // provider id yet, a provider without a hangup API or call client, or the provider refused),
  // kUnavailable. An ended call is answered unchanged once the state it shows is durable.
  void HangupCall(const std::string& tenant_id, const std::string& id, Callback<v1::Call> done);

  // Answers once the state it shows is durable (a change still being committed is waited for,
  // never shown early; later changes are not waited for). kNotFound, kPermissionDenied.
  void GetCall(const std::string& tenant_id, const std::string& id, Callback<v1::Call> done);

  // kInvalidArgument for a bad page token, page size or time range.
  void ListCalls(const std::string& tenant_id, const v1::ListCallsRequest& request,
                 Callback<v1::ListCallsResponse> done);

  v1::Metrics GetMetrics(const std::string& tenant_id) const;

  // --- Voice-clone pre-call flow (call_manager_clone.cc) ---

  // Records an inbound call and, with the tenant's clone flow on, starts its clone job (see
  // StartInboundCall in provider_event_service.proto). Idempotent on the CallSid while the call
  // is in memory; a repeat answers once the state it shows is durable.
  void StartInboundCall(const internal::v1::StartInboundCallRequest& request,
                        Callback<internal::v1::StartInboundCallResponse> done);
  // Answers once the state it shows is durable. kNotFound (no call, or no clone job),
  // kPermissionDenied.
  void GetCloneStatus(const std::string& tenant_id, const std::string& id,
                      Callback<v1::GetCloneStatusResponse> done);
  // The job plus, when the caller is to be connected, the agent token and voice id. Answers
  // once the state it shows is durable.
  void GetCloneProgress(const internal::v1::GetCloneProgressRequest& request,
                        Callback<internal::v1::GetCloneProgressResponse> done);
  // Validates (voice_sample.h) and stores a caller's sample; answers once durable.
  void PutVoiceSample(const std::string& tenant_id, const v1::PutVoiceSampleRequest& request,
                      Callback<v1::PutVoiceSampleResponse> done);
  // Cancels pending timers (clone deadlines and retries) so provider workers can be joined.
  void CancelTimers();

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

 private:
  using Done = std::function<void(absl::Status)>;
  // An answer held until a change is durable: OK once it is, kUnavailable if it never will be.
  using Answer = std::function<void(absl::Status)>;

  // What StartCall is asked to place, once validated.
  struct NewCall {
    const config::TenantConfig* tenant = nullptr;
    const providers::CallClient* client = nullptr;  // the tenant's provider's
    std::string call_id;                            // set once created
    std::string to;
    std::string from;
    std::string twiml;
    std::string idempotency_key;
    std::string request_hash;
  };
  // Outcome of applying a report.
  struct Applied {
    bool changed = false;
    std::string call_id;
    v1::Call call;  // the call after the report, when asked for
  };

  // Records a change already applied to `entry` in memory: next sequence (also kept in
  // entry->last_sequence), event, store mutation. `done` runs after the commit, then the reads
  // the commit made durable are answered. Requires mu_.
  void CommitLocked(CallEntry* entry, v1::EventType type, Done done);
  // Runs `answer` with OK at once (on the caller's thread) if event `sequence` is durable, else
  // keeps it until the commit of `sequence` and runs it then on the store's completion thread.
  // The waiting list holds one answer per read in flight. Call without mu_.
  void AfterDurable(int64_t sequence, Answer answer);
  // AfterDurable for an answer computed now from state as of event `sequence`.
  template <typename T>
  void AnswerWhenDurable(int64_t sequence, absl::StatusOr<T> result, Callback<T> done) {
    AfterDurable(sequence, [result = std::move(result),
                            done = std::move(done)](absl::Status durable) mutable {
      if (!durable.ok()) return done(durable);
      done(std::move(result));
    });
  }
  // The commit of `sequence` (one of CommitLocked's) is durable: advances durable_sequence_ and
  // answers the waiting reads it covers, in sequence order. Runs on a store completion thread.
  void ReleaseDurable(int64_t sequence);
  // Applies `report` to `entry` and, if it changed, commits it; `done` runs after the commit (or
  // at once when nothing changed). Requires mu_ held by `lock`; releases it.
  void ApplyLocked(CallEntry* entry, const ProviderReport& report,
                   std::unique_lock<std::mutex>& lock, bool want_call, Callback<Applied> done);
  // Applies a report to a call by id and answers with the call afterwards.
  void ApplyAndReply(const std::string& call_id, const ProviderReport& report,
                     Callback<v1::Call> done);
  // Looks `id` up in memory, then in the store (on the reader pool). An empty `tenant_id`
  // skips the tenant check (internal use).
  void FindCall(const std::string& tenant_id, const std::string& id, Callback<v1::Call> done);

  // Clone flow internals (call_manager_clone.cc).
  // Schedules the job's deadline and its first attempt. Requires mu_.
  void ScheduleCloneLocked(const CallEntry& entry);
  // Runs `fn` on a provider worker after `delay` unless CancelTimers() ran first.
  void RunAfter(absl::Duration delay, std::function<void()> fn);
  // One provider request for the job of `call_id` (on a provider worker).
  void RunCloneAttempt(const std::string& call_id);
  // Moves the job of `entry` to `state` (with voice id or error) and commits call:updated.
  // Requires mu_. No-op when the job already ended.
  void SetCloneStateLocked(CallEntry* entry, v1::CloneState state, const std::string& voice_id,
                           const std::string& error);
  // Ends the clone job of a call that just ended (the caller hung up). Requires mu_.
  static void CancelCloneIfCallEnded(v1::Call* call, absl::Time now);

  // The tenant's rate for the call's provider, or nullptr.
  const config::Rate* RateFor(const v1::Call& call) const;
  // Notes that `tenant_id`'s metrics moved; the publisher emits metrics:updated. Requires mu_.
  void MetricsMovedLocked(const std::string& tenant_id);
  // The publisher thread: commits one metrics:updated event per moved tenant per interval.
  void PublishMetricsLoop();
  // Links `entry` (just changed, not yet committed) with the other legs in memory that share its
  // call_session_id: adds them to entry's linked_call_ids, adds entry to theirs and commits
  // their change (call:updated). Requires mu_.
  void LinkSessionLocked(CallEntry* entry, absl::Time now);
  // Runs `attempt` on a provider worker; while it returns kUnavailable, runs it again after a
  // doubling backoff (a timer), at most `attempts` times; `done` gets the last
  // outcome.
  void RetryOnProviderWorker(int attempts, std::function<absl::Status()> attempt, Done done);
  void RetryAttempt(std::shared_ptr<std::function<absl::Status()>> attempt, int number,
                    int attempts, absl::Duration backoff, Done done);

  static absl::StatusOr<v1::Call> ReplayIdempotent(const v1::Call& existing,
                                                   const std::string& stored_hash,
                                                   const NewCall& call);
  void CreateAndDial(NewCall call, Callback<v1::Call> done);
  // Dials through the tenant's provider's client (retried while kUnavailable when the client
  // says a repeat is safe) and applies its answer.
  void DialWithProvider(NewCall call, Callback<v1::Call> done);
  // Marks the call FAILED with the provider's error and answers `done` with that error.
  void ApplyDialFailure(const NewCall& call, const absl::Status& error, Callback<v1::Call> done);
  // Hangs up `legs` one after the other through `client` (each retried while kUnavailable),
  // applying what the provider answered, then answers with the call `call_id`.
  void HangupLegs(const std::string& call_id, const config::TenantConfig* tenant,
                  const providers::CallClient* client, std::vector<v1::Call> legs,
                  Callback<v1::Call> done);

  const config::Config* const config_;
  store::Store* const store_;
  boost::asio::thread_pool* const readers_;
  boost::asio::thread_pool* const provider_workers_;
  boost::asio::thread_pool* const clone_workers_;
  const ProviderClients* const clients_;
  const Options options_;
  // Timers in flight, so CancelTimers() can stop them.
  std::mutex timers_mu_;
  absl::flat_hash_set<std::shared_ptr<boost::asio::steady_timer>> timers_;  // guarded by timers_mu_
  bool timers_canceled_ = false;                                            // guarded by timers_mu_
  std::unique_ptr<providers::VoiceCloneClient> voice_;  // owned: one client for the flow

  mutable std::mutex mu_;
  CallRegistry registry_;                           // guarded by mu_
  int64_t last_sequence_ = 0;                       // guarded by mu_
  absl::flat_hash_set<std::string> metrics_moved_;  // tenants, guarded by mu_
  bool stopping_ = false;                           // guarded by mu_
  std::condition_variable metrics_cv_;              // with mu_
  std::thread metrics_publisher_;

  // Highest event sequence known durable (every lower one is too: commits complete in sequence
  // order). Starts at the loaded last sequence.
  std::atomic<int64_t> durable_sequence_{0};
  // Reads waiting for their sequence to become durable, by sequence. Never held with mu_ nor
  // while an answer runs, and never taken on the store writer thread.
  std::mutex waiters_mu_;
  std::multimap<int64_t, Answer> waiters_;  // guarded by waiters_mu_
};

}  // namespace callcontrol::calls
