// A providers::CallClient whose Dial and Hangup answer what the test scripted, in order, and
// record what they were asked. For unit tests of the call domain on the test's thread (not
// thread-safe). With nothing scripted, Dial answers kUnavailable and Hangup nullopt.
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "providers/provider.h"

namespace callcontrol::testing {

class FakeCallClient : public providers::CallClient {
 public:
  explicit FakeCallClient(bool dial_retryable = true) : dial_retryable_(dial_retryable) {}

  void AnswerDial(absl::StatusOr<providers::CallUpdate> answer) { dials_.push_back(answer); }
  void AnswerHangup(absl::StatusOr<std::optional<providers::CallUpdate>> answer) {
    hangups_.push_back(answer);
  }
  void RefuseHangups(absl::Status why) { check_hangup_ = why; }

  absl::Status CheckStartCall(const config::TenantConfig&,
                              const v1::StartCallRequest&) const override {
    return absl::OkStatus();
  }
  bool dial_retryable() const override { return dial_retryable_; }
  absl::StatusOr<providers::CallUpdate> Dial(const providers::DialRequest& request) const override {
    dialed_.push_back(request);
    if (dials_.empty()) return absl::UnavailableError("fake provider: no dial answer scripted");
    auto answer = dials_.front();
    dials_.pop_front();
    return answer;
  }
  absl::Status CheckHangup(const v1::Call&) const override { return check_hangup_; }
  absl::StatusOr<std::optional<providers::CallUpdate>> Hangup(const config::TenantConfig&,
                                                              const v1::Call& leg) const override {
    hung_up_.push_back(leg);
    if (hangups_.empty()) return std::optional<providers::CallUpdate>();
    auto answer = hangups_.front();
    hangups_.pop_front();
    return answer;
  }

  const std::vector<providers::DialRequest>& dialed() const { return dialed_; }
  const std::vector<v1::Call>& hung_up() const { return hung_up_; }

 private:
  const bool dial_retryable_;
  absl::Status check_hangup_;
  mutable std::deque<absl::StatusOr<providers::CallUpdate>> dials_;
  mutable std::deque<absl::StatusOr<std::optional<providers::CallUpdate>>> hangups_;
  mutable std::vector<providers::DialRequest> dialed_;
  mutable std::vector<v1::Call> hung_up_;
};

}  // namespace callcontrol::testing
