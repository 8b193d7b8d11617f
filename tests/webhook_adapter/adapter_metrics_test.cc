// AdapterMetrics on its own: what Serialize() exposes after a few recordings.
#include "webhook_adapter/adapter_metrics.h"

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/webhook_adapter/prometheus_text.h"

namespace callcontrol::webhook_adapter {
namespace {

using ::callcontrol::testing::IsOk;
using Route = AdapterMetrics::Route;
using Provider = AdapterMetrics::Provider;

PrometheusText Parse(const AdapterMetrics& metrics) {
  const std::string body = metrics.Serialize();
  auto text = ParsePrometheusText(body);
  EXPECT_THAT(text, IsOk()) << body;
  return text.ok() ? *std::move(text) : PrometheusText{};
}

TEST(AdapterMetricsTest, FreshMetricsHaveEveryFamilyAndZeroes) {
  AdapterMetrics metrics;
  const PrometheusText text = Parse(metrics);
  for (const char* family :
       {"callcontrol_adapter_webhooks_total", "callcontrol_adapter_webhook_duration_seconds",
        "callcontrol_adapter_webhooks_in_flight", "callcontrol_adapter_signature_failures_total",
        "callcontrol_adapter_daemon_errors_total"}) {
    EXPECT_EQ(text.types.count(family), 1u) << family;
  }
  for (const char* provider : {"twilio", "telnyx", "exotel", "bolna"}) {
    EXPECT_EQ(text.samples.count(SeriesKey("callcontrol_adapter_signature_failures_total",
                                           {{"provider", provider}})),
              1u)
        << provider;
  }
  EXPECT_EQ(
      text.samples.count(SeriesKey("callcontrol_adapter_webhooks_total",
                                   {{"provider", "exotel"}, {"route", "status"}, {"code", "200"}})),
      1u);
  EXPECT_EQ(text.samples.count(
                SeriesKey("callcontrol_adapter_daemon_errors_total", {{"code", "UNAVAILABLE"}})),
            1u);
  EXPECT_EQ(text.samples.count(SeriesKey("callcontrol_adapter_webhook_duration_seconds_count",
                                         {{"provider", "bolna"}})),
            1u);
  for (const auto& [series, value] : text.samples) {
    if (series.find("_bucket") == std::string::npos) {
      EXPECT_EQ(value, 0) << series;
    }
  }
  EXPECT_EQ(SampleOr0(text, "callcontrol_adapter_webhooks_in_flight"), 0);
}

TEST(AdapterMetricsTest, RecordsWebhooksByRouteAndStatus) {
  AdapterMetrics metrics;
  metrics.WebhookReceived();
  metrics.WebhookReceived();
  metrics.WebhookReceived();
  metrics.WebhookAnswered(Route::kTwilioRecording, 200, std::chrono::milliseconds(3));
  metrics.WebhookAnswered(Route::kTelnyxWebhook, 418, std::chrono::milliseconds(700));
  PrometheusText text = Parse(metrics);
  EXPECT_EQ(SampleOr0(text, "callcontrol_adapter_webhooks_in_flight"), 1);
  const std::string total = "callcontrol_adapter_webhooks_total";
  EXPECT_EQ(
      SampleOr0(text, total, {{"provider", "twilio"}, {"route", "recording"}, {"code", "200"}}), 1);
  EXPECT_EQ(SampleOr0(text, total, {{"provider", "telnyx"}, {"route", "webhook"}, {"code", "418"}}),
            1);
  const std::string duration = "callcontrol_adapter_webhook_duration_seconds";
  EXPECT_EQ(SampleOr0(text, duration + "_bucket", {{"provider", "twilio"}, {"le", "0.005"}}), 1);
  EXPECT_EQ(SampleOr0(text, duration + "_bucket", {{"provider", "twilio"}, {"le", "0.0025"}}), 0);
  EXPECT_EQ(SampleOr0(text, duration + "_bucket", {{"provider", "telnyx"}, {"le", "1"}}), 1);
  EXPECT_EQ(SampleOr0(text, duration + "_bucket", {{"provider", "telnyx"}, {"le", "0.5"}}), 0);
  EXPECT_NEAR(SampleOr0(text, duration + "_sum", {{"provider", "telnyx"}}), 0.7, 1e-9);

  metrics.SignatureFailure(Provider::kExotel);
  metrics.DaemonError(absl::StatusCode::kUnavailable);
  metrics.DaemonError(absl::StatusCode::kUnavailable);
  metrics.DaemonError(absl::StatusCode::kUnauthenticated);
  text = Parse(metrics);
  EXPECT_EQ(
      SampleOr0(text, "callcontrol_adapter_signature_failures_total", {{"provider", "exotel"}}), 1);
  EXPECT_EQ(SampleOr0(text, "callcontrol_adapter_daemon_errors_total", {{"code", "UNAVAILABLE"}}),
            2);
  EXPECT_EQ(
      SampleOr0(text, "callcontrol_adapter_daemon_errors_total", {{"code", "UNAUTHENTICATED"}}), 1);
  EXPECT_EQ(AdapterMetrics::ProviderOf(Route::kBolnaUnknown), Provider::kBolna);
  EXPECT_EQ(AdapterMetrics::ProviderOf(Route::kUnknown), Provider::kUnknown);
}

TEST(AdapterMetricsTest, ConcurrentRecordingLosesNothing) {
  AdapterMetrics metrics;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&metrics] {
      for (int i = 0; i < kPerThread; ++i) {
        metrics.WebhookReceived();
        metrics.WebhookAnswered(Route::kExotelStatus, i % 2 == 0 ? 200 : 503,
                                std::chrono::microseconds(100));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const PrometheusText text = Parse(metrics);
  const std::string total = "callcontrol_adapter_webhooks_total";
  EXPECT_EQ(SampleOr0(text, total, {{"provider", "exotel"}, {"route", "status"}, {"code", "200"}}),
            kThreads * kPerThread / 2);
  EXPECT_EQ(SampleOr0(text, total, {{"provider", "exotel"}, {"route", "status"}, {"code", "503"}}),
            kThreads * kPerThread / 2);
  EXPECT_EQ(SampleOr0(text, "callcontrol_adapter_webhook_duration_seconds_count",
                      {{"provider", "exotel"}}),
            kThreads * kPerThread);
  EXPECT_EQ(SampleOr0(text, "callcontrol_adapter_webhooks_in_flight"), 0);
}

}  // namespace
}  // namespace callcontrol::webhook_adapter
