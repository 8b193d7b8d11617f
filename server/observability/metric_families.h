// Metrics computed at scrape time: a prometheus::Collectable backed by a callback, and builders
// for the MetricFamily values it returns, so the daemon can expose figures it already keeps
// (e.g. per-tenant call counts) without keeping a second copy in a prometheus::Registry.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "prometheus/collectable.h"
#include "prometheus/labels.h"
#include "prometheus/metric_family.h"

namespace callcontrol::observability {

// One sample: its labels (name -> value; names match [a-zA-Z_][a-zA-Z0-9_]* and do not start
// with "__") and its value.
using Sample = std::pair<prometheus::Labels, double>;

// A family of gauges (values that go up and down), e.g.
//   GaugeFamily("callcontrol_active_calls", "Calls not yet ended.",
//               {{{{"tenant", "acme"}}, 3}, {{{"tenant", "globex"}}, 0}})
// `name` matches [a-zA-Z_:][a-zA-Z0-9_:]*; `help` is one line of free text.
prometheus::MetricFamily GaugeFamily(std::string name, std::string help,
                                     std::vector<Sample> samples);

// A family of counters (totals that only go up since the process started), e.g.
//   CounterFamily("callcontrol_calls_started_total", "Calls started.", {{{{"tenant", "a"}}, 12}})
// Same rules as GaugeFamily; by convention counter names end in "_total".
prometheus::MetricFamily CounterFamily(std::string name, std::string help,
                                       std::vector<Sample> samples);

// A Collectable whose Collect() calls `collect` (on the scraping thread, once per scrape); the
// callback must be thread-safe and quick (it runs on the metrics endpoint's io thread). Families
// it returns with an invalid or duplicate name are dropped by MetricsEndpoint.
class CallbackCollectable : public prometheus::Collectable {
 public:
  using Callback = std::function<std::vector<prometheus::MetricFamily>()>;

  explicit CallbackCollectable(Callback collect);

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const Callback collect_;
};

}  // namespace callcontrol::observability
