// The simulated Telnyx Call Control calls: call sessions with one leg (a dial) or two (the
// WebRTC + PSTN pair), the scenario timeline that moves them forward, hangup commands with
// Telnyx's command_id dedup and bridge teardown, and the webhooks each change produces.
// TelnyxApi drives it from REST and /sim requests, the Scheduler from timers, and the
// WebhookSender reports each delivery back to it.
#pragma once

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
#include "nlohmann/json.hpp"
#include "tools/provider_sim/scheduler.h"
#include "tools/provider_sim/telnyx/telnyx_scenario.h"
#include "tools/provider_sim/webhook_sender.h"

namespace callcontrol::provider_sim {

// What a leg is: a leg dialed through POST /v2/calls, or one half of the WebRTC + PSTN pair.
enum class TelnyxLegKind { kDial, kWebRtc, kPstn };
// "dial", "webrtc", "pstn".
std::string_view TelnyxLegKindName(TelnyxLegKind kind);

// queued (dial accepted) -> initiated -> answered -> hangup; hangup absorbs.
enum class TelnyxLegPhase { kQueued, kInitiated, kAnswered, kHangup };
// "queued", "initiated", "answered", "hangup".
std::string_view TelnyxLegPhaseName(TelnyxLegPhase phase);

// A hangup request the simulator received for a leg (actions/hangup, or the simulated SDK
// hangup), and what it did.
struct TelnyxHangupRecord {
  std::optional<std::string> command_id;
  std::string via;  // "api" (actions/hangup) or "sdk" (/sim/telnyx/calls/{id}/sdk_hangup)
  absl::Time at;
  int http_status = 200;
  std::string error_code;  // Telnyx code when rejected ("90018", "10007"), else ""
  std::string effect;      // e.g. "ended", "duplicate command_id: ignored", "rejected: ..."
};

// One event a leg produced; every delivery of it (retries, duplicates) has the same data.
struct TelnyxSentEvent {
  TelnyxEvent event = TelnyxEvent::kInitiated;
  std::string id;  // data.id
  std::shared_ptr<const nlohmann::ordered_json> data;
  int sends = 0;  // times handed to the sender (duplicates included, retries not)
};

// One call leg. Copies are snapshots.
struct TelnyxLeg {
  TelnyxLegKind kind = TelnyxLegKind::kDial;
  std::string call_control_id;  // "v3:" + 54 URL-safe base64 characters
  std::string call_leg_id;      // UUID v4
  std::string call_session_id;  // UUID v4, shared by the legs of one session
  std::string connection_id;
  std::string from;
  std::string to;
  std::string direction;        // "outgoing" | "incoming"
  std::string initiated_state;  // call.initiated's state: "bridging" (outgoing) | "parked"
  bool caller_side = true;      // the calling party's leg (decides hangup_source)
  std::optional<std::string> client_state;
  std::string webhook_url;

  TelnyxLegPhase phase = TelnyxLegPhase::kQueued;
  absl::Time created_at;
  std::optional<absl::Time> start_time;  // call.initiated
  std::optional<absl::Time> answered_at;
  std::optional<absl::Time> end_time;
  std::optional<double> answered_sim;  // simulated seconds since the dial
  std::optional<double> ended_sim;
  std::vector<int> bridged_with;  // indexes of the session's legs bridged to this one
  std::string hangup_cause;       // set when the leg ends
  std::string hangup_source;
  std::string sip_hangup_cause;
  bool fail_next_hangup = false;  // scenario 0108: the next actions/hangup answers 500

  // command_id -> when the hangup carrying it was applied (Telnyx ignores repeats for 60 s).
  std::map<std::string, absl::Time> applied_command_ids;
  std::vector<TelnyxHangupRecord> hangups;  // every hangup request, in order
  std::vector<TelnyxSentEvent> events;      // in the order they happened
  std::vector<DeliveryReport> deliveries;   // every HTTP attempt, in completion order
};

// The legs sharing one call_session_id and the timeline that drives them.
struct TelnyxSession {
  std::string call_session_id;
  uint64_t create_index = 0;
  const TelnyxScenario* scenario = nullptr;
  std::vector<TelnyxStep> steps;  // the scenario's, shortened by the dial's timeout_secs
  std::vector<TelnyxLeg> legs;    // dial: 1 leg; WebRTC pair: [WebRTC, PSTN]
  std::chrono::steady_clock::time_point created_steady;
  size_t next_step = 0;
  Scheduler::TaskId timer_id = 0;  // pending step, 0 if none
  uint64_t timer_token = 0;        // matches the pending step's task
  bool ended = false;              // every leg has hung up
};

// A snapshot of one leg with its whole session.
struct TelnyxCallView {
  TelnyxSession session;
  int leg = 0;                // which leg was asked for
  int64_t call_duration = 0;  // simulated seconds answered -> hangup (or now); 0 if never answered
  const TelnyxLeg& Leg() const { return session.legs[leg]; }
  bool is_alive() const;  // initiated or answered
};

// A validated POST /v2/calls.
struct TelnyxDial {
  std::string connection_id;
  std::string to;  // E.164
  std::string from;
  std::string webhook_url;
  std::optional<std::string> command_id;
  std::optional<std::string> client_state;
  std::optional<int> timeout_secs;  // 5..600: unanswered after this long -> hangup `timeout`
};

// A validated POST /sim/telnyx/webrtc_calls.
struct TelnyxWebRtcCall {
  std::string connection_id;
  std::string to;    // the PSTN number (E.164)
  std::string from;  // caller id on the PSTN leg (E.164)
  std::string webhook_url;
  std::string sip_username = "webrtc-user";
};

// Owns the simulated Telnyx sessions. Thread-safe: every public method takes one mutex briefly
// and never does I/O while holding it.
class TelnyxEngine {
 public:
  struct Options {
    double time_scale = 1.0;  // multiplies every scenario delay
    // Base64 Ed25519 seed that signs every webhook (validated by TelnyxSimProvider).
    std::string private_key_base64;
    // Ended sessions kept for GET and inspection; the oldest are dropped beyond this.
    size_t max_ended_sessions = 100000;
  };

  // `scheduler` and `sender` must outlive this object; shut the scheduler down first.
  TelnyxEngine(Options options, Scheduler* scheduler, WebhookSender* sender);

  // Starts a dialed leg (queued) and its scenario (chosen by `to`). A repeat of a dial with the
  // same command_id within 60 s returns the first dial's leg and starts nothing.
  TelnyxCallView Dial(const TelnyxDial& dial);

  // actions/hangup. Ends the leg with normal_clearing (hangup_source caller for the caller-side
  // leg, else callee; sip_hangup_cause unspecified) and every live leg bridged to it the same
  // way. Returns kNotFound (90015) for an unknown id; kInternal (10007) for the first hangup of
  // a 0108 call (no effect); OK without effect for a command_id already applied to this leg in
  // the last 60 s; kFailedPrecondition (90018) when the leg has ended. Every request to a known
  // leg is recorded.
  absl::Status Hangup(const std::string& call_control_id,
                      const std::optional<std::string>& command_id,
                      const std::optional<std::string>& client_state);

  // The leg, or kNotFound (90015).
  absl::StatusOr<TelnyxCallView> GetCall(const std::string& call_control_id) const;

  // Starts the WebRTC + PSTN pair (TelnyxWebRtcPairScenario). The view's leg is the WebRTC leg.
  TelnyxCallView StartWebRtcCall(const TelnyxWebRtcCall& call);

  // The WebRTC SDK hangs up its leg (SIP BYE, cause USER_BUSY): the WebRTC leg ends
  // normal_clearing (caller) and each live leg bridged to it ends user_busy (SIP 486). Returns
  // kNotFound for an unknown id, kInvalidArgument for a leg that is not a WebRTC leg,
  // kFailedPrecondition (90018) when it has ended.
  absl::Status SdkHangup(const std::string& call_control_id);

  // Inspection: the `limit` most recently created legs, oldest first.
  std::vector<TelnyxCallView> ListCalls(size_t limit) const;

  // Records a delivery attempt (WebhookSender's report callback, Telnyx webhooks).
  void RecordDelivery(const DeliveryReport& report);

 private:
  struct DialCommand {
    std::string call_control_id;
    absl::Time at;
  };

  TelnyxCallView StartSessionLocked(std::unique_ptr<TelnyxSession> session, int leg)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  TelnyxLeg NewLegLocked(TelnyxLegKind kind, const std::string& call_session_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ScheduleNextStepLocked(TelnyxSession& session) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void StopTimelineLocked(TelnyxSession& session) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void OnTimer(const std::string& call_session_id, uint64_t token);
  void RunStepLocked(TelnyxSession& session, const TelnyxStep& step)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Ends leg `index` with the given fields, then every live leg bridged to it with
  // `peer_cause`/`peer_sip` and the same hangup_source. `sim_now` is the simulated time.
  void EndLegLocked(TelnyxSession& session, int index, std::string_view cause,
                    std::string_view source, std::string_view sip, std::string_view peer_cause,
                    std::string_view peer_sip, double sim_now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void EndOneLegLocked(TelnyxSession& session, int index, std::string_view cause,
                       std::string_view source, std::string_view sip, double sim_now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Records a new event of leg `index` and hands its first delivery to the sender.
  void EmitLocked(TelnyxSession& session, int index, TelnyxEvent event)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SendLocked(const TelnyxSession& session, const TelnyxLeg& leg, TelnyxSentEvent& event,
                  bool redelivery) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  TelnyxCallView ViewLocked(const TelnyxSession& session, int leg) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The session and leg index of a call_control_id, or {nullptr, 0}.
  std::pair<TelnyxSession*, int> FindLocked(const std::string& call_control_id) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void EvictLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::string UuidLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::string CallControlIdLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  double SimSecondsSince(const TelnyxSession& session) const;

  const Options options_;
  Scheduler* const scheduler_;
  WebhookSender* const sender_;

  mutable absl::Mutex mu_;
  std::mt19937_64 rng_ ABSL_GUARDED_BY(mu_);
  uint64_t next_create_index_ ABSL_GUARDED_BY(mu_) = 1;
  uint64_t next_timer_token_ ABSL_GUARDED_BY(mu_) = 1;
  // Sessions by creation order, and indexes by call_session_id and call_control_id.
  std::map<uint64_t, std::unique_ptr<TelnyxSession>> sessions_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, TelnyxSession*> by_session_id_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::pair<TelnyxSession*, int>> by_call_control_id_
      ABSL_GUARDED_BY(mu_);
  // Ended sessions, oldest first (create_index), for eviction.
  std::deque<uint64_t> ended_ ABSL_GUARDED_BY(mu_);
  // Dial command_ids of the last 60 s, and the same in arrival order for expiry.
  absl::flat_hash_map<std::string, DialCommand> dial_commands_ ABSL_GUARDED_BY(mu_);
  std::deque<std::pair<absl::Time, std::string>> dial_command_order_ ABSL_GUARDED_BY(mu_);
};

}  // namespace callcontrol::provider_sim
