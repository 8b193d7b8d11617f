// CallManager against provider events an attacker or a broken provider could send (audit
// findings 1, 2, 7, 8, 11 and 12 of the reliability issue): each is refused with its own
// INVALID_ARGUMENT and changes nothing.
#include <gtest/gtest.h>

#include <string>

#include "common/http/http_client.h"
#include "server/calls/call_state_machine.h"
#include "server/calls/call_status.h"

#include "tests/server/calls/call_manager_fixture.h"
#include "tests/testing/status_matchers.h"

namespace callcontrol::calls {
namespace {

using ::callcontrol::testing::StatusIs;
using internal::v1::ReportProviderEventRequest;

constexpr char kSidA[] = "CA0000000000000000000000000000000a";
constexpr char kSidB[] = "CA0000000000000000000000000000000b";
constexpr char kSidG[] = "CA0000000000000000000000000000000c";

// Finding 1: a signed event of call A re-sent naming call B (the unsigned call_id) must not move
// B: the event's provider id is A's, not B's.
TEST_F(CallManagerTest, EventOfOneCallNamingAnotherIsRefused) {
  Start();
  const v1::Call a = PlacedFor("acme", kSidA);
  const v1::Call b = PlacedFor("acme", kSidB);
  EXPECT_THAT(Report(StatusCallback("acme", b.call_id(), kSidA, v1::CALL_STATUS_COMPLETED)),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(Current(b.call_id()).status(), v1::CALL_STATUS_QUEUED);
  EXPECT_EQ(Current(a.call_id()).status(), v1::CALL_STATUS_QUEUED);
  // The genuine event still moves its own call.
  EXPECT_THAT(Report(StatusCallback("acme", a.call_id(), kSidA, v1::CALL_STATUS_COMPLETED)),
              IsOk());
  EXPECT_EQ(Current(a.call_id()).status(), v1::CALL_STATUS_COMPLETED);
  EXPECT_EQ(Current(b.call_id()).status(), v1::CALL_STATUS_QUEUED);
}

// Finding 7: one tenant's webhooks naming another tenant's CallSid touch only its own calls; the
// victim's reads, hangups and callbacks by CallSid keep working.
TEST_F(CallManagerTest, ProviderIdsAreScopedByTenant) {
  Start();
  const v1::Call victim = PlacedFor("acme", kSidA);
  const v1::Call own = PlacedFor("globex", kSidG);
  // Attaching the victim's CallSid to its own call: refused (that call has its own CallSid).
  EXPECT_THAT(Report(StatusCallback("globex", own.call_id(), kSidA, v1::CALL_STATUS_RINGING)),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // Naming the victim's call id: refused.
  EXPECT_THAT(Report(StatusCallback("globex", victim.call_id(), kSidA, v1::CALL_STATUS_COMPLETED)),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // By CallSid alone: becomes a call of globex's own, never the victim's.
  auto untracked = Report(StatusCallback("globex", "", kSidA, v1::CALL_STATUS_RINGING));
  ASSERT_THAT(untracked, IsOk());
  EXPECT_NE(untracked->call_id(), victim.call_id());

  auto seen = Get("acme", kSidA);
  ASSERT_THAT(seen, IsOk());
  EXPECT_EQ(seen->call_id(), victim.call_id());
  EXPECT_EQ(seen->status(), v1::CALL_STATUS_QUEUED);
  auto theirs = Get("globex", kSidA);
  ASSERT_THAT(theirs, IsOk());
  EXPECT_EQ(theirs->call_id(), untracked->call_id());
  // The victim's genuine final callback, by CallSid alone, still lands on its call.
  auto final_callback = Report(StatusCallback("acme", "", kSidA, v1::CALL_STATUS_COMPLETED));
  ASSERT_THAT(final_callback, IsOk());
  EXPECT_EQ(final_callback->call_id(), victim.call_id());
  EXPECT_EQ(Current(victim.call_id()).status(), v1::CALL_STATUS_COMPLETED);
  // And another tenant's call is not found by its id through this tenant's eyes.
  EXPECT_THAT(Get("globex", victim.call_id()), StatusIs(absl::StatusCode::kPermissionDenied));
}

// Findings 2, 8 and 12: fields are bounded and shaped; a refusal neither changes the call nor
// echoes the field.
TEST_F(CallManagerTest, OversizedOrMisshapenFieldsAreRefused) {
  Start();
  const v1::Call call = PlacedFor("acme", kSidA);
  ReportProviderEventRequest huge = StatusCallback("acme", "", kSidA, v1::CALL_STATUS_RINGING);
  huge.set_provider_status(std::string(5000, 'x'));
  auto refused = Report(huge);
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_LT(refused.status().message().size(), 200u);

  ReportProviderEventRequest long_id =
      StatusCallback("acme", "call_" + std::string(1 << 20, 'a'), kSidA, v1::CALL_STATUS_RINGING);
  refused = Report(long_id);
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_LT(refused.status().message().size(), 200u);

  EXPECT_THAT(Report(StatusCallback("acme", "", "CA 1", v1::CALL_STATUS_RINGING)),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Report(StatusCallback("acme", "", std::string(129, 'C'), v1::CALL_STATUS_RINGING)),
              StatusIs(absl::StatusCode::kInvalidArgument));
  ReportProviderEventRequest bad_time = StatusCallback("acme", "", kSidA, v1::CALL_STATUS_RINGING);
  bad_time.mutable_occurred_time()->set_seconds(int64_t{1} << 40);
  EXPECT_THAT(Report(bad_time), StatusIs(absl::StatusCode::kInvalidArgument));
  ReportProviderEventRequest unknown_tenant =
      StatusCallback(std::string(20000, 't'), "", kSidA, v1::CALL_STATUS_RINGING);
  refused = Report(unknown_tenant);
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_LT(refused.status().message().size(), 200u);

  const v1::Call after = Current(call.call_id());
  EXPECT_EQ(after.status(), v1::CALL_STATUS_QUEUED);
  EXPECT_EQ(after.version(), call.version());
}

// Finding 11: an 18-digit CallDuration is refused, so per-minute pricing cannot overflow into a
// negative cost; a plausible one is billed.
TEST_F(CallManagerTest, AbsurdDurationsAndPricesAreRefused) {
  Start();
  const v1::Call call = PlacedFor("acme", kSidA);
  ReportProviderEventRequest ended =
      StatusCallback("acme", call.call_id(), kSidA, v1::CALL_STATUS_COMPLETED);
  ended.set_duration_seconds(999'999'999'999'999'999);
  EXPECT_THAT(Report(ended), StatusIs(absl::StatusCode::kInvalidArgument));
  ended.set_duration_seconds(60);
  ended.mutable_price()->set_currency_code("USD");
  ended.mutable_price()->set_amount_micros(int64_t{1} << 62);
  EXPECT_THAT(Report(ended), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(Current(call.call_id()).status(), v1::CALL_STATUS_QUEUED);
  ended.clear_price();
  ASSERT_THAT(Report(ended), IsOk());
  const v1::Call billed = Current(call.call_id());
  EXPECT_EQ(billed.status(), v1::CALL_STATUS_COMPLETED);
  EXPECT_EQ(billed.duration_seconds(), 60);
  EXPECT_GE(billed.cost().amount_micros(), 0);
}

// Finding 5: a queued Bolna call has its execution id as provider id, so a restart keeps it
// queued and its later webhooks still move it.
TEST_F(CallManagerTest, RestartKeepsQueuedBolnaCallsWithTheirExecutionId) {
  v1::Call call;
  call.set_call_id("call_00000000000100000000000000000042");
  call.set_tenant_id("acme");
  call.set_provider(v1::PROVIDER_BOLNA);
  call.set_status(v1::CALL_STATUS_QUEUED);
  call.mutable_provider_ids()->set_execution_id("4c0b5f0e-0000-4000-8000-000000000042");
  SetTimestamp(runtime_.now() - absl::Minutes(1), call.mutable_create_time());
  call.set_version(1);
  store_.Seed(call);
  Start();
  EXPECT_EQ(store_.committed(call.call_id())->status(), v1::CALL_STATUS_QUEUED);
  ReportProviderEventRequest ringing = StatusCallback("acme", "", "", v1::CALL_STATUS_RINGING);
  ringing.set_provider(v1::PROVIDER_BOLNA);
  ringing.mutable_provider_ids()->set_execution_id("4c0b5f0e-0000-4000-8000-000000000042");
  auto moved = Report(ringing);
  ASSERT_THAT(moved, IsOk());
  EXPECT_EQ(moved->call_id(), call.call_id());
  EXPECT_EQ(store_.committed(call.call_id())->status(), v1::CALL_STATUS_RINGING);
}

// Finding 10: a call read back from the store (a late recording after it left memory) keeps
// its StartCall fingerprint, so an idempotent retry still replays it.
TEST_F(CallManagerTest, IdempotentRetryReplaysACallReadBackFromTheStore) {
  Start();
  client_->AnswerDial(Accepted(kSidA));
  v1::StartCallRequest request;
  request.set_to("+14155550100");
  request.set_idempotency_key("order-7");
  Answer<v1::Call> first;
  manager_->StartCall("acme", request, first.Take());
  Settle();
  ASSERT_TRUE(first.answered() && first.got->ok());
  ASSERT_THAT(
      Report(StatusCallback("acme", first.value().call_id(), kSidA, v1::CALL_STATUS_COMPLETED)),
      IsOk());
  // It ends and leaves memory (another call's change runs the eviction).
  Advance(absl::Minutes(11));
  PlacedFor("acme", kSidB);
  ReportProviderEventRequest recording =
      StatusCallback("acme", "", kSidA, v1::CALL_STATUS_UNSPECIFIED);
  recording.mutable_recording()->set_recording_id("RE0000000000000000000000000000000a");
  recording.mutable_recording()->set_url("https://api.twilio.com/recording.wav");
  recording.mutable_recording()->set_status("completed");
  ASSERT_THAT(Report(recording), IsOk());

  Answer<v1::Call> retried;
  manager_->StartCall("acme", request, retried.Take());
  Settle();
  ASSERT_TRUE(retried.answered());
  ASSERT_THAT(*retried.got, IsOk());
  EXPECT_EQ(retried.value().call_id(), first.value().call_id());
  EXPECT_EQ(client_->dialed().size(), 2u);  // the retry dialed nothing
}

// Finding 13: time filters far in the past or future neither overflow nor drop calls; a
// timestamp outside google.protobuf.Timestamp's range is refused.
TEST_F(CallManagerTest, ListCallsTimeFiltersSpanAnyValidYear) {
  Start();
  PlacedFor("acme", kSidA);
  v1::ListCallsRequest request;
  request.mutable_start_time()->set_seconds(-14'831'769'600);  // 1500-01-01
  request.mutable_end_time()->set_seconds(32'503'680'000);     // 3000-01-01
  Answer<v1::ListCallsResponse> listed;
  manager_->ListCalls("acme", request, listed.Take());
  Settle();
  ASSERT_TRUE(listed.answered());
  ASSERT_THAT(*listed.got, IsOk());
  EXPECT_EQ(listed.value().calls_size(), 1);

  request.mutable_end_time()->set_seconds(int64_t{1} << 40);  // beyond year 9999
  Answer<v1::ListCallsResponse> refused;
  manager_->ListCalls("acme", request, refused.Take());
  Settle();
  ASSERT_TRUE(refused.answered());
  EXPECT_THAT(*refused.got, StatusIs(absl::StatusCode::kInvalidArgument));
}

// Finding 6: replays of Twilio requests (which carry no timestamp) have no effect: a clone-status
// request for an ended call mints no agent token, and an incoming-call webhook replayed after a
// restart (the ended call no longer in memory) creates no second call.
TEST_F(CallManagerTest, ReplayedInboundRequestsHaveNoEffect) {
  Start();
  StoreSample();
  cloner_.Answer(std::string("voice-7"));
  const auto inbound = Inbound(kSidA);
  ASSERT_TRUE(inbound.has_clone());
  auto progress = Progress(inbound.call_id());
  ASSERT_EQ(progress.next_action(), internal::v1::CLONE_NEXT_ACTION_CONNECT);
  EXPECT_FALSE(progress.agent_token().empty());
  ASSERT_THAT(Report(StatusCallback("acme", "", kSidA, v1::CALL_STATUS_COMPLETED)), IsOk());
  progress = Progress(inbound.call_id());
  EXPECT_EQ(progress.next_action(), internal::v1::CLONE_NEXT_ACTION_FAIL);
  EXPECT_TRUE(progress.agent_token().empty());

  // Restart: the ended call is only on disk.
  manager_.reset();
  Start();
  const auto replayed = Inbound(kSidA);
  EXPECT_EQ(replayed.call_id(), inbound.call_id());
  EXPECT_EQ(cloner_.requests().size(), 1u);
}

// Finding 4: a create whose answer never came (Twilio's create is sent once) may have created
// the call. It stays QUEUED: its callbacks still move it, HangupCall still reaches the provider
// once it is confirmed, and without any callback it fails at the expiry.
class UnconfirmedDialTest : public CallManagerTest {
 protected:
  UnconfirmedDialTest() { dial_retryable_ = false; }

  // StartCall whose provider answer was lost after the request went out.
  v1::Call StartLost() {
    absl::Status lost = absl::UnavailableError("twilio timed out after 10000 ms");
    http::MarkRequestSent(&lost);
    client_->AnswerDial(lost);
    v1::StartCallRequest request;
    request.set_to("+14155550100");
    request.set_idempotency_key("lost-" + std::to_string(++started_));
    Answer<v1::Call> started;
    manager_->StartCall("acme", request, started.Take());
    Settle();
    EXPECT_TRUE(started.answered());
    EXPECT_THAT(*started.got, StatusIs(absl::StatusCode::kDeadlineExceeded));
    // The retry with the same key finds the call.
    Answer<v1::Call> retried;
    manager_->StartCall("acme", request, retried.Take());
    Settle();
    EXPECT_TRUE(retried.answered() && retried.got->ok());
    return retried.answered() && retried.got->ok() ? retried.value() : v1::Call();
  }
  int started_ = 0;
};

TEST_F(UnconfirmedDialTest, CallbacksStillMoveTheCall) {
  Start();
  const v1::Call call = StartLost();
  EXPECT_EQ(call.status(), v1::CALL_STATUS_QUEUED);
  EXPECT_EQ(client_->dialed().size(), 1u);  // sent once: a retry could place a second call
  ASSERT_THAT(Report(StatusCallback("acme", call.call_id(), kSidA, v1::CALL_STATUS_RINGING)),
              IsOk());
  const v1::Call ringing = Current(call.call_id());
  EXPECT_EQ(ringing.status(), v1::CALL_STATUS_RINGING);
  EXPECT_EQ(ringing.provider_ids().call_sid(), kSidA);
  // Confirmed: the expiry does nothing.
  Advance(options_.unconfirmed_dial_timeout);
  EXPECT_EQ(Current(call.call_id()).status(), v1::CALL_STATUS_RINGING);
}

TEST_F(UnconfirmedDialTest, HangupWaitsForTheProviderIdThenReachesTheProvider) {
  Start();
  const v1::Call call = StartLost();
  Answer<v1::Call> hangup;
  manager_->HangupCall("acme", call.call_id(), hangup.Take());
  Settle();
  ASSERT_TRUE(hangup.answered());
  ASSERT_THAT(*hangup.got, IsOk());
  EXPECT_EQ(hangup.value().status(), v1::CALL_STATUS_QUEUED);
  EXPECT_TRUE(client_->hung_up().empty());
  // The first callback brings the CallSid: the hangup goes to the provider at once.
  ASSERT_THAT(Report(StatusCallback("acme", call.call_id(), kSidA, v1::CALL_STATUS_RINGING)),
              IsOk());
  Settle();
  ASSERT_EQ(client_->hung_up().size(), 1u);
  EXPECT_EQ(client_->hung_up()[0].provider_ids().call_sid(), kSidA);
}

TEST_F(UnconfirmedDialTest, WithoutAnyCallbackItFailsAtTheExpiry) {
  Start();
  const v1::Call call = StartLost();
  Advance(options_.unconfirmed_dial_timeout - absl::Seconds(1));
  EXPECT_EQ(Current(call.call_id()).status(), v1::CALL_STATUS_QUEUED);
  Advance(absl::Seconds(1));
  const v1::Call failed = Current(call.call_id());
  EXPECT_EQ(failed.status(), v1::CALL_STATUS_FAILED);
  EXPECT_NE(failed.error_message().find("never confirmed"), std::string::npos);
}

// Finding 8: a call whose final callback never comes is not kept (and reloaded) forever: after
// stale_call_timeout without a change it is ended, and leaves memory like any ended call.
TEST_F(CallManagerTest, CallsThatNeverEndArePresumedOverAfterTheStaleTimeout) {
  Start();
  const v1::Call call = PlacedFor("acme", kSidA);
  ASSERT_THAT(Report(StatusCallback("acme", call.call_id(), kSidA, v1::CALL_STATUS_IN_PROGRESS)),
              IsOk());
  Advance(options_.stale_call_timeout - absl::Minutes(1));
  EXPECT_EQ(Current(call.call_id()).status(), v1::CALL_STATUS_IN_PROGRESS);
  Advance(options_.stale_sweep_interval + absl::Minutes(1));
  const v1::Call ended = Current(call.call_id());
  EXPECT_TRUE(IsTerminal(ended.status())) << ended.DebugString();
  EXPECT_NE(ended.error_message().find("presumed over"), std::string::npos);
  EXPECT_EQ(manager_->GetMetrics("acme").active_calls(), 0);
}

// Finding 14 (disk full): while the store cannot commit, every change is refused UNAVAILABLE
// before it touches memory; reads go on; once it commits again, changes are taken.
TEST_F(CallManagerTest, ChangesAreRefusedWhileTheStoreCannotCommit) {
  Start();
  const v1::Call call = PlacedFor("acme", kSidA);
  store_.SetWritable(false);
  EXPECT_THAT(Report(StatusCallback("acme", call.call_id(), kSidA, v1::CALL_STATUS_RINGING)),
              StatusIs(absl::StatusCode::kUnavailable));
  v1::StartCallRequest request;
  request.set_to("+14155550100");
  Answer<v1::Call> started;
  manager_->StartCall("acme", request, started.Take());
  Settle();
  ASSERT_TRUE(started.answered());
  EXPECT_THAT(*started.got, StatusIs(absl::StatusCode::kUnavailable));
  Answer<v1::Call> hangup;
  manager_->HangupCall("acme", call.call_id(), hangup.Take());
  Settle();
  ASSERT_TRUE(hangup.answered());
  EXPECT_THAT(*hangup.got, StatusIs(absl::StatusCode::kUnavailable));
  // Reads keep working and show nothing changed.
  auto seen = Get("acme", call.call_id());
  ASSERT_THAT(seen, IsOk());
  EXPECT_EQ(seen->status(), v1::CALL_STATUS_QUEUED);
  EXPECT_EQ(seen->version(), call.version());
  EXPECT_EQ(client_->dialed().size(), 1u);
  EXPECT_TRUE(client_->hung_up().empty());

  store_.SetWritable(true);
  ASSERT_THAT(Report(StatusCallback("acme", call.call_id(), kSidA, v1::CALL_STATUS_RINGING)),
              IsOk());
  EXPECT_EQ(Current(call.call_id()).status(), v1::CALL_STATUS_RINGING);
}

// Per-tenant voice-sample storage is capped; a replaced sample counts once.
TEST_F(CallManagerTest, VoiceSampleStorageIsCappedPerTenant) {
  options_.max_sample_bytes_per_tenant = 3 * static_cast<int64_t>(Wav().size()) / 2;
  Start();
  auto put = [&](const std::string& tenant, const std::string& caller) {
    v1::PutVoiceSampleRequest request;
    request.set_caller_number(caller);
    request.set_audio(Wav());
    Answer<v1::PutVoiceSampleResponse> answer;
    manager_->PutVoiceSample(tenant, request, answer.Take());
    Settle();
    EXPECT_TRUE(answer.answered());
    return answer.answered() ? answer.got->status() : absl::InternalError("no answer");
  };
  EXPECT_THAT(put("acme", "+14155550101"), IsOk());
  EXPECT_THAT(put("acme", "+14155550101"), IsOk());  // a replacement
  EXPECT_THAT(put("acme", "+14155550102"), StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(put("globex", "+14155550102"), IsOk());  // another tenant's own quota
  // The quota survives a restart.
  manager_.reset();
  Start();
  EXPECT_THAT(put("acme", "+14155550103"), StatusIs(absl::StatusCode::kResourceExhausted));
}

}  // namespace
}  // namespace callcontrol::calls
