#include "server/calls/asio_runtime.h"

#include <utility>

#include <boost/asio/post.hpp>

#include "absl/time/clock.h"

namespace callcontrol::calls {
namespace {

class SystemClockImpl : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

}  // namespace

const Clock& SystemClock() {
  static const SystemClockImpl clock;
  return clock;
}

void PoolExecutor::Post(std::function<void()> task) { boost::asio::post(*pool_, std::move(task)); }

void PoolTimers::RunAfter(absl::Duration delay, Callback callback) {
  auto timer = std::make_shared<boost::asio::steady_timer>(
      *pool_, absl::ToChronoMicroseconds(std::max(delay, absl::ZeroDuration())));
  {
    absl::MutexLock lock(&mu_);
    if (!canceled_) {
      pending_.insert(timer);
      timer->async_wait(
          [this, timer, callback = std::move(callback)](const boost::system::error_code& error) {
            {
              absl::MutexLock lock(&mu_);
              pending_.erase(timer);
            }
            callback(error ? absl::CancelledError("timers canceled") : absl::OkStatus());
          });
      return;
    }
  }
  boost::asio::post(*pool_, [callback = std::move(callback)] {
    callback(absl::CancelledError("timers canceled"));
  });
}

void PoolTimers::CancelAll() {
  absl::MutexLock lock(&mu_);
  canceled_ = true;
  for (const auto& timer : pending_) timer->cancel();
}

}  // namespace callcontrol::calls
