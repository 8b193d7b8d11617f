// ParseExotelStatusCallback on the shared fixtures (tests/fixtures/exotel_status_*, form and
// JSON) and on edge cases; ExotelFieldsFromJson, ParseDecimalMicros, ParseExotelTime.
#include "providers/exotel/exotel_callback.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_join.h"
#include "common/logging.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "spdlog/sinks/ringbuffer_sink.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"

namespace callcontrol::exotel {
namespace {

using ::callcontrol::testing::IsOk;
using ::callcontrol::testing::ReadFixture;
using ::callcontrol::testing::StatusIs;
using internal::v1::ReportProviderEventRequest;
using ::testing::HasSubstr;

constexpr char kCallSid[] = "80bfbec2d78bbbf10fb851f4fa165211";
constexpr char kCallId[] = "call_0123456789abcdef0123456789abcdef";
constexpr char kRecordingUrl[] = "https://s3-ap-southeast-1.amazonaws.com/recordings/abc123.mp3";
// 2024-01-15 14:30:45 IST (DateUpdated) and 14:30:44 IST (EndTime), in Unix seconds.
constexpr int64_t kDateUpdatedUnix = 1705309245;
constexpr int64_t kEndTimeUnix = 1705309244;

http::FormParams FormFixture(const std::string& name) {
  auto form = http::ParseForm(ReadFixture(name));
  EXPECT_THAT(form, IsOk());
  return form.ok() ? *std::move(form) : http::FormParams{};
}

void ExpectEqualProto(const ReportProviderEventRequest& expected,
                      const ReportProviderEventRequest& actual) {
  std::string diff;
  google::protobuf::util::MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&diff);
  EXPECT_TRUE(differencer.Compare(expected, actual)) << diff;
}

ReportProviderEventRequest TerminalFixtureRequest() {
  ReportProviderEventRequest expected;
  expected.set_tenant_id("acme");
  expected.set_provider(v1::PROVIDER_EXOTEL);
  // CustomField "order-12345" is not a call id: the query parameter's is used.
  expected.set_call_id(kCallId);
  expected.mutable_provider_ids()->set_call_sid(kCallSid);
  expected.set_provider_status("completed");
  expected.set_status(v1::CALL_STATUS_COMPLETED);
  expected.set_provider_sequence(-1);
  expected.mutable_occurred_time()->set_seconds(kEndTimeUnix);
  expected.set_duration_seconds(120);
  expected.set_direction(v1::CALL_DIRECTION_OUTBOUND);
  expected.set_from("08888888888");
  expected.set_to("09999999999");
  expected.set_sip_response_code(0);
  expected.mutable_recording()->set_url(kRecordingUrl);
  expected.mutable_recording()->set_status("completed");
  return expected;
}

// Captures what the "exotel" logger writes while it lives.
class LogCapture {
 public:
  LogCapture()
      : logger_(logging::Get("exotel")),
        sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(64)) {
    logger_->sinks().push_back(sink_);
  }
  ~LogCapture() { logger_->sinks().pop_back(); }
  std::string Text() const { return absl::StrJoin(sink_->last_formatted(), ""); }

 private:
  std::shared_ptr<spdlog::logger> logger_;
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
};

TEST(ExotelCallbackTest, DefaultFormFixture) {
  auto request =
      ParseExotelStatusCallback("acme", kCallId, FormFixture("exotel_status_default.form"));
  ASSERT_THAT(request, IsOk());
  ReportProviderEventRequest expected;
  expected.set_tenant_id("acme");
  expected.set_provider(v1::PROVIDER_EXOTEL);
  expected.set_call_id(kCallId);
  expected.mutable_provider_ids()->set_call_sid(kCallSid);
  expected.set_provider_status("completed");
  expected.set_status(v1::CALL_STATUS_COMPLETED);
  expected.set_provider_sequence(-1);
  expected.mutable_occurred_time()->set_seconds(kDateUpdatedUnix);  // no EventType: DateUpdated
  expected.set_duration_seconds(-1);
  expected.set_sip_response_code(0);
  expected.mutable_recording()->set_url(kRecordingUrl);
  expected.mutable_recording()->set_status("completed");
  ExpectEqualProto(expected, *request);
}

TEST(ExotelCallbackTest, TerminalFormFixture) {
  auto request =
      ParseExotelStatusCallback("acme", kCallId, FormFixture("exotel_status_terminal.form"));
  ASSERT_THAT(request, IsOk());
  ExpectEqualProto(TerminalFixtureRequest(), *request);
}

TEST(ExotelCallbackTest, TerminalJsonFixtureGivesTheSameRequest) {
  auto fields = ExotelFieldsFromJson(ReadFixture("exotel_status_terminal.json"));
  ASSERT_THAT(fields, IsOk());
  auto request = ParseExotelStatusCallback("acme", kCallId, *fields);
  ASSERT_THAT(request, IsOk());
  ExpectEqualProto(TerminalFixtureRequest(), *request);
}

TEST(ExotelCallbackTest, AnsweredEventUsesDateUpdated) {
  http::FormParams form = FormFixture("exotel_status_terminal.form");
  for (auto& [name, value] : form) {
    if (name == "EventType") value = "answered";
    if (name == "Status") value = "in-progress";
  }
  auto request = ParseExotelStatusCallback("acme", "", form);
  ASSERT_THAT(request, IsOk());
  EXPECT_EQ(request->status(), v1::CALL_STATUS_IN_PROGRESS);
  EXPECT_EQ(request->occurred_time().seconds(), kDateUpdatedUnix);
  EXPECT_EQ(request->call_id(), "");
}

TEST(ExotelCallbackTest, TerminalWithoutEndTimeUsesDateUpdated) {
  auto request = ParseExotelStatusCallback("acme", "",
                                           {{"CallSid", kCallSid},
                                            {"Status", "busy"},
                                            {"EventType", "terminal"},
                                            {"DateUpdated", "2024-01-15 14:30:45"}});
  ASSERT_THAT(request, IsOk());
  EXPECT_EQ(request->status(), v1::CALL_STATUS_BUSY);
  EXPECT_EQ(request->occurred_time().seconds(), kDateUpdatedUnix);
  EXPECT_FALSE(request->has_recording());
  EXPECT_FALSE(request->has_price());
}

TEST(ExotelCallbackTest, UnparsableTimeLeavesOccurredTimeUnset) {
  for (const char* when : {"2024-01-15T14:30:45", "yesterday", "0000-00-00 00:00:00"}) {
    auto request = ParseExotelStatusCallback(
        "acme", "", {{"CallSid", kCallSid}, {"Status", "completed"}, {"DateUpdated", when}});
    ASSERT_THAT(request, IsOk()) << when;
    EXPECT_FALSE(request->has_occurred_time()) << when;
  }
}

// Found by tools/fuzz: year 0000 (and 0001-01-01 before 05:30 IST) lies before
// google.protobuf.Timestamp's range, which the daemon refuses; it counts as unparsable.
TEST(ExotelCallbackTest, TimeBeforeTheTimestampRangeLeavesOccurredTimeUnset) {
  for (const char* when : {"0000-06-15 12:00:00", "0001-01-01 05:29:59"}) {
    auto request = ParseExotelStatusCallback(
        "acme", "", {{"CallSid", kCallSid}, {"Status", "completed"}, {"DateUpdated", when}});
    ASSERT_THAT(request, IsOk()) << when;
    EXPECT_FALSE(request->has_occurred_time()) << when;
  }
  auto request = ParseExotelStatusCallback(
      "acme", "",
      {{"CallSid", kCallSid}, {"Status", "completed"}, {"DateUpdated", "0001-01-01 05:30:00"}});
  ASSERT_THAT(request, IsOk());
  EXPECT_EQ(request->occurred_time().seconds(), -62135596800);  // 0001-01-01T00:00:00Z
}

TEST(ExotelCallbackTest, CustomFieldCarryingACallIdWins) {
  const std::string custom = "call_ffffffffffffffffffffffffffffffff";
  auto request = ParseExotelStatusCallback(
      "acme", kCallId, {{"CallSid", kCallSid}, {"Status", "ringing"}, {"CustomField", custom}});
  ASSERT_THAT(request, IsOk());
  EXPECT_EQ(request->call_id(), custom);
  // Not a call id: "call_" alone, other characters, too long.
  for (const std::string& other : {std::string("call_"), std::string("call_a b"),
                                   std::string("xcall_1"), "call_" + std::string(60, 'a')}) {
    request = ParseExotelStatusCallback(
        "acme", kCallId, {{"CallSid", kCallSid}, {"Status", "ringing"}, {"CustomField", other}});
    ASSERT_THAT(request, IsOk());
    EXPECT_EQ(request->call_id(), kCallId) << other;
  }
}

TEST(ExotelCallbackTest, DurationFallbacks) {
  struct Case {
    http::FormParams extra;
    int64_t duration;
  };
  const std::vector<Case> cases = {
      {{}, -1},
      {{{"ConversationDuration", "120"}, {"DialCallDuration", "130"}, {"Duration", "140"}}, 120},
      {{{"ConversationDuration", ""}, {"DialCallDuration", "130"}, {"Duration", "140"}}, 130},
      {{{"Duration", "140"}}, 140},
      {{{"ConversationDuration", "0"}}, 0},
      {{{"ConversationDuration", "12.5"}}, 13},
      {{{"ConversationDuration", "12.4"}}, 12},
  };
  for (const Case& c : cases) {
    http::FormParams form = {{"CallSid", kCallSid}, {"Status", "completed"}};
    form.insert(form.end(), c.extra.begin(), c.extra.end());
    auto request = ParseExotelStatusCallback("acme", "", form);
    ASSERT_THAT(request, IsOk());
    EXPECT_EQ(request->duration_seconds(), c.duration) << http::EncodeForm(c.extra);
  }
  auto request = ParseExotelStatusCallback(
      "acme", "", {{"CallSid", kCallSid}, {"Status", "completed"}, {"DialCallDuration", "-3"}});
  EXPECT_THAT(request, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(request.status().message()), HasSubstr("DialCallDuration"));
}

TEST(ExotelCallbackTest, PriceIsExactMicrosInRupeesByDefault) {
  struct Case {
    http::FormParams extra;
    std::string currency;
    int64_t micros;
  };
  const std::vector<Case> cases = {
      {{{"Price", "1.500"}}, "INR", 1500000},
      {{{"Price", "0.0135"}}, "INR", 13500},
      {{{"Price", "2"}}, "INR", 2000000},
      {{{"Price", "0.0135"}, {"Currency", "usd"}}, "USD", 13500},
      {{{"Price", "3.25"}, {"PriceUnit", "EUR"}}, "EUR", 3250000},
      {{{"Price", "3.25"}, {"Currency", "GBP"}, {"PriceUnit", "EUR"}}, "GBP", 3250000},
  };
  for (const Case& c : cases) {
    http::FormParams form = {{"CallSid", kCallSid}, {"Status", "completed"}};
    form.insert(form.end(), c.extra.begin(), c.extra.end());
    auto request = ParseExotelStatusCallback("acme", "", form);
    ASSERT_THAT(request, IsOk()) << http::EncodeForm(c.extra);
    ASSERT_TRUE(request->has_price()) << http::EncodeForm(c.extra);
    EXPECT_EQ(request->price().currency_code(), c.currency);
    EXPECT_EQ(request->price().amount_micros(), c.micros) << http::EncodeForm(c.extra);
  }
  // An empty Price is no price.
  auto request = ParseExotelStatusCallback(
      "acme", "", {{"CallSid", kCallSid}, {"Status", "completed"}, {"Price", ""}});
  ASSERT_THAT(request, IsOk());
  EXPECT_FALSE(request->has_price());
}

TEST(ExotelCallbackTest, MalformedPriceOrCurrencyIsInvalid) {
  const std::vector<http::FormParams> bad = {
      {{"Price", "1,500"}},
      {{"Price", "-1.5"}},
      {{"Price", "abc"}},
      {{"Price", "1.2.3"}},
      {{"Price", "1e3"}},
      {{"Price", "1.5"}, {"Currency", "rupees"}},
      {{"Price", "1.5"}, {"PriceUnit", "U$"}},
  };
  for (const http::FormParams& extra : bad) {
    http::FormParams form = {{"CallSid", kCallSid}, {"Status", "completed"}};
    form.insert(form.end(), extra.begin(), extra.end());
    auto request = ParseExotelStatusCallback("acme", "", form);
    EXPECT_THAT(request, StatusIs(absl::StatusCode::kInvalidArgument)) << http::EncodeForm(extra);
    EXPECT_THAT(std::string(request.status().message()), HasSubstr(extra.back().first));
  }
}

TEST(ExotelCallbackTest, Direction) {
  EXPECT_EQ(ParseExotelDirection("inbound"), v1::CALL_DIRECTION_INBOUND);
  EXPECT_EQ(ParseExotelDirection("outbound-dial"), v1::CALL_DIRECTION_OUTBOUND);
  EXPECT_EQ(ParseExotelDirection("outbound-api"), v1::CALL_DIRECTION_OUTBOUND);
  EXPECT_EQ(ParseExotelDirection("Inbound"), v1::CALL_DIRECTION_INBOUND);
  EXPECT_EQ(ParseExotelDirection(""), v1::CALL_DIRECTION_UNSPECIFIED);
  EXPECT_EQ(ParseExotelDirection("outbound"), v1::CALL_DIRECTION_UNSPECIFIED);
}

TEST(ExotelCallbackTest, RequiredFieldsAndCallSidShape) {
  const std::vector<std::pair<http::FormParams, std::string>> bad = {
      {{{"Status", "completed"}}, "CallSid"},
      {{{"CallSid", ""}, {"Status", "completed"}}, "CallSid"},
      {{{"CallSid", "80bf bec2"}, {"Status", "completed"}}, "CallSid"},
      {{{"CallSid", std::string(65, 'a')}, {"Status", "completed"}}, "CallSid"},
      {{{"CallSid", kCallSid}}, "Status"},
      {{{"CallSid", kCallSid}, {"Status", ""}}, "Status"},
  };
  for (const auto& [form, field] : bad) {
    auto request = ParseExotelStatusCallback("acme", "", form);
    EXPECT_THAT(request, StatusIs(absl::StatusCode::kInvalidArgument)) << http::EncodeForm(form);
    EXPECT_THAT(std::string(request.status().message()), HasSubstr(field));
  }
}

TEST(ExotelCallbackTest, UnknownStatusIsReportedUnspecifiedWithAWarning) {
  LogCapture log;
  auto request =
      ParseExotelStatusCallback("acme", kCallId, {{"CallSid", kCallSid}, {"Status", "Voicemail"}});
  ASSERT_THAT(request, IsOk());
  EXPECT_EQ(request->status(), v1::CALL_STATUS_UNSPECIFIED);
  EXPECT_EQ(request->provider_status(), "Voicemail");
  EXPECT_THAT(log.Text(), HasSubstr(kCallSid));
  EXPECT_THAT(log.Text(), HasSubstr("Voicemail"));
}

TEST(ExotelCallbackTest, StatusWordsAreCaseInsensitive) {
  auto request =
      ParseExotelStatusCallback("acme", "", {{"CallSid", kCallSid}, {"Status", "No-Answer"}});
  ASSERT_THAT(request, IsOk());
  EXPECT_EQ(request->status(), v1::CALL_STATUS_NO_ANSWER);
  EXPECT_EQ(request->provider_status(), "No-Answer");
}

TEST(ExotelFieldsFromJsonTest, NumbersNullsAndNestedValues) {
  auto fields = ExotelFieldsFromJson(
      R"({"CallSid":"abc","Status":"completed","ConversationDuration":42,"Price":1.5,)"
      R"("Big":18446744073709551615,"Flag":true,"RecordingUrl":null,"Legs":[{"Status":"x"}],)"
      R"("Obj":{"a":1}})");
  ASSERT_THAT(fields, IsOk());
  const http::FormParams expected = {
      {"CallSid", "abc"}, {"Status", "completed"},         {"ConversationDuration", "42"},
      {"Price", "1.5"},   {"Big", "18446744073709551615"}, {"Flag", "true"}};
  // nlohmann orders object members by name.
  EXPECT_THAT(*fields, ::testing::UnorderedElementsAreArray(expected));
  auto request = ParseExotelStatusCallback("acme", "", *fields);
  ASSERT_THAT(request, IsOk());
  EXPECT_EQ(request->duration_seconds(), 42);
  EXPECT_EQ(request->price().amount_micros(), 1500000);
  EXPECT_FALSE(request->has_recording());

  fields = ExotelFieldsFromJson(R"({"Price":0.0135})");
  ASSERT_THAT(fields, IsOk());
  EXPECT_EQ(*http::FindParam(*fields, "Price"), "0.0135");
}

TEST(ExotelFieldsFromJsonTest, NotAnObjectIsInvalid) {
  for (const char* body : {"", "nope", "[]", "\"CallSid\"", "{\"CallSid\":", "42"}) {
    EXPECT_THAT(ExotelFieldsFromJson(body), StatusIs(absl::StatusCode::kInvalidArgument)) << body;
  }
}

TEST(ParseDecimalMicrosTest, ExactValues) {
  const std::vector<std::pair<std::string, int64_t>> cases = {
      {"1.500", 1500000},    {"0.0135", 13500},
      {"2", 2000000},        {"0", 0},
      {"0.000000", 0},       {".5", 500000},
      {"1.", 1000000},       {"0.000001", 1},
      {"0.0000005", 1},  // the seventh decimal rounds half up
      {"0.0000004", 0},      {"0.12345649", 123456},
      {"0.1234565", 123457}, {"0.9999995", 1000000},
      {"007.25", 7250000},   {"999999999999.999999", 999999999999999999},
  };
  for (const auto& [text, micros] : cases) {
    auto parsed = ParseDecimalMicros(text);
    ASSERT_THAT(parsed, IsOk()) << text;
    EXPECT_EQ(*parsed, micros) << text;
  }
}

TEST(ParseDecimalMicrosTest, MalformedIsInvalid) {
  for (const char* text : {"", ".", "-1", "+1", "1e3", " 1", "1 ", "1,5", "0x10", "1.2.3", "abc",
                           "1000000000000", "1.5.", "..5", "NaN", "inf"}) {
    EXPECT_THAT(ParseDecimalMicros(text), StatusIs(absl::StatusCode::kInvalidArgument))
        << '"' << text << '"';
  }
}

TEST(ParseExotelTimeTest, IstToUtc) {
  auto time = ParseExotelTime("2024-01-15 14:30:45");
  ASSERT_THAT(time, IsOk());
  EXPECT_EQ(absl::ToUnixSeconds(*time), kDateUpdatedUnix);
  time = ParseExotelTime("2024-01-01 03:00:00");  // the previous day in UTC
  ASSERT_THAT(time, IsOk());
  EXPECT_EQ(absl::FormatTime("%Y-%m-%d %H:%M:%S", *time, absl::UTCTimeZone()),
            "2023-12-31 21:30:00");
  for (const char* bad : {"", "2024-01-15T14:30:45", "2024-01-15 14:30", "2024-01-15 14:30:45Z",
                          "2024-13-01 00:00:00", "0000-00-00 00:00:00", "15/01/2024 14:30:45"}) {
    EXPECT_THAT(ParseExotelTime(bad), StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
  }
}

}  // namespace
}  // namespace callcontrol::exotel
