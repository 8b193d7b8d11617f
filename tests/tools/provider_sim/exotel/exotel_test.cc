// provider-sim's Exotel side over real HTTP: the Connect API (auth, validation, the Call JSON,
// call details), the status callbacks a real receiver gets (answered, terminal, default shape,
// JSON, retries), the billing scenario 0125, IST times, and the spelling control that sends
// one callback with any Status word.
#include <regex>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/fixtures.h"
#include "tests/tools/provider_sim/exotel_bolna_test_fixture.h"
#include "tools/provider_sim/exotel/exotel_webhook.h"

namespace callcontrol::provider_sim::testing {
namespace {

using ::callcontrol::testing::ReadFixture;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

const std::regex kExotelTime("[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}");
const std::regex kSid("[0-9a-f]{32}");

// Parses an Exotel time (IST) and checks it is within a minute of now.
::testing::AssertionResult RecentIst(const std::string& text) {
  absl::Time t;
  std::string error;
  if (!absl::ParseTime("%Y-%m-%d %H:%M:%S", text, absl::FixedTimeZone(19800), &t, &error)) {
    return ::testing::AssertionFailure() << "not an Exotel time: " << text << " (" << error << ")";
  }
  if (absl::AbsDuration(absl::Now() - t) > absl::Minutes(1)) {
    return ::testing::AssertionFailure() << text << " is not now in IST";
  }
  return ::testing::AssertionSuccess();
}

http::FormParams FormOf(const ReceivedCallback& r) {
  auto params = http::ParseForm(r.body);
  EXPECT_TRUE(params.ok()) << r.body;
  return params.ok() ? *params : http::FormParams{};
}

std::string Param(const http::FormParams& params, const std::string& name) {
  const std::string* v = http::FindParam(params, name);
  return v == nullptr ? "<absent>" : *v;
}

using ExotelTest = ExotelBolnaSimTest;

TEST_F(ExotelTest, ConnectAnswersTheCallJson) {
  const RestResult r = Connect("+919876540100", "");
  ASSERT_EQ(r.status, 200) << r.body.dump();
  ASSERT_TRUE(r.body.contains("Call")) << r.body.dump();
  const nlohmann::json& call = r.body["Call"];
  const std::string sid = call.value("Sid", "");
  EXPECT_TRUE(std::regex_match(sid, kSid)) << sid;
  EXPECT_TRUE(call["ParentCallSid"].is_null());
  EXPECT_TRUE(RecentIst(call.value("DateCreated", "")));
  EXPECT_TRUE(RecentIst(call.value("DateUpdated", "")));
  EXPECT_TRUE(RecentIst(call.value("StartTime", "")));
  EXPECT_EQ(call["AccountSid"], kExotelSid);
  EXPECT_EQ(call["From"], "+919876540100");
  EXPECT_EQ(call["To"], kExoPhone);  // the call-flow variant: To is the ExoPhone
  EXPECT_EQ(call["PhoneNumberSid"], kExoPhone);
  EXPECT_EQ(call["Status"], "in-progress");
  EXPECT_TRUE(call["EndTime"].is_null());
  EXPECT_TRUE(call["Duration"].is_null());
  EXPECT_TRUE(call["Price"].is_null());
  EXPECT_EQ(call["Direction"], "outbound-api");
  EXPECT_TRUE(call["AnsweredBy"].is_null());
  EXPECT_EQ(call["ForwardedFrom"], "");
  EXPECT_EQ(call["CallerName"], "");
  EXPECT_EQ(call["Uri"], std::string("/v1/Accounts/") + kExotelSid + "/Calls/" + sid + ".json");
  EXPECT_TRUE(call["RecordingUrl"].is_null());

  // Without .json the simulator answers JSON too; the two-numbers variant keeps To.
  const RestResult two =
      ExotelSend("POST", ConnectPath(kExotelSid, /*json=*/false),
                 {{"From", "09876540100"}, {"To", "09123456789"}, {"CallerId", kExoPhone}});
  ASSERT_EQ(two.status, 200) << two.body.dump();
  EXPECT_EQ(two.body["Call"]["To"], "09123456789");

  // Call details.
  const RestResult details =
      ExotelSend("GET", std::string("/v1/Accounts/") + kExotelSid + "/Calls/" + sid + ".json");
  ASSERT_EQ(details.status, 200) << details.body.dump();
  EXPECT_EQ(details.body["Call"]["Sid"], sid);
}

TEST_F(ExotelTest, AnsweredCallSendsAnsweredThenTerminalCallbacks) {
  CallbackReceiver receiver;
  const std::string url = receiver.Url("/webhooks/exotel/acme/status?token=t%2B1");
  const std::string sid =
      ConnectSid("+919876540100", url, {{"CustomField", "order-12345"}, {"Record", "true"}});
  ASSERT_TRUE(receiver.WaitForCount(2));
  const auto received = receiver.Received();
  ASSERT_EQ(received.size(), 2u);
  for (const ReceivedCallback& r : received) {
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.target, "/webhooks/exotel/acme/status?token=t%2B1");
    EXPECT_EQ(r.Header("content-type"), "application/x-www-form-urlencoded");
    EXPECT_EQ(r.Header("x-twilio-signature"), "");
  }
  const http::FormParams answered = FormOf(received[0]);
  EXPECT_EQ(Param(answered, "CallSid"), sid);
  EXPECT_EQ(Param(answered, "Status"), "in-progress");
  EXPECT_EQ(Param(answered, "EventType"), "answered");
  EXPECT_EQ(Param(answered, "CustomField"), "order-12345");
  EXPECT_EQ(Param(answered, "Price"), "<absent>");

  const http::FormParams terminal = FormOf(received[1]);
  // The fixture's names and order, plus Price.
  auto fixture = http::ParseForm(ReadFixture("exotel_status_terminal.form"));
  ASSERT_TRUE(fixture.ok());
  std::vector<std::string> names = ParamNames(*fixture);
  names.push_back("Price");
  EXPECT_THAT(ParamNames(terminal), ElementsAreArray(names));
  EXPECT_EQ(Param(terminal, "CallSid"), sid);
  EXPECT_EQ(Param(terminal, "Status"), "completed");
  EXPECT_EQ(Param(terminal, "EventType"), "terminal");
  EXPECT_EQ(Param(terminal, "ConversationDuration"), "3");
  EXPECT_EQ(Param(terminal, "Price"), "0.800");
  EXPECT_EQ(Param(terminal, "Direction"), "outbound-api");
  EXPECT_EQ(Param(terminal, "From"), "+919876540100");
  EXPECT_EQ(Param(terminal, "To"), kExoPhone);
  EXPECT_EQ(Param(terminal, "PhoneNumberSid"), kExoPhone);
  EXPECT_EQ(Param(terminal, "CustomField"), "order-12345");
  EXPECT_EQ(Param(terminal, "RecordingUrl"),
            std::string("https://s3-ap-southeast-1.amazonaws.com/exotelrecordings/") + kExotelSid +
                "/" + sid + ".mp3");
  for (const char* name : {"DateUpdated", "DateCreated", "StartTime", "EndTime"}) {
    EXPECT_TRUE(RecentIst(Param(terminal, name))) << name;
  }

  // Call details show the end; inspection shows what was requested and sent.
  const RestResult details =
      ExotelSend("GET", std::string("/v1/Accounts/") + kExotelSid + "/Calls/" + sid);
  ASSERT_EQ(details.status, 200);
  EXPECT_EQ(details.body["Call"]["Status"], "completed");
  EXPECT_EQ(details.body["Call"]["Duration"], 3);
  EXPECT_EQ(details.body["Call"]["Price"], "0.800");
  EXPECT_EQ(details.body["Call"]["RecordingUrl"], Param(terminal, "RecordingUrl"));
  EXPECT_TRUE(std::regex_match(details.body["Call"].value("EndTime", ""), kExotelTime));
  ASSERT_TRUE(WaitFor([&] { return Inspect("/sim/exotel/calls/" + sid)["deliveries"].size() == 2; },
                      std::chrono::seconds(5), "2 deliveries recorded"));
  const nlohmann::json view = Inspect("/sim/exotel/calls/" + sid);
  EXPECT_EQ(view["provider"], "exotel");
  EXPECT_EQ(view["scenario"], "answered");
  EXPECT_EQ(view["phase"], "ended");
  EXPECT_EQ(view["custom_field"], "order-12345");
  EXPECT_EQ(view["status_callback_events"], nlohmann::json::array({"terminal", "answered"}));
  EXPECT_EQ(view["request"][0], nlohmann::json::array({"From", "+919876540100"}));
  ASSERT_EQ(view["sent"].size(), 2u);
  EXPECT_EQ(view["sent"][0]["event_type"], "answered");
  EXPECT_EQ(view["sent"][1]["event_type"], "terminal");
  EXPECT_EQ(view["sent"][1]["body"], received[1].body);
  for (const nlohmann::json& d : view["deliveries"]) EXPECT_EQ(d["http_status"], 200);
  EXPECT_EQ(Inspect("/sim/exotel/calls")["calls"].back()["sid"], sid);
}

TEST_F(ExotelTest, WithoutEventsOnlyTheDefaultTerminalCallbackIsSent) {
  CallbackReceiver receiver;
  const std::string sid = ConnectSid("09876540102", "", {{"StatusCallback", receiver.Url("/cb")}});
  ASSERT_TRUE(WaitFor([&] { return Inspect("/sim/exotel/calls/" + sid)["phase"] == "ended"; },
                      std::chrono::seconds(5), "the call to end"));
  ASSERT_TRUE(receiver.WaitForCount(1));
  const http::FormParams params = FormOf(receiver.Received()[0]);
  auto fixture = http::ParseForm(ReadFixture("exotel_status_default.form"));
  ASSERT_TRUE(fixture.ok());
  EXPECT_THAT(ParamNames(params), ElementsAreArray(ParamNames(*fixture)));
  EXPECT_EQ(Param(params, "Status"), "no-answer");
  EXPECT_EQ(Param(params, "RecordingUrl"), "");
  EXPECT_EQ(receiver.Count(), 1u);
}

TEST_F(ExotelTest, JsonContentTypeSendsTheSameFieldsAsJson) {
  CallbackReceiver receiver;
  const std::string sid =
      ConnectSid("+919876540101", receiver.Url("/cb"),
                 {{"StatusCallbackContentType", "application/json"}, {"CustomField", "x y"}});
  ASSERT_TRUE(receiver.WaitForCount(1));
  const ReceivedCallback r = receiver.Received()[0];
  EXPECT_EQ(r.Header("content-type"), "application/json");
  const nlohmann::ordered_json body = nlohmann::ordered_json::parse(r.body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << r.body;
  const nlohmann::ordered_json fixture =
      nlohmann::ordered_json::parse(ReadFixture("exotel_status_terminal.json"), nullptr, false);
  ASSERT_TRUE(fixture.is_object());
  std::vector<std::string> keys = Keys(fixture);
  keys.push_back("Price");
  EXPECT_THAT(Keys(body), ElementsAreArray(keys));
  for (auto it = body.begin(); it != body.end(); ++it) EXPECT_TRUE(it->is_string()) << it.key();
  EXPECT_EQ(body["CallSid"], sid);
  EXPECT_EQ(body["Status"], "busy");  // 0101: busy, never answered, so no answered event
  EXPECT_EQ(body["EventType"], "terminal");
  EXPECT_EQ(body["ConversationDuration"], "0");
  EXPECT_EQ(body["Price"], "0.000");
  EXPECT_EQ(body["CustomField"], "x y");
  EXPECT_EQ(receiver.Count(), 1u);
}

TEST_F(ExotelTest, Talk125ReportsItsDurationAndPrice) {
  StartExotelSim(0.005);  // 126.5 scenario seconds in ~0.63 s
  CallbackReceiver receiver;
  const std::string sid = ConnectSid("+919876540125", receiver.Url("/cb"));
  ASSERT_TRUE(receiver.WaitForCount(2, std::chrono::seconds(10)));
  const http::FormParams terminal = FormOf(receiver.Received()[1]);
  EXPECT_EQ(Param(terminal, "CallSid"), sid);
  EXPECT_EQ(Param(terminal, "Status"), "completed");
  EXPECT_EQ(Param(terminal, "ConversationDuration"), "125");
  EXPECT_EQ(Param(terminal, "Price"), "2.400");
  EXPECT_EQ(Param(terminal, "RecordingUrl"), "");  // Record not asked for
  const RestResult details =
      ExotelSend("GET", std::string("/v1/Accounts/") + kExotelSid + "/Calls/" + sid + ".json");
  EXPECT_EQ(details.body["Call"]["Duration"], 125);
  EXPECT_EQ(details.body["Call"]["Price"], "2.400");
}

TEST_F(ExotelTest, FailedCallbacksAreRetried) {
  CallbackReceiver receiver;
  receiver.FailNext({500});
  const std::string sid = ConnectSid("+919876540103", receiver.Url("/cb"));
  ASSERT_TRUE(receiver.WaitForCount(2));
  const auto received = receiver.Received();
  EXPECT_EQ(received[0].body, received[1].body);
  EXPECT_EQ(Param(FormOf(received[1]), "Status"), "failed");
  ASSERT_TRUE(WaitFor([&] { return Inspect("/sim/exotel/calls/" + sid)["deliveries"].size() == 2; },
                      std::chrono::seconds(5), "2 deliveries recorded"));
  const nlohmann::json deliveries = Inspect("/sim/exotel/calls/" + sid)["deliveries"];
  EXPECT_EQ(deliveries[0]["http_status"], 500);
  EXPECT_EQ(deliveries[0]["attempt"], 0);
  EXPECT_EQ(deliveries[1]["http_status"], 200);
  EXPECT_EQ(deliveries[1]["attempt"], 1);
}

TEST_F(ExotelTest, BadCredentialsGet401InExotelsShape) {
  CallbackReceiver receiver;
  const http::FormParams form = {{"From", "+919876540100"},
                                 {"CallerId", kExoPhone},
                                 {"Url", kFlowUrl},
                                 {"StatusCallback", receiver.Url("/cb")}};
  for (const auto& [key, token, account] :
       {std::make_tuple("", "", kExotelSid), std::make_tuple(kExotelKey, "wrong", kExotelSid),
        std::make_tuple("nokey", kExotelToken, kExotelSid),
        std::make_tuple(kOtherExotelKey, kOtherExotelToken, kExotelSid)}) {
    SCOPED_TRACE(std::string(key) + ":" + token + " on " + account);
    const RestResult r = ExotelSend("POST", ConnectPath(account), form, key, token);
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.body["RestException"]["Status"], 401) << r.body.dump();
    EXPECT_EQ(r.body["RestException"]["Code"], "UNAUTHORIZED");
    EXPECT_FALSE(r.body["RestException"].value("Message", "").empty());
  }
  // The second account works on its own SID.
  const RestResult ok =
      ExotelSend("POST", ConnectPath(kOtherExotelSid), form, kOtherExotelKey, kOtherExotelToken);
  EXPECT_EQ(ok.status, 200) << ok.body.dump();
  EXPECT_EQ(ok.body["Call"]["AccountSid"], kOtherExotelSid);
}

TEST_F(ExotelTest, InvalidRequestsGet400AndUnknownCalls404) {
  struct Case {
    const char* what;
    http::FormParams form;
  };
  const std::vector<Case> cases = {
      {"no From", {{"CallerId", kExoPhone}, {"Url", kFlowUrl}}},
      {"no CallerId", {{"From", "09876540100"}, {"Url", kFlowUrl}}},
      {"no Url nor To", {{"From", "09876540100"}, {"CallerId", kExoPhone}}},
      {"Url not http", {{"From", "09876540100"}, {"CallerId", kExoPhone}, {"Url", "ftp://x"}}},
      {"unknown event",
       {{"From", "09876540100"},
        {"CallerId", kExoPhone},
        {"Url", kFlowUrl},
        {"StatusCallback", "http://127.0.0.1:1/cb"},
        {"StatusCallbackEvents[0]", "completed"}}},
      {"Record not boolean",
       {{"From", "09876540100"}, {"CallerId", kExoPhone}, {"Url", kFlowUrl}, {"Record", "yes"}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    const RestResult r = ExotelSend("POST", ConnectPath(), c.form);
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.body["RestException"]["Status"], 400) << r.body.dump();
    EXPECT_EQ(r.body["RestException"]["Code"], "BAD_REQUEST");
  }
  const RestResult missing = ExotelSend(
      "GET", std::string("/v1/Accounts/") + kExotelSid + "/Calls/0123456789abcdef0123456789abcdef");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body["RestException"]["Code"], "NOT_FOUND");
  EXPECT_EQ(ExotelSend("GET", ConnectPath()).status, 405);
}

TEST_F(ExotelTest, SpellingControlSendsOneCallbackWithTheGivenWord) {
  CallbackReceiver receiver;
  const std::vector<std::string> words = {
      "answered",  "in-progress", "in_progress", "ongoing",   "ended",    "finished",
      "completed", "busy",        "no-answer",   "no_answer", "failed",   "error",
      "ringing",   "initiated",   "queued",      "cancelled", "canceled", "Completed"};
  for (size_t i = 0; i < words.size(); ++i) {
    SCOPED_TRACE(words[i]);
    const RestResult r = PostJson("/sim/exotel/status_callbacks",
                                  {{"webhook_url", receiver.Url("/cb?w=" + std::to_string(i))},
                                   {"call_sid", "80bfbec2d78bbbf10fb851f4fa165211"},
                                   {"status", words[i]},
                                   {"duration", 42},
                                   {"price", "1.600"},
                                   {"custom_field", "cf"}});
    ASSERT_EQ(r.status, 200) << r.body.dump();
    EXPECT_EQ(r.body["http_status"], 200);
    ASSERT_EQ(receiver.Count(), i + 1);  // answered before the control returned
    const ReceivedCallback got = receiver.Received()[i];
    EXPECT_EQ(got.target, "/cb?w=" + std::to_string(i));
    EXPECT_EQ(got.body, r.body["body"]);
    const http::FormParams params = FormOf(got);
    EXPECT_EQ(Param(params, "Status"), words[i]);
    EXPECT_EQ(Param(params, "CallSid"), "80bfbec2d78bbbf10fb851f4fa165211");
    EXPECT_EQ(Param(params, "EventType"), "terminal");
    EXPECT_EQ(Param(params, "ConversationDuration"), "42");
    EXPECT_EQ(Param(params, "Price"), "1.600");
    EXPECT_EQ(Param(params, "CustomField"), "cf");
  }

  // The receiver's answer comes back, without retries.
  receiver.FailNext({503});
  const RestResult failed =
      PostJson("/sim/exotel/status_callbacks",
               {{"webhook_url", receiver.Url("/cb")}, {"status", "ended"}, {"event_type", ""}});
  EXPECT_EQ(failed.body["http_status"], 503) << failed.body.dump();
  const size_t count = receiver.Count();
  EXPECT_THAT(ParamNames(FormOf(receiver.Received().back())),
              ElementsAre("CallSid", "DateUpdated", "Status", "RecordingUrl"));

  // For a simulated call, its fields are used and the send is recorded; JSON on request.
  const std::string sid = ConnectSid("+919876540104", "");
  const RestResult json =
      PostJson("/sim/exotel/status_callbacks", {{"webhook_url", receiver.Url("/cb")},
                                                {"call_sid", sid},
                                                {"status", "in_progress"},
                                                {"event_type", "answered"},
                                                {"content_type", "application/json"}});
  ASSERT_EQ(json.status, 200);
  EXPECT_EQ(json.body["http_status"], 200);
  ASSERT_EQ(receiver.Count(), count + 1);
  const ReceivedCallback got = receiver.Received().back();
  EXPECT_EQ(got.Header("content-type"), "application/json");
  const nlohmann::json body = nlohmann::json::parse(got.body);
  EXPECT_EQ(body["Status"], "in_progress");
  EXPECT_EQ(body["EventType"], "answered");
  EXPECT_EQ(body["From"], "+919876540104");
  EXPECT_EQ(body["CallSid"], sid);
  const nlohmann::json view = Inspect("/sim/exotel/calls/" + sid);
  ASSERT_EQ(view["sent"].size(), 1u);
  EXPECT_EQ(view["sent"][0]["control"], true);
  EXPECT_EQ(view["sent"][0]["status"], "in_progress");

  EXPECT_EQ(PostJson("/sim/exotel/status_callbacks", {{"status", "x"}}).status, 400);
  EXPECT_EQ(PostJson("/sim/exotel/status_callbacks", {{"webhook_url", receiver.Url("/cb")}}).status,
            400);
}

TEST(ExotelFormatTest, PriceAndTimes) {
  EXPECT_EQ(ExotelPrice(125, true), "2.400");
  EXPECT_EQ(ExotelPrice(3, true), "0.800");
  EXPECT_EQ(ExotelPrice(60, true), "0.800");
  EXPECT_EQ(ExotelPrice(61, true), "1.600");
  EXPECT_EQ(ExotelPrice(0, true), "0.000");
  EXPECT_EQ(ExotelPrice(125, false), "0.000");
  EXPECT_EQ(FormatExotelTime(absl::FromUnixSeconds(1705309245)), "2024-01-15 14:30:45");
  auto account = ParseExotelAccount("acme_1:key:tok");
  ASSERT_TRUE(account.ok());
  EXPECT_EQ(account->account_sid, "acme_1");
  EXPECT_EQ(account->api_key, "key");
  EXPECT_EQ(account->api_token, "tok");
  EXPECT_FALSE(ParseExotelAccount("acme:key").ok());
  EXPECT_FALSE(ParseExotelAccount("acme::tok").ok());
  EXPECT_FALSE(ParseExotelAccount("ac/me:key:tok").ok());
}

}  // namespace
}  // namespace callcontrol::provider_sim::testing
