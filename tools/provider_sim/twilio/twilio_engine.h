// The simulated Twilio calls: their state, the scenario timeline that moves them forward, the
// REST updates that end them (with Twilio's canceled-vs-completed rules), and the status (and
// recording status) callbacks each change produces. TwilioApi drives it from REST requests, the
// Scheduler from scenario timers, and the WebhookSender reports each delivery back to it.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/http/form.h"
#include "tools/provider_sim/scheduler.h"
#include "tools/provider_sim/twilio/twilio_scenario.h"
#include "tools/provider_sim/webhook_sender.h"

namespace callcontrol::provider_sim {

enum class CallPhase { kQueued, kInitiated, kRinging, kInProgress, kEnded };

// "queued", "initiated", "ringing", "in-progress", "ended".
std::string_view CallPhaseName(CallPhase phase);

// A REST update the simulator received for a call, and what it did.
struct UpdateRecord {
  std::string status;     // the Status parameter, "" if absent
  bool redirect = false;  // Url or Twiml was given
  absl::Time at;
  int http_status = 200;
  int error_code = 0;  // Twilio error code, 0 when accepted
  std::string effect;  // e.g. "ended: canceled", "no effect: call is in-progress", "rejected"
};

// Everything the simulator knows about one call. Copies are snapshots.
struct SimCall {
  // Identity and the create request.
  std::string sid;  // "CA" + 32 lower-case hex digits
  std::string account_sid;
  std::string auth_token;  // signs the callbacks; never rendered
  std::string to;
  std::string from;
  std::string status_callback;  // "" when none: no callbacks
  std::string status_callback_method = "POST";
  std::vector<std::string> status_callback_events;  // as sent (repeated params)
  std::array<bool, kNumCallbackEvents> subscribed = {};
  // Why no callback is ever sent although StatusCallback is set (Twilio's 21626), or "".
  std::string callbacks_disabled_reason;
  const Scenario* scenario = nullptr;
  uint64_t create_index = 0;
  // Recording (`Record=true`): when an answered call ends `completed`, one recording status
  // callback goes to recording_status_callback (if set and `completed` is among its events).
  bool record = false;
  std::string recording_status_callback;
  std::string recording_status_callback_method = "POST";
  std::vector<std::string> recording_status_callback_events;  // words, split; empty = completed
  int recording_channels = 1;            // RecordingChannels: mono 1 (default), dual 2
  std::string recording_track = "both";  // RecordingTrack: inbound, outbound, both

  // State, as the Call resource shows it.
  CallPhase phase = CallPhase::kQueued;
  std::string status = "queued";  // Twilio's resource status word
  absl::Time date_created;
  absl::Time date_updated;
  std::optional<absl::Time> start_time;     // when dialing began
  std::optional<absl::Time> answered_time;  // when it was answered (the recording starts)
  std::optional<absl::Time> end_time;
  std::optional<int64_t> duration_seconds;  // set when the call ends
  std::optional<int64_t> queue_time_ms;     // create -> dialing
  int sip_response_code = 0;                // set when the call ends
  bool deleted = false;                     // DELETE hid it from the REST API (not hung up)

  // Timeline.
  std::chrono::steady_clock::time_point created_steady;
  std::optional<double> answered_at_sim;  // simulated seconds since create
  size_t next_step = 0;
  Scheduler::TaskId timer_id = 0;  // pending step, 0 if none
  uint64_t timer_token = 0;        // matches the pending step's task
  int next_sequence_number = 0;
  // The callback each event produced, kept for late sends and duplicates, and how many times
  // each was handed to the sender.
  std::map<CallbackEvent, Webhook> callbacks_by_event;
  std::array<int, kNumCallbackEvents> sends = {};
  // The recording status callback sent (params as sent), when the call was recorded.
  std::string recording_sid;  // "RE" + 32 lower-case hex digits, "" when none
  std::vector<std::pair<std::string, std::string>> recording_callback_params;

  // History for the inspection endpoints.
  std::vector<UpdateRecord> updates;
  std::vector<DeliveryReport> deliveries;  // every HTTP attempt, in completion order
};

// A validated create request (TwilioApi checked the parameters' presence and formats).
struct NewCall {
  std::string account_sid;
  std::string auth_token;
  std::string to;    // E.164
  std::string from;  // E.164
  std::string status_callback;
  std::string status_callback_method = "POST";  // "GET" or "POST"
  std::vector<std::string> status_callback_events;
  bool record = false;  // Record=true
  std::string recording_status_callback;
  std::string recording_status_callback_method = "POST";      // "GET" or "POST"
  std::vector<std::string> recording_status_callback_events;  // words (values split on spaces)
  int recording_channels = 1;                                 // 1 (mono) or 2 (dual)
  std::string recording_track = "both";
};

// A REST update: `Status=` and/or a redirect (`Url`/`Twiml`).
struct CallUpdate {
  std::optional<std::string> status;
  bool redirect = false;
};

// Owns the simulated calls. Thread-safe: every public method takes one mutex briefly and never
// does I/O while holding it.
class CallEngine {
 public:
  struct Options {
    double time_scale = 1.0;  // multiplies every scenario delay
    // Ended calls kept for GET and inspection; the oldest ended ones are dropped beyond this.
    size_t max_ended_calls = 100000;
  };

  // `scheduler` and `sender` must outlive this object; shut the scheduler down before
  // destroying it.
  CallEngine(const Options& options, Scheduler* scheduler, WebhookSender* sender);

  // Creates a call in status `queued` and starts its scenario. Returns kInvalidArgument with
  // Twilio code 21215 for the refusal scenario (To ending in 0107).
  absl::StatusOr<SimCall> CreateCall(const NewCall& request);

  // Applies `Status=canceled|completed` or a redirect with Twilio's rules: `canceled` ends a
  // queued/ringing call as canceled and does nothing to an in-progress one; `completed` ends an
  // in-progress call as completed and a not-yet-answered one as canceled. Ending a call stops
  // its timeline and sends the `completed` callback at once. Returns kNotFound (20404) for an
  // unknown or deleted call of `account_sid`, kInvalidArgument (21218) for another Status
  // value, kFailedPrecondition (21220) when the call has ended. Every request is recorded.
  absl::StatusOr<SimCall> UpdateCall(const std::string& account_sid, const std::string& call_sid,
                                     const CallUpdate& update);

  // The call of `account_sid`, or kNotFound (20404).
  absl::StatusOr<SimCall> GetCall(const std::string& account_sid,
                                  const std::string& call_sid) const;

  // Hides the call from the REST API (Twilio deletes the record); the call itself goes on.
  // kNotFound (20404) if unknown.
  absl::Status DeleteCall(const std::string& account_sid, const std::string& call_sid);

  // Inspection: any call by sid, deleted ones included. kNotFound if unknown or dropped.
  absl::StatusOr<SimCall> InspectCall(const std::string& call_sid) const;
  // Inspection: the `limit` most recently created calls, oldest first.
  std::vector<SimCall> ListCalls(size_t limit) const;

  // Records a delivery attempt (WebhookSender's report callback).
  void RecordDelivery(const DeliveryReport& report);

 private:
  void ScheduleNextStepLocked(SimCall& call) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void OnTimer(const std::string& call_sid, uint64_t token);
  void RunStepLocked(SimCall& call, const ScenarioStep& step) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Moves the call to `final_status`, sends the `completed` callback (and the recording
  // callback of a recorded, answered call that ends completed) and queues the call for
  // eviction. `stop_timeline` cancels the remaining scenario steps (REST hangups).
  void EndCallLocked(SimCall& call, std::string_view final_status, int sip_response_code,
                     int64_t duration_seconds, bool stop_timeline)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Assigns the next SequenceNumber and sends (or holds) the callback for `event`, if the call
  // subscribed to it.
  void EmitLocked(SimCall& call, CallbackEvent event, bool hold) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Sends the `completed` recording status callback of a recorded call that was answered and
  // ended completed (after its final status callback), if it asked for one.
  void EmitRecordingLocked(SimCall& call) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  SimCall* FindLocked(const std::string& call_sid) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Drops the oldest ended calls beyond max_ended_calls.
  void EvictLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::string RandomHexLocked(int digits) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A fresh I-Twilio-Idempotency-Token (UUID-shaped).
  std::string IdempotencyTokenLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A delivery of `params` to `url` signed with the call's auth token, with a fresh
  // I-Twilio-Idempotency-Token; its reports come back to RecordDelivery.
  Webhook NewWebhookLocked(const SimCall& call, const std::string& url, const std::string& method,
                           http::FormParams params) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  double SimSecondsSinceCreate(const SimCall& call) const;

  const Options options_;
  Scheduler* const scheduler_;
  WebhookSender* const sender_;

  mutable absl::Mutex mu_;
  std::mt19937_64 rng_ ABSL_GUARDED_BY(mu_);
  uint64_t next_create_index_ ABSL_GUARDED_BY(mu_) = 1;
  uint64_t next_timer_token_ ABSL_GUARDED_BY(mu_) = 1;
  // Calls by creation order, and an index by CallSid.
  std::map<uint64_t, std::unique_ptr<SimCall>> calls_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, SimCall*> by_sid_ ABSL_GUARDED_BY(mu_);
  // Ended calls, oldest first (create_index), for eviction.
  std::deque<uint64_t> ended_ ABSL_GUARDED_BY(mu_);
};

}  // namespace callcontrol::provider_sim
