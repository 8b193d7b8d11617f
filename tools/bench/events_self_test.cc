#include "tools/bench/events_self_test.h"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "callcontrol/v1/call_control_service.grpc.pb.h"
#include "common/status_macros.h"
#include "grpcpp/grpcpp.h"
#include "tools/bench/event_subscribers.h"

namespace callcontrol::bench {
namespace {

constexpr char kApiKey[] = "selftest-key";
constexpr int64_t kLogSize = 300;    // events 1..300
constexpr int64_t kFirstPart = 100;  // a first stream sends 1..100, then RESOURCE_EXHAUSTED
constexpr int kBatch = 3;            // resumed streams batch 3 events per message

// Writes events (since, last] stamped with the write time, then finishes or stays open.
class SelfTestStream final : public grpc::ServerWriteReactor<v1::StreamEventsResponse> {
 public:
  SelfTestStream(int64_t after, int64_t last, int batch, std::optional<grpc::Status> end)
      : next_(after + 1), last_(last), batch_(batch), end_(std::move(end)) {
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
  void OnDone() override { delete this; }

 private:
  void WriteNext() {
    absl::MutexLock lock(&mu_);
    if (finished_) {
      return;
    }
    if (next_ <= last_) {
      response_.Clear();
      const absl::Time now = absl::Now();
      for (int i = 0; i < batch_ && next_ <= last_; ++i, ++next_) {
        v1::Event* e = response_.add_events();
        e->set_sequence(next_);
        e->set_type(next_ % 2 == 0 ? v1::EVENT_TYPE_CALL_UPDATED : v1::EVENT_TYPE_METRICS_UPDATED);
        e->mutable_create_time()->set_seconds(absl::ToUnixSeconds(now));
        e->mutable_create_time()->set_nanos(static_cast<int32_t>(
            absl::ToInt64Nanoseconds(now - absl::FromUnixSeconds(absl::ToUnixSeconds(now)))));
      }
      StartWrite(&response_);
      return;
    }
    if (end_.has_value()) {
      finished_ = true;
      Finish(*end_);
    }
  }
  void FinishOnce(const grpc::Status& status) {
    absl::MutexLock lock(&mu_);
    if (!finished_) {
      finished_ = true;
      Finish(status);
    }
  }

  absl::Mutex mu_;
  int64_t next_ ABSL_GUARDED_BY(mu_);
  const int64_t last_;
  const int batch_;
  const std::optional<grpc::Status> end_;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  v1::StreamEventsResponse response_;
};

class SelfTestService final : public v1::CallControlService::CallbackService {
 public:
  grpc::ServerWriteReactor<v1::StreamEventsResponse>* StreamEvents(
      grpc::CallbackServerContext* context, const v1::StreamEventsRequest* request) override {
    auto auth = context->client_metadata().find("authorization");
    const bool authorized = auth != context->client_metadata().end() &&
                            auth->second == absl::StrCat("Bearer ", kApiKey);
    {
      absl::MutexLock lock(&mu_);
      since_values_.push_back(request->has_since_sequence() ? request->since_sequence() : -1);
    }
    if (!authorized) {
      return new SelfTestStream(0, 0, 1,
                                grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "bad API key"));
    }
    if (!request->has_since_sequence()) {
      return new SelfTestStream(
          0, kFirstPart, 1,
          grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "subscriber fell behind"));
    }
    return new SelfTestStream(request->since_sequence(), kLogSize, kBatch, std::nullopt);
  }

  // since_sequence of each request so far (-1: unset).
  std::vector<int64_t> since_values() {
    absl::MutexLock lock(&mu_);
    return since_values_;
  }

 private:
  absl::Mutex mu_;
  std::vector<int64_t> since_values_ ABSL_GUARDED_BY(mu_);
};

absl::Status Expect(bool condition, const std::string& what) {
  return condition ? absl::OkStatus() : absl::InternalError("self-test failed: " + what);
}

}  // namespace

absl::Status RunEventsSelfTest(std::ostream& log) {
  SelfTestService service;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return absl::InternalError("self-test: cannot start the gRPC server");
  }
  auto shutdown = [&server] {
    server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    server->Wait();
  };

  EventsBenchOptions options;
  options.server = absl::StrCat("127.0.0.1:", port);
  options.api_key = kApiKey;
  options.subscribers = 8;
  options.channels = 2;
  options.duration = absl::Seconds(1);
  options.resubscribe_delay = absl::Milliseconds(10);
  absl::StatusOr<EventsBenchReport> report = RunEventsBench(options, &log);
  if (!report.ok()) {
    shutdown();
    return report.status();
  }
  log << FormatEventsReport(*report);
  const std::vector<int64_t> since = service.since_values();
  absl::Status status = [&]() -> absl::Status {
    RETURN_IF_ERROR(
        Expect(report->events == 8 * kLogSize,
               absl::StrCat("received ", report->events, " events, expected ", 8 * kLogSize)));
    RETURN_IF_ERROR(
        Expect(report->min_per_subscriber == kLogSize && report->max_per_subscriber == kLogSize,
               "a subscriber missed events"));
    RETURN_IF_ERROR(Expect(report->duplicates == 0, "duplicates counted"));
    RETURN_IF_ERROR(Expect(report->latency.count() == report->events, "an event was not timed"));
    RETURN_IF_ERROR(Expect(report->resubscribes == 8 && report->streams_opened == 16,
                           "expected one resume per subscriber"));
    RETURN_IF_ERROR(Expect(report->stream_endings.size() == 1 &&
                               report->stream_endings.begin()->first == "RESOURCE_EXHAUSTED" &&
                               report->stream_endings.begin()->second == 8,
                           "expected 8 RESOURCE_EXHAUSTED endings"));
    int first = 0;
    int resumed = 0;
    for (int64_t s : since) {
      first += s == -1;
      resumed += s == kFirstPart;
    }
    RETURN_IF_ERROR(Expect(first == 8 && resumed == 8 && since.size() == 16,
                           "resumed streams did not ask for since_sequence=100"));
    RETURN_IF_ERROR(Expect(report->latency.max() < absl::Seconds(1), "latency above 1 s"));
    return absl::OkStatus();
  }();
  if (!status.ok()) {
    shutdown();
    return status;
  }
  log << "self-test: resume after RESOURCE_EXHAUSTED OK (every event once, each timed)\n";

  // A wrong API key: every stream fails for good, so the run fails with that status.
  options.api_key = "wrong";
  options.duration = absl::Seconds(5);
  report = RunEventsBench(options, nullptr);
  shutdown();
  RETURN_IF_ERROR(Expect(
      report.status().code() == absl::StatusCode::kUnauthenticated,
      "a wrong API key did not end the run with UNAUTHENTICATED: " + report.status().ToString()));
  log << "self-test: wrong API key OK (" << report.status() << ")\n";
  return absl::OkStatus();
}

}  // namespace callcontrol::bench
