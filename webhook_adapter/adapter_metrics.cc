#include "webhook_adapter/adapter_metrics.h"

#include <sstream>

#include "prometheus/text_serializer.h"

namespace callcontrol::webhook_adapter {
namespace {

constexpr const char* kUnknown = "unknown";

// Seconds; the daemon deadline is 5 s by default.
const prometheus::Histogram::BucketBoundaries& DurationBuckets() {
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return kBuckets;
}

}  // namespace

AdapterMetrics::AdapterMetrics(const std::vector<ProviderRoutes>& providers)
    : registry_(std::make_shared<prometheus::Registry>()),
      webhooks_(prometheus::BuildCounter()
                    .Name("callcontrol_adapter_webhooks_total")
                    .Help("Webhook requests answered, by provider, route and HTTP status.")
                    .Register(*registry_)),
      daemon_errors_family_(
          prometheus::BuildCounter()
              .Name("callcontrol_adapter_daemon_errors_total")
              .Help("Provider event reports callcontrold did not acknowledge, by gRPC status.")
              .Register(*registry_)) {
  in_flight_ = &prometheus::BuildGauge()
                    .Name("callcontrol_adapter_webhooks_in_flight")
                    .Help("Webhook requests received and not yet answered.")
                    .Register(*registry_)
                    .Add({});
  auto& durations = prometheus::BuildHistogram()
                        .Name("callcontrol_adapter_webhook_duration_seconds")
                        .Help("Time from receiving a webhook request to answering it.")
                        .Register(*registry_);
  auto& signature_failures =
      prometheus::BuildCounter()
          .Name("callcontrol_adapter_signature_failures_total")
          .Help("Webhooks refused for a missing or bad signature or webhook token.")
          .Register(*registry_);
  for (const ProviderRoutes& provider : providers) provider_labels_.push_back(provider.provider);
  provider_labels_.push_back(kUnknown);
  for (const std::string& label : provider_labels_) {
    durations_.push_back(&durations.Add({{"provider", label}}, DurationBuckets()));
  }
  // Signatures are only checked on the routes of a known provider.
  for (const ProviderRoutes& provider : providers) {
    signature_failures_.push_back(&signature_failures.Add({{"provider", provider.provider}}));
  }

  // Each provider's served routes and its "unknown" route, then the unknown provider's.
  for (const ProviderRoutes& provider : providers) {
    first_route_.push_back(route_count_);
    route_count_ += provider.routes.size() + 1;
  }
  first_route_.push_back(route_count_);
  route_count_ += 1;
  routes_ = std::make_unique<RouteSeries[]>(route_count_);
  for (size_t p = 0; p < providers.size(); ++p) {
    const std::vector<std::string>& routes = providers[p].routes;
    for (size_t r = 0; r <= routes.size(); ++r) {
      RouteSeries& series = routes_[first_route_[p] + r];
      series.provider = p;
      series.route = r < routes.size() ? routes[r] : kUnknown;
    }
  }
  routes_[route_count_ - 1].provider = providers.size();
  routes_[route_count_ - 1].route = kUnknown;

  // Series that exist from the start, at 0, so that every family is exposed (a family without
  // series is left out of the text) and rate() sees their first increment: 200 on each served
  // route, and the daemon errors worth alerting on.
  for (size_t p = 0; p < providers.size(); ++p) {
    for (size_t r = 0; r < providers[p].routes.size(); ++r) WebhookCounter(ServedRoute(p, r), 200);
  }
  for (const absl::StatusCode code :
       {absl::StatusCode::kUnavailable, absl::StatusCode::kDeadlineExceeded,
        absl::StatusCode::kUnauthenticated}) {
    DaemonErrorCounter(code);
  }
}

const std::string& AdapterMetrics::ProviderLabel(Route route) const {
  return provider_labels_[routes_[route.index].provider];
}

const std::string& AdapterMetrics::RouteLabel(Route route) const {
  return routes_[route.index].route;
}

prometheus::Counter& AdapterMetrics::WebhookCounter(Route route, int http_status) {
  const RouteSeries& info = routes_[route.index];
  auto add = [this, &info, http_status]() -> prometheus::Counter& {
    // Family::Add returns the existing series for labels already added.
    return webhooks_.Add({{"provider", provider_labels_[info.provider]},
                          {"route", info.route},
                          {"code", std::to_string(http_status)}});
  };
  for (size_t i = 0; i < kKnownHttpStatuses.size(); ++i) {
    if (kKnownHttpStatuses[i] != http_status) continue;
    std::atomic<prometheus::Counter*>& slot = routes_[route.index].by_status[i];
    prometheus::Counter* counter = slot.load(std::memory_order_acquire);
    if (counter == nullptr) {
      counter = &add();
      slot.store(counter, std::memory_order_release);
    }
    return *counter;
  }
  return add();  // a rare status: looked up under the family's lock
}

void AdapterMetrics::WebhookAnswered(Route route, int http_status,
                                     std::chrono::steady_clock::duration elapsed) {
  in_flight_->Decrement();
  WebhookCounter(route, http_status).Increment();
  durations_[routes_[route.index].provider]->Observe(
      std::chrono::duration<double>(elapsed).count());
}

prometheus::Counter& AdapterMetrics::DaemonErrorCounter(absl::StatusCode code) {
  const auto index = static_cast<size_t>(code);
  if (index >= kStatusCodeCount)
    return daemon_errors_family_.Add({{"code", std::to_string(index)}});
  std::atomic<prometheus::Counter*>& slot = daemon_errors_[index];
  prometheus::Counter* counter = slot.load(std::memory_order_acquire);
  if (counter == nullptr) {
    counter = &daemon_errors_family_.Add({{"code", absl::StatusCodeToString(code)}});
    slot.store(counter, std::memory_order_release);
  }
  return *counter;
}

void AdapterMetrics::DaemonError(absl::StatusCode code) { DaemonErrorCounter(code).Increment(); }

std::string AdapterMetrics::Serialize() const {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, registry_->Collect());
  return out.str();
}

}  // namespace callcontrol::webhook_adapter
