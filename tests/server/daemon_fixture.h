// A gtest fixture running callcontrold in-process on ephemeral ports (SQLite in a temporary
// folder, tenants acme (Twilio) and globex (Twilio + Telnyx)), with helpers that drive it through
// its real gRPC services. Shared by the daemon tests.
#pragma once

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "callcontrol/internal/v1/provider_event_service.grpc.pb.h"
#include "callcontrol/v1/call_control_service.grpc.pb.h"
#include "common/config/config.h"
#include "providers/registry.h"
#include "server/daemon.h"
#include "tests/testing/grpc_environment.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace callcontrol::testing {

inline constexpr char kAcmeKey[] = "cc_test_acme_key";
inline constexpr char kGlobexKey[] = "cc_test_globex_key";
inline constexpr char kInternalKey[] = "cc_test_internal_key";

inline void WithKey(grpc::ClientContext* context, const std::string& key) {
  context->AddMetadata("authorization", "Bearer " + key);
}

inline std::string CallSid(int i) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "CA%032x", i);
  return buf;
}

class DaemonFixture : public ::testing::Test {
 protected:
  void StartDaemon() {
    auto config = providers::ParseConfig(R"({
      "daemon": {"grpc_listen": "127.0.0.1:0", "metrics_listen": "127.0.0.1:0",
                 "internal_api_key": ")" +
                                         std::string(kInternalKey) + R"(", "db": ")" +
                                         dir_.File("cc.db") + R"("},
      "tenants": [{"id": "acme", "default_from": "+15005550006",
                   "api_keys": [")" + config::HashApiKey(kAcmeKey) +
                                         R"("],
                   "twilio": {"account_sid": "AC00000000000000000000000000000001",
                              "auth_token": "secret", "api_base_url": "http://127.0.0.1:1"}},
                  {"id": "globex", "default_from": "+15005550007",
                   "api_keys": [")" + config::HashApiKey(kGlobexKey) +
                                         R"("],
                   "twilio": {"account_sid": "AC00000000000000000000000000000002",
                              "auth_token": "secret2", "api_base_url": "http://127.0.0.1:1"},
                   "telnyx": {"api_key": "KEYtest", "connection_id": "1234",
                              "public_key": "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
                              "api_base_url": "http://127.0.0.1:1"}}]
    })");
    ASSERT_THAT(config, testing::IsOk());
    auto daemon = Daemon::Start(*std::move(config));
    ASSERT_THAT(daemon, testing::IsOk());
    daemon_ = *std::move(daemon);
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(daemon_->grpc_port()),
                                   grpc::InsecureChannelCredentials());
    calls_ = v1::CallControlService::NewStub(channel_);
    events_ = internal::v1::ProviderEventService::NewStub(channel_);
  }
  void StopDaemon() {
    calls_.reset();
    events_.reset();
    channel_.reset();
    daemon_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    daemon_.reset();
  }

  // A Twilio status callback of acme's call `call` (its CallSid): `word`, moving it to `status`,
  // SequenceNumber `seq`; a completed call talked 7 s.
  static internal::v1::ReportProviderEventRequest StatusReport(int call, const char* word,
                                                               v1::CallStatus status, int seq) {
    internal::v1::ReportProviderEventRequest r;
    r.set_tenant_id("acme");
    r.set_provider(v1::PROVIDER_TWILIO);
    r.mutable_provider_ids()->set_call_sid(CallSid(call));
    r.set_provider_status(word);
    r.set_status(status);
    r.set_provider_sequence(seq);
    r.set_duration_seconds(status == v1::CALL_STATUS_COMPLETED ? 7 : -1);
    r.set_direction(v1::CALL_DIRECTION_INBOUND);
    r.set_from("+14155550100");
    r.set_to("+14155550199");
    return r;
  }

  grpc::Status Report(int call, const char* word, v1::CallStatus status, int seq,
                      internal::v1::ReportProviderEventResponse* response) {
    grpc::ClientContext ctx;
    WithKey(&ctx, kInternalKey);
    return events_->ReportProviderEvent(&ctx, StatusReport(call, word, status, seq), response);
  }

  // Runs one call through its four callbacks.
  void RunCall(int i) {
    internal::v1::ReportProviderEventResponse resp;
    ASSERT_TRUE(Report(i, "initiated", v1::CALL_STATUS_INITIATED, 0, &resp).ok());
    ASSERT_TRUE(Report(i, "ringing", v1::CALL_STATUS_RINGING, 1, &resp).ok());
    ASSERT_TRUE(Report(i, "in-progress", v1::CALL_STATUS_IN_PROGRESS, 2, &resp).ok());
    ASSERT_TRUE(Report(i, "completed", v1::CALL_STATUS_COMPLETED, 3, &resp).ok());
  }

  // Reads events from StreamEvents(since) until `count` call events arrived; returns their
  // sequences (and the events in `out`). metrics:updated events, which the daemon interleaves on
  // its own schedule, are left out of both but their sequences go to `all` with the others.
  std::vector<int64_t> ReadEvents(std::optional<int64_t> since, size_t count,
                                  std::vector<v1::Event>* out = nullptr,
                                  const std::string& key = kAcmeKey,
                                  std::vector<int64_t>* all = nullptr) {
    grpc::ClientContext ctx;
    WithKey(&ctx, key);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    v1::StreamEventsRequest req;
    if (since) req.set_since_sequence(*since);
    auto reader = calls_->StreamEvents(&ctx, req);
    std::vector<int64_t> seqs;
    v1::StreamEventsResponse resp;
    while (seqs.size() < count && reader->Read(&resp)) {
      for (const auto& e : resp.events()) {
        if (all) all->push_back(e.sequence());
        if (e.type() == v1::EVENT_TYPE_METRICS_UPDATED) continue;
        seqs.push_back(e.sequence());
        if (out) out->push_back(e);
      }
    }
    ctx.TryCancel();
    return seqs;
  }

  // Reports one Telnyx webhook of tenant globex for leg `leg` of session `session`.
  internal::v1::ReportProviderEventResponse ReportTelnyx(const std::string& leg,
                                                         const std::string& session,
                                                         const std::string& event_id,
                                                         v1::CallStatus status, absl::Time occurred,
                                                         const std::string& cause = "") {
    internal::v1::ReportProviderEventRequest r;
    r.set_tenant_id("globex");
    r.set_provider(v1::PROVIDER_TELNYX);
    r.mutable_provider_ids()->set_call_control_id("v3:" + leg);
    r.mutable_provider_ids()->set_call_leg_id(leg);
    r.mutable_provider_ids()->set_call_session_id(session);
    r.set_provider_event_id(event_id);
    r.set_status(status);
    r.set_provider_status(cause.empty() ? "call.event" : "call.hangup:" + cause);
    r.set_provider_sequence(-1);
    r.set_duration_seconds(-1);
    r.mutable_occurred_time()->set_seconds(absl::ToUnixSeconds(occurred));
    if (!cause.empty()) {
      r.mutable_hangup()->set_cause(cause);
      r.mutable_hangup()->set_source("caller");
      r.mutable_hangup()->set_sip_cause("486");
    }
    grpc::ClientContext ctx;
    WithKey(&ctx, kInternalKey);
    internal::v1::ReportProviderEventResponse response;
    EXPECT_TRUE(events_->ReportProviderEvent(&ctx, r, &response).ok());
    return response;
  }

  grpc::Status GetCall(const std::string& id, const std::string& key, v1::Call* call) {
    grpc::ClientContext ctx;
    WithKey(&ctx, key);
    v1::GetCallRequest request;
    request.set_call_id(id);
    v1::GetCallResponse response;
    grpc::Status status = calls_->GetCall(&ctx, request, &response);
    *call = response.call();
    return status;
  }

  TempDir dir_;
  std::unique_ptr<Daemon> daemon_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::CallControlService::Stub> calls_;
  std::unique_ptr<internal::v1::ProviderEventService::Stub> events_;
};

}  // namespace callcontrol::testing
