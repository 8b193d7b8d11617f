#include "tools/provider_sim/voice/voice_api.h"

#include <chrono>
#include <utility>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/logging.h"
#include "tools/provider_sim/multipart.h"

namespace callcontrol::provider_sim {
namespace {

const std::shared_ptr<spdlog::logger>& Logger() {
  static const std::shared_ptr<spdlog::logger> logger = logging::Get("provider_sim");
  return logger;
}

using ordered_json = nlohmann::ordered_json;

constexpr std::string_view kAddPath = "/v1/voices/add";

http::Response Json(int status, const ordered_json& body) {
  http::Response response;
  response.status = status;
  response.content_type = "application/json";
  response.body = body.dump();
  return response;
}

// ElevenLabs' error shape: {"detail": {"status": "...", "message": "..."}}.
http::Response Error(int status, std::string_view code, std::string_view message) {
  return Json(status, {{"detail", {{"status", code}, {"message", message}}}});
}

bool AllDigits(std::string_view s) {
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

const std::vector<VoiceScenario>& AllVoiceScenarios() {
  using Kind = VoiceScenario::Kind;
  static const std::vector<VoiceScenario> kScenarios = {
      {"0100", "cloned", "200 with a new voice_id after 1 s", Kind::kSucceed, 1.0},
      {"0101", "flaky",
       "the first request for the name gets 500 internal_error after 0.5 s; later ones succeed "
       "like 0100",
       Kind::kFailFirst, 0.5},
      {"0102", "invalid-audio", "always 400 invalid_audio after 0.5 s (a permanent failure)",
       Kind::kRejectAudio, 0.5},
      {"0103", "never-answers",
       "holds the request until the client gives up (answered 503 when the sim stops)",
       Kind::kNeverAnswer, 0.0},
      {"0104", "slow", "200 with a new voice_id after 8 s", Kind::kSucceed, 8.0},
  };
  return kScenarios;
}

const VoiceScenario& VoiceScenarioForName(std::string_view name) {
  const auto& all = AllVoiceScenarios();
  if (name.size() >= 4) {
    const std::string_view suffix = name.substr(name.size() - 4);
    if (AllDigits(suffix)) {
      for (const VoiceScenario& s : all) {
        if (s.suffix == suffix) return s;
      }
    }
  }
  return all.front();
}

VoiceApi::VoiceApi(Options options, std::vector<std::string> api_keys, Scheduler* scheduler)
    : options_(options),
      api_keys_(std::move(api_keys)),
      scheduler_(scheduler),
      rng_(std::random_device{}()) {}

std::string VoiceApi::NewVoiceId() {
  static constexpr char kAlnum[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::uniform_int_distribution<size_t> pick(0, sizeof(kAlnum) - 2);
  absl::MutexLock lock(&mu_);
  std::string id;
  for (int i = 0; i < 20; ++i) id.push_back(kAlnum[pick(rng_)]);
  return id;
}

uint64_t VoiceApi::AddRecord(VoiceRequestRecord record, http::Responder* respond, int* attempt) {
  absl::MutexLock lock(&mu_);
  if (shut_down_) return 0;
  record.index = next_index_++;
  record.received_at = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
  if (!record.name.empty() && !record.scenario.empty()) record.attempt = ++attempts_[record.name];
  if (attempt != nullptr) *attempt = record.attempt;
  records_.push_back(std::move(record));
  while (records_.size() > options_.max_records) records_.pop_front();
  if (respond != nullptr) pending_.emplace(records_.back().index, std::move(*respond));
  return records_.back().index;
}

void VoiceApi::Handle(const http::Request& request, http::Responder respond) {
  auto answer_now = [&](VoiceRequestRecord record, http::Response response) {
    record.status = response.status;
    AddRecord(std::move(record), nullptr, nullptr);
    respond(std::move(response));
  };
  if (request.path != kAddPath) {
    return respond(Error(404, "not_found", "unknown voice-clone path " + request.path));
  }
  if (request.method != "POST") {
    http::Response response = Error(405, "method_not_allowed", "use POST");
    response.headers.emplace_back("Allow", "POST");
    return respond(std::move(response));
  }
  VoiceRequestRecord record;
  const std::string_view key = request.Header("xi-api-key");
  bool known_key = false;
  for (const std::string& k : api_keys_) known_key = known_key || (!key.empty() && key == k);
  if (!known_key) {
    return answer_now(std::move(record),
                      Error(401, "invalid_api_key", "Invalid API key: send a valid xi-api-key"));
  }
  auto boundary = MultipartBoundary(request.Header("content-type"));
  if (!boundary.ok()) {
    return answer_now(std::move(record),
                      Error(400, "invalid_content_type", std::string(boundary.status().message())));
  }
  auto parts = ParseMultipart(request.body, *boundary);
  if (!parts.ok()) {
    return answer_now(std::move(record),
                      Error(400, "invalid_multipart", std::string(parts.status().message())));
  }
  for (const MultipartPart& part : *parts) {
    if (part.name == "name" && record.name.empty()) record.name = part.data;
    if (part.name == "remove_background_noise")
      record.remove_background_noise = part.data == "true";
    if (part.name == "files") {
      if (record.file_count == 0) {
        record.filename = part.filename;
        record.content_type = part.content_type;
        record.file_size = part.data.size();
      }
      ++record.file_count;
    }
  }
  if (record.name.empty()) {
    return answer_now(std::move(record), Error(400, "name_missing", "the name field is required"));
  }
  if (record.file_count == 0 || record.file_size == 0) {
    return answer_now(std::move(record), Error(400, "no_audio_files",
                                               "at least one non-empty files part is required"));
  }

  const VoiceScenario& scenario = VoiceScenarioForName(record.name);
  record.scenario = std::string(scenario.name);
  int attempt = 0;
  const uint64_t index = AddRecord(std::move(record), &respond, &attempt);
  if (index == 0) {
    return respond(Error(503, "service_unavailable", "the simulator is stopping"));
  }
  if (scenario.kind == VoiceScenario::Kind::kNeverAnswer) return;  // held until Shutdown

  http::Response response;
  std::string voice_id;
  if (scenario.kind == VoiceScenario::Kind::kRejectAudio) {
    response = Error(400, "invalid_audio",
                     "The voice sample could not be decoded as audio; upload a valid file");
  } else if (scenario.kind == VoiceScenario::Kind::kFailFirst && attempt <= 1) {
    response = Error(500, "internal_error", "An internal error occurred; please retry");
  } else {
    voice_id = NewVoiceId();
    response = Json(200, {{"voice_id", voice_id}, {"requires_verification", false}});
  }
  const auto delay = std::chrono::duration_cast<Scheduler::Clock::duration>(
      std::chrono::duration<double>(scenario.latency_seconds * options_.time_scale));
  scheduler_->ScheduleAfter(delay, [this, index, response = std::move(response),
                                    voice_id = std::move(voice_id)]() mutable {
    Complete(index, std::move(response), voice_id);
  });
}

void VoiceApi::Complete(uint64_t index, http::Response response, const std::string& voice_id) {
  http::Responder respond;
  {
    absl::MutexLock lock(&mu_);
    auto it = pending_.find(index);
    if (it == pending_.end()) return;
    respond = std::move(it->second);
    pending_.erase(it);
    for (auto r = records_.rbegin(); r != records_.rend(); ++r) {
      if (r->index == index) {
        r->status = response.status;
        r->voice_id = voice_id;
        break;
      }
    }
  }
  respond(std::move(response));
}

ordered_json VoiceApi::ListJson(size_t limit) const {
  absl::MutexLock lock(&mu_);
  ordered_json voices = ordered_json::array();
  const size_t skip = records_.size() > limit ? records_.size() - limit : 0;
  for (size_t i = skip; i < records_.size(); ++i) {
    const VoiceRequestRecord& r = records_[i];
    voices.push_back({{"index", r.index},
                      {"received_at", r.received_at},
                      {"name", r.name},
                      {"scenario", r.scenario},
                      {"attempt", r.attempt},
                      {"filename", r.filename},
                      {"content_type", r.content_type},
                      {"file_size", r.file_size},
                      {"file_count", r.file_count},
                      {"remove_background_noise", r.remove_background_noise},
                      {"status", r.status},
                      {"voice_id", r.voice_id}});
  }
  return {{"voices", std::move(voices)}};
}

void VoiceApi::Shutdown() {
  absl::flat_hash_map<uint64_t, http::Responder> pending;
  {
    absl::MutexLock lock(&mu_);
    if (shut_down_) return;
    shut_down_ = true;
    pending.swap(pending_);
    for (VoiceRequestRecord& r : records_) {
      if (pending.contains(r.index)) r.status = 503;
    }
  }
  for (auto& [index, respond] : pending) {
    respond(Error(503, "service_unavailable", "the simulator is stopping"));
  }
  if (!pending.empty()) {
    Logger()->info("voice-clone: answered {} pending requests with 503", pending.size());
  }
}

}  // namespace callcontrol::provider_sim
