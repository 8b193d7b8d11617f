// Twilio end to end: provider-sim (Twilio's REST API and signed status callbacks),
// webhook-adapter and callcontrold as real processes, driven through the public gRPC API.
#include "tests/integration/stack_fixture.h"
#include "tests/testing/wait.h"

namespace callcontrol::testing {
namespace {

TEST_F(StackTest, CallRunsFromStartToCompletedWithItsDuration) {
  EventCollector events(stub_.get(), 0);  // from the start: no race with the subscription
  v1::Call call;
  ASSERT_TRUE(StartCall("+14155550100", &call).ok());
  EXPECT_EQ(call.status(), v1::CALL_STATUS_QUEUED);
  EXPECT_EQ(call.provider_ids().call_sid().size(), 34u);
  ASSERT_TRUE(events.WaitFor(CallReaches(call.call_id(), v1::CALL_STATUS_COMPLETED)));

  std::vector<v1::CallStatus> seen;
  int created = 0;
  int64_t last_sequence = 0;
  for (const auto& e : events.events()) {
    if (e.call().call_id() != call.call_id()) continue;
    EXPECT_GT(e.sequence(), last_sequence);
    last_sequence = e.sequence();
    created += e.name() == "call:created";
    if (seen.empty() || seen.back() != e.call().status()) seen.push_back(e.call().status());
  }
  EXPECT_EQ(created, 1);
  // Statuses only move forward. `initiated` may be skipped: the simulator, like Twilio, may
  // deliver it after `ringing`, and a stale callback does not move the call back.
  ASSERT_GE(seen.size(), 4u);
  EXPECT_EQ(seen.front(), v1::CALL_STATUS_QUEUED);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(seen[seen.size() - 2], v1::CALL_STATUS_IN_PROGRESS);
  EXPECT_EQ(seen.back(), v1::CALL_STATUS_COMPLETED);
  const v1::Call done = GetCall(call.call_id());
  EXPECT_EQ(done.status(), v1::CALL_STATUS_COMPLETED);
  EXPECT_EQ(done.duration_seconds(), 3);
  EXPECT_TRUE(done.has_answer_time());
  EXPECT_TRUE(done.has_end_time());
  EXPECT_EQ(GetCall(call.provider_ids().call_sid()).call_id(), call.call_id());  // by CallSid
}

TEST_F(StackTest, HangupMidCallEndsItThroughTheProviderApi) {
  EventCollector events(stub_.get(), 0);  // from the start: no race with the subscription
  v1::Call call;
  ASSERT_TRUE(StartCall("+14155550104", &call).ok());  // long call
  ASSERT_TRUE(events.WaitFor(CallReaches(call.call_id(), v1::CALL_STATUS_IN_PROGRESS)));
  v1::Call ended;
  ASSERT_TRUE(Hangup(call.call_id(), &ended).ok());
  EXPECT_EQ(ended.status(), v1::CALL_STATUS_COMPLETED);
  // The simulator ends the call and sends its final status callback with CallDuration; the
  // call ends up with exactly the provider's duration.
  json sim;
  EXPECT_TRUE(::callcontrol::testing::WaitFor(
      [&] {
        sim = SimCall(call.provider_ids().call_sid());
        for (const auto& d : sim["callbacks"]) {
          if (d["call_status"] == "completed" && d["http_status"] == 200) return true;
        }
        return false;
      },
      std::chrono::seconds(10), "the completed callback to be acknowledged"));
  ASSERT_EQ(sim["updates"].size(), 1u);
  EXPECT_EQ(sim["updates"][0]["status"], "completed");
  EXPECT_EQ(sim["status"], "completed");
  ASSERT_TRUE(sim["resource"]["duration"].is_string()) << sim["resource"].dump();
  const v1::Call final_call = GetCall(call.call_id());
  EXPECT_EQ(final_call.status(), v1::CALL_STATUS_COMPLETED);
  EXPECT_EQ(std::to_string(final_call.duration_seconds()), sim["resource"]["duration"]);
  EXPECT_TRUE(final_call.has_end_time());

  // Hanging up again is idempotent.
  v1::Call again;
  ASSERT_TRUE(Hangup(call.call_id(), &again).ok());
  EXPECT_EQ(again.status(), v1::CALL_STATUS_COMPLETED);
  EXPECT_EQ(SimCall(call.provider_ids().call_sid())["updates"].size(), 1u);
}

TEST_F(StackTest, HangupBeforeAnswerCancelsTheCall) {
  EventCollector events(stub_.get(), 0);  // from the start: no race with the subscription
  v1::Call call;
  ASSERT_TRUE(StartCall("+14155550106", &call).ok());  // rings for a while
  ASSERT_TRUE(events.WaitFor(CallReaches(call.call_id(), v1::CALL_STATUS_RINGING)));
  v1::Call ended;
  ASSERT_TRUE(Hangup(call.provider_ids().call_sid(), &ended).ok());  // by CallSid
  EXPECT_EQ(ended.status(), v1::CALL_STATUS_CANCELED);
  EXPECT_FALSE(ended.has_answer_time());
  const json sim = SimCall(call.provider_ids().call_sid());
  ASSERT_GE(sim["updates"].size(), 1u);
  EXPECT_EQ(sim["updates"][0]["status"], "canceled");
  EXPECT_EQ(sim["status"], "canceled");
}

TEST_F(StackTest, ForgedWebhookIsRefusedAndChangesNothing) {
  EventCollector events(stub_.get(), 0);  // from the start: no race with the subscription
  v1::Call call;
  ASSERT_TRUE(StartCall("+14155550104", &call).ok());
  ASSERT_TRUE(events.WaitFor(CallReaches(call.call_id(), v1::CALL_STATUS_IN_PROGRESS)));
  const v1::Call before = GetCall(call.call_id());
  const size_t events_before = events.events().size();

  const http::FormParams forged = {{"AccountSid", kAccountSid},
                                   {"CallSid", call.provider_ids().call_sid()},
                                   {"CallStatus", "completed"},
                                   {"CallDuration", "999"},
                                   {"SequenceNumber", "9"}};
  EXPECT_EQ(PostStatusCallback(call.call_id(), forged, ""), 403);
  EXPECT_EQ(PostStatusCallback(call.call_id(), forged, "not-the-auth-token"), 403);

  const v1::Call after = GetCall(call.call_id());
  EXPECT_EQ(after.status(), v1::CALL_STATUS_IN_PROGRESS);
  EXPECT_EQ(after.version(), before.version());
  EXPECT_EQ(after.duration_seconds(), 0);
  EXPECT_EQ(events.events().size(), events_before);

  // The same body, correctly signed, is accepted: the refusal was the signature's doing.
  EXPECT_EQ(PostStatusCallback(call.call_id(), forged, kAuthToken), 200);
  EXPECT_EQ(GetCall(call.call_id()).status(), v1::CALL_STATUS_COMPLETED);
}

TEST_F(StackTest, SubscriberResumesWithSinceSequenceAndMissesNothing) {
  int64_t resume_from = 0;
  std::string first_id;
  {
    EventCollector events(stub_.get(), 0);
    v1::Call call;
    ASSERT_TRUE(StartCall("+14155550100", &call).ok());
    first_id = call.call_id();
    auto ringing = events.WaitFor(CallReaches(first_id, v1::CALL_STATUS_RINGING));
    ASSERT_TRUE(ringing);
    resume_from = ringing->sequence();
  }  // the subscriber goes away while the call goes on
  v1::Call second;
  ASSERT_TRUE(StartCall("+14155550101", &second).ok());  // busy
  EventCollector resumed(stub_.get(), resume_from);
  ASSERT_TRUE(resumed.WaitFor(CallReaches(first_id, v1::CALL_STATUS_COMPLETED)));
  ASSERT_TRUE(resumed.WaitFor(CallReaches(second.call_id(), v1::CALL_STATUS_BUSY)));
  const auto events = resumed.events();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.front().sequence(), resume_from + 1);
  for (size_t i = 1; i < events.size(); ++i) {
    EXPECT_EQ(events[i].sequence(), events[i - 1].sequence() + 1) << "gap or duplicate at " << i;
  }
}

TEST_F(StackTest, KillNineLosesNothingAndAResumingSubscriberCatchesUp) {
  EventCollector events(stub_.get(), 0);  // from the start: no race with the subscription
  v1::Call call;
  ASSERT_TRUE(StartCall("+14155550104", &call).ok());
  auto answered = events.WaitFor(CallReaches(call.call_id(), v1::CALL_STATUS_IN_PROGRESS));
  ASSERT_TRUE(answered);

  daemon_->Stop(SIGKILL);
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  const v1::Call restored = GetCall(call.call_id());
  EXPECT_EQ(restored.status(), v1::CALL_STATUS_IN_PROGRESS);
  EXPECT_EQ(restored.version(), answered->call().version());

  EventCollector resumed(stub_.get(), answered->sequence());
  v1::Call ended;
  ASSERT_TRUE(Hangup(call.call_id(), &ended).ok());
  auto done = resumed.WaitFor(CallReaches(call.call_id(), v1::CALL_STATUS_COMPLETED));
  ASSERT_TRUE(done);
  EXPECT_EQ(resumed.events().front().sequence(), answered->sequence() + 1);
}

TEST_F(StackTest, OutOfOrderAndDuplicateCallbacksEndCompletedWithoutRegressing) {
  EventCollector events(stub_.get(), 0);  // from the start: no race with the subscription
  v1::Call call;
  ASSERT_TRUE(StartCall("+14155550105", &call).ok());  // chaos scenario
  ASSERT_TRUE(events.WaitFor(CallReaches(call.call_id(), v1::CALL_STATUS_COMPLETED)));
  // The sim's last delivery (a late ringing) is acknowledged without changing anything.
  EXPECT_TRUE(::callcontrol::testing::WaitFor(
      [&] {
        const json sim = SimCall(call.provider_ids().call_sid());
        return sim["phase"] == "ended" && sim["callbacks"].size() >= 7u;
      },
      std::chrono::seconds(4), "the simulator's last delivery"));
  int previous_rank = -1;
  int completed_events = 0;
  for (const auto& e : events.events()) {
    if (e.call().call_id() != call.call_id()) continue;
    const int rank = e.call().status();
    if (rank <= v1::CALL_STATUS_IN_PROGRESS) EXPECT_GE(rank, previous_rank);
    previous_rank = std::max(previous_rank, rank);
    completed_events += e.call().status() == v1::CALL_STATUS_COMPLETED;
  }
  EXPECT_EQ(completed_events, 1);
  const v1::Call done = GetCall(call.call_id());
  EXPECT_EQ(done.status(), v1::CALL_STATUS_COMPLETED);
  EXPECT_EQ(done.duration_seconds(), 3);
  const json sim = SimCall(call.provider_ids().call_sid());
  for (const auto& delivery : sim["callbacks"]) {
    EXPECT_EQ(delivery["http_status"], 200) << delivery.dump();
  }
}

TEST_F(StackTest, ProviderRefusalIsFailedPreconditionWithTwilioCode) {
  v1::Call call;
  const grpc::Status s = StartCall("+14155550107", &call);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(s.error_message().find("21215"), std::string::npos) << s.error_message();
}

TEST_F(StackTest, IdempotencyKeyReturnsTheSameCall) {
  v1::Call first, second, other;
  ASSERT_TRUE(StartCall("+14155550100", &first, "order-17").ok());
  ASSERT_TRUE(StartCall("+14155550100", &second, "order-17").ok());
  EXPECT_EQ(first.call_id(), second.call_id());
  EXPECT_EQ(StartCall("+14155550101", &other, "order-17").error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
}

TEST_F(StackTest, AdapterAnswers503WhileTheDaemonIsDown) {
  v1::Call call;
  ASSERT_TRUE(StartCall("+14155550104", &call).ok());
  daemon_->Stop(SIGTERM);
  const http::FormParams params = {{"AccountSid", kAccountSid},
                                   {"CallSid", call.provider_ids().call_sid()},
                                   {"CallStatus", "ringing"},
                                   {"SequenceNumber", "1"}};
  EXPECT_EQ(PostStatusCallback(call.call_id(), params, kAuthToken), 503);
  daemon_.reset();
}

}  // namespace
}  // namespace callcontrol::testing
