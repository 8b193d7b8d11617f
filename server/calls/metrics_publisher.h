// Coalesces metrics:updated events: a tenant whose metrics moved gets at most one event per
// interval, and one within an interval after its last change. Under load one event carries many
// changes. Timer-driven (runtime.h Timers): no thread of its own. Thread-safe.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/calls/runtime.h"

namespace callcontrol::calls {

class MetricsPublisher {
 public:
  // Records one metrics:updated event for each tenant (in no particular order). Runs on a timer
  // thread, or on the caller of Flush(); never inside Moved().
  using Publish = std::function<void(const std::vector<std::string>& tenant_ids)>;

  // `timers` must outlive the publisher.
  MetricsPublisher(Timers* timers, absl::Duration interval, Publish publish)
      : timers_(timers), interval_(interval), publish_(std::move(publish)) {}

  // Notes that `tenant_id`'s metrics moved; its event follows within one interval. Cheap; may be
  // called under the caller's lock.
  void Moved(const std::string& tenant_id);

  // Publishes what is pending now (at shutdown, before the store closes).
  void Flush();

 private:
  Timers* const timers_;
  const absl::Duration interval_;
  const Publish publish_;
  absl::Mutex mu_;
  absl::flat_hash_set<std::string> moved_ ABSL_GUARDED_BY(mu_);
  bool scheduled_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace callcontrol::calls
