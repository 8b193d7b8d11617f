// ExotelClient against a fake Exotel API (FakeProviderApi: a real HTTP server on 127.0.0.1:0) that
// records each request and answers canned Exotel bodies (shapes from telephony.md §3d and Exotel's
// docs).
#include "providers/exotel/exotel_client.h"

#include <chrono>
#include <string>

#include "absl/strings/escaping.h"
#include "common/http/form.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/fake_provider_api.h"
#include "tests/testing/status_matchers.h"

namespace callcontrol::providers {
namespace {

using ::callcontrol::testing::FakeProviderApi;
using ::callcontrol::testing::IsOk;
using ::callcontrol::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

// Connect API answer with `.json` (Exotel's Call resource; Duration/Price null until the end).
constexpr char kConnectResponse[] = R"({
  "Call": {
    "Sid": "b6cfaf5e2d1f4f8a9b0c1d2e3f4a1a2b",
    "ParentCallSid": null,
    "DateCreated": "2024-09-16 15:50:02",
    "DateUpdated": "2024-09-16 15:50:02",
    "AccountSid": "acme1",
    "To": "09513886363",
    "From": "+919876543210",
    "PhoneNumberSid": "09513886363",
    "Status": "in-progress",
    "StartTime": "2024-09-16 15:50:02",
    "EndTime": null,
    "Duration": null,
    "Price": null,
    "Direction": "outbound-api",
    "AnsweredBy": null,
    "ForwardedFrom": null,
    "CallerName": null,
    "Uri": "/v1/Accounts/acme1/Calls/b6cfaf5e2d1f4f8a9b0c1d2e3f4a1a2b.json",
    "RecordingUrl": null
  }
})";

// Exotel's documented error shape (developer.exotel.com SMS API errors page, same v1 API).
constexpr char kError401[] = R"({"RestException":{"Status":401,
  "Message":"Authentication failed. Invalid API Key or Token.","Code":"UNAUTHORIZED"}})";

constexpr char kApiKey[] = "exokey0123456789abcdef";
constexpr char kApiToken[] = "exotoken-SECRET-9876543210";

// The fake Exotel API answers with what each test sets through api_.Answer() or holds requests
// after api_.Hold().
class ExotelClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(api_.Start(), IsOk());
    account_.account_sid = "acme1";
    account_.api_key = kApiKey;
    account_.api_token = kApiToken;
    account_.api_base_url = api_.base_url();
    account_.caller_id = "09513886363";
    account_.flow_url = "http://my.exotel.com/acme1/exoml/start_voice/197615";
  }

  static ExotelConnect SampleConnect() {
    ExotelConnect connect;
    connect.from = "+919876543210";
    connect.status_callback = "https://hooks.example.com/webhooks/exotel/acme/status?token=t0k";
    connect.custom_field = "call_id=c_123&attempt=1";
    connect.record = true;
    return connect;
  }

  FakeProviderApi api_;
  ExotelClient client_{ExotelClient::Options{}};
  exotel::ExotelAccount account_;
};

TEST_F(ExotelClientTest, ConnectSendsFormAndBasicAuthAndParsesTheCall) {
  api_.Answer(200, kConnectResponse);
  auto call = client_.Connect(account_, SampleConnect());
  ASSERT_THAT(call, IsOk());
  EXPECT_EQ(call->sid, "b6cfaf5e2d1f4f8a9b0c1d2e3f4a1a2b");
  EXPECT_EQ(call->status, "in-progress");

  const auto requests = api_.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/v1/Accounts/acme1/Calls/connect.json");
  EXPECT_EQ(requests[0].Header("authorization"),
            "Basic " + absl::Base64Escape(std::string(kApiKey) + ":" + kApiToken));
  EXPECT_EQ(requests[0].Header("content-type"), "application/x-www-form-urlencoded");
  auto form = http::ParseForm(requests[0].body);
  ASSERT_THAT(form, IsOk()) << requests[0].body;
  const http::FormParams expected = {
      {"From", "+919876543210"},
      {"CallerId", "09513886363"},
      {"Url", "http://my.exotel.com/acme1/exoml/start_voice/197615"},
      {"StatusCallback", "https://hooks.example.com/webhooks/exotel/acme/status?token=t0k"},
      {"StatusCallbackEvents[0]", "terminal"},
      {"StatusCallbackEvents[1]", "answered"},
      {"CustomField", "call_id=c_123&attempt=1"},
      {"Record", "true"},
  };
  EXPECT_EQ(*form, expected) << requests[0].body;
}

TEST_F(ExotelClientTest, ConnectLeavesOutEmptyCallbackAndCustomField) {
  api_.Answer(200, kConnectResponse);
  ExotelConnect connect;
  connect.from = "09876543210";
  connect.record = false;
  ASSERT_THAT(client_.Connect(account_, connect), IsOk());
  const auto requests = api_.Requests();
  ASSERT_EQ(requests.size(), 1u);
  auto form = http::ParseForm(requests[0].body);
  ASSERT_THAT(form, IsOk());
  const http::FormParams expected = {
      {"From", "09876543210"},
      {"CallerId", "09513886363"},
      {"Url", "http://my.exotel.com/acme1/exoml/start_voice/197615"},
      {"Record", "false"},
  };
  EXPECT_EQ(*form, expected) << requests[0].body;
}

TEST_F(ExotelClientTest, AccountSidIsPercentEncodedInThePath) {
  api_.Answer(200, kConnectResponse);
  account_.account_sid = "acme 1/x";
  ASSERT_THAT(client_.Connect(account_, SampleConnect()), IsOk());
  const auto requests = api_.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].target, "/v1/Accounts/acme%201%2Fx/Calls/connect.json");
}

TEST_F(ExotelClientTest, Connect401IsFailedPreconditionWithStringCode) {
  api_.Answer(401, kError401);
  auto call = client_.Connect(account_, SampleConnect());
  EXPECT_THAT(call, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(call.status().message(),
            "exotel error UNAUTHORIZED: Authentication failed. Invalid API Key or Token. (HTTP "
            "401)");
  EXPECT_EQ(ExotelErrorCode(call.status()), 0);  // not numeric
  const std::string message(call.status().message());
  EXPECT_THAT(message, Not(HasSubstr(kApiKey)));
  EXPECT_THAT(message, Not(HasSubstr(kApiToken)));
}

TEST_F(ExotelClientTest, Connect400IsFailedPreconditionWithNumericCode) {
  // Exotel's shape; the code value is made up for the test, once as a number, once as a string.
  api_.Answer(400, R"({"RestException":{"Status":400,"Code":34001,
    "Message":"From number is not a valid phone number"}})");
  auto call = client_.Connect(account_, SampleConnect());
  EXPECT_THAT(call, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(ExotelErrorCode(call.status()), 34001);
  EXPECT_EQ(call.status().message(),
            "exotel error 34001: From number is not a valid phone number (HTTP 400)");

  api_.Answer(400, R"({"RestException":{"Status":400,"Code":"34002","Message":"Bad CallerId"}})");
  call = client_.Connect(account_, SampleConnect());
  EXPECT_THAT(call, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(ExotelErrorCode(call.status()), 34002);
  EXPECT_EQ(call.status().message(), "exotel error 34002: Bad CallerId (HTTP 400)");
}

TEST_F(ExotelClientTest, OtherErrorBodyIsFailedPreconditionWithoutCode) {
  api_.Answer(403, "<html>Forbidden</html>", "text/html");
  auto call = client_.Connect(account_, SampleConnect());
  EXPECT_THAT(call, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(call.status().message(), "exotel HTTP 403");
  EXPECT_EQ(ExotelErrorCode(call.status()), 0);

  api_.Answer(402, R"({"error":"insufficient balance"})");
  call = client_.Connect(account_, SampleConnect());
  EXPECT_THAT(call, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(call.status().message(), "exotel HTTP 402");
}

TEST_F(ExotelClientTest, Connect500IsUnavailable) {
  api_.Answer(500, R"({"RestException":{"Status":500,"Code":500,"Message":"Internal error"}})");
  auto call = client_.Connect(account_, SampleConnect());
  EXPECT_THAT(call, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(call.status().message(), "exotel error 500: Internal error (HTTP 500)");
  EXPECT_EQ(ExotelErrorCode(call.status()), 0);
}

TEST_F(ExotelClientTest, Connect429IsUnavailable) {
  api_.Answer(429, "", "text/plain");
  auto call = client_.Connect(account_, SampleConnect());
  EXPECT_THAT(call, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(call.status().message(), "exotel HTTP 429");
}

TEST_F(ExotelClientTest, Connect2xxWithoutCallSidIsInternal) {
  api_.Answer(200, R"({"Call":{"Status":"in-progress"}})");
  EXPECT_THAT(client_.Connect(account_, SampleConnect()), StatusIs(absl::StatusCode::kInternal));
  api_.Answer(200, "<TwilioResponse><Call><Sid>x</Sid></Call></TwilioResponse>", "application/xml");
  EXPECT_THAT(client_.Connect(account_, SampleConnect()), StatusIs(absl::StatusCode::kInternal));
}

TEST_F(ExotelClientTest, MissingFromOrAccountFieldsIsInvalidArgumentAndSendsNothing) {
  ExotelConnect connect = SampleConnect();
  connect.from.clear();
  EXPECT_THAT(client_.Connect(account_, connect), StatusIs(absl::StatusCode::kInvalidArgument));
  exotel::ExotelAccount account = account_;
  account.flow_url.clear();
  EXPECT_THAT(client_.Connect(account, SampleConnect()),
              StatusIs(absl::StatusCode::kInvalidArgument));
  account = account_;
  account.caller_id.clear();
  EXPECT_THAT(client_.Connect(account, SampleConnect()),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(api_.Requests().empty());
}

TEST_F(ExotelClientTest, ConnectionRefusedIsUnavailable) {
  // The fake's port after Stop: nothing listens on it any more.
  api_.Stop();
  auto call = client_.Connect(account_, SampleConnect());
  EXPECT_THAT(call, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(std::string(call.status().message()), HasSubstr("exotel unreachable"));
  EXPECT_THAT(std::string(call.status().message()), Not(HasSubstr(kApiToken)));
}

TEST_F(ExotelClientTest, TimeoutIsUnavailable) {
  api_.Hold();
  ExotelClient::Options options;
  options.timeout = std::chrono::milliseconds(300);
  const ExotelClient client(options);
  const auto start = std::chrono::steady_clock::now();
  auto call = client.Connect(account_, SampleConnect());
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_THAT(call, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(std::string(call.status().message()), HasSubstr("timed out"));
  EXPECT_LT(elapsed, std::chrono::seconds(5));
  EXPECT_EQ(api_.Requests().size(), 1u);
}

TEST(ExotelErrorCodeTest, IsZeroForStatusesWithoutAnExotelCode) {
  EXPECT_EQ(ExotelErrorCode(absl::OkStatus()), 0);
  EXPECT_EQ(ExotelErrorCode(absl::FailedPreconditionError("other")), 0);
  EXPECT_EQ(ExotelErrorCode(absl::UnavailableError("exotel HTTP 503")), 0);
}

}  // namespace
}  // namespace callcontrol::providers
