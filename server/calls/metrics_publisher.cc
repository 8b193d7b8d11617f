#include "server/calls/metrics_publisher.h"

#include <utility>

namespace callcontrol::calls {

void MetricsPublisher::Moved(const std::string& tenant_id) {
  absl::MutexLock lock(&mu_);
  moved_.insert(tenant_id);
  if (scheduled_) return;
  scheduled_ = true;
  // Cancelled at shutdown: publish anyway, the store is still open then.
  timers_->RunAfter(interval_, [this](const absl::Status&) { Flush(); });
}

void MetricsPublisher::Flush() {
  std::vector<std::string> tenants;
  {
    absl::MutexLock lock(&mu_);
    tenants.assign(moved_.begin(), moved_.end());
    moved_.clear();
    scheduled_ = false;
  }
  if (!tenants.empty()) publish_(tenants);
}

}  // namespace callcontrol::calls
