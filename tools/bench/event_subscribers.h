// The engine of events_bench: N StreamEvents subscribers (gRPC callback API, one reactor per
// stream, spread over a few channels) that time each event's delivery as receive time minus
// Event.create_time (same machine, same clock). A stream that ends with RESOURCE_EXHAUSTED,
// UNAVAILABLE or OK is reopened with since_sequence = the last sequence it received, as a
// dashboard would; the reopen count is reported.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "tools/bench/latency_histogram.h"

namespace callcontrol::bench {

struct EventsBenchOptions {
  std::string server = "127.0.0.1:50051";
  // Sent as `authorization: Bearer <api_key>` when not empty.
  std::string api_key;
  int subscribers = 100;
  // gRPC channels (TCP connections) the subscribers share, round-robin.
  int channels = 4;
  // How long to subscribe; the streams are cancelled at the end.
  absl::Duration duration = absl::Seconds(10);
  // since_sequence of every first stream; unset: live events only.
  std::optional<int64_t> since_sequence;
  // Wait before reopening an ended stream.
  absl::Duration resubscribe_delay = absl::Milliseconds(100);
};

struct EventsBenchReport {
  int subscribers = 0;
  int channels = 0;
  absl::Duration window;
  int64_t events = 0;    // events received (duplicates excluded)
  int64_t messages = 0;  // StreamEventsResponse messages (an event batch each)
  int64_t call_created = 0;
  int64_t call_updated = 0;
  int64_t metrics_updated = 0;
  // Events whose sequence was not above the subscriber's last one (must stay 0).
  int64_t duplicates = 0;
  // Events created before the run started (replayed with --since): not in the latency.
  int64_t replayed = 0;
  int64_t streams_opened = 0;
  int64_t resubscribes = 0;
  // How streams ended before the window closed, by gRPC code name ("RESOURCE_EXHAUSTED": 3).
  std::map<std::string, int64_t> stream_endings;
  // Events received per subscriber.
  int64_t min_per_subscriber = 0;
  int64_t max_per_subscriber = 0;
  double mean_per_subscriber = 0;
  // Receive time minus Event.create_time over all live events.
  LatencyHistogram latency;

  double events_per_second() const;
};

// Subscribes, waits `duration`, cancels and reports. `progress` (may be null) gets a line once
// every stream has been started. Returns kInvalidArgument for bad options, and the stream status
// if every subscriber's stream failed with a non-retryable code (UNAUTHENTICATED...).
absl::StatusOr<EventsBenchReport> RunEventsBench(const EventsBenchOptions& options,
                                                 std::ostream* progress);

std::string FormatEventsReport(const EventsBenchReport& report);
nlohmann::json EventsReportJson(const EventsBenchReport& report);

}  // namespace callcontrol::bench
