// The engine of webhook_bench: keep-alive HTTP/1.1 connections (Boost.Beast, one event loop per
// thread, no thread per connection) that POST signed Twilio status callbacks and time each
// acknowledgement. Closed loop (each connection sends its next callback as soon as the last is
// answered: maximum throughput) or open loop (a fixed total rate split evenly over the
// connections; latency counts from the scheduled send time, so a server that falls behind shows
// its queueing delay instead of slowing the generator down). Each connection sends a call's four
// callbacks one after another, so a call's callbacks always arrive in order.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "tools/bench/latency_histogram.h"
#include "tools/bench/twilio_callbacks.h"

namespace callcontrol::bench {

struct WebhookLoadOptions {
  // Where to connect (IPv4/IPv6 literal or name resolved once before the run).
  std::string host = "127.0.0.1";
  int port = 8080;
  // What to send: Host header, path, signed URL, auth token, numbers.
  CallbackTarget target;
  int connections = 16;
  // Event-loop threads; connections are spread over them round-robin.
  int threads = 1;
  // Length of the timed window; nothing new is sent after it.
  absl::Duration duration = absl::Seconds(10);
  // Open loop: total requests per second over all connections. 0: closed loop.
  double rate = 0;
  // Calls built and signed before the window starts. -1: enough for the open-loop schedule, or
  // 4,000 per second of window (capped at 60,000) in closed loop. Past it, calls are built during
  // the run (counted in calls_built_during_run).
  int64_t precompute_calls = -1;
  // After the window, how long to wait for responses still in flight before giving up on them.
  absl::Duration drain = absl::Seconds(5);
  // Seed of the CallSid generator (0: random).
  uint64_t seed = 0;
};

struct WebhookLoadReport {
  bool open_loop = false;
  double target_rate = 0;
  int connections = 0;
  int threads = 0;
  absl::Duration window;
  int64_t requests_sent = 0;
  int64_t responses = 0;
  // Responses that arrived within the window (the throughput numerator).
  int64_t responses_in_window = 0;
  int64_t status_2xx = 0;
  int64_t status_other = 0;
  // Count per HTTP status code (index = code, 0..599).
  std::array<int64_t, 600> by_status{};
  int64_t connect_errors = 0;
  // Requests that got no response because the connection failed (they are resent).
  int64_t io_errors = 0;
  // Requests still unanswered when the drain time ran out.
  int64_t unanswered = 0;
  int64_t calls_started = 0;
  // Calls whose four callbacks were all answered 2xx.
  int64_t calls_completed = 0;
  int64_t calls_built_during_run = 0;
  // Open loop: sends that left more than 1 ms after their scheduled time (generator or server
  // could not keep up).
  int64_t late_sends = 0;
  // Send (or scheduled send) to complete response, every answered request.
  LatencyHistogram latency;

  double throughput() const;  // responses_in_window per second of window
};

// Runs the load and returns what happened; HTTP error statuses are counted, not failures.
// Returns kInvalidArgument for bad options and kUnavailable if `host` does not resolve.
absl::StatusOr<WebhookLoadReport> RunWebhookLoad(const WebhookLoadOptions& options);

// The human summary (several lines, each ending in '\n').
std::string FormatWebhookReport(const WebhookLoadReport& report);

// The same as one JSON object (latencies in milliseconds as numbers).
nlohmann::json WebhookReportJson(const WebhookLoadReport& report);

}  // namespace callcontrol::bench
