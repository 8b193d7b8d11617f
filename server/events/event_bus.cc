#include "server/events/event_bus.h"

#include <algorithm>

#include "common/thread_name.h"

namespace callcontrol::events {

EventBus::EventBus(int64_t last_sequence)
    : published_through_(last_sequence), thread_([this] {
        SetCurrentThreadName("event-bus");
        Run();
      }) {}

EventBus::~EventBus() { Stop(); }

int64_t EventBus::Subscribe(const std::string& tenant_id,
                            const std::shared_ptr<Subscriber>& subscriber) {
  std::lock_guard lock(mu_);
  subscribers_[tenant_id].push_back(subscriber);
  return published_through_;
}

void EventBus::Unsubscribe(const std::string& tenant_id, const Subscriber* subscriber) {
  std::lock_guard lock(mu_);
  auto it = subscribers_.find(tenant_id);
  if (it == subscribers_.end()) return;
  auto& list = it->second;
  list.erase(std::remove_if(list.begin(), list.end(),
                            [subscriber](const std::weak_ptr<Subscriber>& w) {
                              auto s = w.lock();
                              return s == nullptr || s.get() == subscriber;
                            }),
             list.end());
  if (list.empty()) subscribers_.erase(it);
}

size_t EventBus::subscriber_count() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& [tenant, list] : subscribers_) n += list.size();
  return n;
}

size_t EventBus::subscriber_count(const std::string& tenant_id) const {
  std::lock_guard lock(mu_);
  auto it = subscribers_.find(tenant_id);
  return it == subscribers_.end() ? 0 : it->second.size();
}

void EventBus::AdvanceTo(int64_t sequence) {
  std::lock_guard lock(mu_);
  published_through_ = std::max(published_through_, sequence);
}

void EventBus::Publish(const std::vector<const store::EventRow*>& events) {
  // Group consecutive events of one tenant; copy bytes into refcounted slices once.
  std::vector<Batch> batches;
  for (const store::EventRow* e : events) {
    if (batches.empty() || batches.back().tenant_id != e->tenant_id) {
      batches.push_back(Batch{e->tenant_id, {}});
    }
    batches.back().events.push_back(WireEvent{e->sequence, grpc::Slice(e->data)});
  }
  {
    std::lock_guard lock(mu_);
    for (auto& b : batches) queue_.push_back(std::move(b));
  }
  cv_.notify_one();
}

void EventBus::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void EventBus::Run() {
  std::vector<std::shared_ptr<Subscriber>> targets;
  for (;;) {
    Batch batch;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      batch = std::move(queue_.front());
      queue_.pop_front();
      // Advancing published_through_ and taking the subscriber list under one lock is what
      // makes Subscribe() gapless: a subscriber added after this point sees a
      // published_through_ that includes this batch (it will replay it from the store).
      published_through_ = std::max(published_through_, batch.events.back().sequence);
      targets.clear();
      auto it = subscribers_.find(batch.tenant_id);
      if (it != subscribers_.end()) {
        for (const auto& w : it->second) {
          if (auto s = w.lock()) targets.push_back(std::move(s));
        }
      }
    }
    for (const auto& s : targets) s->OnEvents(batch.events);
  }
}

}  // namespace callcontrol::events
