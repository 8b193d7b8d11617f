// AdapterMetrics on its own: what Serialize() exposes after a few recordings.
#include "webhook_adapter/adapter_metrics.h"

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "common/config/config.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "providers/registry.h"
#include "tests/testing/status_matchers.h"
#include "tests/webhook_adapter/prometheus_text.h"

namespace callcontrol::webhook_adapter {
namespace {

using ::callcontrol::testing::IsOk;

// The providers' labels as the registry's handlers give them (RoutesFollowTheRegistry checks).
std::vector<AdapterMetrics::ProviderRoutes> TestRoutes() {
  return {{"twilio", {"status", "recording", "voice", "clone-status"}},
          {"telnyx", {"webhook"}},
          {"exotel", {"status"}},
          {"bolna", {"webhook"}}};
}
// Provider indexes into TestRoutes().
constexpr size_t kTwilio = 0, kTelnyx = 1, kExotel = 2, kBolna = 3;

PrometheusText Parse(const AdapterMetrics& metrics) {
  const std::string body = metrics.Serialize();
  auto text = ParsePrometheusText(body);
  EXPECT_THAT(text, IsOk()) << body;
  return text.ok() ? *std::move(text) : PrometheusText{};
}

TEST(AdapterMetricsTest, FreshMetricsHaveEveryFamilyAndZeroes) {
  AdapterMetrics metrics(TestRoutes());
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
  AdapterMetrics metrics(TestRoutes());
  metrics.WebhookReceived();
  metrics.WebhookReceived();
  metrics.WebhookReceived();
  metrics.WebhookAnswered(metrics.ServedRoute(kTwilio, 1), 200, std::chrono::milliseconds(3));
  metrics.WebhookAnswered(metrics.ServedRoute(kTelnyx, 0), 418, std::chrono::milliseconds(700));
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

  metrics.SignatureFailure(kExotel);
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
  EXPECT_EQ(metrics.ProviderLabel(metrics.UnknownRoute(kBolna)), "bolna");
  EXPECT_EQ(metrics.RouteLabel(metrics.UnknownRoute(kBolna)), "unknown");
  EXPECT_EQ(metrics.ProviderLabel(metrics.UnknownProviderRoute()), "unknown");
  EXPECT_EQ(metrics.RouteLabel(metrics.UnknownProviderRoute()), "unknown");
  EXPECT_EQ(metrics.RouteLabel(metrics.ServedRoute(kTwilio, 3)), "clone-status");
}

TEST(AdapterMetricsTest, UnknownRoutesAreCountedUnderTheirProvider) {
  AdapterMetrics metrics(TestRoutes());
  metrics.WebhookReceived();
  metrics.WebhookReceived();
  metrics.WebhookAnswered(metrics.UnknownRoute(kTwilio), 404, std::chrono::milliseconds(1));
  metrics.WebhookAnswered(metrics.UnknownProviderRoute(), 404, std::chrono::milliseconds(1));
  const PrometheusText text = Parse(metrics);
  const std::string total = "callcontrol_adapter_webhooks_total";
  EXPECT_EQ(SampleOr0(text, total, {{"provider", "twilio"}, {"route", "unknown"}, {"code", "404"}}),
            1);
  EXPECT_EQ(
      SampleOr0(text, total, {{"provider", "unknown"}, {"route", "unknown"}, {"code", "404"}}), 1);
  EXPECT_EQ(SampleOr0(text, "callcontrol_adapter_webhook_duration_seconds_count",
                      {{"provider", "unknown"}}),
            1);
  // No signature failures for the unknown provider: signatures are only checked by a handler.
  EXPECT_EQ(text.samples.count(SeriesKey("callcontrol_adapter_signature_failures_total",
                                         {{"provider", "unknown"}})),
            0u);
}

// The labels the router gives AdapterMetrics come from the registry's handlers: the same as
// TestRoutes(), so the series above are the ones the adapter exposes.
TEST(AdapterMetricsTest, RoutesFollowTheRegistry) {
  const config::Config no_tenants;
  std::vector<AdapterMetrics::ProviderRoutes> from_registry;
  for (const providers::Provider* provider : providers::AllProviders()) {
    const auto handler = provider->NewWebhookHandler({&no_tenants, "https://hooks.example.com"});
    if (handler == nullptr) continue;
    AdapterMetrics::ProviderRoutes& routes = from_registry.emplace_back();
    routes.provider = std::string(provider->name());
    for (size_t i = 0; i < handler->actions().size(); ++i) {
      routes.routes.emplace_back(handler->route_label(i));
    }
  }
  const std::vector<AdapterMetrics::ProviderRoutes> expected = TestRoutes();
  ASSERT_EQ(from_registry.size(), expected.size());
  for (size_t p = 0; p < expected.size(); ++p) {
    EXPECT_EQ(from_registry[p].provider, expected[p].provider);
    EXPECT_EQ(from_registry[p].routes, expected[p].routes) << expected[p].provider;
  }
}

TEST(AdapterMetricsTest, ConcurrentRecordingLosesNothing) {
  AdapterMetrics metrics(TestRoutes());
  constexpr int kThreads = 4;
  constexpr int kPerThread = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&metrics] {
      for (int i = 0; i < kPerThread; ++i) {
        metrics.WebhookReceived();
        metrics.WebhookAnswered(metrics.ServedRoute(kExotel, 0), i % 2 == 0 ? 200 : 503,
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
