// TelnyxClient against a fake Telnyx API: a real HTTP server on 127.0.0.1:0 that records each
// request and answers canned Telnyx bodies (copied from ../shared/fixtures/telnyx_*.json).
#include "server/providers/telnyx_client.h"

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/http/http_server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/status_matchers.h"

namespace callcontrol::providers {
namespace {

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

struct Recorded {
  std::string method;
  std::string target;
  std::string path;
  std::string authorization;
  std::string content_type;
  std::string body;
};

// Fake Telnyx API. Answers every request with `answer` (set per test); when `hold` is set, keeps
// the request unanswered until the fixture ends (to make the client time out).
class TelnyxClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    http::HttpServer::Options options;
    options.listen = "127.0.0.1:0";
    auto server =
        http::HttpServer::Start(options, [this](http::Request&& request, http::Responder respond) {
          std::lock_guard lock(mu_);
          recorded_.push_back({request.method, request.target, request.path,
                               std::string(request.Header("authorization")),
                               std::string(request.Header("content-type")), request.body});
          if (hold_) {
            held_.push_back(std::move(respond));
            return;
          }
          respond(answer_);
        });
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    account_.api_key = kApiKey;
    account_.connection_id = "7267xxxxxxxxxxxxxx";
    account_.api_base_url = "http://127.0.0.1:" + std::to_string(server_->port());
  }

  void TearDown() override {
    std::vector<http::Responder> held;
    {
      std::lock_guard lock(mu_);
      held.swap(held_);
    }
    for (auto& respond : held) respond(http::Response{});
    if (server_ != nullptr) server_->Shutdown();
  }

  void Answer(int status, std::string body, std::string content_type = "application/json") {
    std::lock_guard lock(mu_);
    answer_.status = status;
    answer_.body = std::move(body);
    answer_.content_type = std::move(content_type);
  }

  void Hold() {
    std::lock_guard lock(mu_);
    hold_ = true;
  }

  std::vector<Recorded> Requests() {
    std::lock_guard lock(mu_);
    return recorded_;
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

  TelnyxClient client_{TelnyxClient::Options{}};
  config::TelnyxAccount account_;
  std::unique_ptr<http::HttpServer> server_;

 private:
  std::mutex mu_;
  http::Response answer_;
  bool hold_ = false;
  std::vector<Recorded> recorded_;
  std::vector<http::Responder> held_;
};

TEST_F(TelnyxClientTest, DialSendsJsonAndHeadersAndParsesIds) {
  Answer(200, kDialResponse);
  auto ids = client_.Dial(account_, SampleDial());
  ASSERT_THAT(ids, IsOk());
  EXPECT_EQ(ids->call_control_id, "v3:MdI91X4lWFEs7IgbBEOT9M4AigoY08M0WWZFISt1Yw2axZ_IiE4pqg");
  EXPECT_EQ(ids->call_leg_id, "428c31b6-7af4-4bcb-b7f5-5013ef9657c1");
  EXPECT_EQ(ids->call_session_id, "428c31b6-abf3-3bc1-b7f4-5013ef9657c1");

  const auto requests = Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/v2/calls");
  EXPECT_EQ(requests[0].authorization, std::string("Bearer ") + kApiKey);
  EXPECT_EQ(requests[0].content_type, "application/json");
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
  Answer(200, kDialResponse);
  TelnyxDial dial;
  dial.to = "+13129457420";
  dial.from = "+35319605860";
  dial.timeout_secs = 45;
  ASSERT_THAT(client_.Dial(account_, dial), IsOk());
  const auto requests = Requests();
  ASSERT_EQ(requests.size(), 1u);
  const json body = json::parse(requests[0].body, nullptr, false);
  const json expected = {{"connection_id", "7267xxxxxxxxxxxxxx"},
                         {"to", "+13129457420"},
                         {"from", "+35319605860"},
                         {"timeout_secs", 45}};
  EXPECT_EQ(body, expected) << body.dump();
}

TEST_F(TelnyxClientTest, Dial401IsFailedPreconditionWithCode10009) {
  Answer(401, kError10009);
  auto ids = client_.Dial(account_, SampleDial());
  EXPECT_THAT(ids, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(TelnyxErrorCode(ids.status()), 10009);
  EXPECT_EQ(ids.status().message(),
            "telnyx error 10009: Authentication failed: Could not understand the provided "
            "credentials. (HTTP 401)");
  EXPECT_THAT(std::string(ids.status().message()), Not(HasSubstr(kApiKey)));
}

TEST_F(TelnyxClientTest, Dial500IsUnavailable) {
  Answer(500, R"({"errors":[{"code":"10007","title":"Unexpected error"}]})");
  auto ids = client_.Dial(account_, SampleDial());
  EXPECT_THAT(ids, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(std::string(ids.status().message()), HasSubstr("HTTP 500"));
  EXPECT_EQ(TelnyxErrorCode(ids.status()), 0);
}

TEST_F(TelnyxClientTest, Dial429IsUnavailable) {
  Answer(429, "", "text/plain");
  auto ids = client_.Dial(account_, SampleDial());
  EXPECT_THAT(ids, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(ids.status().message(), "telnyx HTTP 429");
}

TEST_F(TelnyxClientTest, Dial2xxWithoutCallControlIdIsInternal) {
  Answer(200, kCommandResponse);
  EXPECT_THAT(client_.Dial(account_, SampleDial()), StatusIs(absl::StatusCode::kInternal));
  Answer(200, "<html>not json</html>", "text/html");
  EXPECT_THAT(client_.Dial(account_, SampleDial()), StatusIs(absl::StatusCode::kInternal));
}

TEST_F(TelnyxClientTest, NonJson4xxIsFailedPreconditionWithoutCode) {
  Answer(403, "<html>Forbidden</html>", "text/html");
  auto ids = client_.Dial(account_, SampleDial());
  EXPECT_THAT(ids, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(ids.status().message(), "telnyx HTTP 403");
  EXPECT_EQ(TelnyxErrorCode(ids.status()), 0);
}

TEST_F(TelnyxClientTest, HangupPostsCommandIdToTheCallsActionPath) {
  Answer(200, kCommandResponse);
  bool already_ended = true;
  EXPECT_THAT(client_.Hangup(account_, "v3:MdI91X4lWFEs7IgbBEOT9M4AigoY08M0WWZFISt1Yw2axZ_IiE4pqg",
                             "hangup-7d1f0c1e-2b7a-4e38-9b7e-5a0d2c1e9f00", &already_ended),
              IsOk());
  EXPECT_FALSE(already_ended);
  const auto requests = Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].path,
            "/v2/calls/v3:MdI91X4lWFEs7IgbBEOT9M4AigoY08M0WWZFISt1Yw2axZ_IiE4pqg/actions/hangup");
  EXPECT_EQ(requests[0].authorization, std::string("Bearer ") + kApiKey);
  EXPECT_EQ(requests[0].content_type, "application/json");
  const json expected = {{"command_id", "hangup-7d1f0c1e-2b7a-4e38-9b7e-5a0d2c1e9f00"}};
  EXPECT_EQ(json::parse(requests[0].body, nullptr, false), expected) << requests[0].body;
}

TEST_F(TelnyxClientTest, HangupPercentEncodesTheCallControlIdButKeepsColons) {
  Answer(200, kCommandResponse);
  ASSERT_THAT(client_.Hangup(account_, "v3:ab/c+d=e f?g#h%", ""), IsOk());
  const auto requests = Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].target, "/v2/calls/v3:ab%2Fc%2Bd%3De%20f%3Fg%23h%25/actions/hangup");
  EXPECT_EQ(json::parse(requests[0].body, nullptr, false), json::object()) << requests[0].body;
}

TEST_F(TelnyxClientTest, Hangup422CallAlreadyEndedIsOk) {
  Answer(422, kError90018);
  bool already_ended = false;
  EXPECT_THAT(client_.Hangup(account_, "v3:gone", "hangup-1", &already_ended), IsOk());
  EXPECT_TRUE(already_ended);
  // The out-parameter is optional.
  EXPECT_THAT(client_.Hangup(account_, "v3:gone", "hangup-1"), IsOk());
}

TEST_F(TelnyxClientTest, HangupOther422IsFailedPreconditionWithCodeAndDetail) {
  // Synthetic error in Telnyx's shape; the code is made up for the test.
  Answer(422, R"({"errors":[{"code":"90099","title":"Invalid command",
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
  Answer(400, kError90018);
  bool already_ended = true;
  const absl::Status status = client_.Hangup(account_, "v3:x", "hangup-3", &already_ended);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(TelnyxErrorCode(status), kTelnyxCallAlreadyEnded);
  EXPECT_FALSE(already_ended);
}

TEST_F(TelnyxClientTest, HangupWithoutCallControlIdIsInvalidArgument) {
  EXPECT_THAT(client_.Hangup(account_, "", "hangup-4"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(Requests().empty());
}

TEST_F(TelnyxClientTest, ConnectionRefusedIsUnavailable) {
  // A port that was just bound and released: nothing listens on it any more.
  server_->Shutdown();
  auto ids = client_.Dial(account_, SampleDial());
  EXPECT_THAT(ids, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(std::string(ids.status().message()), HasSubstr("telnyx unreachable"));
  EXPECT_THAT(client_.Hangup(account_, "v3:x", "hangup-5"),
              StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(TelnyxClientTest, TimeoutIsUnavailable) {
  Hold();
  TelnyxClient::Options options;
  options.timeout = std::chrono::milliseconds(300);
  const TelnyxClient client(options);
  const auto start = std::chrono::steady_clock::now();
  auto ids = client.Dial(account_, SampleDial());
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_THAT(ids, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(std::string(ids.status().message()), HasSubstr("timed out"));
  EXPECT_LT(elapsed, std::chrono::seconds(5));
  EXPECT_EQ(Requests().size(), 1u);  // it reached the server; the caller retries with command_id
}

TEST(TelnyxErrorCodeTest, IsZeroForStatusesWithoutATelnyxCode) {
  EXPECT_EQ(TelnyxErrorCode(absl::OkStatus()), 0);
  EXPECT_EQ(TelnyxErrorCode(absl::FailedPreconditionError("other")), 0);
  EXPECT_EQ(TelnyxErrorCode(absl::UnavailableError("telnyx HTTP 503")), 0);
}

}  // namespace
}  // namespace callcontrol::providers
