// FakeCallControlService: an in-memory CallControlService (callback API) for callctl's tests.
// StreamEvents follows a script (how many events each stream sends, in which batches, and how
// it ends) so tests can end a stream with RESOURCE_EXHAUSTED mid-way and check the resume;
// ListCalls pages through a fixed list of calls; GetCall finds them by id. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "callcontrol/v1/call_control_service.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace callcontrol::client::testing {

// How one StreamEvents call behaves.
struct StreamPlan {
  // Events per message.
  int batch_size = 1;
  // Send at most this many of the events after since_sequence; -1 sends them all.
  int max_events = -1;
  // Also resend this many events at or before since_sequence first (a misbehaving server).
  int replay_overlap = 0;
  // Finish with this status after writing; unset keeps the stream open until cancelled.
  std::optional<grpc::Status> end;
};

// Writes its messages one at a time, then finishes or waits for cancellation.
class ScriptedEventStream final : public grpc::ServerWriteReactor<v1::StreamEventsResponse> {
 public:
  ScriptedEventStream(std::vector<v1::StreamEventsResponse> messages,
                      std::optional<grpc::Status> end, std::atomic<int>* idle_streams)
      : messages_(std::move(messages)), end_(std::move(end)), idle_streams_(idle_streams) {
    WriteNext();
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      FinishOnce(grpc::Status::CANCELLED);
      return;
    }
    WriteNext();
  }
  void OnCancel() override { FinishOnce(grpc::Status::CANCELLED); }
  void OnDone() override {
    if (idle_) {
      idle_streams_->fetch_sub(1);
    }
    delete this;
  }

 private:
  void WriteNext() {
    absl::MutexLock lock(&mu_);
    if (finished_) {
      return;
    }
    if (next_ < messages_.size()) {
      StartWrite(&messages_[next_++]);
      return;
    }
    if (end_.has_value()) {
      finished_ = true;
      Finish(*end_);
      return;
    }
    idle_ = true;
    idle_streams_->fetch_add(1);
  }

  void FinishOnce(const grpc::Status& status) {
    absl::MutexLock lock(&mu_);
    if (finished_) {
      return;
    }
    finished_ = true;
    Finish(status);
  }

  std::vector<v1::StreamEventsResponse> messages_;
  const std::optional<grpc::Status> end_;
  std::atomic<int>* idle_streams_;
  absl::Mutex mu_;
  size_t next_ ABSL_GUARDED_BY(mu_) = 0;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool idle_ = false;  // written under mu_, read in OnDone after every other reaction
};

class FakeCallControlService final : public v1::CallControlService::CallbackService {
 public:
  explicit FakeCallControlService(std::vector<v1::Event> log = {}, std::vector<v1::Call> calls = {})
      : log_(std::move(log)), calls_(std::move(calls)) {}

  // Plans are used by successive StreamEvents calls; after the last, streams send everything
  // after since_sequence and stay open.
  void AddPlan(StreamPlan plan) {
    absl::MutexLock lock(&mu_);
    plans_.push_back(std::move(plan));
  }

  // since_sequence of every StreamEvents request so far (nullopt when unset).
  std::vector<std::optional<int64_t>> stream_requests() const {
    absl::MutexLock lock(&mu_);
    return stream_requests_;
  }
  // `authorization` metadata of every request so far ("" when absent).
  std::vector<std::string> authorizations() const {
    absl::MutexLock lock(&mu_);
    return authorizations_;
  }
  // Streams that wrote everything and now wait for cancellation.
  int idle_streams() const { return idle_streams_.load(); }

  grpc::ServerWriteReactor<v1::StreamEventsResponse>* StreamEvents(
      grpc::CallbackServerContext* context, const v1::StreamEventsRequest* request) override {
    StreamPlan plan;
    {
      absl::MutexLock lock(&mu_);
      RecordAuth(context);
      stream_requests_.push_back(request->has_since_sequence()
                                     ? std::optional<int64_t>(request->since_sequence())
                                     : std::nullopt);
      if (stream_number_ < plans_.size()) {
        plan = plans_[stream_number_];
      }
      ++stream_number_;
    }
    std::vector<const v1::Event*> selected;
    if (request->has_since_sequence()) {
      std::vector<const v1::Event*> before;
      for (const v1::Event& e : log_) {
        if (e.sequence() <= request->since_sequence()) {
          before.push_back(&e);
        }
      }
      const size_t overlap = std::min<size_t>(plan.replay_overlap, before.size());
      selected.assign(before.end() - overlap, before.end());
    }
    int sent = 0;
    for (const v1::Event& e : log_) {
      const bool after = !request->has_since_sequence() || e.sequence() > request->since_sequence();
      if (after && (plan.max_events < 0 || sent < plan.max_events)) {
        selected.push_back(&e);
        ++sent;
      }
    }
    std::vector<v1::StreamEventsResponse> messages;
    for (size_t i = 0; i < selected.size(); ++i) {
      if (i % plan.batch_size == 0) {
        messages.emplace_back();
      }
      *messages.back().add_events() = *selected[i];
    }
    return new ScriptedEventStream(std::move(messages), plan.end, &idle_streams_);
  }

  // Pages of `page_size` (default 2); the token is the offset of the next page.
  grpc::ServerUnaryReactor* ListCalls(grpc::CallbackServerContext* context,
                                      const v1::ListCallsRequest* request,
                                      v1::ListCallsResponse* response) override {
    {
      absl::MutexLock lock(&mu_);
      RecordAuth(context);
    }
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    size_t offset = 0;
    if (!request->page_token().empty() && !absl::SimpleAtoi(request->page_token(), &offset)) {
      reactor->Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "bad page_token"));
      return reactor;
    }
    const size_t size = request->page_size() > 0 ? request->page_size() : 2;
    for (size_t i = offset; i < calls_.size() && i < offset + size; ++i) {
      *response->add_calls() = calls_[i];
    }
    if (offset + size < calls_.size()) {
      response->set_next_page_token(absl::StrCat(offset + size));
    }
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

  grpc::ServerUnaryReactor* GetCall(grpc::CallbackServerContext* context,
                                    const v1::GetCallRequest* request,
                                    v1::GetCallResponse* response) override {
    {
      absl::MutexLock lock(&mu_);
      RecordAuth(context);
    }
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    for (const v1::Call& call : calls_) {
      if (call.call_id() == request->call_id() ||
          call.provider_ids().call_sid() == request->call_id()) {
        *response->mutable_call() = call;
        reactor->Finish(grpc::Status::OK);
        return reactor;
      }
    }
    reactor->Finish(grpc::Status(grpc::StatusCode::NOT_FOUND,
                                 absl::StrCat("call ", request->call_id(), " not found")));
    return reactor;
  }

 private:
  void RecordAuth(grpc::CallbackServerContext* context) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto it = context->client_metadata().find("authorization");
    authorizations_.push_back(it == context->client_metadata().end()
                                  ? std::string()
                                  : std::string(it->second.data(), it->second.size()));
  }

  const std::vector<v1::Event> log_;
  const std::vector<v1::Call> calls_;
  std::atomic<int> idle_streams_{0};
  mutable absl::Mutex mu_;
  std::vector<StreamPlan> plans_ ABSL_GUARDED_BY(mu_);
  size_t stream_number_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::optional<int64_t>> stream_requests_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> authorizations_ ABSL_GUARDED_BY(mu_);
};

}  // namespace callcontrol::client::testing
