// The daemon's implementations of runtime.h: asio thread pools and steady timers.
#pragma once

#include <memory>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "server/calls/runtime.h"

namespace callcontrol::calls {

// Posts to an asio thread pool (which must outlive it). Thread-safe.
class PoolExecutor : public Executor {
 public:
  explicit PoolExecutor(boost::asio::thread_pool* pool) : pool_(pool) {}
  void Post(std::function<void()> task) override;

 private:
  boost::asio::thread_pool* const pool_;
};

// Steady timers whose callbacks run on `pool` (which must outlive them; join it only after
// CancelAll()). Thread-safe.
class PoolTimers : public Timers {
 public:
  explicit PoolTimers(boost::asio::thread_pool* pool) : pool_(pool) {}
  void RunAfter(absl::Duration delay, Callback callback) override;
  void CancelAll() override;

 private:
  boost::asio::thread_pool* const pool_;
  absl::Mutex mu_;
  absl::flat_hash_set<std::shared_ptr<boost::asio::steady_timer>> pending_ ABSL_GUARDED_BY(mu_);
  bool canceled_ ABSL_GUARDED_BY(mu_) = false;
};

// The daemon's CallRuntime over its pools (each must outlive it): timers fire on the provider
// workers.
class PoolRuntime {
 public:
  PoolRuntime(boost::asio::thread_pool* readers, boost::asio::thread_pool* provider_workers,
              boost::asio::thread_pool* clone_workers, boost::asio::thread_pool* durable_answers)
      : readers_(readers),
        provider_workers_(provider_workers),
        clone_workers_(clone_workers),
        durable_answers_(durable_answers),
        timers_(provider_workers) {}
  PoolRuntime(const PoolRuntime&) = delete;
  PoolRuntime& operator=(const PoolRuntime&) = delete;

  CallRuntime runtime() {
    return CallRuntime{&SystemClock(),  &readers_,         &provider_workers_,
                       &clone_workers_, &durable_answers_, &timers_};
  }

 private:
  PoolExecutor readers_;
  PoolExecutor provider_workers_;
  PoolExecutor clone_workers_;
  PoolExecutor durable_answers_;
  PoolTimers timers_;
};

}  // namespace callcontrol::calls
