// A providers::VoiceCloner answering what the test scripted, in order, and recording each
// request (name, the timeout it was given). With nothing scripted it answers kUnavailable. For
// unit tests on the test's thread (not thread-safe).
#pragma once

#include <chrono>
#include <deque>
#include <string>
#include <vector>

#include "server/providers/voice_clone_client.h"

namespace callcontrol::testing {

class FakeVoiceCloner : public providers::VoiceCloner {
 public:
  struct Request {
    std::string api_base_url;
    std::string name;
    std::string audio;
    std::chrono::milliseconds timeout{0};
  };

  void Answer(absl::StatusOr<std::string> voice_id) { answers_.push_back(voice_id); }

  absl::StatusOr<providers::ClonedVoice> AddVoice(
      const std::string& api_base_url, const std::string&, const std::string& name,
      const providers::VoiceSample& sample, std::chrono::milliseconds timeout) const override {
    requests_.push_back({api_base_url, name, sample.audio, timeout});
    if (answers_.empty()) return absl::UnavailableError("fake voice API: nothing scripted");
    auto answer = answers_.front();
    answers_.pop_front();
    if (!answer.ok()) return answer.status();
    return providers::ClonedVoice{*answer};
  }

  const std::vector<Request>& requests() const { return requests_; }

 private:
  mutable std::deque<absl::StatusOr<std::string>> answers_;
  mutable std::vector<Request> requests_;
};

}  // namespace callcontrol::testing
