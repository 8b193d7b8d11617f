// Exotel and Bolna webhooks, recordings, billing and metrics through real processes: every status
// word of each provider's table, a 125-second call billed by the started minute, the provider's
// price winning over the rate, recordings attached to their call, tokens required for unsigned
// providers, and both /metrics pages parsing as Prometheus text.
#include <regex>

#include "tests/integration/stack_fixture.h"
#include "tests/testing/wait.h"

namespace callcontrol::testing {
namespace {

using BillingStackTest = StackTest;

struct Word {
  const char* word;
  v1::CallStatus status;
};
// The issue's table: every word these providers use, and where it lands.
const Word kWords[] = {
    {"answered", v1::CALL_STATUS_IN_PROGRESS},    {"in-progress", v1::CALL_STATUS_IN_PROGRESS},
    {"in_progress", v1::CALL_STATUS_IN_PROGRESS}, {"ongoing", v1::CALL_STATUS_IN_PROGRESS},
    {"ended", v1::CALL_STATUS_COMPLETED},         {"finished", v1::CALL_STATUS_COMPLETED},
    {"completed", v1::CALL_STATUS_COMPLETED},     {"busy", v1::CALL_STATUS_BUSY},
    {"no-answer", v1::CALL_STATUS_NO_ANSWER},     {"no_answer", v1::CALL_STATUS_NO_ANSWER},
    {"failed", v1::CALL_STATUS_FAILED},           {"error", v1::CALL_STATUS_FAILED},
    {"ringing", v1::CALL_STATUS_RINGING},         {"initiated", v1::CALL_STATUS_INITIATED},
    {"queued", v1::CALL_STATUS_QUEUED},           {"cancelled", v1::CALL_STATUS_CANCELED},
    {"canceled", v1::CALL_STATUS_CANCELED},
};

std::string Hex32(int i) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%032x", 0xe0000 + i);
  return buf;
}

// Waits (bounded) for the last metrics:updated event of a collector to equal `want`.
bool LastMetricsEventEquals(EventCollector& events, const v1::Metrics& want) {
  return ::callcontrol::testing::WaitFor(
      [&] {
        std::optional<v1::Metrics> last;
        for (const auto& e : events.events()) {
          if (e.type() == v1::EVENT_TYPE_METRICS_UPDATED) last = e.metrics();
        }
        return last && last->SerializeAsString() == want.SerializeAsString();
      },
      std::chrono::seconds(5), "the last metrics event");
}

TEST_F(BillingStackTest, EveryExotelStatusWordMovesTheCallToItsNormalizedStatus) {
  const std::string url = AdapterUrl(std::string("/webhooks/exotel/") + kExotelTenant +
                                     "/status?token=" + kExotelToken);
  int i = 0;
  for (const Word& w : kWords) {
    const std::string sid = Hex32(++i);
    const json sent = SimPost("/sim/exotel/status_callbacks",
                              {{"webhook_url", url}, {"call_sid", sid}, {"status", w.word}});
    ASSERT_EQ(sent["http_status"], 200) << w.word << " " << sent.dump();
    EXPECT_EQ(GetCall(sid, kInitechKey).status(), w.status) << w.word;
  }
  // An unknown word is acknowledged and moves nothing (here: creates no call).
  const json sent =
      SimPost("/sim/exotel/status_callbacks",
              {{"webhook_url", url}, {"call_sid", Hex32(99)}, {"status", "warbling"}});
  EXPECT_EQ(sent["http_status"], 200) << sent.dump();
  v1::Call none;
  EXPECT_EQ(TryGetCall(Hex32(99), &none, kInitechKey).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(BillingStackTest, EveryBolnaStatusWordMovesTheCallToItsNormalizedStatus) {
  const std::string url =
      AdapterUrl(std::string("/webhooks/bolna/") + kBolnaTenant + "?token=" + kBolnaToken);
  int i = 0;
  for (const Word& w : kWords) {
    const std::string execution_id = "4c06b4d1-4096-4561-919a-" + Hex32(++i).substr(20);
    const json sent =
        SimPost("/sim/bolna/webhooks",
                {{"webhook_url", url}, {"execution_id", execution_id}, {"status", w.word}});
    ASSERT_EQ(sent["http_status"], 200) << w.word << " " << sent.dump();
    EXPECT_EQ(GetCall(execution_id, kHooliKey).status(), w.status) << w.word;
  }
}

TEST_F(BillingStackTest, UnsignedProvidersNeedTheTenantsToken) {
  const std::string path = std::string("/webhooks/exotel/") + kExotelTenant + "/status";
  for (const std::string& target : {path, path + "?token=wrong"}) {
    const json sent = SimPost(
        "/sim/exotel/status_callbacks",
        {{"webhook_url", AdapterUrl(target)}, {"call_sid", Hex32(50)}, {"status", "completed"}});
    EXPECT_EQ(sent["http_status"], 403) << sent.dump();
  }
  const json bolna = SimPost(
      "/sim/bolna/webhooks",
      {{"webhook_url", AdapterUrl(std::string("/webhooks/bolna/") + kBolnaTenant + "?token=wrong")},
       {"execution_id", "4c06b4d1-4096-4561-919a-4f94539c8d4a"},
       {"status", "completed"}});
  EXPECT_EQ(bolna["http_status"], 403) << bolna.dump();
  v1::Call none;
  EXPECT_EQ(TryGetCall(Hex32(50), &none, kInitechKey).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(GetMetrics(kInitechKey).total_calls(), 0);
  EXPECT_EQ(GetMetrics(kHooliKey).total_calls(), 0);
}

TEST_F(BillingStackTest, ATwilioCallOf125SecondsIsBilledThreeStartedMinutesAtTheRate) {
  EventCollector events(stub_.get(), 0);
  v1::Call call;
  ASSERT_TRUE(StartCall("+14155550104", &call).ok());  // long call
  ASSERT_TRUE(events.WaitFor(CallReaches(call.call_id(), v1::CALL_STATUS_IN_PROGRESS)));
  const http::FormParams completed = {{"AccountSid", kAccountSid},
                                      {"CallSid", call.provider_ids().call_sid()},
                                      {"CallStatus", "completed"},
                                      {"CallDuration", "125"},
                                      {"SequenceNumber", "9"}};
  ASSERT_EQ(PostStatusCallback(call.call_id(), completed, kAuthToken), 200);
  const v1::Call billed = GetCall(call.call_id());
  EXPECT_EQ(billed.duration_seconds(), 125);
  EXPECT_EQ(billed.billable_seconds(), 180);
  EXPECT_EQ(billed.cost().currency_code(), "USD");
  EXPECT_EQ(billed.cost().amount_micros(), 3 * 14000);  // to the micro
  EXPECT_FALSE(billed.cost_reported_by_provider());

  // Twilio's recording status callback attaches the recording and emits call:updated.
  const std::string target = std::string("/webhooks/twilio/") + kTenant + "/recording";
  const http::FormParams recording = {
      {"AccountSid", kAccountSid},
      {"CallSid", call.provider_ids().call_sid()},
      {"RecordingSid", "RE00000000000000000000000000000001"},
      {"RecordingUrl", "https://api.twilio.com/2010-04-01/Accounts/" + std::string(kAccountSid) +
                           "/Recordings/RE00000000000000000000000000000001"},
      {"RecordingStatus", "completed"},
      {"RecordingDuration", "124"}};
  http::ClientRequest r;
  r.method = "POST";
  r.url = AdapterUrl(target);
  r.body = http::EncodeForm(recording);
  r.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
               {"X-Twilio-Signature", twilio::ComputeSignature(kAuthToken, r.url, recording)}};
  http::HttpClient client;
  auto posted = client.Send(r);
  ASSERT_TRUE(posted.ok());
  ASSERT_EQ(posted->status, 200) << posted->body;
  auto updated = events.WaitFor([&](const v1::Event& e) {
    return e.call().call_id() == call.call_id() && e.call().recordings_size() == 1;
  });
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->call().recordings(0).recording_id(), "RE00000000000000000000000000000001");
  EXPECT_EQ(updated->call().recordings(0).duration_seconds(), 124);

  // The tenant's totals and its last metrics:updated event agree with the call.
  const v1::Metrics metrics = GetMetrics(kAcmeKey);
  EXPECT_EQ(metrics.billable_seconds(), 180);
  ASSERT_EQ(metrics.total_cost_size(), 1);
  EXPECT_EQ(metrics.total_cost(0).amount_micros(), 42000);
  EXPECT_TRUE(LastMetricsEventEquals(events, metrics));
}

TEST_F(BillingStackTest, AnExotelCallCarriesTheProvidersPriceRecordingAndDuration) {
  EventCollector events(stub_.get(), 0, kInitechKey);
  v1::Call call;
  ASSERT_TRUE(StartCall("+919999990125", &call, "", kInitechKey).ok());  // talks 125 s
  EXPECT_EQ(call.provider(), v1::PROVIDER_EXOTEL);
  ASSERT_FALSE(call.provider_ids().call_sid().empty());
  ASSERT_TRUE(
      events.WaitFor(CallReaches(call.call_id(), v1::CALL_STATUS_COMPLETED), absl::Seconds(30)));
  auto priced = events.WaitFor([&](const v1::Event& e) {
    return e.call().call_id() == call.call_id() && e.call().cost_reported_by_provider();
  });
  ASSERT_TRUE(priced);
  const v1::Call done = GetCall(call.call_id(), kInitechKey);
  EXPECT_EQ(done.duration_seconds(), 125);
  EXPECT_EQ(done.billable_seconds(), 180);  // the tenant's per-started-minute rounding
  EXPECT_EQ(done.cost().currency_code(), "INR");
  EXPECT_EQ(done.cost().amount_micros(), 2400000);  // Exotel's Price "2.400" wins
  ASSERT_EQ(done.recordings_size(), 1);
  EXPECT_FALSE(done.recordings(0).url().empty());

  v1::Call hung;
  EXPECT_EQ(Hangup(call.call_id(), &hung, kInitechKey).error_code(), grpc::StatusCode::OK);

  // Sum of the calls == GetMetrics == the last metrics:updated event.
  grpc::ClientContext ctx;
  Authorize(&ctx, kInitechKey);
  v1::ListCallsResponse page;
  ASSERT_TRUE(stub_->ListCalls(&ctx, v1::ListCallsRequest(), &page).ok());
  int64_t billable = 0, micros = 0;
  for (const auto& c : page.calls()) {
    billable += c.billable_seconds();
    micros += c.cost().amount_micros();
  }
  const v1::Metrics metrics = GetMetrics(kInitechKey);
  EXPECT_EQ(metrics.billable_seconds(), billable);
  ASSERT_EQ(metrics.total_cost_size(), 1);
  EXPECT_EQ(metrics.total_cost(0).amount_micros(), micros);
  EXPECT_DOUBLE_EQ(metrics.average_duration_seconds(), 125.0);
  EXPECT_TRUE(LastMetricsEventEquals(events, metrics));
}

TEST_F(BillingStackTest, ABolnaExecutionIsTrackedFromItsWebhooks) {
  EventCollector events(stub_.get(), 0, kHooliKey);
  const json started = SimPost(
      "/sim/bolna/executions",
      {{"to", "+14155550125"},
       {"from", "+14155550000"},
       {"webhook_url",
        AdapterUrl(std::string("/webhooks/bolna/") + kBolnaTenant + "?token=" + kBolnaToken)}});
  const std::string execution_id = started.value("execution_id", "");
  ASSERT_FALSE(execution_id.empty()) << started.dump();
  auto priced = events.WaitFor(
      [&](const v1::Event& e) {
        return e.call().provider_ids().execution_id() == execution_id &&
               e.call().status() == v1::CALL_STATUS_COMPLETED && e.call().recordings_size() > 0 &&
               e.call().cost_reported_by_provider();
      },
      absl::Seconds(30));
  ASSERT_TRUE(priced);
  const v1::Call done = GetCall(execution_id, kHooliKey);
  EXPECT_EQ(done.provider(), v1::PROVIDER_BOLNA);
  EXPECT_GT(done.duration_seconds(), 0);
  EXPECT_GT(done.cost().amount_micros(), 0);
  EXPECT_EQ(GetMetrics(kHooliKey).completed_calls(), 1);
}

TEST_F(BillingStackTest, BothMetricsPagesParseAsPrometheusText) {
  v1::Call call;
  ASSERT_TRUE(StartCall("+14155550100", &call).ok());
  static const std::regex kSample(
      R"(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? )"
      R"(([-+]?[0-9.]+([eE][-+]?[0-9]+)?|NaN|[-+]Inf)( [0-9]+)?$)");
  for (const int port : {adapter_port_, daemon_metrics_port_}) {
    http::HttpClient client;
    http::ClientRequest r;
    r.url = "http://127.0.0.1:" + std::to_string(port) + "/metrics";
    auto response = client.Send(r);
    ASSERT_TRUE(response.ok());
    ASSERT_EQ(response->status, 200);
    std::istringstream lines(response->body);
    int samples = 0;
    for (std::string line; std::getline(lines, line);) {
      if (line.empty()) continue;
      if (line[0] == '#') {
        EXPECT_TRUE(line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) << line;
        continue;
      }
      EXPECT_TRUE(std::regex_match(line, kSample)) << "port " << port << ": " << line;
      ++samples;
    }
    EXPECT_GT(samples, 0) << "port " << port;
  }
}

}  // namespace
}  // namespace callcontrol::testing
