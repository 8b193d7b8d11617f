// The CallManager test fixture: CallManager on its seams (an in-memory store committed when the
// test says, a scripted provider client and voice cloner, a fake clock whose timers fire when
// the test moves it). Tenants: "acme" (Twilio, clone flow on) and "globex" (Twilio).
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "server/calls/call_manager.h"
#include "tests/fakes/fake_call_client.h"
#include "tests/fakes/fake_call_store.h"
#include "tests/fakes/fake_runtime.h"
#include "tests/fakes/fake_voice_cloner.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/tenant_config.h"

namespace callcontrol::calls {

using ::callcontrol::testing::IsOk;

inline constexpr char kCaller[] = "+14155550123";

// Collects one asynchronous answer.
template <typename T>
struct Answer {
  std::optional<absl::StatusOr<T>> got;
  std::function<void(absl::StatusOr<T>)> Take() {
    return [this](absl::StatusOr<T> result) { got = std::move(result); };
  }
  bool answered() const { return got.has_value(); }
  const T& value() const { return **got; }
};

inline providers::CallUpdate Accepted(const std::string& call_sid) {
  providers::CallUpdate update;
  update.provider_ids.set_call_sid(call_sid);
  update.status = v1::CALL_STATUS_QUEUED;
  update.provider_status = "queued";
  return update;
}

inline std::string Wav() {
  return std::string("RIFF\x24\x00\x00\x00WAVEfmt ", 16) + std::string(64, '\0');
}

class CallManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto config = testing::ConfigWithTenants(R"([
      {"id": "acme", "default_from": "+15005550006",
       "twilio": {"account_sid": "AC00000000000000000000000000000001", "auth_token": "secret",
                  "api_base_url": "http://127.0.0.1:1"},
       "clone": {"enabled": true, "agent_stream_url": "wss://agent.example.com/stream",
                 "max_wait_seconds": 30, "voice_api_key": "xi-key",
                 "agent_token_secret": "agent-secret-0123456789"}},
      {"id": "globex", "default_from": "+15005550007",
       "twilio": {"account_sid": "AC00000000000000000000000000000002", "auth_token": "secret2",
                  "api_base_url": "http://127.0.0.1:1"}}])");
    ASSERT_THAT(config, IsOk()) << config.status();
    config_ = *std::move(config);
    auto client = std::make_unique<testing::FakeCallClient>(dial_retryable_);
    client_ = client.get();
    clients_.Set(v1::PROVIDER_TWILIO, std::move(client));
    store_.SetCommitListener([this](int64_t sequence) { manager_->OnDurable(sequence); });
  }

  // Builds the manager and loads what the store holds.
  void Start() {
    manager_ = std::make_unique<CallManager>(&config_, &store_, &clients_, &cloner_,
                                             runtime_.runtime(), options_);
    ASSERT_THAT(manager_->Load(), IsOk());
    Settle();
  }

  // Runs posted work and commits until nothing is left; the clock does not move.
  void Settle() {
    while (runtime_.executor().RunAll() + store_.CommitAll() > 0) {
    }
  }

  // Runs what is posted, without committing.
  void RunWork() { runtime_.executor().RunAll(); }

  // Moves the clock by `by`, firing every timer due on the way, in order, settling after each.
  void Advance(absl::Duration by) {
    const absl::Time until = runtime_.now() + by;
    Settle();
    while (runtime_.timers().FireNext(until)) Settle();
    runtime_.clock().Set(until);
    Settle();
  }

  v1::Call Placed(const std::string& call_sid) {
    client_->AnswerDial(Accepted(call_sid));
    v1::StartCallRequest request;
    request.set_to("+14155550100");
    Answer<v1::Call> started;
    manager_->StartCall("acme", request, started.Take());
    Settle();
    EXPECT_TRUE(started.answered());
    EXPECT_THAT(*started.got, IsOk());
    return started.got->ok() ? started.value() : v1::Call();
  }

  v1::Call Current(const std::string& call_id) {
    Answer<v1::Call> got;
    manager_->GetCall("acme", call_id, got.Take());
    Settle();
    EXPECT_TRUE(got.answered());
    return got.got->ok() ? got.value() : v1::Call();
  }

  // A call of `tenant_id` placed through StartCall, the provider answering with `call_sid`.
  v1::Call PlacedFor(const std::string& tenant_id, const std::string& call_sid) {
    client_->AnswerDial(Accepted(call_sid));
    v1::StartCallRequest request;
    request.set_to("+14155550100");
    Answer<v1::Call> started;
    manager_->StartCall(tenant_id, request, started.Take());
    Settle();
    EXPECT_TRUE(started.answered() && started.got->ok());
    return started.answered() && started.got->ok() ? started.value() : v1::Call();
  }

  // A Twilio status callback of `tenant_id` (call_id may be ""), settled; its answer.
  absl::StatusOr<internal::v1::ReportProviderEventResponse> Report(
      internal::v1::ReportProviderEventRequest report) {
    if (report.provider() == v1::PROVIDER_UNSPECIFIED) report.set_provider(v1::PROVIDER_TWILIO);
    if (report.duration_seconds() == 0) report.set_duration_seconds(-1);
    if (report.provider_sequence() == 0) report.set_provider_sequence(-1);
    Answer<internal::v1::ReportProviderEventResponse> got;
    manager_->ReportProviderEvent(report, got.Take());
    Settle();
    EXPECT_TRUE(got.answered());
    if (!got.answered()) return absl::InternalError("no answer");
    return *got.got;
  }
  static internal::v1::ReportProviderEventRequest StatusCallback(const std::string& tenant_id,
                                                                 const std::string& call_id,
                                                                 const std::string& call_sid,
                                                                 v1::CallStatus status) {
    internal::v1::ReportProviderEventRequest report;
    report.set_tenant_id(tenant_id);
    report.set_provider(v1::PROVIDER_TWILIO);
    report.set_call_id(call_id);
    report.mutable_provider_ids()->set_call_sid(call_sid);
    report.set_status(status);
    report.set_provider_status("status");
    report.set_duration_seconds(-1);
    report.set_provider_sequence(-1);
    return report;
  }

  // GetCall of `tenant_id`, settled.
  absl::StatusOr<v1::Call> Get(const std::string& tenant_id, const std::string& id) {
    Answer<v1::Call> got;
    manager_->GetCall(tenant_id, id, got.Take());
    Settle();
    EXPECT_TRUE(got.answered());
    if (!got.answered()) return absl::InternalError("no answer");
    return *got.got;
  }

  internal::v1::StartInboundCallResponse Inbound(const std::string& call_sid) {
    internal::v1::StartInboundCallRequest request;
    request.set_tenant_id("acme");
    request.set_provider(v1::PROVIDER_TWILIO);
    request.mutable_provider_ids()->set_call_sid(call_sid);
    request.set_from(kCaller);
    request.set_to("+15005550006");
    Answer<internal::v1::StartInboundCallResponse> started;
    manager_->StartInboundCall(request, started.Take());
    Settle();
    EXPECT_TRUE(started.answered());
    return started.got->ok() ? started.value() : internal::v1::StartInboundCallResponse();
  }

  void StoreSample() {
    v1::PutVoiceSampleRequest request;
    request.set_caller_number(kCaller);
    request.set_audio(Wav());
    Answer<v1::PutVoiceSampleResponse> put;
    manager_->PutVoiceSample("acme", request, put.Take());
    Settle();
    ASSERT_TRUE(put.answered());
    ASSERT_THAT(*put.got, IsOk());
  }

  internal::v1::GetCloneProgressResponse Progress(const std::string& call_id) {
    internal::v1::GetCloneProgressRequest request;
    request.set_tenant_id("acme");
    request.set_call_id(call_id);
    Answer<internal::v1::GetCloneProgressResponse> got;
    manager_->GetCloneProgress(request, got.Take());
    Settle();
    EXPECT_TRUE(got.answered());
    return got.got->ok() ? got.value() : internal::v1::GetCloneProgressResponse();
  }

  bool dial_retryable_ = true;
  config::Config config_;
  testing::FakeRuntime runtime_;
  testing::FakeCallStore store_;
  testing::FakeVoiceCloner cloner_;
  testing::FakeCallClient* client_ = nullptr;
  ProviderClients clients_;
  CallManager::Options options_;
  std::unique_ptr<CallManager> manager_;
};

}  // namespace callcontrol::calls
