// The StreamEvents reactor: replays a tenant's retained events after `since_sequence` from the
// store, then follows live events from the EventBus, with no gap and no duplicate across the
// switch (DESIGN.md "Public API").
//
// Flow control: at most one write in flight; whatever queued meanwhile goes out as one batched
// StreamEventsResponse (concatenated pre-serialized events, no re-encoding). Replay pages are
// read on the reader pool only when the queue has drained. A subscriber with more than
// `queue_limit` events queued is finished with RESOURCE_EXHAUSTED (it resumes with
// since_sequence); the publisher never blocks. Lifetime follows gRPC's callback examples: the
// handler `new`s the reactor, OnDone unsubscribes and deletes it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <grpcpp/grpcpp.h>
#include <boost/asio/thread_pool.hpp>

#include "server/events/event_bus.h"
#include "server/store/store.h"

namespace callcontrol::events {

class EventStreamReactor final : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  struct Options {
    size_t queue_limit = 10000;
    int replay_page = 512;
    size_t max_events_per_write = 512;
    // A write also stops before its events pass this many bytes (always at least one event),
    // so a message stays far under gRPC's default 4 MiB receive limit of clients.
    size_t max_bytes_per_write = 1 << 20;
    // Open streams one tenant may hold; one more is refused RESOURCE_EXHAUSTED.
    size_t max_streams_per_tenant = 1000;
  };

  // Starts the stream. `since_sequence` unset: live events only. `readers` runs store reads.
  EventStreamReactor(EventBus* bus, store::Store* store, boost::asio::thread_pool* readers,
                     std::string tenant_id, std::optional<int64_t> since_sequence,
                     const Options& options);

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

  class State;

 private:
  std::shared_ptr<State> state_;
  EventBus* bus_;
  std::string tenant_id_;
};

}  // namespace callcontrol::events
