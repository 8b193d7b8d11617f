// Fans committed events out to live StreamEvents subscribers of their tenant.
//
// The store's writer hands every committed batch to Publish(), which only queues it; the bus's
// own thread delivers events in sequence order. Each event is serialized once (by whoever built
// it) and shared by every subscriber as a refcounted grpc::Slice. Subscribe() returns the last
// sequence handed to subscribers: every event up to it is already durable (readable from the
// store), every later one will reach the new subscriber, which makes replay-then-live gapless.
// Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/support/slice.h>

#include "absl/container/flat_hash_map.h"
#include "server/store/store.h"

namespace callcontrol::events {

// A committed event as it goes on the wire: a serialized StreamEventsResponse holding it.
struct WireEvent {
  int64_t sequence = 0;
  grpc::Slice bytes;
};

// Receives a tenant's live events. Called on the bus thread with no bus lock held; must not
// block.
class Subscriber {
 public:
  virtual ~Subscriber() = default;
  virtual void OnEvents(const std::vector<WireEvent>& events) = 0;
};

class EventBus {
 public:
  // `last_sequence`: the last sequence already in the log at startup.
  explicit EventBus(int64_t last_sequence);
  ~EventBus();
  EventBus(const EventBus&) = delete;
  EventBus& operator=(const EventBus&) = delete;

  // Adds a subscriber of `tenant_id`'s events. Returns the last sequence published before it
  // (see the class comment). The bus keeps only a weak reference.
  int64_t Subscribe(const std::string& tenant_id, const std::shared_ptr<Subscriber>& subscriber);
  void Unsubscribe(const std::string& tenant_id, const Subscriber* subscriber);

  // Declares every event up to `sequence` durable and already delivered (the log as found at
  // startup). Never moves backwards.
  void AdvanceTo(int64_t sequence);

  // Queues committed events (in sequence order) for delivery. Cheap; called by the store writer.
  void Publish(const std::vector<const store::EventRow*>& events);

  // Number of live subscribers (all tenants).
  size_t subscriber_count() const;
  // Number of live subscribers of `tenant_id`.
  size_t subscriber_count(const std::string& tenant_id) const;

  // Delivers what is queued, then stops the thread. Idempotent.
  void Stop();

 private:
  struct Batch {
    std::string tenant_id;
    std::vector<WireEvent> events;
  };
  void Run();

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Batch> queue_;
  bool stopping_ = false;
  int64_t published_through_;
  absl::flat_hash_map<std::string, std::vector<std::weak_ptr<Subscriber>>> subscribers_;
  std::thread thread_;
};

}  // namespace callcontrol::events
