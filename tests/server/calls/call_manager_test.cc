// CallManager on its seams: an in-memory store committed when the test says, a scripted
// provider client and voice cloner, and a fake clock whose timers fire when the test moves it.
// Everything runs on the test's thread, so each test decides exactly when a commit lands, a
// retry is due or a deadline passes; nothing sleeps.
#include "server/calls/call_manager.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "server/calls/call_state_machine.h"
#include "server/calls/clone_job.h"
#include "tests/server/calls/call_manager_fixture.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/tenant_config.h"

namespace callcontrol::calls {
namespace {

using ::callcontrol::testing::IsOk;
using ::callcontrol::testing::StatusIs;
using internal::v1::CLONE_NEXT_ACTION_CONNECT;
using internal::v1::CLONE_NEXT_ACTION_FAIL;
using internal::v1::CLONE_NEXT_ACTION_HOLD;

TEST_F(CallManagerTest, StartCallRecordsTheCallBeforeDialingAndAnswersOnceDurable) {
  Start();
  client_->AnswerDial(Accepted("CA00000000000000000000000000000001"));
  v1::StartCallRequest request;
  request.set_to("+14155550100");
  Answer<v1::Call> started;
  manager_->StartCall("acme", request, started.Take());
  RunWork();
  // QUEUED is written, not yet committed: the provider has not been asked.
  EXPECT_EQ(store_.queued(), 1u);
  EXPECT_TRUE(client_->dialed().empty());
  store_.CommitAll();
  RunWork();
  ASSERT_EQ(client_->dialed().size(), 1u);
  EXPECT_EQ(client_->dialed()[0].from, "+15005550006");
  // The provider's answer is applied but not durable yet: no answer.
  EXPECT_FALSE(started.answered());
  Settle();
  ASSERT_TRUE(started.answered());
  ASSERT_THAT(*started.got, IsOk());
  EXPECT_EQ(started.value().provider_ids().call_sid(), "CA00000000000000000000000000000001");
  EXPECT_EQ(store_.committed(started.value().call_id())->provider_ids().call_sid(),
            "CA00000000000000000000000000000001");
}

TEST_F(CallManagerTest, ReadsWaitForTheCommitOfWhatTheyShow) {
  Start();
  const v1::Call call = Placed("CA00000000000000000000000000000002");
  internal::v1::ReportProviderEventRequest report;
  report.set_tenant_id("acme");
  report.set_provider(v1::PROVIDER_TWILIO);
  report.mutable_provider_ids()->set_call_sid("CA00000000000000000000000000000002");
  report.set_status(v1::CALL_STATUS_RINGING);
  Answer<internal::v1::ReportProviderEventResponse> reported;
  manager_->ReportProviderEvent(report, reported.Take());
  Answer<v1::Call> read;
  manager_->GetCall("acme", call.call_id(), read.Take());
  RunWork();
  EXPECT_FALSE(reported.answered());
  EXPECT_FALSE(read.answered());  // RINGING is not on disk yet
  store_.CommitAll();
  RunWork();
  ASSERT_TRUE(read.answered());
  EXPECT_EQ(read.value().status(), v1::CALL_STATUS_RINGING);
  ASSERT_TRUE(reported.answered());
  EXPECT_TRUE(reported.value().applied());
}

TEST_F(CallManagerTest, RetryableDialIsRetriedAfterADoublingBackoff) {
  Start();
  client_->AnswerDial(absl::UnavailableError("503"));
  client_->AnswerDial(absl::UnavailableError("503"));
  client_->AnswerDial(Accepted("CA00000000000000000000000000000003"));
  v1::StartCallRequest request;
  request.set_to("+14155550100");
  Answer<v1::Call> started;
  manager_->StartCall("acme", request, started.Take());
  Settle();
  EXPECT_EQ(client_->dialed().size(), 1u);
  Advance(options_.provider_backoff - absl::Milliseconds(1));
  EXPECT_EQ(client_->dialed().size(), 1u);
  Advance(absl::Milliseconds(1));
  EXPECT_EQ(client_->dialed().size(), 2u);
  Advance(2 * options_.provider_backoff - absl::Milliseconds(1));
  EXPECT_EQ(client_->dialed().size(), 2u);
  EXPECT_FALSE(started.answered());
  Advance(absl::Milliseconds(1));
  EXPECT_EQ(client_->dialed().size(), 3u);
  ASSERT_TRUE(started.answered());
  ASSERT_THAT(*started.got, IsOk());
  EXPECT_EQ(started.value().provider_ids().call_sid(), "CA00000000000000000000000000000003");
  EXPECT_EQ(runtime_.timers().pending(), 1u);  // only the stale-call sweep is left
}

class NotRetryableDialTest : public CallManagerTest {
 protected:
  NotRetryableDialTest() { dial_retryable_ = false; }
};

TEST_F(NotRetryableDialTest, ATransientFailureIsSentOnceAndFailsTheCall) {
  Start();
  client_->AnswerDial(absl::UnavailableError("timed out"));
  v1::StartCallRequest request;
  request.set_to("+14155550100");
  Answer<v1::Call> started;
  manager_->StartCall("acme", request, started.Take());
  Settle();
  Advance(absl::Seconds(10));
  EXPECT_EQ(client_->dialed().size(), 1u);
  ASSERT_TRUE(started.answered());
  EXPECT_THAT(*started.got, StatusIs(absl::StatusCode::kUnavailable));
  ASSERT_EQ(store_.events().size(), 3u);  // created, failed, metrics
}

TEST_F(CallManagerTest, CancelTimersEndsAWaitingRetryWithoutFailingTheCall) {
  Start();
  client_->AnswerDial(absl::UnavailableError("503"));
  v1::StartCallRequest request;
  request.set_to("+14155550100");
  request.set_idempotency_key("order-1");
  Answer<v1::Call> started;
  manager_->StartCall("acme", request, started.Take());
  Settle();
  ASSERT_EQ(client_->dialed().size(), 1u);
  manager_->CancelTimers();
  Settle();
  ASSERT_TRUE(started.answered());
  EXPECT_THAT(*started.got, StatusIs(absl::StatusCode::kUnavailable));
  Advance(absl::Seconds(10));
  EXPECT_EQ(client_->dialed().size(), 1u);  // no attempt after the cancel
  Answer<v1::Call> again;
  manager_->StartCall("acme", request, again.Take());
  Settle();
  ASSERT_TRUE(again.answered());
  ASSERT_THAT(*again.got, IsOk());
  EXPECT_EQ(again.value().status(), v1::CALL_STATUS_QUEUED);
}

TEST_F(CallManagerTest, HangupIsRetriedWhileTheProviderIsUnavailable) {
  Start();
  const v1::Call call = Placed("CA00000000000000000000000000000004");
  providers::CallUpdate ended;
  ended.status = v1::CALL_STATUS_CANCELED;
  ended.provider_status = "canceled";
  client_->AnswerHangup(absl::UnavailableError("502"));
  client_->AnswerHangup(std::optional<providers::CallUpdate>(ended));
  Answer<v1::Call> hung_up;
  manager_->HangupCall("acme", call.call_id(), hung_up.Take());
  Settle();
  EXPECT_EQ(client_->hung_up().size(), 1u);
  EXPECT_FALSE(hung_up.answered());
  Advance(options_.provider_backoff);
  EXPECT_EQ(client_->hung_up().size(), 2u);
  ASSERT_TRUE(hung_up.answered());
  ASSERT_THAT(*hung_up.got, IsOk());
  EXPECT_EQ(hung_up.value().status(), v1::CALL_STATUS_CANCELED);
  // Ended: a repeat answers the same call without asking the provider.
  Answer<v1::Call> repeat;
  manager_->HangupCall("acme", call.call_id(), repeat.Take());
  Settle();
  EXPECT_EQ(client_->hung_up().size(), 2u);
  ASSERT_TRUE(repeat.answered());
  EXPECT_EQ(repeat.value().status(), v1::CALL_STATUS_CANCELED);
}

TEST_F(CallManagerTest, HangupGivesUpAfterTheLastAttempt) {
  Start();
  const v1::Call call = Placed("CA00000000000000000000000000000005");
  for (int i = 0; i < options_.provider_attempts; ++i) {
    client_->AnswerHangup(absl::UnavailableError("503"));
  }
  Answer<v1::Call> hung_up;
  manager_->HangupCall("acme", call.call_id(), hung_up.Take());
  Advance(absl::Minutes(1));
  EXPECT_EQ(client_->hung_up().size(), static_cast<size_t>(options_.provider_attempts));
  ASSERT_TRUE(hung_up.answered());
  EXPECT_THAT(*hung_up.got, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(Current(call.call_id()).status(), v1::CALL_STATUS_QUEUED);
}

TEST_F(CallManagerTest, CloneJobRetriesATransientFailureAndCompletes) {
  Start();
  StoreSample();
  cloner_.Answer(absl::UnavailableError("voice API 503"));
  cloner_.Answer(std::string("voice-42"));
  const auto inbound = Inbound("CA00000000000000000000000000000006");
  ASSERT_TRUE(inbound.has_clone());
  ASSERT_EQ(cloner_.requests().size(), 1u);
  EXPECT_EQ(cloner_.requests()[0].audio, Wav());
  EXPECT_EQ(Progress(inbound.call_id()).next_action(), CLONE_NEXT_ACTION_HOLD);
  Advance(options_.clone_retry_backoff);
  ASSERT_EQ(cloner_.requests().size(), 2u);
  const auto progress = Progress(inbound.call_id());
  EXPECT_EQ(progress.clone().state(), v1::CLONE_STATE_COMPLETED);
  EXPECT_EQ(progress.clone().attempts(), 2);
  EXPECT_EQ(progress.next_action(), CLONE_NEXT_ACTION_CONNECT);
  EXPECT_EQ(progress.voice_id(), "voice-42");
  EXPECT_FALSE(progress.agent_token().empty());
}

TEST_F(CallManagerTest, CloneJobTimesOutAtItsDeadline) {
  Start();
  StoreSample();
  const auto inbound = Inbound("CA00000000000000000000000000000007");  // cloner: always 503
  Advance(absl::Seconds(29));
  const size_t attempts = cloner_.requests().size();
  EXPECT_GE(attempts, 5u);  // 0.5 + 1 + 2 + 4 + 8 s of backoff fit in 30 s
  auto progress = Progress(inbound.call_id());
  EXPECT_EQ(progress.clone().state(), v1::CLONE_STATE_PROCESSING);
  EXPECT_EQ(progress.next_action(), CLONE_NEXT_ACTION_HOLD);
  Advance(absl::Seconds(1));
  progress = Progress(inbound.call_id());
  EXPECT_EQ(progress.clone().state(), v1::CLONE_STATE_TIMED_OUT);
  EXPECT_EQ(progress.next_action(), CLONE_NEXT_ACTION_FAIL);
  EXPECT_TRUE(progress.agent_token().empty());
  Advance(absl::Minutes(5));
  EXPECT_EQ(cloner_.requests().size(), attempts);
  EXPECT_EQ(runtime_.timers().pending(), 1u);  // only the stale-call sweep is left
}

TEST_F(CallManagerTest, CallerHangingUpCancelsTheCloneJob) {
  Start();
  StoreSample();
  const auto inbound = Inbound("CA00000000000000000000000000000008");
  internal::v1::ReportProviderEventRequest report;
  report.set_tenant_id("acme");
  report.set_provider(v1::PROVIDER_TWILIO);
  report.mutable_provider_ids()->set_call_sid("CA00000000000000000000000000000008");
  report.set_status(v1::CALL_STATUS_COMPLETED);
  Answer<internal::v1::ReportProviderEventResponse> reported;
  manager_->ReportProviderEvent(report, reported.Take());
  Settle();
  ASSERT_TRUE(reported.answered());
  cloner_.Answer(std::string("voice-too-late"));
  Advance(absl::Minutes(1));
  const auto progress = Progress(inbound.call_id());
  EXPECT_EQ(progress.clone().state(), v1::CLONE_STATE_CANCELED);
  EXPECT_EQ(cloner_.requests().size(), 1u);  // no retry once the caller is gone
}

TEST_F(CallManagerTest, LoadWaitsOnInterruptedDialsAndResumesOrEndsCloneJobs) {
  const absl::Time now = runtime_.now();
  auto seed = [&](const std::string& id, v1::CallStatus status, const std::string& call_sid) {
    v1::Call call;
    call.set_call_id(id);
    call.set_tenant_id("acme");
    call.set_provider(v1::PROVIDER_TWILIO);
    call.set_status(status);
    call.set_from(kCaller);
    if (!call_sid.empty()) call.mutable_provider_ids()->set_call_sid(call_sid);
    SetTimestamp(now - absl::Minutes(1), call.mutable_create_time());
    call.set_version(1);
    return call;
  };
  store_.SeedSequence(41);
  store_.Seed(seed("call_00000000000100000000000000000001", v1::CALL_STATUS_QUEUED, ""));
  store_.Seed(seed("call_00000000000100000000000000000002", v1::CALL_STATUS_RINGING,
                   "CA00000000000000000000000000000009"));
  v1::Call late = seed("call_00000000000100000000000000000003", v1::CALL_STATUS_RINGING,
                       "CA0000000000000000000000000000000a");
  *late.mutable_clone() = NewCloneJob(now - absl::Minutes(1), absl::Seconds(30));
  store_.Seed(late);
  v1::Call running = seed("call_00000000000100000000000000000004", v1::CALL_STATUS_RINGING,
                          "CA0000000000000000000000000000000b");
  *running.mutable_clone() = NewCloneJob(now - absl::Seconds(10), absl::Seconds(30));
  store_.Seed(running);
  Start();

  // 41, then: the interrupted call (marked unconfirmed), the late job, and the resumed job's
  // PROCESSING and FAILED.
  EXPECT_EQ(manager_->last_sequence(), 45);
  // The interrupted dial may have created the call: it waits for callbacks, then fails.
  EXPECT_EQ(store_.committed("call_00000000000100000000000000000001")->status(),
            v1::CALL_STATUS_QUEUED);
  EXPECT_EQ(store_.committed("call_00000000000100000000000000000002")->status(),
            v1::CALL_STATUS_RINGING);
  EXPECT_EQ(store_.committed("call_00000000000100000000000000000003")->clone().state(),
            v1::CLONE_STATE_TIMED_OUT);
  // The running job was resumed (no sample stored: it fails at once, explicitly).
  EXPECT_EQ(store_.committed("call_00000000000100000000000000000004")->clone().state(),
            v1::CLONE_STATE_FAILED);
  Advance(options_.unconfirmed_dial_timeout);
  EXPECT_EQ(store_.committed("call_00000000000100000000000000000001")->status(),
            v1::CALL_STATUS_FAILED);
}

TEST_F(CallManagerTest, MetricsEventsAreCoalescedPerInterval) {
  Start();
  Placed("CA0000000000000000000000000000000c");
  Placed("CA0000000000000000000000000000000d");
  auto metrics_events = [this] {
    size_t n = 0;
    for (const auto& e : store_.events()) {
      v1::StreamEventsResponse wire;
      wire.ParseFromString(e.data);
      if (wire.events(0).type() == v1::EVENT_TYPE_METRICS_UPDATED) ++n;
    }
    return n;
  };
  EXPECT_EQ(metrics_events(), 0u);
  Advance(options_.metrics_event_interval);
  EXPECT_EQ(metrics_events(), 1u);
  Advance(options_.metrics_event_interval * 10);
  EXPECT_EQ(metrics_events(), 1u);  // nothing moved since
}

}  // namespace
}  // namespace callcontrol::calls
