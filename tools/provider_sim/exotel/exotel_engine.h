// The simulated Exotel Connect calls: accounts, the call record, the scenario timeline (answered,
// terminal) and the unsigned status callbacks it sends, plus one-off callbacks for the
// /sim/exotel/status_callbacks control. ExotelApi drives it from REST and /sim requests, the
// Scheduler from timers, and the WebhookSender reports each delivery back to it.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/http/form.h"
#include "tools/provider_sim/exotel/exotel_scenario.h"
#include "tools/provider_sim/exotel/exotel_webhook.h"
#include "tools/provider_sim/scheduler.h"
#include "tools/provider_sim/webhook_sender.h"

namespace callcontrol::provider_sim {

// An Exotel account the simulator accepts: the account SID in the path and the HTTP Basic
// credentials (API key as user, API token as password).
struct ExotelAccount {
  std::string account_sid;
  std::string api_key;
  std::string api_token;
};

// The default account when none is configured (--exotel-account).
inline constexpr char kDefaultExotelAccountSid[] = "exotelsim1";
inline constexpr char kDefaultExotelApiKey[] = "simkey";
inline constexpr char kDefaultExotelApiToken[] = "simtoken";

// Parses "SID:KEY:TOKEN" (--exotel-account). Returns kInvalidArgument unless all three parts are
// non-empty and SID is letters, digits, '-' or '_'.
absl::StatusOr<ExotelAccount> ParseExotelAccount(std::string_view spec);

// A validated POST .../Calls/connect.
struct ExotelConnect {
  std::string account_sid;
  std::string from;       // dialled first; picks the scenario
  std::string to;         // "" in the call-flow (Url) variant
  std::string caller_id;  // the ExoPhone; PhoneNumberSid
  std::string url;        // the call flow; "" in the connect-two-numbers variant
  std::string status_callback;
  bool answered_event = false;  // StatusCallbackEvents has "answered"
  bool terminal_event = false;  // StatusCallbackEvents has "terminal"
  bool json_callbacks = false;  // StatusCallbackContentType=application/json
  std::string custom_field;
  bool record = false;
  http::FormParams params;  // the form as received, for inspection
};

// in-progress (dialled) -> answered -> ended.
enum class ExotelPhase { kDialing, kAnswered, kEnded };
// "dialing", "answered", "ended".
std::string_view ExotelPhaseName(ExotelPhase phase);

// One status callback the call sent (its exact body); deliveries refer to it by index.
struct ExotelSentCallback {
  std::string event_type;  // EventType; "" for the default four-parameter callback
  std::string status;
  std::string content_type;
  std::string body;
  bool control = false;  // sent by POST /sim/exotel/status_callbacks
  absl::Time at;
};

// One call. Copies are snapshots.
struct ExotelCall {
  std::string sid;  // 32 lowercase hex digits
  ExotelConnect request;
  const ExotelScenario* scenario = nullptr;
  uint64_t create_index = 0;
  std::chrono::steady_clock::time_point created_steady;
  absl::Time date_created;
  absl::Time date_updated;
  std::optional<absl::Time> answered_at;
  std::optional<absl::Time> end_time;
  ExotelPhase phase = ExotelPhase::kDialing;
  std::string status = "in-progress";            // Exotel's Call.Status, the final word once ended
  std::optional<int64_t> conversation_duration;  // scenario seconds; set when ended
  std::string price;                             // "2.400"; "" until ended
  std::string recording_url;                     // set when ended, if recorded and talked
  std::vector<ExotelSentCallback> sent;
  std::vector<DeliveryReport> deliveries;  // every HTTP attempt, in completion order

  // The call's `To`: the request's To, or the ExoPhone (CallerId) in the call-flow variant.
  const std::string& To() const { return request.to.empty() ? request.caller_id : request.to; }
};

// The callback `call` sends now for `event_type` ("answered": Status in-progress; "terminal" or
// "": the call's status; "" is the default four-parameter shape). Price is set for "terminal".
ExotelCallbackFields ExotelCallbackFieldsFor(const ExotelCall& call, std::string_view event_type);

// Owns the simulated Exotel calls. Thread-safe: every public method takes one mutex briefly and
// never does I/O while holding it.
class ExotelEngine {
 public:
  struct Options {
    double time_scale = 1.0;
    size_t max_ended_calls = 100000;  // ended calls kept; the oldest are dropped beyond this
  };

  // `scheduler` and `sender` must outlive this object; shut the scheduler down first.
  ExotelEngine(Options options, Scheduler* scheduler, WebhookSender* sender);

  // Starts a call and its scenario (chosen by `From`). Status "in-progress" at once.
  ExotelCall Connect(const ExotelConnect& connect);

  // The call, or kNotFound. An empty `account_sid` matches any account.
  absl::StatusOr<ExotelCall> GetCall(const std::string& account_sid,
                                     const std::string& call_sid) const;

  // Inspection: the `limit` most recent calls, oldest first.
  std::vector<ExotelCall> ListCalls(size_t limit) const;

  // Sends one callback of `fields` to `url` (form, or JSON with `json`) with no retry, and calls
  // `done` with the attempt's report. When fields.call_sid names a known call, the callback is
  // recorded in its `sent` list (control = true) and its delivery in `deliveries`.
  void SendControlCallback(const std::string& url, const ExotelCallbackFields& fields, bool json,
                           std::function<void(const DeliveryReport&)> done);

  // Records a delivery attempt (WebhookSender's report callback, Exotel callbacks).
  void RecordDelivery(const DeliveryReport& report);

 private:
  void OnTimer(const std::string& sid, bool answer);
  // Sends one scenario callback of `call` to its StatusCallback (retried per the sender).
  void SendLocked(ExotelCall& call, const ExotelCallbackFields& fields)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void EvictLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::string SidLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Options options_;
  Scheduler* const scheduler_;
  WebhookSender* const sender_;

  mutable absl::Mutex mu_;
  std::mt19937_64 rng_ ABSL_GUARDED_BY(mu_);
  uint64_t next_create_index_ ABSL_GUARDED_BY(mu_) = 1;
  std::map<uint64_t, std::unique_ptr<ExotelCall>> calls_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, ExotelCall*> by_sid_ ABSL_GUARDED_BY(mu_);
  std::deque<uint64_t> ended_ ABSL_GUARDED_BY(mu_);  // oldest first, for eviction
};

}  // namespace callcontrol::provider_sim
