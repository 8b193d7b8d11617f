#include "client/call_format.h"

#include <string>

#include "absl/time/time.h"
#include "client/request_builders.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace callcontrol::client {
namespace {

using ::callcontrol::testing::IsOk;
using ::callcontrol::testing::StatusIs;

google::protobuf::Timestamp Ts(int64_t seconds) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(seconds);
  return ts;
}

// 2026-03-25T09:53:19Z
constexpr int64_t kCreated = 1774432399;

v1::Call CompletedCall() {
  v1::Call call;
  call.set_call_id("call_1f2e3d4c5b6a79881f2e3d4c5b6a7988");
  call.set_tenant_id("acme");
  call.set_provider(v1::PROVIDER_TWILIO);
  call.mutable_provider_ids()->set_call_sid("CA00000000000000000000000000000001");
  call.set_direction(v1::CALL_DIRECTION_OUTBOUND);
  call.set_from("+14155550100");
  call.set_to("+14155550123");
  call.set_status(v1::CALL_STATUS_COMPLETED);
  call.set_provider_status("completed");
  *call.mutable_create_time() = Ts(kCreated);
  *call.mutable_update_time() = Ts(kCreated + 60);
  *call.mutable_answer_time() = Ts(kCreated + 10);
  *call.mutable_end_time() = Ts(kCreated + 59);
  call.set_duration_seconds(49);
  call.set_version(4);
  return call;
}

TEST(StatusWordTest, ParsesUnderscoreHyphenEnumAndCaseVariants) {
  EXPECT_EQ(*ParseStatusWord("in_progress"), v1::CALL_STATUS_IN_PROGRESS);
  EXPECT_EQ(*ParseStatusWord("in-progress"), v1::CALL_STATUS_IN_PROGRESS);
  EXPECT_EQ(*ParseStatusWord("IN_PROGRESS"), v1::CALL_STATUS_IN_PROGRESS);
  EXPECT_EQ(*ParseStatusWord("CALL_STATUS_IN_PROGRESS"), v1::CALL_STATUS_IN_PROGRESS);
  EXPECT_EQ(*ParseStatusWord("no-answer"), v1::CALL_STATUS_NO_ANSWER);
  EXPECT_EQ(*ParseStatusWord("cancelled"), v1::CALL_STATUS_CANCELED);
  EXPECT_EQ(*ParseStatusWord("queued"), v1::CALL_STATUS_QUEUED);
}

TEST(StatusWordTest, RejectsUnknownAndUnspecifiedWords) {
  EXPECT_THAT(ParseStatusWord("answered"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseStatusWord("unspecified"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseStatusWord(""), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(StatusWordTest, EveryStatusRoundTripsThroughItsWord) {
  for (int s = v1::CALL_STATUS_QUEUED; s <= v1::CALL_STATUS_CANCELED; ++s) {
    const auto status = static_cast<v1::CallStatus>(s);
    absl::StatusOr<v1::CallStatus> parsed = ParseStatusWord(StatusWord(status));
    ASSERT_THAT(parsed, IsOk()) << s;
    EXPECT_EQ(*parsed, status);
  }
  EXPECT_EQ(StatusWord(v1::CALL_STATUS_UNSPECIFIED), "unspecified");
}

TEST(StatusWordTest, TerminalStatusesAreTheFiveFinalOnes) {
  EXPECT_FALSE(IsTerminal(v1::CALL_STATUS_QUEUED));
  EXPECT_FALSE(IsTerminal(v1::CALL_STATUS_RINGING));
  EXPECT_FALSE(IsTerminal(v1::CALL_STATUS_IN_PROGRESS));
  EXPECT_TRUE(IsTerminal(v1::CALL_STATUS_COMPLETED));
  EXPECT_TRUE(IsTerminal(v1::CALL_STATUS_BUSY));
  EXPECT_TRUE(IsTerminal(v1::CALL_STATUS_NO_ANSWER));
  EXPECT_TRUE(IsTerminal(v1::CALL_STATUS_FAILED));
  EXPECT_TRUE(IsTerminal(v1::CALL_STATUS_CANCELED));
}

TEST(TimeTest, ParsesRfc3339WithZuluOffsetAndFraction) {
  absl::StatusOr<absl::Time> t = ParseRfc3339("2026-03-25T09:53:19Z");
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(absl::ToUnixSeconds(*t), kCreated);

  t = ParseRfc3339("2026-03-25T11:53:19.5+02:00");
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(absl::ToUnixMillis(*t), kCreated * 1000 + 500);
}

TEST(TimeTest, RejectsNonRfc3339) {
  EXPECT_THAT(ParseRfc3339("yesterday"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseRfc3339("2026-03-25 09:53:19"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseRfc3339("2026-03-25T09:53:19"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(TimeTest, FormatsUtcWholeSecondsAndDashWhenUnset) {
  EXPECT_EQ(FormatTimestamp(Ts(kCreated)), "2026-03-25T09:53:19Z");
  google::protobuf::Timestamp with_nanos = Ts(kCreated);
  with_nanos.set_nanos(999999999);
  EXPECT_EQ(FormatTimestamp(with_nanos), "2026-03-25T09:53:19Z");
  EXPECT_EQ(FormatTimestamp(google::protobuf::Timestamp()), "-");
}

TEST(TimeTest, ToTimestampKeepsNanosecondsAndHandlesNegativeTimes) {
  google::protobuf::Timestamp ts = ToTimestamp(absl::FromUnixMillis(kCreated * 1000 + 250));
  EXPECT_EQ(ts.seconds(), kCreated);
  EXPECT_EQ(ts.nanos(), 250000000);
  ts = ToTimestamp(absl::FromUnixMillis(-1500));
  EXPECT_EQ(ts.seconds(), -2);
  EXPECT_EQ(ts.nanos(), 500000000);
}

TEST(DurationTest, FormatsSecondsMinutesHours) {
  EXPECT_EQ(FormatDurationSeconds(0), "0s");
  EXPECT_EQ(FormatDurationSeconds(49), "49s");
  EXPECT_EQ(FormatDurationSeconds(125), "2m05s");
  EXPECT_EQ(FormatDurationSeconds(3723), "1h02m03s");
}

TEST(CallFormatTest, ListLineShowsIdStatusNumbersCreatedAndDuration) {
  EXPECT_EQ(FormatCallLine(CompletedCall()),
            "call_1f2e3d4c5b6a79881f2e3d4c5b6a7988 completed   +14155550100 → +14155550123  "
            "2026-03-25T09:53:19Z  49s");
}

TEST(CallFormatTest, ListLineHasNoDurationWhileTheCallIsActive) {
  v1::Call call = CompletedCall();
  call.set_status(v1::CALL_STATUS_IN_PROGRESS);
  EXPECT_EQ(FormatCallLine(call),
            "call_1f2e3d4c5b6a79881f2e3d4c5b6a7988 in_progress +14155550100 → +14155550123  "
            "2026-03-25T09:53:19Z  -");
}

TEST(CallFormatTest, DetailListsIdsTimesAndDuration) {
  const std::string detail = FormatCallDetail(CompletedCall());
  EXPECT_NE(detail.find("call_id:         call_1f2e3d4c5b6a79881f2e3d4c5b6a7988\n"),
            std::string::npos)
      << detail;
  EXPECT_NE(detail.find("call_sid:        CA00000000000000000000000000000001\n"),
            std::string::npos);
  EXPECT_NE(detail.find("status:          completed (provider: completed)\n"), std::string::npos);
  EXPECT_NE(detail.find("answered:        2026-03-25T09:53:29Z\n"), std::string::npos);
  EXPECT_NE(detail.find("duration:        49s\n"), std::string::npos);
  EXPECT_EQ(detail.find("error:"), std::string::npos);
}

TEST(EventFormatTest, UpdatedEventLineShowsSequenceNameCallNumbersAndStatus) {
  v1::Event event;
  event.set_sequence(42);
  event.set_type(v1::EVENT_TYPE_CALL_UPDATED);
  event.set_name("call:updated");
  *event.mutable_call() = CompletedCall();
  event.mutable_call()->set_status(v1::CALL_STATUS_IN_PROGRESS);
  EXPECT_EQ(FormatEventLine(event),
            "#42 call:updated call_1f2e3d4c5b6a79881f2e3d4c5b6a7988 +14155550100 → "
            "+14155550123 in_progress");
}

TEST(EventFormatTest, EndedCallLineCarriesDurationSipCodeAndError) {
  v1::Event event;
  event.set_sequence(43);
  event.set_name("call:updated");
  *event.mutable_call() = CompletedCall();
  EXPECT_EQ(FormatEventLine(event),
            "#43 call:updated call_1f2e3d4c5b6a79881f2e3d4c5b6a7988 +14155550100 → "
            "+14155550123 completed duration=49s");
  event.mutable_call()->set_status(v1::CALL_STATUS_BUSY);
  event.mutable_call()->set_duration_seconds(0);
  event.mutable_call()->set_sip_response_code(486);
  event.mutable_call()->set_error_message("busy here");
  EXPECT_EQ(FormatEventLine(event),
            "#43 call:updated call_1f2e3d4c5b6a79881f2e3d4c5b6a7988 +14155550100 → "
            "+14155550123 busy duration=0s sip=486 error=\"busy here\"");
}

TEST(EventFormatTest, MetricsEventLineAndNameFromTypeWhenNameMissing) {
  v1::Event event;
  event.set_sequence(44);
  event.set_type(v1::EVENT_TYPE_METRICS_UPDATED);
  event.mutable_metrics()->set_active_calls(1);
  event.mutable_metrics()->set_total_calls(7);
  event.mutable_metrics()->set_billable_seconds(120);
  EXPECT_EQ(FormatEventLine(event), "#44 metrics:updated active=1 total=7 billable=2m00s");
}

TEST(MetricsFormatTest, ShowsFiguresAndStatusesInOrder) {
  v1::Metrics m;
  m.set_tenant_id("acme");
  m.set_active_calls(2);
  m.set_total_calls(5);
  m.set_billable_seconds(49);
  v1::StatusCount* c = m.add_calls_by_status();
  c->set_status(v1::CALL_STATUS_IN_PROGRESS);
  c->set_count(2);
  c = m.add_calls_by_status();
  c->set_status(v1::CALL_STATUS_COMPLETED);
  c->set_count(3);
  EXPECT_EQ(FormatMetrics(m),
            "tenant:            acme\n"
            "active calls:      2\n"
            "total calls:       5\n"
            "billable seconds:  49 (49s)\n"
            "by status:\n"
            "  in_progress      2\n"
            "  completed        3\n");
}

TEST(CallMatchesIdTest, MatchesCallIdAndEveryProviderIdButNotEmpty) {
  v1::Call call = CompletedCall();
  call.mutable_provider_ids()->set_call_control_id("v3:ctrl");
  call.mutable_provider_ids()->set_call_leg_id("leg-1");
  EXPECT_TRUE(CallMatchesId(call, "call_1f2e3d4c5b6a79881f2e3d4c5b6a7988"));
  EXPECT_TRUE(CallMatchesId(call, "CA00000000000000000000000000000001"));
  EXPECT_TRUE(CallMatchesId(call, "v3:ctrl"));
  EXPECT_TRUE(CallMatchesId(call, "leg-1"));
  EXPECT_FALSE(CallMatchesId(call, "CA00000000000000000000000000000002"));
  EXPECT_FALSE(CallMatchesId(v1::Call(), ""));
}

TEST(JsonTest, EventIsOneLineThatParsesBack) {
  v1::Event event;
  event.set_sequence(42);
  event.set_name("call:updated");
  *event.mutable_call() = CompletedCall();
  absl::StatusOr<std::string> json = ToJsonLine(event);
  ASSERT_THAT(json, IsOk());
  EXPECT_EQ(json->find('\n'), std::string::npos);
  EXPECT_NE(json->find("\"status\":\"CALL_STATUS_COMPLETED\""), std::string::npos) << *json;
  v1::Event back;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(*json, &back).ok());
  EXPECT_EQ(back.SerializeAsString(), event.SerializeAsString());
}

TEST(RequestBuildersTest, ListRequestCarriesStatusesTimesAndPaging) {
  ListCallsArgs args;
  args.statuses = {"in-progress", "completed"};
  args.since = "2026-03-25T09:53:19Z";
  args.until = "2026-03-26T00:00:00Z";
  args.page_size = 20;
  args.page_token = "tok";
  absl::StatusOr<v1::ListCallsRequest> request = BuildListCallsRequest(args);
  ASSERT_THAT(request, IsOk());
  ASSERT_EQ(request->statuses_size(), 2);
  EXPECT_EQ(request->statuses(0), v1::CALL_STATUS_IN_PROGRESS);
  EXPECT_EQ(request->statuses(1), v1::CALL_STATUS_COMPLETED);
  EXPECT_EQ(request->start_time().seconds(), kCreated);
  EXPECT_TRUE(request->has_end_time());
  EXPECT_EQ(request->page_size(), 20);
  EXPECT_EQ(request->page_token(), "tok");
}

TEST(RequestBuildersTest, ListRequestRejectsBadWordsTimesAndOrder) {
  ListCallsArgs args;
  args.statuses = {"ongoing"};
  EXPECT_THAT(BuildListCallsRequest(args), StatusIs(absl::StatusCode::kInvalidArgument));
  args = ListCallsArgs();
  args.since = "2026-03-26T00:00:00Z";
  args.until = "2026-03-25T00:00:00Z";
  EXPECT_THAT(BuildListCallsRequest(args), StatusIs(absl::StatusCode::kInvalidArgument));
  args = ListCallsArgs();
  args.until = "tomorrow";
  EXPECT_THAT(BuildListCallsRequest(args), StatusIs(absl::StatusCode::kInvalidArgument));
  args = ListCallsArgs();
  args.page_size = -1;
  EXPECT_THAT(BuildListCallsRequest(args), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(RequestBuildersTest, ListRequestWithoutFiltersLeavesTimesUnset) {
  absl::StatusOr<v1::ListCallsRequest> request = BuildListCallsRequest(ListCallsArgs());
  ASSERT_THAT(request, IsOk());
  EXPECT_FALSE(request->has_start_time());
  EXPECT_FALSE(request->has_end_time());
  EXPECT_EQ(request->statuses_size(), 0);
}

TEST(RequestBuildersTest, StartCallNeedsToAndCopiesTheRest) {
  EXPECT_THAT(BuildStartCallRequest(StartCallArgs()), StatusIs(absl::StatusCode::kInvalidArgument));
  StartCallArgs args{"+14155550123", "+14155550100", "key-1", "<Response/>"};
  absl::StatusOr<v1::StartCallRequest> request = BuildStartCallRequest(args);
  ASSERT_THAT(request, IsOk());
  EXPECT_EQ(request->to(), "+14155550123");
  EXPECT_EQ(request->from(), "+14155550100");
  EXPECT_EQ(request->idempotency_key(), "key-1");
  EXPECT_EQ(request->twiml(), "<Response/>");
}

TEST(RequestBuildersTest, StreamRequestSetsSinceOnlyWhenGiven) {
  absl::StatusOr<v1::StreamEventsRequest> request = BuildStreamEventsRequest(std::nullopt);
  ASSERT_THAT(request, IsOk());
  EXPECT_FALSE(request->has_since_sequence());
  request = BuildStreamEventsRequest(0);
  ASSERT_THAT(request, IsOk());
  EXPECT_TRUE(request->has_since_sequence());
  EXPECT_EQ(request->since_sequence(), 0);
  EXPECT_THAT(BuildStreamEventsRequest(-1), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(RequestBuildersTest, GetAndHangupNeedAnId) {
  EXPECT_THAT(BuildGetCallRequest(""), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(BuildHangupCallRequest(""), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(BuildHangupCallRequest("CA1")->call_id(), "CA1");
}

}  // namespace
TEST(FormatMoneyTest, PrintsExactMicrosWithAtLeastTwoDecimals) {
  v1::Money m;
  m.set_currency_code("USD");
  m.set_amount_micros(42000);
  EXPECT_EQ(FormatMoney(m), "0.042 USD");
  m.set_amount_micros(2400000);
  m.set_currency_code("INR");
  EXPECT_EQ(FormatMoney(m), "2.40 INR");
  m.set_amount_micros(13500);
  EXPECT_EQ(FormatMoney(m), "0.0135 INR");
  m.set_amount_micros(-20000);
  EXPECT_EQ(FormatMoney(m), "-0.02 INR");
  m.set_amount_micros(0);
  EXPECT_EQ(FormatMoney(m), "0.00 INR");
}

}  // namespace callcontrol::client
