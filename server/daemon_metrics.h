// What callcontrold shows Prometheus (GET /metrics on --metrics-listen): per-tenant call figures
// read from the call registry at scrape time (no second bookkeeping), event-stream and store
// figures. Names follow https://prometheus.io/docs/practices/naming/ (units in the name, _total
// for counters).
#pragma once

#include <vector>

#include "prometheus/metric_family.h"

namespace callcontrol {
namespace calls {
class CallManager;
}
namespace events {
class EventBus;
}
namespace store {
class Store;
}

// One scrape's families. Thread-safe; takes the call manager's lock briefly.
std::vector<prometheus::MetricFamily> CollectDaemonMetrics(const calls::CallManager& manager,
                                                           const events::EventBus& bus,
                                                           const store::Store& store);

}  // namespace callcontrol
