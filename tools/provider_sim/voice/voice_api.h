// The simulator's voice-clone API (ElevenLabs-shaped instant voice cloning,
// `POST /v1/voices/add`): `xi-api-key` auth, multipart/form-data bodies, scripted answers chosen
// by the last four digits of the voice `name`, and the records behind `GET /sim/voices`.
#pragma once

#include <cstdint>
#include <deque>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "common/http/http_server.h"
#include "nlohmann/json.hpp"
#include "tools/provider_sim/scheduler.h"

namespace callcontrol::provider_sim {

// The accepted API key when none is configured (--voice-api-key).
inline constexpr char kDefaultVoiceApiKey[] = "sim-voice-key";

// How the simulated API answers one add-voice request.
struct VoiceScenario {
  enum class Kind {
    kSucceed,      // 200 {"voice_id", "requires_verification": false}
    kFailFirst,    // 500 internal_error on the first request for the name, then kSucceed
    kRejectAudio,  // always 400 invalid_audio (permanent)
    kNeverAnswer,  // holds the request until the client gives up (503 at shutdown)
  };
  std::string_view suffix;  // last four digits of the name; "" for the default
  std::string_view name;
  std::string_view description;
  Kind kind = Kind::kSucceed;
  double latency_seconds = 1.0;  // before the answer, scaled by --time-scale
};

// The table, default first.
const std::vector<VoiceScenario>& AllVoiceScenarios();
// The scenario for a voice name (by its last four characters); the default when none matches.
const VoiceScenario& VoiceScenarioForName(std::string_view name);

// One received POST /v1/voices/add, as GET /sim/voices shows it.
struct VoiceRequestRecord {
  uint64_t index = 0;        // 1, 2, ... in arrival order
  std::string received_at;   // RFC 3339 UTC
  std::string name;          // "" when the body had none (or auth failed)
  std::string scenario;      // scenario name; "" when rejected before choosing one
  int attempt = 0;           // requests so far with this name, this one included
  std::string filename;      // of the first `files` part
  std::string content_type;  // of the first `files` part
  size_t file_size = 0;      // bytes of the first `files` part
  int file_count = 0;        // `files` parts
  bool remove_background_noise = false;
  int status = 0;  // the HTTP status answered; 0 while pending or held
  std::string voice_id;
};

// Serves POST /v1/voices/add and keeps its records. Thread-safe.
class VoiceApi {
 public:
  struct Options {
    double time_scale = 1.0;      // > 0; multiplies the scenario latencies
    size_t max_records = 100000;  // oldest records are dropped past it
  };
  // `api_keys` must not be empty; `scheduler` must outlive this object's pending answers.
  VoiceApi(Options options, std::vector<std::string> api_keys, Scheduler* scheduler);

  // Answers one /v1/voices/... request now or later (from the scheduler thread). 401
  // invalid_api_key for a missing or unknown `xi-api-key`, 404 for another path, 405 for a
  // method other than POST, 400 for a body that is not multipart/form-data, lacks `name`, or
  // lacks a non-empty `files` part; otherwise the scenario's answer.
  void Handle(const http::Request& request, http::Responder respond);

  // The newest `limit` records, oldest first, as {"voices": [...]}.
  nlohmann::ordered_json ListJson(size_t limit) const;

  // Answers every pending or held request with 503 so that the HTTP server can stop at once;
  // later requests get 503 straight away. Idempotent.
  void Shutdown();

 private:
  // Records `status`/`voice_id` for the request `index` and answers it, unless Shutdown took it.
  void Complete(uint64_t index, http::Response response, const std::string& voice_id);
  // Stores `record` with the next index and its attempt number (also put in *attempt when
  // given); when `respond` is given, keeps it pending under that index. Returns the index, or 0
  // (nothing stored, *respond untouched) after Shutdown.
  uint64_t AddRecord(VoiceRequestRecord record, http::Responder* respond, int* attempt)
      ABSL_LOCKS_EXCLUDED(mu_);
  std::string NewVoiceId();

  const Options options_;
  const std::vector<std::string> api_keys_;
  Scheduler* const scheduler_;

  mutable absl::Mutex mu_;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t next_index_ ABSL_GUARDED_BY(mu_) = 1;
  std::deque<VoiceRequestRecord> records_ ABSL_GUARDED_BY(mu_);  // oldest first
  absl::flat_hash_map<std::string, int> attempts_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<uint64_t, http::Responder> pending_ ABSL_GUARDED_BY(mu_);
  std::mt19937_64 rng_ ABSL_GUARDED_BY(mu_);
};

}  // namespace callcontrol::provider_sim
