// The simulated Bolna executions: Bolna places the call itself, so an execution is started
// through the simulator's control endpoint and then walks its scenario (ringing, in-progress,
// call-disconnected, completed, or busy/no-answer/error), POSTing the whole execution object to
// the webhook URL at each status. Also sends one-off webhooks for the /sim/bolna/webhooks
// control. BolnaApi drives it, the Scheduler runs the steps, the WebhookSender reports back.
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
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "tools/provider_sim/bolna/bolna_scenario.h"
#include "tools/provider_sim/bolna/bolna_webhook.h"
#include "tools/provider_sim/scheduler.h"
#include "tools/provider_sim/webhook_sender.h"

namespace callcontrol::provider_sim {

// A validated POST /sim/bolna/executions.
struct BolnaStart {
  std::string to;
  std::string from;
  std::string webhook_url;
  std::string agent_id = kDefaultBolnaAgentId;
  const BolnaScenario* scenario = nullptr;  // nullptr: chosen by the last four digits of `to`
};

// One webhook the execution sent (its exact body); deliveries refer to it by index.
struct BolnaSentWebhook {
  std::string status;
  std::string body;
  bool control = false;  // sent by POST /sim/bolna/webhooks
  absl::Time at;
};

// One execution. Copies are snapshots.
struct BolnaExecution {
  std::string id;  // UUID v4
  BolnaStart request;
  const BolnaScenario* scenario = nullptr;
  std::string provider_call_id;  // "CA" + 32 hex
  std::string recording_url;     // where the recording appears at `completed`
  uint64_t create_index = 0;
  absl::Time created_at;
  std::string status = "queued";
  bool ended = false;
  BolnaExecutionFields fields;  // what the last status webhook said
  std::vector<BolnaSentWebhook> sent;
  std::vector<DeliveryReport> deliveries;  // every HTTP attempt, in completion order
};

// The execution object `execution` shows at `status` per its scenario: null/0 fields until
// call-disconnected (transcript, conversation_duration, hangup fields, recording_url ""), and the
// recording_url, telephony duration and costs at completed; busy/no-answer/error carry
// conversation_duration 0, the hangup fields, duration "0" (and error_message for error).
BolnaExecutionFields BolnaFieldsFor(const BolnaExecution& execution, const std::string& status,
                                    absl::Time now);

// Owns the simulated executions. Thread-safe: every public method takes one mutex briefly and
// never does I/O while holding it.
class BolnaEngine {
 public:
  struct Options {
    double time_scale = 1.0;
    size_t max_ended_executions = 100000;  // the oldest ended ones are dropped beyond this
  };

  // `scheduler` and `sender` must outlive this object; shut the scheduler down first.
  BolnaEngine(Options options, Scheduler* scheduler, WebhookSender* sender);

  // Starts an execution (status queued) and its scenario's webhooks.
  BolnaExecution Start(const BolnaStart& start);

  // The execution, or kNotFound.
  absl::StatusOr<BolnaExecution> Get(const std::string& id) const;

  // Inspection: the `limit` most recent executions, oldest first.
  std::vector<BolnaExecution> List(size_t limit) const;

  // Sends `fields` as one webhook to `url` with no retry and calls `done` with the attempt's
  // report. When fields.id names a known execution, the webhook is recorded in its `sent` list
  // (control = true) and its delivery in `deliveries`.
  void SendControlWebhook(const std::string& url, const BolnaExecutionFields& fields,
                          std::function<void(const DeliveryReport&)> done);

  // Records a delivery attempt (WebhookSender's report callback, Bolna webhooks).
  void RecordDelivery(const DeliveryReport& report);

 private:
  void OnStep(const std::string& id, size_t step);
  void EvictLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::string HexLocked(int digits) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::string UuidLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Options options_;
  Scheduler* const scheduler_;
  WebhookSender* const sender_;

  mutable absl::Mutex mu_;
  std::mt19937_64 rng_ ABSL_GUARDED_BY(mu_);
  uint64_t next_create_index_ ABSL_GUARDED_BY(mu_) = 1;
  std::map<uint64_t, std::unique_ptr<BolnaExecution>> executions_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, BolnaExecution*> by_id_ ABSL_GUARDED_BY(mu_);
  std::deque<uint64_t> ended_ ABSL_GUARDED_BY(mu_);
};

// True for the statuses after which a Bolna execution sends nothing more: completed, busy,
// no-answer, error, failed, canceled, stopped, balance-low.
bool IsBolnaTerminalStatus(std::string_view status);

}  // namespace callcontrol::provider_sim
