#include "tools/bench/event_subscribers.h"

#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "callcontrol/v1/call_control_service.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace callcontrol::bench {
namespace {

// What one subscriber saw over all its streams. Touched only by its current stream's
// reactions (one at a time), read by the main thread after every stream is done.
struct SubscriberStats {
  int64_t events = 0;
  int64_t messages = 0;
  int64_t call_created = 0;
  int64_t call_updated = 0;
  int64_t metrics_updated = 0;
  int64_t duplicates = 0;
  int64_t replayed = 0;
  std::optional<int64_t> last_sequence;
  LatencyHistogram latency;
};

absl::Time FromProto(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

std::string CodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

bool IsRetryable(grpc::StatusCode code) {
  return code == grpc::StatusCode::OK || code == grpc::StatusCode::UNAVAILABLE ||
         code == grpc::StatusCode::RESOURCE_EXHAUSTED || code == grpc::StatusCode::OUT_OF_RANGE;
}

class Bench;

class SubscriberStream final : public grpc::ClientReadReactor<v1::StreamEventsResponse> {
 public:
  SubscriberStream(Bench* bench, int index, SubscriberStats* stats, absl::Time run_start)
      : bench_(bench), index_(index), stats_(stats), run_start_(run_start) {}

  void Begin(v1::CallControlService::Stub* stub, const std::string& api_key,
             std::optional<int64_t> since) {
    if (!api_key.empty()) {
      context_.AddMetadata("authorization", absl::StrCat("Bearer ", api_key));
    }
    if (since.has_value()) {
      request_.set_since_sequence(*since);
    }
    stub->async()->StreamEvents(&context_, &request_, this);
    StartRead(&response_);
    StartCall();
  }

  void Cancel() { context_.TryCancel(); }

  void OnReadDone(bool ok) override {
    if (!ok) {
      return;  // OnDone follows
    }
    const absl::Time now = absl::Now();
    SubscriberStats& s = *stats_;
    ++s.messages;
    for (const v1::Event& event : response_.events()) {
      if (s.last_sequence.has_value() && event.sequence() <= *s.last_sequence) {
        ++s.duplicates;
        continue;
      }
      s.last_sequence = event.sequence();
      ++s.events;
      switch (event.type()) {
        case v1::EVENT_TYPE_CALL_CREATED:
          ++s.call_created;
          break;
        case v1::EVENT_TYPE_CALL_UPDATED:
          ++s.call_updated;
          break;
        case v1::EVENT_TYPE_METRICS_UPDATED:
          ++s.metrics_updated;
          break;
        default:
          break;
      }
      const absl::Time created = FromProto(event.create_time());
      if (created < run_start_) {
        ++s.replayed;
      } else {
        s.latency.Record(now - created);
      }
    }
    StartRead(&response_);
  }

  void OnDone(const grpc::Status& status) override;

 private:
  Bench* const bench_;
  const int index_;
  SubscriberStats* const stats_;
  const absl::Time run_start_;
  grpc::ClientContext context_;
  v1::StreamEventsRequest request_;
  v1::StreamEventsResponse response_;
};

class Bench {
 public:
  explicit Bench(const EventsBenchOptions& options) : options_(options) {
    for (int c = 0; c < options.channels; ++c) {
      grpc::ChannelArguments args;
      // One TCP connection per channel: no sharing of subchannels between them.
      args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
      args.SetInt("callcontrol.bench_channel", c);
      stubs_.push_back(v1::CallControlService::NewStub(
          grpc::CreateCustomChannel(options.server, grpc::InsecureChannelCredentials(), args)));
    }
    stats_.resize(options.subscribers);
  }

  absl::StatusOr<EventsBenchReport> Run(std::ostream* progress) {
    run_start_ = absl::Now();
    const absl::Time end = run_start_ + options_.duration;
    for (int i = 0; i < options_.subscribers; ++i) {
      StartStream(i, options_.since_sequence);
    }
    if (progress != nullptr) {
      *progress << "events_bench: " << options_.subscribers << " subscribers started on "
                << options_.channels << " channel(s) to " << options_.server << std::endl;
    }
    // Reopen ended streams until the window closes (or every subscriber failed for good).
    while (true) {
      std::vector<int> due;
      {
        absl::MutexLock lock(&mu_);
        auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
          return !restarts_.empty() || permanent_failures_ == options_.subscribers;
        };
        mu_.AwaitWithDeadline(absl::Condition(&ready), end);
        if (absl::Now() >= end || permanent_failures_ == options_.subscribers) {
          break;
        }
        const absl::Time now = absl::Now();
        for (auto it = restarts_.begin(); it != restarts_.end();) {
          if (it->second <= now) {
            due.push_back(it->first);
            it = restarts_.erase(it);
          } else {
            ++it;
          }
        }
        if (due.empty()) {
          // Only restarts in the future: sleep until the earliest (or the end).
          absl::Time earliest = end;
          for (const auto& r : restarts_) {
            earliest = std::min(earliest, r.second);
          }
          mu_.Unlock();
          absl::SleepFor(std::min(earliest, end) - absl::Now());
          mu_.Lock();
        }
      }
      for (int index : due) {
        ++resubscribes_;
        StartStream(index, stats_[index].last_sequence.has_value() ? stats_[index].last_sequence
                                                                   : options_.since_sequence);
      }
    }
    const absl::Duration window = absl::Now() - run_start_;
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
      for (SubscriberStream* stream : active_) {
        stream->Cancel();
      }
      auto all_done = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return active_.empty(); };
      if (!mu_.AwaitWithTimeout(absl::Condition(&all_done), absl::Seconds(10))) {
        return absl::DeadlineExceededError("streams did not end within 10 s of cancellation");
      }
      if (permanent_failures_ == options_.subscribers) {
        return first_permanent_error_;
      }
    }
    return MakeReport(window);
  }

  // Called from a reactor's OnDone.
  void StreamDone(SubscriberStream* stream, int index, const grpc::Status& status) {
    absl::MutexLock lock(&mu_);
    active_.erase(std::find(active_.begin(), active_.end(), stream));
    if (stopping_) {
      return;
    }
    ++stream_endings_[CodeName(status.error_code())];
    if (IsRetryable(status.error_code()) || status.error_code() == grpc::StatusCode::CANCELLED) {
      if (status.error_code() == grpc::StatusCode::OUT_OF_RANGE) {
        stats_[index].last_sequence.reset();  // too old: start again with live events
      }
      restarts_.emplace_back(index, absl::Now() + options_.resubscribe_delay);
      return;
    }
    if (++permanent_failures_ == 1) {
      first_permanent_error_ =
          absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                       absl::StrCat("StreamEvents failed: ", status.error_message()));
    }
  }

 private:
  void StartStream(int index, std::optional<int64_t> since) {
    auto* stream = new SubscriberStream(this, index, &stats_[index], run_start_);
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) {
        delete stream;
        return;
      }
      active_.push_back(stream);
      ++streams_opened_;
    }
    stream->Begin(stubs_[index % stubs_.size()].get(), options_.api_key, since);
  }

  EventsBenchReport MakeReport(absl::Duration window) {
    EventsBenchReport r;
    r.subscribers = options_.subscribers;
    r.channels = options_.channels;
    r.window = window;
    r.min_per_subscriber = INT64_MAX;
    for (const SubscriberStats& s : stats_) {
      r.events += s.events;
      r.messages += s.messages;
      r.call_created += s.call_created;
      r.call_updated += s.call_updated;
      r.metrics_updated += s.metrics_updated;
      r.duplicates += s.duplicates;
      r.replayed += s.replayed;
      r.latency.Merge(s.latency);
      r.min_per_subscriber = std::min(r.min_per_subscriber, s.events);
      r.max_per_subscriber = std::max(r.max_per_subscriber, s.events);
    }
    if (stats_.empty()) {
      r.min_per_subscriber = 0;
    }
    r.mean_per_subscriber = stats_.empty() ? 0 : static_cast<double>(r.events) / stats_.size();
    absl::MutexLock lock(&mu_);
    r.streams_opened = streams_opened_;
    r.resubscribes = resubscribes_;
    r.stream_endings = stream_endings_;
    return r;
  }

  const EventsBenchOptions options_;
  std::vector<std::unique_ptr<v1::CallControlService::Stub>> stubs_;
  std::vector<SubscriberStats> stats_;
  absl::Time run_start_;
  int64_t resubscribes_ = 0;  // main thread only

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<SubscriberStream*> active_ ABSL_GUARDED_BY(mu_);
  std::vector<std::pair<int, absl::Time>> restarts_ ABSL_GUARDED_BY(mu_);
  int64_t streams_opened_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, int64_t> stream_endings_ ABSL_GUARDED_BY(mu_);
  int permanent_failures_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status first_permanent_error_ ABSL_GUARDED_BY(mu_);
};

void SubscriberStream::OnDone(const grpc::Status& status) {
  bench_->StreamDone(this, index_, status);
  delete this;
}

std::string Ms(absl::Duration d) {
  return absl::StrFormat("%.3f ms", absl::ToDoubleMilliseconds(d));
}

}  // namespace

double EventsBenchReport::events_per_second() const {
  const double s = absl::ToDoubleSeconds(window);
  return s > 0 ? events / s : 0;
}

absl::StatusOr<EventsBenchReport> RunEventsBench(const EventsBenchOptions& options,
                                                 std::ostream* progress) {
  if (options.subscribers < 1 || options.channels < 1) {
    return absl::InvalidArgumentError("--subscribers and --channels must be at least 1");
  }
  if (options.duration <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--duration must be positive");
  }
  EventsBenchOptions adjusted = options;
  adjusted.channels = std::min(options.channels, options.subscribers);
  auto bench = std::make_unique<Bench>(adjusted);
  absl::StatusOr<EventsBenchReport> report = bench->Run(progress);
  if (report.status().code() == absl::StatusCode::kDeadlineExceeded) {
    // Some reactor may still call into it: never free it (the process is about to exit).
    bench.release();
  }
  return report;
}

std::string FormatEventsReport(const EventsBenchReport& r) {
  std::string out = absl::StrCat("events_bench: ", r.subscribers, " subscribers on ", r.channels,
                                 " channel(s), ", absl::FormatDuration(r.window), "\n");
  absl::StrAppend(&out, absl::StrFormat("  events received    %d (%.0f/s over all subscribers; "
                                        "%d messages)\n",
                                        r.events, r.events_per_second(), r.messages));
  absl::StrAppend(&out, absl::StrFormat("  by type            call:created %d, call:updated %d, "
                                        "metrics:updated %d\n",
                                        r.call_created, r.call_updated, r.metrics_updated));
  absl::StrAppend(
      &out, absl::StrFormat("  per subscriber     min %d, mean %.1f, max %d\n",
                            r.min_per_subscriber, r.mean_per_subscriber, r.max_per_subscriber));
  absl::StrAppend(&out, "  delivery latency   p50 ", Ms(r.latency.Percentile(0.5)), "  p90 ",
                  Ms(r.latency.Percentile(0.9)), "  p99 ", Ms(r.latency.Percentile(0.99)), "  max ",
                  Ms(r.latency.max()), "\n");
  std::string endings;
  for (const auto& [code, count] : r.stream_endings) {
    absl::StrAppend(&endings, " ", code, "x", count);
  }
  absl::StrAppend(
      &out, absl::StrFormat("  streams            %d opened, %d reopened%s%s\n", r.streams_opened,
                            r.resubscribes, endings.empty() ? "" : "; ended:", endings));
  if (r.events == 0) {
    absl::StrAppend(&out,
                    "  warning            no event received (is the daemon up, the API key "
                    "right, and load running?)\n");
  }
  if (r.duplicates > 0 || r.replayed > 0) {
    absl::StrAppend(&out, absl::StrFormat("  note               %d duplicates, %d replayed "
                                          "(not timed)\n",
                                          r.duplicates, r.replayed));
  }
  return out;
}

nlohmann::json EventsReportJson(const EventsBenchReport& r) {
  nlohmann::json endings = nlohmann::json::object();
  for (const auto& [code, count] : r.stream_endings) {
    endings[code] = count;
  }
  return nlohmann::json{
      {"tool", "events_bench"},
      {"subscribers", r.subscribers},
      {"channels", r.channels},
      {"duration_s", absl::ToDoubleSeconds(r.window)},
      {"events", r.events},
      {"events_per_second", r.events_per_second()},
      {"messages", r.messages},
      {"call_created", r.call_created},
      {"call_updated", r.call_updated},
      {"metrics_updated", r.metrics_updated},
      {"duplicates", r.duplicates},
      {"replayed", r.replayed},
      {"streams_opened", r.streams_opened},
      {"resubscribes", r.resubscribes},
      {"stream_endings", endings},
      {"per_subscriber",
       {{"min", r.min_per_subscriber},
        {"mean", r.mean_per_subscriber},
        {"max", r.max_per_subscriber}}},
      {"latency_ms", LatencyJsonMs(r.latency)},
  };
}

}  // namespace callcontrol::bench
