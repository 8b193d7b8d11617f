#include "server/events/event_stream_reactor.h"

#include <boost/asio/post.hpp>
#include <deque>
#include <mutex>
#include <vector>

#include "common/logging.h"

namespace callcontrol::events {

namespace {

const std::shared_ptr<spdlog::logger>& Logger() {
  static const std::shared_ptr<spdlog::logger> logger = logging::Get("events");
  return logger;
}

}  // namespace

// Shared between the reactor, the bus (as Subscriber) and replay tasks on the reader pool. All
// access to the reactor goes through here under mu_, and OnDone clears reactor_, so nothing
// touches a deleted reactor. mu_ is recursive because gRPC may run a reaction inline.
class EventStreamReactor::State final : public Subscriber,
                                        public std::enable_shared_from_this<State> {
 public:
  State(EventStreamReactor* reactor, store::Store* store, boost::asio::thread_pool* readers,
        std::string tenant_id, const Options& options)
      : reactor_(reactor),
        store_(store),
        readers_(readers),
        tenant_id_(std::move(tenant_id)),
        options_(options) {}

  // Decides replay or live once the bus returned the last published sequence.
  void Begin(std::optional<int64_t> since, int64_t published_through) {
    std::lock_guard lock(mu_);
    begun_ = true;
    if (since.has_value() && *since < 0) {
      return FinishLocked(
          grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "since_sequence must be >= 0"));
    }
    const int64_t oldest = store_->oldest_sequence();
    if (since.has_value() && oldest > 0 && *since < oldest - 1) {
      return FinishLocked(grpc::Status(
          grpc::StatusCode::OUT_OF_RANGE,
          "since_sequence " + std::to_string(*since) + " is older than the retained log (oldest " +
              std::to_string(oldest) + "); re-read state with ListCalls and stream without it"));
    }
    if (since.has_value() && *since < published_through) {
      replay_cursor_ = *since;
      replay_up_to_ = published_through;
      skip_through_ = *since;
      ScheduleReplayLocked();
      return;
    }
    // Live only: events up to `published_through` (or up to `since`, if it is ahead) are not
    // wanted; anything buffered since Subscribe() that is newer goes out now.
    GoLiveLocked(since.has_value() ? std::max(*since, published_through) : published_through);
    KickLocked();
  }

  void OnEvents(const std::vector<WireEvent>& events) override {
    std::lock_guard lock(mu_);
    if (finished_) return;
    for (const auto& e : events) {
      if (e.sequence <= skip_through_) continue;
      (replaying_ ? live_while_replaying_ : queue_).push_back(e);
    }
    if (queue_.size() + live_while_replaying_.size() > options_.queue_limit) {
      return FinishLocked(grpc::Status(
          grpc::StatusCode::RESOURCE_EXHAUSTED,
          "subscriber too slow: more than " + std::to_string(options_.queue_limit) +
              " events queued; resume with since_sequence=" + std::to_string(last_written_)));
    }
    KickLocked();
  }

  void WriteDone(bool ok) {
    std::lock_guard lock(mu_);
    writing_ = false;
    if (!ok) return FinishLocked(grpc::Status(grpc::StatusCode::UNAVAILABLE, "write failed"));
    KickLocked();
  }

  void Cancel() {
    std::lock_guard lock(mu_);
    FinishLocked(grpc::Status::CANCELLED);
  }

  void Done() {
    std::lock_guard lock(mu_);
    finished_ = true;
    reactor_ = nullptr;
  }

 private:
  void FinishLocked(grpc::Status status) {
    if (finished_) return;
    finished_ = true;
    queue_.clear();
    live_while_replaying_.clear();
    if (reactor_ != nullptr) reactor_->Finish(std::move(status));
  }

  // Starts the next write, or the next replay read when the queue is empty.
  void KickLocked() {
    if (!begun_ || finished_ || writing_ || reactor_ == nullptr) return;
    if (queue_.empty()) {
      if (replaying_) ScheduleReplayLocked();
      return;
    }
    const size_t n = std::min(queue_.size(), options_.max_events_per_write);
    std::vector<grpc::Slice> slices;
    slices.reserve(n);
    size_t bytes = 0;
    for (size_t i = 0; i < n; ++i) {
      const size_t size = queue_.front().bytes.size();
      if (i > 0 && bytes + size > options_.max_bytes_per_write) break;
      bytes += size;
      slices.push_back(std::move(queue_.front().bytes));
      last_written_ = queue_.front().sequence;
      queue_.pop_front();
    }
    // Concatenated StreamEventsResponse encodings are one StreamEventsResponse whose `events`
    // holds them all (protobuf merges repeated fields), so no re-encoding is needed.
    in_flight_ = grpc::ByteBuffer(slices.data(), slices.size());
    writing_ = true;
    reactor_->StartWrite(&in_flight_);
  }

  // Ends the replay phase: live events after `through` are queued in order from now on.
  void GoLiveLocked(int64_t through) {
    replaying_ = false;
    skip_through_ = std::max(skip_through_, through);
    for (auto& e : live_while_replaying_) {
      if (e.sequence > skip_through_) queue_.push_back(std::move(e));
    }
    live_while_replaying_.clear();
  }

  void ScheduleReplayLocked() {
    if (replay_read_in_flight_ || finished_) return;
    replay_read_in_flight_ = true;
    boost::asio::post(*readers_, [self = shared_from_this()] { self->ReadReplayPage(); });
  }

  // Runs on the reader pool.
  void ReadReplayPage() {
    int64_t cursor;
    int64_t up_to;
    {
      std::lock_guard lock(mu_);
      if (finished_) return;
      cursor = replay_cursor_;
      up_to = replay_up_to_;
    }
    auto page = store_->ReadEvents(tenant_id_, cursor, up_to, options_.replay_page);
    std::lock_guard lock(mu_);
    replay_read_in_flight_ = false;
    if (finished_) return;
    if (!page.ok()) {
      Logger()->warn("replay read failed tenant={} error={}", tenant_id_, page.status().message());
      return FinishLocked(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                       "cannot read the event log; resume with since_sequence=" +
                                           std::to_string(last_written_)));
    }
    for (auto& row : *page) {
      queue_.push_back(WireEvent{row.sequence, grpc::Slice(row.data)});
      replay_cursor_ = row.sequence;
    }
    if (static_cast<int>(page->size()) < options_.replay_page || replay_cursor_ >= up_to) {
      // Everything up to replay_up_to_ is queued; live events all come after it.
      GoLiveLocked(replay_up_to_);
    }
    KickLocked();
  }

  std::recursive_mutex mu_;
  EventStreamReactor* reactor_;
  store::Store* const store_;
  boost::asio::thread_pool* const readers_;
  const std::string tenant_id_;
  const Options options_;

  std::deque<WireEvent> queue_;
  std::deque<WireEvent> live_while_replaying_;
  grpc::ByteBuffer in_flight_;
  bool begun_ = false;  // Begin() ran; until then live events are only buffered
  bool writing_ = false;
  bool finished_ = false;
  bool replaying_ = true;  // until Begin() or the replay decides the stream is live
  bool replay_read_in_flight_ = false;
  int64_t replay_cursor_ = 0;
  int64_t replay_up_to_ = 0;
  int64_t skip_through_ = 0;  // live events at or below this were or will be replayed
  int64_t last_written_ = 0;
};

EventStreamReactor::EventStreamReactor(EventBus* bus, store::Store* store,
                                       boost::asio::thread_pool* readers, std::string tenant_id,
                                       std::optional<int64_t> since_sequence,
                                       const Options& options)
    : state_(std::make_shared<State>(this, store, readers, tenant_id, options)),
      bus_(bus),
      tenant_id_(std::move(tenant_id)) {
  // Send the initial metadata now so a client sees the stream open before the first event.
  StartSendInitialMetadata();
  const int64_t published_through = bus_->Subscribe(tenant_id_, state_);
  state_->Begin(since_sequence, published_through);
}

void EventStreamReactor::OnWriteDone(bool ok) { state_->WriteDone(ok); }

void EventStreamReactor::OnCancel() { state_->Cancel(); }

void EventStreamReactor::OnDone() {
  bus_->Unsubscribe(tenant_id_, state_.get());
  state_->Done();
  delete this;
}

}  // namespace callcontrol::events
