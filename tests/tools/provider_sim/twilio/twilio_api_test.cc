// provider-sim's Twilio REST subset over real HTTP: resource shape, auth, Twilio error JSON.
#include "tools/provider_sim/twilio/twilio_api.h"

#include <regex>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "providers/twilio/twilio_time.h"
#include "tests/testing/status_matchers.h"
#include "tests/tools/provider_sim/sim_test_fixture.h"

namespace callcontrol::provider_sim::testing {
namespace {

using ::callcontrol::testing::IsOk;
using ::callcontrol::testing::StatusIs;

// Checks Twilio's legacy error shape.
void ExpectTwilioError(const RestResult& r, int http_status, int code) {
  EXPECT_EQ(r.status, http_status) << r.body.dump();
  ASSERT_TRUE(r.body.is_object()) << r.body.dump();
  EXPECT_EQ(r.body.value("code", 0), code) << r.body.dump();
  EXPECT_EQ(r.body.value("status", 0), http_status);
  EXPECT_EQ(r.body.value("more_info", ""),
            "https://www.twilio.com/docs/errors/" + std::to_string(code));
  EXPECT_FALSE(r.body.value("message", "").empty());
}

using TwilioApiTest = SimTest;

TEST_F(TwilioApiTest, CreateReturns201WithTwilioCallShapeAndStatusQueued) {
  const RestResult r = Create("+15558670100");
  ASSERT_EQ(r.status, 201) << r.body.dump();
  const nlohmann::json& call = r.body;
  // Every key of Twilio's Call resource (twilio_call_resource_fixture.json).
  for (const char* key : {"account_sid",
                          "annotation",
                          "answered_by",
                          "api_version",
                          "caller_name",
                          "date_created",
                          "date_updated",
                          "direction",
                          "duration",
                          "end_time",
                          "forwarded_from",
                          "from",
                          "from_formatted",
                          "group_sid",
                          "parent_call_sid",
                          "phone_number_sid",
                          "price",
                          "price_unit",
                          "sid",
                          "start_time",
                          "status",
                          "subresource_uris",
                          "to",
                          "to_formatted",
                          "trunk_sid",
                          "uri",
                          "queue_time"}) {
    EXPECT_TRUE(call.contains(key)) << key;
  }
  const std::string sid = call.value("sid", "");
  EXPECT_TRUE(std::regex_match(sid, std::regex("CA[0-9a-f]{32}"))) << sid;
  EXPECT_EQ(call["status"], "queued");
  EXPECT_EQ(call["account_sid"], kAccountSid);
  EXPECT_EQ(call["to"], "+15558670100");
  EXPECT_EQ(call["from"], kFrom);
  EXPECT_EQ(call["direction"], "outbound-api");
  EXPECT_EQ(call["api_version"], "2010-04-01");
  EXPECT_TRUE(call["duration"].is_null());
  EXPECT_TRUE(call["price"].is_null());
  EXPECT_TRUE(call["end_time"].is_null());
  EXPECT_TRUE(call["parent_call_sid"].is_null());
  EXPECT_EQ(call["to_formatted"], "(555) 867-0100");
  EXPECT_EQ(call["uri"],
            "/2010-04-01/Accounts/" + std::string(kAccountSid) + "/Calls/" + sid + ".json");
  EXPECT_THAT(twilio::ParseTwilioTime(call.value("date_created", "")), IsOk());
  EXPECT_THAT(twilio::ParseTwilioTime(call.value("date_updated", "")), IsOk());
}

TEST_F(TwilioApiTest, FetchReturnsTheResourceAndItEndsWithDuration) {
  const std::string sid = Create("+15558670100").body.value("sid", "");
  RestResult fetched = Fetch(sid);
  ASSERT_EQ(fetched.status, 200);
  EXPECT_EQ(fetched.body["sid"], sid);
  ASSERT_TRUE(WaitForPhase(sid, "ended"));
  fetched = Fetch(sid);
  EXPECT_EQ(fetched.body["status"], "completed");
  EXPECT_EQ(fetched.body["duration"], "3");
  EXPECT_THAT(twilio::ParseTwilioTime(fetched.body.value("start_time", "")), IsOk());
  EXPECT_THAT(twilio::ParseTwilioTime(fetched.body.value("end_time", "")), IsOk());
}

TEST_F(TwilioApiTest, MissingCredentialsGet401Code20003) {
  http::ClientRequest request;
  request.method = "POST";
  request.url = BaseUrl() + CallsPath() + ".json";
  request.body = "To=%2B15558670100&From=%2B15017122661&Url=https%3A%2F%2Fx%2Fy";
  auto response = client_.Send(request);
  ASSERT_THAT(response, IsOk());
  RestResult r{response->status, nlohmann::json::parse(response->body, nullptr, false)};
  ExpectTwilioError(r, 401, 20003);
  EXPECT_EQ(r.body["message"], "Authenticate");
}

TEST_F(TwilioApiTest, WrongTokenGets401) {
  ExpectTwilioError(
      Send("POST", CallsPath() + ".json", {{"To", "+15558670100"}}, kAccountSid, "wrong-token"),
      401, 20003);
}

TEST_F(TwilioApiTest, UnknownAccountGets401) {
  ExpectTwilioError(
      Send("GET", CallsPath() + "/CA00.json", {}, "AC0000000000000000000000000000ffff", kAuthToken),
      401, 20003);
}

TEST_F(TwilioApiTest, PathAccountOtherThanTheAuthenticatedOneGets403) {
  ExpectTwilioError(Send("POST", CallsPath(kOtherAccountSid) + ".json",
                         {{"To", "+15558670100"}, {"From", kFrom}, {"Url", "https://x/y"}}),
                    403, 20003);
}

TEST_F(TwilioApiTest, SecondAccountCanCreateButNotSeeTheFirstAccountsCalls) {
  const std::string sid = Create("+15558670100").body.value("sid", "");
  const RestResult other = Send("POST", CallsPath(kOtherAccountSid) + ".json",
                                {{"To", "+15558670100"}, {"From", kFrom}, {"Url", "https://x/y"}},
                                kOtherAccountSid, kOtherAuthToken);
  EXPECT_EQ(other.status, 201);
  EXPECT_EQ(other.body["account_sid"], kOtherAccountSid);
  ExpectTwilioError(Send("GET", CallsPath(kOtherAccountSid) + "/" + sid + ".json", {},
                         kOtherAccountSid, kOtherAuthToken),
                    404, 20404);
}

TEST_F(TwilioApiTest, MissingToGets21201) {
  ExpectTwilioError(Send("POST", CallsPath() + ".json", {{"From", kFrom}, {"Url", "https://x"}}),
                    400, 21201);
}

TEST_F(TwilioApiTest, MissingFromGets21213) {
  ExpectTwilioError(
      Send("POST", CallsPath() + ".json", {{"To", "+15558670100"}, {"Url", "https://x"}}), 400,
      21213);
}

TEST_F(TwilioApiTest, MissingUrlTwimlAndApplicationSidGets21205) {
  ExpectTwilioError(Send("POST", CallsPath() + ".json", {{"To", "+15558670100"}, {"From", kFrom}}),
                    400, 21205);
}

TEST_F(TwilioApiTest, TwimlInsteadOfUrlIsAccepted) {
  const RestResult r = Send("POST", CallsPath() + ".json",
                            {{"To", "+15558670100"}, {"From", kFrom}, {"Twiml", "<Response/>"}});
  EXPECT_EQ(r.status, 201) << r.body.dump();
}

TEST_F(TwilioApiTest, NonE164ToGets21211) {
  const RestResult r = Send("POST", CallsPath() + ".json",
                            {{"To", "5558670100"}, {"From", kFrom}, {"Url", "https://x/y"}});
  ExpectTwilioError(r, 400, 21211);
  EXPECT_THAT(r.body.value("message", ""), ::testing::HasSubstr("Invalid 'To' Phone Number"));
}

TEST_F(TwilioApiTest, NonE164FromGets21212) {
  ExpectTwilioError(
      Send("POST", CallsPath() + ".json",
           {{"To", "+15558670100"}, {"From", "(501) 712-2661"}, {"Url", "https://x"}}),
      400, 21212);
}

TEST_F(TwilioApiTest, InvalidStatusCallbackUrlGets21609) {
  ExpectTwilioError(Create("+15558670100", {{"StatusCallback", "not a url"}}), 400, 21609);
}

TEST_F(TwilioApiTest, RefusalScenarioGets21215AndCreatesNoCall) {
  const RestResult r = Create("+15558670107");
  ExpectTwilioError(r, 400, 21215);
  EXPECT_EQ(r.body["message"],
            "Account not authorized to call +15558670107. Perhaps you need to enable some "
            "international permissions: "
            "https://www.twilio.com/console/voice/calls/geo-permissions/low-risk");
  EXPECT_TRUE(Inspect("/sim/calls")["calls"].empty());
}

TEST_F(TwilioApiTest, UnknownCallSidGets404Code20404) {
  const std::string sid = "CA0123456789abcdef0123456789abcdef";
  ExpectTwilioError(Fetch(sid), 404, 20404);
  ExpectTwilioError(Update(sid, {{"Status", "completed"}}), 404, 20404);
}

TEST_F(TwilioApiTest, InvalidStatusValueGets400) {
  const std::string sid = Create("+15558670104").body.value("sid", "");
  ExpectTwilioError(Update(sid, {{"Status", "busy"}}), 400, 21218);
  ExpectTwilioError(Update(sid, {}), 400, 20001);
}

TEST_F(TwilioApiTest, DeleteHidesTheRecordButDoesNotHangUp) {
  CallbackReceiver receiver;
  const std::string sid =
      Create("+15558670100", {{"StatusCallback", receiver.Url("/s")}}).body.value("sid", "");
  const RestResult deleted = Send("DELETE", CallsPath() + "/" + sid + ".json");
  EXPECT_EQ(deleted.status, 204);
  ExpectTwilioError(Fetch(sid), 404, 20404);
  // The call still runs to its end and reports `completed`.
  ASSERT_TRUE(receiver.WaitForCount(1));
  EXPECT_EQ(receiver.Received()[0].Param("CallStatus"), "completed");
  EXPECT_EQ(InspectCall(sid)["deleted"], true);
}

TEST_F(TwilioApiTest, UnknownPathGets404) {
  ExpectTwilioError(
      Send("GET", "/2010-04-01/Accounts/" + std::string(kAccountSid) + "/Queues.json"), 404, 20404);
}

TEST_F(TwilioApiTest, HealthzAndInspectionNeedNoAuth) {
  http::ClientRequest request;
  request.url = BaseUrl() + "/healthz";
  auto response = client_.Send(request);
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->status, 200);
  const std::string sid = Create("+15558670100").body.value("sid", "");
  const nlohmann::json list = Inspect("/sim/calls");
  ASSERT_EQ(list["calls"].size(), 1u);
  EXPECT_EQ(list["calls"][0]["sid"], sid);
  EXPECT_EQ(list["calls"][0]["scenario"], "answered");
  EXPECT_FALSE(InspectCall(sid).dump().find(kAuthToken) != std::string::npos)
      << "the auth token must never be rendered";
}

TEST(ParseTwilioAccountTest, ParsesSidAndToken) {
  auto account = ParseTwilioAccount("AC0123456789abcdef0123456789abcdef:tok:en");
  ASSERT_THAT(account, IsOk());
  EXPECT_EQ(account->account_sid, "AC0123456789abcdef0123456789abcdef");
  EXPECT_EQ(account->auth_token, "tok:en");
}

TEST(ParseTwilioAccountTest, RejectsMalformedSpecs) {
  EXPECT_THAT(ParseTwilioAccount("AC0123456789abcdef0123456789abcdef"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseTwilioAccount("AC0123:token"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseTwilioAccount("XX0123456789abcdef0123456789abcdef:t"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseTwilioAccount("AC0123456789abcdef0123456789abcdef:"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace callcontrol::provider_sim::testing
