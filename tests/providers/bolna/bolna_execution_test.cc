// ParseBolnaExecution on the shared fixtures (tests/fixtures/bolna_execution.json and the observed
// webhook sequence) and on edge cases; CentsToMicros, ParseBolnaCallType.
#include "providers/bolna/bolna_execution.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_join.h"
#include "common/logging.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "spdlog/sinks/ringbuffer_sink.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"

namespace callcontrol::bolna {
namespace {

using ::callcontrol::testing::IsOk;
using ::callcontrol::testing::ReadFixture;
using ::callcontrol::testing::StatusIs;
using internal::v1::ReportProviderEventRequest;
using ::testing::HasSubstr;
using json = nlohmann::json;

constexpr char kExecutionId[] = "4c06b4d1-4096-4561-919a-4f94539c8d4a";
constexpr char kCallId[] = "call_0123456789abcdef0123456789abcdef";

void ExpectEqualProto(const ReportProviderEventRequest& expected,
                      const ReportProviderEventRequest& actual) {
  std::string diff;
  google::protobuf::util::MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&diff);
  EXPECT_TRUE(differencer.Compare(expected, actual)) << diff;
}

// A body with `id` and `status` plus the members of `extra`.
std::string Body(const std::string& status, json extra = json::object()) {
  extra["id"] = kExecutionId;
  extra["status"] = status;
  return extra.dump();
}

class LogCapture {
 public:
  LogCapture()
      : logger_(logging::Get("bolna")),
        sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(64)) {
    logger_->sinks().push_back(sink_);
  }
  ~LogCapture() { logger_->sinks().pop_back(); }
  std::string Text() const { return absl::StrJoin(sink_->last_formatted(), ""); }

 private:
  std::shared_ptr<spdlog::logger> logger_;
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
};

TEST(BolnaExecutionTest, ExecutionFixture) {
  auto request = ParseBolnaExecution("acme", kCallId, ReadFixture("bolna_execution.json"));
  ASSERT_THAT(request, IsOk());
  ReportProviderEventRequest expected;
  expected.set_tenant_id("acme");
  expected.set_provider(v1::PROVIDER_BOLNA);
  expected.set_call_id(kCallId);
  expected.mutable_provider_ids()->set_execution_id(kExecutionId);
  expected.set_provider_status("completed");
  expected.set_status(v1::CALL_STATUS_COMPLETED);
  expected.set_provider_sequence(-1);
  expected.mutable_occurred_time()->set_seconds(1706553082);  // updated_at 2024-01-29T18:31:22Z
  expected.set_duration_seconds(42);                          // telephony_data.duration
  expected.set_direction(v1::CALL_DIRECTION_OUTBOUND);
  expected.set_from("+19876543007");
  expected.set_to("+10123456789");
  expected.set_sip_response_code(0);
  expected.mutable_hangup()->set_cause("Normal Hangup");
  expected.mutable_hangup()->set_source("Caller");
  expected.mutable_recording()->set_url(
      "https://bolna-call-recordings.s3.us-east-1.amazonaws.com/AC1f3285e7c353c7d4036544f8dac36b98/"
      "REb1c182ccde4ddf7969a511a267d3c669");
  expected.mutable_recording()->set_status("completed");
  expected.mutable_price()->set_currency_code("USD");
  expected.mutable_price()->set_amount_micros(1230000);  // total_cost 123 cents = $1.23
  ExpectEqualProto(expected, *request);
}

TEST(BolnaExecutionTest, ObservedSequence) {
  const json sequence = json::parse(ReadFixture("bolna_webhook_sequence_observed.json"));
  ASSERT_TRUE(sequence.is_array());
  ASSERT_EQ(sequence.size(), 5u);
  std::vector<ReportProviderEventRequest> requests;
  for (json event : sequence) {
    event["id"] = kExecutionId;  // the quoted objects leave it out
    auto request = ParseBolnaExecution("acme", "", event.dump());
    ASSERT_THAT(request, IsOk()) << event.dump();
    EXPECT_EQ(request->provider_ids().execution_id(), kExecutionId);
    EXPECT_EQ(request->provider(), v1::PROVIDER_BOLNA);
    EXPECT_FALSE(request->has_price()) << "no total_cost in the observed bodies";
    requests.push_back(*std::move(request));
  }
  // ringing, in-progress: nulls everywhere.
  EXPECT_EQ(requests[0].status(), v1::CALL_STATUS_RINGING);
  EXPECT_EQ(requests[1].status(), v1::CALL_STATUS_IN_PROGRESS);
  for (int i : {0, 1}) {
    EXPECT_EQ(requests[i].duration_seconds(), -1);
    EXPECT_FALSE(requests[i].has_recording());
    EXPECT_FALSE(requests[i].has_hangup());
  }
  // call-disconnected: moves nothing; conversation_duration 27.2 s; recording_url "".
  EXPECT_EQ(requests[2].status(), v1::CALL_STATUS_UNSPECIFIED);
  EXPECT_EQ(requests[2].provider_status(), "call-disconnected");
  EXPECT_EQ(requests[2].duration_seconds(), 27);
  EXPECT_FALSE(requests[2].has_recording());
  // completed: telephony_data.duration "28" wins over conversation_duration; the recording.
  EXPECT_EQ(requests[3].status(), v1::CALL_STATUS_COMPLETED);
  EXPECT_EQ(requests[3].duration_seconds(), 28);
  EXPECT_EQ(requests[3].recording().url(),
            "https://aps1.media.plivo.com/v1/Account/.../Recording/.../xxx.mp3");
  EXPECT_EQ(requests[3].recording().status(), "completed");
  EXPECT_EQ(requests[3].hangup().cause(), "Call recipient hungup");
  EXPECT_EQ(requests[3].hangup().source(), "Callee");
  // busy: conversation_duration 0, carrier hangup.
  EXPECT_EQ(requests[4].status(), v1::CALL_STATUS_BUSY);
  EXPECT_EQ(requests[4].duration_seconds(), 0);
  EXPECT_EQ(requests[4].hangup().cause(), "Call recipient was busy");
  EXPECT_EQ(requests[4].hangup().source(), "Carrier");
  EXPECT_FALSE(requests[4].has_recording());
}

TEST(BolnaExecutionTest, CallDisconnectedIsNotLoggedAsUnknown) {
  LogCapture log;
  ASSERT_THAT(ParseBolnaExecution("acme", "", Body("call-disconnected")), IsOk());
  EXPECT_THAT(log.Text(), ::testing::Not(HasSubstr("unknown status")));
}

TEST(BolnaExecutionTest, UnknownStatusIsReportedUnspecifiedWithAWarning) {
  LogCapture log;
  auto request = ParseBolnaExecution("acme", kCallId, Body("transferred"));
  ASSERT_THAT(request, IsOk());
  EXPECT_EQ(request->status(), v1::CALL_STATUS_UNSPECIFIED);
  EXPECT_EQ(request->provider_status(), "transferred");
  EXPECT_THAT(log.Text(), HasSubstr("unknown status"));
  EXPECT_THAT(log.Text(), HasSubstr(kExecutionId));
  EXPECT_THAT(log.Text(), HasSubstr("transferred"));
}

TEST(BolnaExecutionTest, PriceOnlyOnceTheCallHasEnded) {
  for (const char* status : {"queued", "ringing", "in-progress", "call-disconnected"}) {
    auto request = ParseBolnaExecution("acme", "", Body(status, {{"total_cost", 12.5}}));
    ASSERT_THAT(request, IsOk());
    EXPECT_FALSE(request->has_price()) << status;
  }
  for (const char* status : {"completed", "busy", "no-answer", "failed", "stopped", "Completed"}) {
    auto request = ParseBolnaExecution("acme", "", Body(status, {{"total_cost", 12.5}}));
    ASSERT_THAT(request, IsOk());
    ASSERT_TRUE(request->has_price()) << status;
    EXPECT_EQ(request->price().currency_code(), "USD");
    EXPECT_EQ(request->price().amount_micros(), 125000) << status;  // 12.5 cents
  }
  // A numeric string, zero, and null.
  auto request = ParseBolnaExecution("acme", "", Body("completed", {{"total_cost", "31.754"}}));
  ASSERT_THAT(request, IsOk());
  EXPECT_EQ(request->price().amount_micros(), 317540);
  request = ParseBolnaExecution("acme", "", Body("completed", {{"total_cost", 0}}));
  ASSERT_THAT(request, IsOk());
  ASSERT_TRUE(request->has_price());
  EXPECT_EQ(request->price().amount_micros(), 0);
  request = ParseBolnaExecution("acme", "", Body("completed", {{"total_cost", nullptr}}));
  ASSERT_THAT(request, IsOk());
  EXPECT_FALSE(request->has_price());
}

TEST(BolnaExecutionTest, CentsToMicros) {
  EXPECT_EQ(CentsToMicros(123), 1230000);
  EXPECT_EQ(CentsToMicros(31.754), 317540);
  EXPECT_EQ(CentsToMicros(2.673), 26730);
  EXPECT_EQ(CentsToMicros(0.0001), 1);
  EXPECT_EQ(CentsToMicros(0.00004), 0);
  EXPECT_EQ(CentsToMicros(0), 0);
}

TEST(BolnaExecutionTest, DurationSources) {
  struct Case {
    json extra;
    int64_t duration;
  };
  const std::vector<Case> cases = {
      {json::object(), -1},
      {{{"telephony_data", {{"duration", 42}}}, {"conversation_duration", 40}}, 42},
      {{{"telephony_data", {{"duration", "28"}}}}, 28},
      {{{"telephony_data", {{"duration", ""}}}, {"conversation_duration", 27.2}}, 27},
      {{{"telephony_data", {{"duration", nullptr}}}, {"conversation_duration", 27.5}}, 28},
      {{{"conversation_duration", nullptr}, {"conversation_time", 123}}, 123},
      {{{"conversation_duration", 0}}, 0},
      {{{"telephony_data", nullptr}, {"conversation_duration", 9.49}}, 9},
  };
  for (const Case& c : cases) {
    auto request = ParseBolnaExecution("acme", "", Body("completed", c.extra));
    ASSERT_THAT(request, IsOk()) << c.extra.dump();
    EXPECT_EQ(request->duration_seconds(), c.duration) << c.extra.dump();
  }
}

TEST(BolnaExecutionTest, RecordingUrlSources) {
  auto request = ParseBolnaExecution(
      "acme", "",
      Body("completed", {{"recording_url", "https://top/r.mp3"},
                         {"telephony_data", {{"recording_url", "https://tel/r.mp3"}}}}));
  ASSERT_THAT(request, IsOk());
  EXPECT_EQ(request->recording().url(), "https://tel/r.mp3");
  EXPECT_EQ(request->recording().recording_id(), "");
  request = ParseBolnaExecution("acme", "",
                                Body("completed", {{"recording_url", "https://top/r.mp3"},
                                                   {"telephony_data", {{"recording_url", ""}}}}));
  ASSERT_THAT(request, IsOk());
  EXPECT_EQ(request->recording().url(), "https://top/r.mp3");
}

TEST(BolnaExecutionTest, IdMayBeAnInteger) {
  auto request = ParseBolnaExecution("acme", "", R"({"id":7432382142914,"status":"completed"})");
  ASSERT_THAT(request, IsOk());
  EXPECT_EQ(request->provider_ids().execution_id(), "7432382142914");
}

TEST(BolnaExecutionTest, TimesAndDirection) {
  auto request =
      ParseBolnaExecution("acme", "",
                          Body("ringing", {{"created_at", "2024-01-23T01:14:37Z"},
                                           {"telephony_data", {{"call_type", "inbound"}}}}));
  ASSERT_THAT(request, IsOk());
  EXPECT_EQ(request->occurred_time().seconds(), 1705972477);  // created_at: no updated_at
  EXPECT_EQ(request->direction(), v1::CALL_DIRECTION_INBOUND);
  // Without an offset: UTC, fraction kept.
  request = ParseBolnaExecution("acme", "",
                                Body("ringing", {{"updated_at", "2025-06-26T09:45:21.123456"}}));
  ASSERT_THAT(request, IsOk());
  EXPECT_EQ(request->occurred_time().seconds(), 1750931121);
  EXPECT_EQ(request->occurred_time().nanos(), 123456000);
  request = ParseBolnaExecution("acme", "", Body("ringing", {{"updated_at", "last tuesday"}}));
  ASSERT_THAT(request, IsOk());
  EXPECT_FALSE(request->has_occurred_time());

  EXPECT_EQ(ParseBolnaCallType("outbound"), v1::CALL_DIRECTION_OUTBOUND);
  EXPECT_EQ(ParseBolnaCallType("Inbound"), v1::CALL_DIRECTION_INBOUND);
  EXPECT_EQ(ParseBolnaCallType(""), v1::CALL_DIRECTION_UNSPECIFIED);
  EXPECT_EQ(ParseBolnaCallType("outgoing"), v1::CALL_DIRECTION_UNSPECIFIED);
}

// Found by tools/fuzz: times outside google.protobuf.Timestamp's range (and absl's
// "infinite-future") parse, and the daemon refuses a report carrying one; they count as
// unparsable.
TEST(BolnaExecutionTest, TimeOutsideTheTimestampRangeLeavesOccurredTimeUnset) {
  for (const char* when : {"99999-01-01T00:00:00Z", "10000-01-01T00:00:00", "0000-01-01T00:00:00",
                           "infinite-future", "infinite-past"}) {
    auto request = ParseBolnaExecution("acme", "", Body("ringing", {{"updated_at", when}}));
    ASSERT_THAT(request, IsOk()) << when;
    EXPECT_FALSE(request->has_occurred_time()) << when;
  }
}

TEST(BolnaExecutionTest, MalformedBodiesNameTheField) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"", "JSON"},
      {"[]", "object"},
      {R"({"status":"completed"})", "id"},
      {R"({"id":"","status":"completed"})", "id"},
      {R"({"id":true,"status":"completed"})", "id"},
      {R"({"id":")" + std::string(129, 'a') + R"(","status":"completed"})", "id"},
      {R"({"id":"x"})", "status"},
      {R"({"id":"x","status":""})", "status"},
      {R"({"id":"x","status":3})", "status"},
      {R"({"id":"x","status":"completed","telephony_data":"none"})", "telephony_data"},
      {R"({"id":"x","status":"completed","telephony_data":{"duration":"abc"}})",
       "telephony_data.duration"},
      {R"({"id":"x","status":"completed","telephony_data":{"duration":-1}})",
       "telephony_data.duration"},
      {R"({"id":"x","status":"completed","conversation_duration":[1]})", "conversation_duration"},
      {R"({"id":"x","status":"completed","total_cost":"1,5"})", "total_cost"},
      {R"({"id":"x","status":"completed","total_cost":-3})", "total_cost"},
      {R"({"id":"x","status":"completed","telephony_data":{"to_number":14155550100}})",
       "telephony_data.to_number"},
      {R"({"id":"x","status":"completed","recording_url":{}})", "recording_url"},
      {R"({"id":"x","status":"completed","updated_at":5})", "updated_at"},
  };
  for (const auto& [body, field] : bad) {
    auto request = ParseBolnaExecution("acme", "", body);
    EXPECT_THAT(request, StatusIs(absl::StatusCode::kInvalidArgument)) << body;
    EXPECT_THAT(std::string(request.status().message()), HasSubstr(field)) << body;
  }
}

}  // namespace
}  // namespace callcontrol::bolna
