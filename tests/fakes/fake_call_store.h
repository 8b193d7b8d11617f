// An in-memory store::CallStore for unit tests of the call domain. Submit only queues; the test
// commits with CommitAll(), which writes the queued mutations, tells the commit listener the
// last sequence (as store::Store does on its writer thread) and then runs their `done`
// callbacks, all on the test's thread. So a test can hold a change "written but not yet
// durable" for as long as it likes. Not thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "server/calls/call_state_machine.h"
#include "server/calls/call_status.h"
#include "server/store/call_store.h"

namespace callcontrol::testing {

class FakeCallStore : public store::CallStore {
 public:
  // Gets the last event sequence of each commit.
  using CommitListener = std::function<void(int64_t last_sequence)>;
  void SetCommitListener(CommitListener listener) { listener_ = std::move(listener); }

  // Puts a call on "disk" before Load (a previous run's), with its serialized progress.
  void Seed(const v1::Call& call, const std::string& request_hash = "",
            const std::string& progress = "") {
    Row& row = calls_[call.call_id()];
    row.call = call;
    row.request_hash = request_hash;
    row.progress = progress;
    Index(call);
  }
  void SeedSequence(int64_t last_sequence) { last_sequence_ = last_sequence; }

  absl::StatusOr<store::LoadedState> Load() override {
    store::LoadedState state;
    state.last_sequence = last_sequence_;
    for (const auto& [id, row] : calls_) {
      if (calls::IsTerminal(row.call.status())) continue;
      state.active_calls.push_back(row.call);
      state.request_hashes.push_back(row.request_hash);
      state.progress.push_back(row.progress);
    }
    for (const auto& [key, sample] : samples_) {
      state.sample_sizes.push_back(
          {sample.tenant_id, sample.caller_number, static_cast<int64_t>(sample.audio.size())});
    }
    return state;
  }

  bool writable() const override { return writable_; }
  // What writable() answers (a full disk: false).
  void SetWritable(bool writable) { writable_ = writable; }

  void Submit(store::Mutation mutation, Done done) override {
    queue_.push_back({std::move(mutation), std::move(done)});
  }

  // Commits every queued mutation as one transaction (and those their callbacks queue, as
  // further transactions). Returns how many were committed.
  size_t CommitAll() {
    size_t committed = 0;
    while (!queue_.empty()) {
      std::deque<Pending> batch;
      batch.swap(queue_);
      int64_t last = 0;
      for (Pending& p : batch) {
        if (p.mutation.call.has_value()) {
          const store::CallRow& r = *p.mutation.call;
          Row& row = calls_[r.call_id];
          row.call.ParseFromString(r.data);
          row.request_hash = r.request_hash;
          row.progress = r.progress;
          Index(row.call);
        }
        for (const store::EventRow& e : p.mutation.events) {
          events_.push_back(e);
          last = e.sequence;
        }
        if (p.mutation.sample.has_value()) {
          samples_[p.mutation.sample->tenant_id + "/" + p.mutation.sample->caller_number] =
              *p.mutation.sample;
        }
      }
      committed += batch.size();
      if (listener_ && last > 0) listener_(last);
      for (Pending& p : batch) {
        if (p.done) p.done(absl::OkStatus());
      }
    }
    return committed;
  }

  absl::StatusOr<std::optional<v1::Call>> FindCall(const std::string& tenant_id,
                                                   const std::string& id) override {
    ++reads_;
    // Provider ids are scoped by tenant, as in the real store.
    auto alias = aliases_.find(tenant_id + '\0' + id);
    auto it = calls_.find(alias != aliases_.end() ? alias->second : id);
    if (it == calls_.end()) return std::optional<v1::Call>();
    return std::optional<v1::Call>(it->second.call);
  }

  absl::StatusOr<std::optional<std::pair<v1::Call, std::string>>> FindByIdempotencyKey(
      const std::string& tenant_id, const std::string& key) override {
    ++reads_;
    for (const auto& [id, row] : calls_) {
      if (row.call.tenant_id() == tenant_id && row.call.idempotency_key() == key) {
        return std::optional<std::pair<v1::Call, std::string>>(
            std::make_pair(row.call, row.request_hash));
      }
    }
    return std::optional<std::pair<v1::Call, std::string>>();
  }

  absl::StatusOr<std::optional<store::SampleRow>> ReadSample(
      const std::string& tenant_id, const std::string& caller_number) override {
    ++reads_;
    auto it = samples_.find(tenant_id + "/" + caller_number);
    if (it == samples_.end()) return std::optional<store::SampleRow>();
    return std::optional<store::SampleRow>(it->second);
  }

  absl::StatusOr<std::vector<v1::Call>> ListCalls(const store::ListQuery& query) override {
    ++reads_;
    std::vector<v1::Call> out;
    for (auto it = calls_.rbegin(); it != calls_.rend(); ++it) {  // call ids sort by time
      const v1::Call& call = it->second.call;
      const int64_t created_us =
          call.create_time().seconds() * 1'000'000 + call.create_time().nanos() / 1000;
      if (call.tenant_id() == query.tenant_id && created_us >= query.start_us &&
          created_us < query.end_us) {
        out.push_back(call);
      }
      if (static_cast<int>(out.size()) >= query.limit) break;
    }
    return out;
  }

  // The committed state of `call_id` (nullopt if never committed).
  std::optional<v1::Call> committed(const std::string& call_id) const {
    auto it = calls_.find(call_id);
    if (it == calls_.end()) return std::nullopt;
    return it->second.call;
  }
  const std::vector<store::EventRow>& events() const { return events_; }
  size_t queued() const { return queue_.size(); }
  int reads() const { return reads_; }

 private:
  struct Row {
    v1::Call call;
    std::string request_hash;
    std::string progress;
  };
  struct Pending {
    store::Mutation mutation;
    Done done;
  };
  void Index(const v1::Call& call) {
    const v1::ProviderIds& ids = call.provider_ids();
    for (const std::string* id :
         {&ids.call_sid(), &ids.call_control_id(), &ids.call_leg_id(), &ids.execution_id()}) {
      if (!id->empty()) aliases_[call.tenant_id() + '\0' + *id] = call.call_id();
    }
  }

  bool writable_ = true;
  CommitListener listener_;
  std::map<std::string, Row> calls_;                       // by call id
  absl::flat_hash_map<std::string, std::string> aliases_;  // tenant '\0' provider id -> call id
  absl::flat_hash_map<std::string, store::SampleRow> samples_;
  std::vector<store::EventRow> events_;
  std::deque<Pending> queue_;
  int64_t last_sequence_ = 0;
  int reads_ = 0;
};

}  // namespace callcontrol::testing
