// TelnyxClient against a fake Telnyx API (FakeProviderApi: a real HTTP server on 127.0.0.1:0) that
// records each request and answers canned Telnyx bodies (copied from
// Telnyx's Dial Call response, https://developers.telnyx.com/api/call-control/dial-call).
#include "providers/telnyx/telnyx_client.h"

#include <chrono>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/fake_provider_api.h"
#include "tests/testing/status_matchers.h"

namespace callcontrol::providers {
namespace {

using ::callcontrol::testing::FakeProviderApi;
using ::callcontrol::testing::IsOk;
using ::callcontrol::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

// fixtures/telnyx_dial_response.json
constexpr char kDialResponse[] = R"({
  "data": {
    "call_control_id": "v3:MdI91X4lWFEs7IgbBEOT9M4AigoY08M0WWZFISt1Yw2axZ_IiE4pqg",
    "call_leg_id": "428c31b6-7af4-4bcb-b7f5-5013ef9657c1",
    "call_session_id": "428c31b6-abf3-3bc1-b7f4-5013ef9657c1",
    "is_alive": false,
    "record_type": "call"
  }
})";

// fixtures/telnyx_command_response.json
constexpr char kCommandResponse[] = R"({"data": {"result": "ok"}})";

// fixtures/telnyx_error_90018.json (observed HTTP 422 body)
constexpr char kError90018[] = R"({
  "errors": [
    {
      "code": "90018",
      "title": "Call has already ended",
      "detail": "This call is no longer active and can't receive commands."
    }
  ]
})";

// Telnyx error shape (telephony.md §3c) with code 10009 (authentication failed).
constexpr char kError10009[] = R"({"errors":[{"code":"10009","title":"Authentication failed",
  "detail":"Could not understand the provided credentials.",
  "meta":{"url":"https://developers.telnyx.com/docs/overview/errors/10009"}}]})";

constexpr char kApiKey[] = "KEY0123456789SECRET";

// The fake Telnyx API answers with what each test sets through api_.Answer() or holds requests
// after api_.Hold().
class TelnyxClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(api_.Start(), IsOk());
    account_.api_key = kApiKey;
    account_.connection_id = "7267xxxxxxxxxxxxxx";
    account_.api_base_url = api_.base_url();
  }

  static TelnyxDial SampleDial() {
    TelnyxDial dial;
    dial.to = "+13129457420";
    dial.from = "+35319605860";
    dial.webhook_url = "https://example.com/webhooks/telnyx?tenant=acme";
    dial.command_id = "dial-0b6f5a0e-7f4e-4a5e-9d0a-1c2b3d4e5f60";
    dial.client_state = "have a nice day =]";
    dial.timeout_secs = 30;
    return dial;
  }

  FakeProviderApi api_;
  TelnyxClient client_{TelnyxClient::Options{}};
  telnyx::TelnyxAccount account_;
};

TEST_F(TelnyxClientTest, DialSendsJsonAndHeadersAndParsesIds) {
  api_.Answer(200, kDialResponse);
  auto ids = client_.Dial(account_, SampleDial());
  ASSERT_THAT(ids, IsOk());
  EXPECT_EQ(ids->call_control_id, "v3:MdI91X4lWFEs7IgbBEOT9M4AigoY08M0WWZFISt1Yw2axZ_IiE4pqg");
  EXPECT_EQ(ids->call_leg_id, "428c31b6-7af4-4bcb-b7f5-5013ef9657c1");
  EXPECT_EQ(ids->call_session_id, "428c31b6-abf3-3bc1-b7f4-5013ef9657c1");

  const auto requests = api_.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/v2/calls");
  EXPECT_EQ(requests[0].Header("authorization"), std::string("Bearer ") + kApiKey);
  EXPECT_EQ(requests[0].Header("content-type"), "application/json");
  const json body = json::parse(requests[0].body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << requests[0].body;
  // Same values as fixtures/telnyx_dial_request.json (minus its stream_* fields).
  const json expected = {{"connection_id", "7267xxxxxxxxxxxxxx"},
                         {"to", "+13129457420"},
                         {"from", "+35319605860"},
                         {"client_state", "aGF2ZSBhIG5pY2UgZGF5ID1d"},
                         {"command_id", "dial-0b6f5a0e-7f4e-4a5e-9d0a-1c2b3d4e5f60"},
                         {"timeout_secs", 30},
                         {"webhook_url", "https://example.com/webhooks/telnyx?tenant=acme"},
                         {"webhook_url_method", "POST"}};
  EXPECT_EQ(body, expected) << body.dump();
}

TEST_F(TelnyxClientTest, DialLeavesOutEmptyOptionalFields) {
  api_.Answer(200, kDialResponse);
  TelnyxDial dial;
  dial.to = "+13129457420";
  dial.from = "+35319605860";
  dial.timeout_secs = 45;
  ASSERT_THAT(client_.Dial(account_, dial), IsOk());
  const auto requests = api_.Requests();
  ASSERT_EQ(requests.size(), 1u);
  const json body = json::parse(requests[0].body, nullptr, false);
  const json expected = {{"connection_id", "7267xxxxxxxxxxxxxx"},
                         {"to", "+13129457420"},
                         {"from", "+35319605860"},
                         {"timeout_secs", 45}};
  EXPECT_EQ(body, expected) << body.dump();
}

TEST_F(TelnyxClientTest, Dial401IsFailedPreconditionWithCode10009) {
  api_.Answer(401, kError10009);
  auto ids = client_.Dial(account_, SampleDial());
  EXPECT_THAT(ids, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(TelnyxErrorCode(ids.status()), 10009);
  EXPECT_EQ(ids.status().message(),
            "telnyx error 10009: Authentication failed: Could not understand the provided "
            "credentials. (HTTP 401)");
  EXPECT_THAT(std::string(ids.status().message()), Not(HasSubstr(kApiKey)));
}

TEST_F(TelnyxClientTest, Dial500IsUnavailable) {
  api_.Answer(500, R"({"errors":[{"code":"10007","title":"Unexpected error"}]})");
  auto ids = client_.Dial(account_, SampleDial());
  EXPECT_THAT(ids, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(std::string(ids.status().message()), HasSubstr("HTTP 500"));
  EXPECT_EQ(TelnyxErrorCode(ids.status()), 0);
}

TEST_F(TelnyxClientTest, Dial429IsUnavailable) {
  api_.Answer(429, "", "text/plain");
  auto ids = client_.Dial(account_, SampleDial());
  EXPECT_THAT(ids, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(ids.status().message(), "telnyx HTTP 429");
}

TEST_F(TelnyxClientTest, Dial2xxWithoutCallControlIdIsInternal) {
  api_.Answer(200, kCommandResponse);
  EXPECT_THAT(client_.Dial(account_, SampleDial()), StatusIs(absl::StatusCode::kInternal));
  api_.Answer(200, "<html>not json</html>", "text/html");
  EXPECT_THAT(client_.Dial(account_, SampleDial()), StatusIs(absl::StatusCode::kInternal));
}

TEST_F(TelnyxClientTest, NonJson4xxIsFailedPreconditionWithoutCode) {
  api_.Answer(403, "<html>Forbidden</html>", "text/html");
  auto ids = client_.Dial(account_, SampleDial());
  EXPECT_THAT(ids, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(ids.status().message(), "telnyx HTTP 403");
  EXPECT_EQ(TelnyxErrorCode(ids.status()), 0);
}

TEST_F(TelnyxClientTest, HangupPostsCommandIdToTheCallsActionPath) {
  api_.Answer(200, kCommandResponse);
  bool already_ended = true;
  EXPECT_THAT(client_.Hangup(account_, "v3:MdI91X4lWFEs7IgbBEOT9M4AigoY08M0WWZFISt1Yw2axZ_IiE4pqg",
                             "hangup-7d1f0c1e-2b7a-4e38-9b7e-5a0d2c1e9f00", &already_ended),
              IsOk());
  EXPECT_FALSE(already_ended);
  const auto requests = api_.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].path,
            "/v2/calls/v3:MdI91X4lWFEs7IgbBEOT9M4AigoY08M0WWZFISt1Yw2axZ_IiE4pqg/actions/hangup");
  EXPECT_EQ(requests[0].Header("authorization"), std::string("Bearer ") + kApiKey);
  EXPECT_EQ(requests[0].Header("content-type"), "application/json");
  const json expected = {{"command_id", "hangup-7d1f0c1e-2b7a-4e38-9b7e-5a0d2c1e9f00"}};
  EXPECT_EQ(json::parse(requests[0].body, nullptr, false), expected) << requests[0].body;
}

TEST_F(TelnyxClientTest, HangupPercentEncodesTheCallControlIdButKeepsColons) {
  api_.Answer(200, kCommandResponse);
  ASSERT_THAT(client_.Hangup(account_, "v3:ab/c+d=e f?g#h%", ""), IsOk());
  const auto requests = api_.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].target, "/v2/calls/v3:ab%2Fc%2Bd%3De%20f%3Fg%23h%25/actions/hangup");
  EXPECT_EQ(json::parse(requests[0].body, nullptr, false), json::object()) << requests[0].body;
}

TEST_F(TelnyxClientTest, Hangup422CallAlreadyEndedIsOk) {
  api_.Answer(422, kError90018);
  bool already_ended = false;
  EXPECT_THAT(client_.Hangup(account_, "v3:gone", "hangup-1", &already_ended), IsOk());
  EXPECT_TRUE(already_ended);
  // The out-parameter is optional.
  EXPECT_THAT(client_.Hangup(account_, "v3:gone", "hangup-1"), IsOk());
}

TEST_F(TelnyxClientTest, HangupOther422IsFailedPreconditionWithCodeAndDetail) {
  // Synthetic error in Telnyx's shape; the code is made up for the test.
  api_.Answer(422, R"({"errors":[{"code":"90099","title":"Invalid command",
    "detail":"The call is not in a state that accepts this command.",
    "source":{"pointer":"/command_id"}}]})");
  bool already_ended = true;
  const absl::Status status = client_.Hangup(account_, "v3:x", "hangup-2", &already_ended);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_FALSE(already_ended);
  EXPECT_EQ(TelnyxErrorCode(status), 90099);
  EXPECT_EQ(status.message(),
            "telnyx error 90099: Invalid command: The call is not in a state that accepts this "
            "command. (HTTP 422)");
}

TEST_F(TelnyxClientTest, Hangup90018OnAnotherHttpStatusIsNotSwallowed) {
  api_.Answer(400, kError90018);
  bool already_ended = true;
  const absl::Status status = client_.Hangup(account_, "v3:x", "hangup-3", &already_ended);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(TelnyxErrorCode(status), kTelnyxCallAlreadyEnded);
  EXPECT_FALSE(already_ended);
}

TEST_F(TelnyxClientTest, HangupWithoutCallControlIdIsInvalidArgument) {
  EXPECT_THAT(client_.Hangup(account_, "", "hangup-4"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(api_.Requests().empty());
}

TEST_F(TelnyxClientTest, ConnectionRefusedIsUnavailable) {
  // A port that was just bound and released: nothing listens on it any more.
  api_.Stop();
  auto ids = client_.Dial(account_, SampleDial());
  EXPECT_THAT(ids, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(std::string(ids.status().message()), HasSubstr("telnyx unreachable"));
  EXPECT_THAT(client_.Hangup(account_, "v3:x", "hangup-5"),
              StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(TelnyxClientTest, TimeoutIsUnavailable) {
  api_.Hold();
  TelnyxClient::Options options;
  options.timeout = std::chrono::milliseconds(300);
  const TelnyxClient client(options);
  const auto start = std::chrono::steady_clock::now();
  auto ids = client.Dial(account_, SampleDial());
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_THAT(ids, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(std::string(ids.status().message()), HasSubstr("timed out"));
  EXPECT_LT(elapsed, std::chrono::seconds(5));
  EXPECT_EQ(api_.Requests().size(),
            1u);  // it reached the server; the caller retries with command_id
}

TEST(TelnyxErrorCodeTest, IsZeroForStatusesWithoutATelnyxCode) {
  EXPECT_EQ(TelnyxErrorCode(absl::OkStatus()), 0);
  EXPECT_EQ(TelnyxErrorCode(absl::FailedPreconditionError("other")), 0);
  EXPECT_EQ(TelnyxErrorCode(absl::UnavailableError("telnyx HTTP 503")), 0);
}

}  // namespace
}  // namespace callcontrol::providers
