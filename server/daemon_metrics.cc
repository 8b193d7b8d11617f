#include "server/daemon_metrics.h"

#include "server/calls/call_manager.h"
#include "server/calls/call_status.h"
#include "server/events/event_bus.h"
#include "server/observability/metric_families.h"
#include "server/store/store.h"

namespace callcontrol {

using observability::CounterFamily;
using observability::GaugeFamily;
using observability::Sample;

std::vector<prometheus::MetricFamily> CollectDaemonMetrics(const calls::CallManager& manager,
                                                           const events::EventBus& bus,
                                                           const store::Store& store) {
  size_t in_memory = 0;
  const std::vector<v1::Metrics> tenants = manager.AllMetrics(&in_memory);
  std::vector<Sample> active, by_status, total, billable, cost, completed, average;
  for (const v1::Metrics& m : tenants) {
    const prometheus::Labels tenant{{"tenant", m.tenant_id()}};
    active.push_back({tenant, static_cast<double>(m.active_calls())});
    total.push_back({tenant, static_cast<double>(m.total_calls())});
    billable.push_back({tenant, static_cast<double>(m.billable_seconds())});
    completed.push_back({tenant, static_cast<double>(m.completed_calls())});
    average.push_back({tenant, m.average_duration_seconds()});
    for (const auto& sc : m.calls_by_status()) {
      by_status.push_back(
          {{{"tenant", m.tenant_id()}, {"status", std::string(calls::StatusName(sc.status()))}},
           static_cast<double>(sc.count())});
    }
    for (const auto& c : m.total_cost()) {
      cost.push_back({{{"tenant", m.tenant_id()}, {"currency", c.currency_code()}},
                      static_cast<double>(c.amount_micros())});
    }
  }
  const store::Store::Stats s = store.stats();
  std::vector<prometheus::MetricFamily> out;
  out.push_back(GaugeFamily("callcontrol_calls_active", "Calls not yet ended.", std::move(active)));
  out.push_back(
      GaugeFamily("callcontrol_calls", "Calls by normalized status.", std::move(by_status)));
  out.push_back(CounterFamily("callcontrol_calls_total", "Calls ever recorded.", std::move(total)));
  out.push_back(CounterFamily("callcontrol_billable_seconds_total",
                              "Billable seconds of ended calls.", std::move(billable)));
  out.push_back(CounterFamily("callcontrol_cost_micros_total",
                              "Cost of ended calls, in micros of the currency.", std::move(cost)));
  out.push_back(CounterFamily("callcontrol_calls_completed_total", "Calls that ended completed.",
                              std::move(completed)));
  out.push_back(GaugeFamily("callcontrol_call_average_duration_seconds",
                            "Mean duration of completed calls.", std::move(average)));
  out.push_back(GaugeFamily("callcontrol_calls_in_memory",
                            "Calls held in memory (active and recently ended).",
                            {{{}, static_cast<double>(in_memory)}}));
  out.push_back(GaugeFamily("callcontrol_event_subscribers", "Live StreamEvents subscribers.",
                            {{{}, static_cast<double>(bus.subscriber_count())}}));
  out.push_back(GaugeFamily("callcontrol_event_oldest_sequence",
                            "Oldest event sequence still retained for resumption.",
                            {{{}, static_cast<double>(store.oldest_sequence())}}));
  out.push_back(CounterFamily("callcontrol_store_commits_total",
                              "SQLite transactions committed (group commits).",
                              {{{}, static_cast<double>(s.commits)}}));
  out.push_back(CounterFamily("callcontrol_store_mutations_total",
                              "Changes committed (calls and events written together).",
                              {{{}, static_cast<double>(s.mutations)}}));
  out.push_back(CounterFamily("callcontrol_store_events_total", "Events appended to the log.",
                              {{{}, static_cast<double>(s.events)}}));
  out.push_back(CounterFamily("callcontrol_store_commit_seconds_total",
                              "Time spent in commits, including fsync.", {{{}, s.commit_seconds}}));
  out.push_back(GaugeFamily("callcontrol_store_queue_depth",
                            "Changes waiting for the writer thread.",
                            {{{}, static_cast<double>(s.queued)}}));
  return out;
}

}  // namespace callcontrol
