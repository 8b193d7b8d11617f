#include "server/observability/metric_families.h"

#include "prometheus/client_metric.h"
#include "prometheus/metric_type.h"

namespace callcontrol::observability {
namespace {

std::vector<prometheus::ClientMetric::Label> ToLabels(const prometheus::Labels& labels) {
  std::vector<prometheus::ClientMetric::Label> out;
  out.reserve(labels.size());
  for (const auto& [name, value] : labels) out.push_back({name, value});
  return out;
}

}  // namespace

prometheus::MetricFamily GaugeFamily(std::string name, std::string help,
                                     std::vector<Sample> samples) {
  prometheus::MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = prometheus::MetricType::Gauge;
  family.metric.reserve(samples.size());
  for (const auto& [labels, value] : samples) {
    prometheus::ClientMetric metric;
    metric.label = ToLabels(labels);
    metric.gauge.value = value;
    family.metric.push_back(std::move(metric));
  }
  return family;
}

prometheus::MetricFamily CounterFamily(std::string name, std::string help,
                                       std::vector<Sample> samples) {
  prometheus::MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = prometheus::MetricType::Counter;
  family.metric.reserve(samples.size());
  for (const auto& [labels, value] : samples) {
    prometheus::ClientMetric metric;
    metric.label = ToLabels(labels);
    metric.counter.value = value;
    family.metric.push_back(std::move(metric));
  }
  return family;
}

CallbackCollectable::CallbackCollectable(Callback collect) : collect_(std::move(collect)) {}

std::vector<prometheus::MetricFamily> CallbackCollectable::Collect() const {
  if (!collect_) return {};
  return collect_();
}

}  // namespace callcontrol::observability
