// callcontrold in-process on an ephemeral port, driven through its real gRPC services: events
// reported through the internal service come out of StreamEvents in order, with no gap or
// duplicate across the replay-to-live switch, and everything survives a restart.
#include "server/daemon.h"

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "callcontrol/internal/v1/provider_event_service.grpc.pb.h"
#include "callcontrol/v1/call_control_service.grpc.pb.h"
#include "common/http/http_client.h"
#include "tests/server/daemon_fixture.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/wait.h"

namespace callcontrol {
namespace {

using internal::v1::ProviderEventService;
using internal::v1::ReportProviderEventRequest;
using internal::v1::ReportProviderEventResponse;
using testing::CallSid;
using testing::kAcmeKey;
using testing::kGlobexKey;
using testing::kInternalKey;
using testing::WithKey;

class DaemonTest : public testing::DaemonFixture {};

TEST_F(DaemonTest, AppliesADuplicateWebhookOnce) {
  StartDaemon();
  ReportProviderEventResponse first, second;
  ASSERT_TRUE(Report(1, "ringing", v1::CALL_STATUS_RINGING, 1, &first).ok());
  ASSERT_TRUE(Report(1, "ringing", v1::CALL_STATUS_RINGING, 1, &second).ok());
  EXPECT_TRUE(first.applied());
  EXPECT_FALSE(second.applied());
  EXPECT_EQ(first.call_id(), second.call_id());
  ASSERT_TRUE(Report(1, "initiated", v1::CALL_STATUS_INITIATED, 0, &second).ok());
  EXPECT_FALSE(second.applied());  // late and lower: no regression

  grpc::ClientContext ctx;
  WithKey(&ctx, kAcmeKey);
  v1::GetCallRequest get;
  get.set_call_id(CallSid(1));  // by CallSid
  v1::GetCallResponse got;
  ASSERT_TRUE(calls_->GetCall(&ctx, get, &got).ok());
  EXPECT_EQ(got.call().status(), v1::CALL_STATUS_RINGING);
  EXPECT_EQ(got.call().version(), 1);
  EXPECT_EQ(ReadEvents(0, 1).size(), 1u);
  StopDaemon();
}

TEST_F(DaemonTest, ReplayThenLiveHasNoGapAndNoDuplicate) {
  StartDaemon();
  constexpr int kCalls = 60;  // 4 events each
  std::atomic<int> next{0};
  auto worker = [&] {
    for (int i; (i = next.fetch_add(1)) < kCalls;) RunCall(i + 1);
  };
  std::thread w1(worker), w2(worker);
  // Subscribe from the start while writes are under way: part replay, part live.
  ASSERT_TRUE(::callcontrol::testing::WaitFor(
      [&] { return next.load() >= 4; }, std::chrono::seconds(10), "the first calls to start"));
  std::vector<v1::Event> events;
  std::vector<int64_t> all;
  const std::vector<int64_t> seqs = ReadEvents(0, kCalls * 4, &events, kAcmeKey, &all);
  w1.join();
  w2.join();
  ASSERT_EQ(seqs.size(), static_cast<size_t>(kCalls * 4));
  // One tenant: the log it sees is gapless, calls and metrics events together.
  for (size_t i = 0; i < all.size(); ++i) ASSERT_EQ(all[i], static_cast<int64_t>(i + 1));
  int created = 0;
  for (const auto& e : events) created += e.name() == "call:created";
  EXPECT_EQ(created, kCalls);

  // A subscriber resuming mid-log gets exactly the rest.
  std::vector<int64_t> expected_rest;
  for (int64_t seq : seqs) {
    if (seq > 100) expected_rest.push_back(seq);
  }
  EXPECT_EQ(ReadEvents(100, expected_rest.size()), expected_rest);
  StopDaemon();
}

TEST_F(DaemonTest, RestartKeepsCallsMetricsAndTheEventLog) {
  StartDaemon();
  for (int i = 1; i <= 3; ++i) RunCall(i);
  ReportProviderEventResponse resp;
  ASSERT_TRUE(Report(4, "ringing", v1::CALL_STATUS_RINGING, 1, &resp).ok());
  StopDaemon();

  StartDaemon();
  grpc::ClientContext ctx;
  WithKey(&ctx, kAcmeKey);
  v1::GetMetricsResponse metrics;
  ASSERT_TRUE(calls_->GetMetrics(&ctx, v1::GetMetricsRequest(), &metrics).ok());
  EXPECT_EQ(metrics.metrics().total_calls(), 4);
  EXPECT_EQ(metrics.metrics().active_calls(), 1);
  EXPECT_EQ(metrics.metrics().billable_seconds(), 21);

  // The active call is still driven by its callbacks after the restart.
  ASSERT_TRUE(Report(4, "completed", v1::CALL_STATUS_COMPLETED, 3, &resp).ok());
  EXPECT_TRUE(resp.applied());

  grpc::ClientContext list_ctx;
  WithKey(&list_ctx, kAcmeKey);
  v1::ListCallsRequest list;
  list.add_statuses(v1::CALL_STATUS_COMPLETED);
  list.set_page_size(2);
  v1::ListCallsResponse page;
  ASSERT_TRUE(calls_->ListCalls(&list_ctx, list, &page).ok());
  EXPECT_EQ(page.calls_size(), 2);
  EXPECT_FALSE(page.next_page_token().empty());
  grpc::ClientContext list_ctx2;
  WithKey(&list_ctx2, kAcmeKey);
  list.set_page_token(page.next_page_token());
  ASSERT_TRUE(calls_->ListCalls(&list_ctx2, list, &page).ok());
  EXPECT_EQ(page.calls_size(), 2);
  EXPECT_TRUE(page.next_page_token().empty());

  // Call 4 was created (ringing) before the restart and completed after it, in that order.
  std::vector<v1::Event> events;
  ReadEvents(0, 14, &events);  // 3 calls × 4 + the 2 of call 4
  std::vector<v1::Event> call4;
  for (const auto& e : events) {
    if (e.call().provider_ids().call_sid() == CallSid(4)) call4.push_back(e);
  }
  ASSERT_EQ(call4.size(), 2u);
  EXPECT_EQ(call4[0].name(), "call:created");
  EXPECT_EQ(call4[1].call().status(), v1::CALL_STATUS_COMPLETED);
  EXPECT_LT(call4[0].sequence(), call4[1].sequence());
  StopDaemon();
}

TEST_F(DaemonTest, ResumingRightAfterARestartReplaysTheRetainedLog) {
  StartDaemon();
  RunCall(1);
  StopDaemon();
  StartDaemon();
  // No event has happened since the restart: everything after 1 comes from the log.
  std::vector<v1::Event> events;
  ReadEvents(1, 3, &events);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].call().status(), v1::CALL_STATUS_RINGING);
  EXPECT_EQ(events[2].call().status(), v1::CALL_STATUS_COMPLETED);
  StopDaemon();
}

TEST_F(DaemonTest, RejectsBadArgumentsWithClearErrors) {
  StartDaemon();
  grpc::ClientContext c1;
  WithKey(&c1, kAcmeKey);
  v1::StartCallRequest start;
  start.set_to("555-0100");
  v1::StartCallResponse started;
  const grpc::Status s1 = calls_->StartCall(&c1, start, &started);
  EXPECT_EQ(s1.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s1.error_message().find("E.164"), std::string::npos);

  grpc::ClientContext c2;
  WithKey(&c2, kAcmeKey);
  v1::GetCallRequest get;
  get.set_call_id("call_00000000000000000000000000000000");
  v1::GetCallResponse got;
  EXPECT_EQ(calls_->GetCall(&c2, get, &got).error_code(), grpc::StatusCode::NOT_FOUND);

  grpc::ClientContext c3;
  WithKey(&c3, kAcmeKey);
  v1::ListCallsRequest list;
  list.set_page_token("garbage");
  v1::ListCallsResponse page;
  EXPECT_EQ(calls_->ListCalls(&c3, list, &page).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  grpc::ClientContext c4;
  WithKey(&c4, kAcmeKey);
  v1::HangupCallRequest hangup;
  hangup.set_call_id("CA00000000000000000000000000000000");
  v1::HangupCallResponse hung;
  EXPECT_EQ(calls_->HangupCall(&c4, hangup, &hung).error_code(), grpc::StatusCode::NOT_FOUND);
  StopDaemon();
}

TEST_F(DaemonTest, ABatchAppliesEachEventAndAnswersEachOnItsOwn) {
  StartDaemon();
  // The call exists first: reports naming a CallSid the daemon never saw are looked up in the
  // store concurrently, so within one batch it would be open which of them creates the call.
  ReportProviderEventResponse created;
  ASSERT_TRUE(Report(1, "queued", v1::CALL_STATUS_QUEUED, -1, &created).ok());
  internal::v1::BatchReportProviderEventsRequest batch;
  const struct {
    const char* word;
    v1::CallStatus status;
  } steps[] = {{"initiated", v1::CALL_STATUS_INITIATED},
               {"ringing", v1::CALL_STATUS_RINGING},
               {"in-progress", v1::CALL_STATUS_IN_PROGRESS}};
  for (int seq = 0; seq < 3; ++seq) {
    ReportProviderEventRequest* r = batch.add_requests();
    r->set_tenant_id("acme");
    r->set_provider(v1::PROVIDER_TWILIO);
    r->mutable_provider_ids()->set_call_sid(CallSid(1));
    r->set_provider_status(steps[seq].word);
    r->set_status(steps[seq].status);
    r->set_provider_sequence(seq);
  }
  *batch.add_requests() = batch.requests(2);  // a duplicate: acknowledged, not applied
  ReportProviderEventRequest* unknown = batch.add_requests();
  *unknown = batch.requests(0);
  unknown->set_tenant_id("nobody");
  ReportProviderEventRequest* missing = batch.add_requests();
  *missing = batch.requests(0);
  missing->set_call_id("call_00000000000000000000000000000000");
  missing->mutable_provider_ids()->set_call_sid(CallSid(99));

  grpc::ClientContext ctx;
  WithKey(&ctx, kInternalKey);
  internal::v1::BatchReportProviderEventsResponse answer;
  ASSERT_TRUE(events_->BatchReportProviderEvents(&ctx, batch, &answer).ok());
  ASSERT_EQ(answer.results_size(), 6);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(answer.results(i).code(), 0) << answer.DebugString();
  const std::string call_id = created.call_id();
  ASSERT_FALSE(call_id.empty());
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(answer.results(i).response().applied()) << i;
    EXPECT_EQ(answer.results(i).response().call_id(), call_id) << i;
  }
  EXPECT_FALSE(answer.results(3).response().applied());
  EXPECT_EQ(answer.results(4).code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_EQ(answer.results(4).message(), "unknown tenant");  // the id is not echoed
  EXPECT_EQ(answer.results(5).code(), static_cast<int>(grpc::StatusCode::NOT_FOUND));

  v1::Call call;
  ASSERT_TRUE(GetCall(CallSid(1), kAcmeKey, &call).ok());
  EXPECT_EQ(call.status(), v1::CALL_STATUS_IN_PROGRESS);
  EXPECT_EQ(call.call_id(), call_id);

  grpc::ClientContext empty_ctx;
  WithKey(&empty_ctx, kInternalKey);
  EXPECT_EQ(events_
                ->BatchReportProviderEvents(
                    &empty_ctx, internal::v1::BatchReportProviderEventsRequest(), &answer)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  grpc::ClientContext tenant_ctx;
  WithKey(&tenant_ctx, kAcmeKey);
  EXPECT_EQ(events_->BatchReportProviderEvents(&tenant_ctx, batch, &answer).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  StopDaemon();
}

TEST_F(DaemonTest, EveryPublicRpcNeedsAKnownApiKey) {
  StartDaemon();
  v1::GetMetricsResponse metrics;
  grpc::ClientContext none;
  EXPECT_EQ(calls_->GetMetrics(&none, v1::GetMetricsRequest(), &metrics).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  grpc::ClientContext wrong;
  WithKey(&wrong, "cc_not_a_key");
  EXPECT_EQ(calls_->GetMetrics(&wrong, v1::GetMetricsRequest(), &metrics).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  grpc::ClientContext basic;
  basic.AddMetadata("authorization", std::string("Basic ") + kAcmeKey);
  EXPECT_EQ(calls_->GetMetrics(&basic, v1::GetMetricsRequest(), &metrics).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  grpc::ClientContext lower;
  lower.AddMetadata("authorization", std::string("bearer ") + kAcmeKey);
  EXPECT_TRUE(calls_->GetMetrics(&lower, v1::GetMetricsRequest(), &metrics).ok());

  grpc::ClientContext stream;
  auto reader = calls_->StreamEvents(&stream, v1::StreamEventsRequest());
  v1::StreamEventsResponse ignored;
  EXPECT_FALSE(reader->Read(&ignored));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);

  // The internal service takes only the internal key, not a tenant's.
  ReportProviderEventRequest r;
  r.set_tenant_id("acme");
  r.set_provider(v1::PROVIDER_TWILIO);
  r.mutable_provider_ids()->set_call_sid(CallSid(1));
  r.set_status(v1::CALL_STATUS_RINGING);
  ReportProviderEventResponse response;
  grpc::ClientContext tenant_key;
  WithKey(&tenant_key, kAcmeKey);
  EXPECT_EQ(events_->ReportProviderEvent(&tenant_key, r, &response).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  v1::Call call;
  EXPECT_EQ(GetCall(CallSid(1), kAcmeKey, &call).error_code(), grpc::StatusCode::NOT_FOUND);
  StopDaemon();
}

TEST_F(DaemonTest, ATenantNeverSeesAnotherTenantsCall) {
  StartDaemon();
  RunCall(1);  // acme's
  ReportProviderEventResponse resp;
  ASSERT_TRUE(Report(2, "ringing", v1::CALL_STATUS_RINGING, 1, &resp).ok());  // acme, active
  const std::string acme_call = resp.call_id();

  v1::Call call;
  EXPECT_EQ(GetCall(acme_call, kGlobexKey, &call).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Provider ids are scoped by tenant: another tenant's CallSid finds nothing at all.
  EXPECT_EQ(GetCall(CallSid(2), kGlobexKey, &call).error_code(), grpc::StatusCode::NOT_FOUND);
  grpc::ClientContext hangup_ctx;
  WithKey(&hangup_ctx, kGlobexKey);
  v1::HangupCallRequest hangup;
  hangup.set_call_id(acme_call);
  v1::HangupCallResponse hung;
  EXPECT_EQ(calls_->HangupCall(&hangup_ctx, hangup, &hung).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  grpc::ClientContext list_ctx;
  WithKey(&list_ctx, kGlobexKey);
  v1::ListCallsResponse page;
  ASSERT_TRUE(calls_->ListCalls(&list_ctx, v1::ListCallsRequest(), &page).ok());
  EXPECT_EQ(page.calls_size(), 0);
  grpc::ClientContext metrics_ctx;
  WithKey(&metrics_ctx, kGlobexKey);
  v1::GetMetricsResponse metrics;
  ASSERT_TRUE(calls_->GetMetrics(&metrics_ctx, v1::GetMetricsRequest(), &metrics).ok());
  EXPECT_EQ(metrics.metrics().total_calls(), 0);

  // globex's stream from the start holds only globex's call, though acme's events came first.
  ReportTelnyx("g1", "sess-g", "ev-g1", v1::CALL_STATUS_INITIATED, absl::Now());
  std::vector<v1::Event> events;
  ASSERT_EQ(ReadEvents(0, 1, &events, kGlobexKey).size(), 1u);
  EXPECT_EQ(events[0].tenant_id(), "globex");
  EXPECT_EQ(events[0].call().provider_ids().call_leg_id(), "g1");
  EXPECT_GT(events[0].sequence(), 5);
  StopDaemon();
}

TEST_F(DaemonTest, ServesPrometheusTextWithTheTenantsFigures) {
  StartDaemon();
  for (int i = 1; i <= 3; ++i) RunCall(i);
  ASSERT_GT(daemon_->metrics_port(), 0);
  http::HttpClient client;
  http::ClientRequest request;
  request.url = "http://127.0.0.1:" + std::to_string(daemon_->metrics_port()) + "/metrics";
  auto response = client.Send(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  const std::string& body = response->body;
  EXPECT_NE(body.find("# TYPE callcontrol_calls_total counter"), std::string::npos) << body;
  EXPECT_NE(body.find("callcontrol_calls_total{tenant=\"acme\"} 3"), std::string::npos) << body;
  EXPECT_NE(body.find("callcontrol_billable_seconds_total{tenant=\"acme\"} 21"), std::string::npos);
  EXPECT_NE(body.find("callcontrol_calls{status=\"completed\",tenant=\"acme\"} 3"),
            std::string::npos);
  EXPECT_NE(body.find("callcontrol_store_commits_total"), std::string::npos);
  StopDaemon();
}

TEST_F(DaemonTest, MetricsEventsAreCoalescedAndFollowTheLastChange) {
  StartDaemon();
  for (int i = 1; i <= 20; ++i) RunCall(i);  // 80 changes within well under a second
  // The last metrics:updated event agrees with GetMetrics once changes settle.
  std::vector<v1::Event> metrics_events;
  {
    grpc::ClientContext ctx;
    WithKey(&ctx, kAcmeKey);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::StreamEventsRequest req;
    req.set_since_sequence(0);
    auto reader = calls_->StreamEvents(&ctx, req);
    v1::StreamEventsResponse resp;
    while (reader->Read(&resp)) {
      for (const auto& e : resp.events()) {
        if (e.type() == v1::EVENT_TYPE_METRICS_UPDATED) metrics_events.push_back(e);
      }
      if (!metrics_events.empty() && metrics_events.back().metrics().total_calls() == 20 &&
          metrics_events.back().metrics().active_calls() == 0) {
        break;
      }
    }
    ctx.TryCancel();
  }
  ASSERT_FALSE(metrics_events.empty());
  EXPECT_LT(metrics_events.size(), 10u);  // coalesced, not one per change
  const v1::Metrics& last = metrics_events.back().metrics();
  EXPECT_EQ(last.total_calls(), 20);
  EXPECT_EQ(last.completed_calls(), 20);
  EXPECT_EQ(last.billable_seconds(), 20 * 7);
  EXPECT_DOUBLE_EQ(last.average_duration_seconds(), 7.0);
  grpc::ClientContext ctx;
  WithKey(&ctx, kAcmeKey);
  v1::GetMetricsResponse metrics;
  ASSERT_TRUE(calls_->GetMetrics(&ctx, v1::GetMetricsRequest(), &metrics).ok());
  EXPECT_EQ(metrics.metrics().DebugString(), last.DebugString());
  StopDaemon();
}

TEST_F(DaemonTest, TelnyxLegsOfOneSessionAreLinkedAndFoundByAnyId) {
  StartDaemon();
  const absl::Time t0 = absl::FromUnixSeconds(1790000000);
  const auto webrtc = ReportTelnyx("leg-webrtc", "sess-1", "ev1", v1::CALL_STATUS_INITIATED, t0);
  const auto pstn = ReportTelnyx("leg-pstn", "sess-1", "ev2", v1::CALL_STATUS_INITIATED, t0);
  ASSERT_TRUE(webrtc.applied());
  ASSERT_TRUE(pstn.applied());
  ASSERT_NE(webrtc.call_id(), pstn.call_id());

  v1::Call call;
  ASSERT_TRUE(GetCall("leg-webrtc", kGlobexKey, &call).ok());  // by call_leg_id
  EXPECT_EQ(call.call_id(), webrtc.call_id());
  EXPECT_THAT(call.linked_call_ids(), ::testing::ElementsAre(pstn.call_id()));
  ASSERT_TRUE(GetCall("v3:leg-pstn", kGlobexKey, &call).ok());  // by call_control_id
  EXPECT_THAT(call.linked_call_ids(), ::testing::ElementsAre(webrtc.call_id()));
  ASSERT_TRUE(GetCall("sess-1", kGlobexKey, &call).ok());  // a session names its first leg
  EXPECT_EQ(call.call_id(), webrtc.call_id());

  // A redelivered data.id is applied once, even if it claimed something new.
  EXPECT_TRUE(
      ReportTelnyx("leg-pstn", "sess-1", "ev3", v1::CALL_STATUS_IN_PROGRESS, t0 + absl::Seconds(2))
          .applied());
  EXPECT_FALSE(
      ReportTelnyx("leg-pstn", "sess-1", "ev3", v1::CALL_STATUS_COMPLETED, t0 + absl::Seconds(3))
          .applied());
  StopDaemon();

  // After a restart the legs, their links and the applied event ids are still known.
  StartDaemon();
  EXPECT_FALSE(
      ReportTelnyx("leg-pstn", "sess-1", "ev3", v1::CALL_STATUS_COMPLETED, t0 + absl::Seconds(3))
          .applied());
  ASSERT_TRUE(GetCall("leg-pstn", kGlobexKey, &call).ok());
  EXPECT_EQ(call.status(), v1::CALL_STATUS_IN_PROGRESS);
  EXPECT_THAT(call.linked_call_ids(), ::testing::ElementsAre(webrtc.call_id()));

  // The SDK's USER_BUSY after answer still ends an answered leg COMPLETED, keeping the cause;
  // Telnyx gives no duration, so it is answer to end.
  EXPECT_TRUE(ReportTelnyx("leg-pstn", "sess-1", "ev4", v1::CALL_STATUS_BUSY,
                           t0 + absl::Seconds(32), "user_busy")
                  .applied());
  ASSERT_TRUE(GetCall("leg-pstn", kGlobexKey, &call).ok());
  EXPECT_EQ(call.status(), v1::CALL_STATUS_COMPLETED);
  EXPECT_EQ(call.hangup().cause(), "user_busy");
  EXPECT_EQ(call.duration_seconds(), 30);
  StopDaemon();
}

}  // namespace
}  // namespace callcontrol
