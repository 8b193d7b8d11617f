#include "tools/bench/webhook_load.h"

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cmath>
#include <deque>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace callcontrol::bench {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

absl::Duration Since(Clock::time_point from, Clock::time_point to) {
  return absl::FromChrono(to - from);
}

// Everything one event-loop thread owns; touched only by that thread until it is joined.
struct LoopState {
  net::io_context ioc{1};
  WebhookLoadReport counts;  // latency and counters of this thread's connections
  int active_connections = 0;
  std::unique_ptr<net::steady_timer> drain_timer;
};

struct RunPlan {
  tcp::endpoint endpoint;
  bool open_loop = false;
  Clock::duration interval{};  // open loop: time between two sends of one connection
  Clock::time_point start;
  Clock::time_point end;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(LoopState& loop, const RunPlan& plan, int index, int connections,
             std::deque<SyntheticCall> calls, TwilioCallbackFactory factory)
      : loop_(loop),
        plan_(plan),
        socket_(loop.ioc),
        timer_(loop.ioc),
        calls_(std::move(calls)),
        factory_(std::move(factory)),
        index_(index),
        connections_(connections) {}

  // Call once plan.start is known.
  void Start() {
    // Open loop: connection i sends at start + i/rate, then every connections/rate.
    next_tick_ = plan_.start + plan_.interval * index_ / std::max(connections_, 1);
    ++loop_.active_connections;
    Connect();
  }

 private:
  void Connect() {
    socket_ = tcp::socket(loop_.ioc);
    socket_.async_connect(
        plan_.endpoint, [self = shared_from_this()](beast::error_code ec) { self->OnConnect(ec); });
  }

  void OnConnect(beast::error_code ec) {
    if (ec) {
      ++loop_.counts.connect_errors;
      RetryConnectLater();
      return;
    }
    socket_.set_option(tcp::no_delay(true), ec);
    const Clock::time_point now = Clock::now();
    if (!plan_.open_loop && now < plan_.start) {
      timer_.expires_at(plan_.start);
      timer_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
        if (!wait_ec) {
          self->SendNext();
        }
      });
      return;
    }
    SendNext();
  }

  void RetryConnectLater() {
    beast::error_code ignored;
    socket_.close(ignored);
    if (Clock::now() + std::chrono::milliseconds(100) >= plan_.end) {
      Finish();
      return;
    }
    timer_.expires_after(std::chrono::milliseconds(100));
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) {
        self->Connect();
      }
    });
  }

  // The request to send next: the retry of an unanswered one, else the next callback.
  const std::string& CurrentRequest() {
    if (position_ == 4 || !have_call_) {
      if (calls_.empty()) {
        calls_.push_back(factory_.NextCall(absl::Now()));
        ++loop_.counts.calls_built_during_run;
      }
      call_ = std::move(calls_.front());
      calls_.pop_front();
      have_call_ = true;
      position_ = 0;
      all_2xx_ = true;
      ++loop_.counts.calls_started;
    }
    return call_.requests[position_];
  }

  void SendNext() {
    const Clock::time_point now = Clock::now();
    if (plan_.open_loop) {
      if (next_tick_ >= plan_.end) {
        Finish();
        return;
      }
      const Clock::time_point tick = next_tick_;
      next_tick_ += plan_.interval;
      if (tick > now) {
        timer_.expires_at(tick);
        timer_.async_wait([self = shared_from_this(), tick](beast::error_code ec) {
          if (!ec) {
            self->Send(tick);
          }
        });
        return;
      }
      if (now - tick > std::chrono::milliseconds(1)) {
        ++loop_.counts.late_sends;
      }
      Send(tick);
      return;
    }
    if (now >= plan_.end) {
      Finish();
      return;
    }
    Send(now);
  }

  void Send(Clock::time_point started) {
    started_ = started;
    const std::string& request = CurrentRequest();
    ++loop_.counts.requests_sent;
    net::async_write(
        socket_, net::buffer(request),
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnWrite(ec); });
  }

  void OnWrite(beast::error_code ec) {
    if (ec) {
      OnIoError();
      return;
    }
    response_ = {};
    bhttp::async_read(
        socket_, buffer_, response_,
        [self = shared_from_this()](beast::error_code read_ec, size_t) { self->OnRead(read_ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec) {
      OnIoError();
      return;
    }
    const Clock::time_point now = Clock::now();
    WebhookLoadReport& c = loop_.counts;
    c.latency.Record(Since(started_, now));
    ++c.responses;
    if (now <= plan_.end) {
      ++c.responses_in_window;
    }
    const unsigned code = response_.result_int();
    ++c.by_status[std::min(code, 599u)];
    if (code >= 200 && code < 300) {
      ++c.status_2xx;
    } else {
      ++c.status_other;
      all_2xx_ = false;
    }
    ++position_;
    if (position_ == 4 && all_2xx_) {
      ++c.calls_completed;
    }
    if (!response_.keep_alive()) {
      beast::error_code ignored;
      socket_.close(ignored);
      buffer_.clear();
      if (Clock::now() >= plan_.end) {
        Finish();
        return;
      }
      Connect();
      return;
    }
    SendNext();
  }

  // The request in flight got no response: count it, reconnect and send it again (keeping the
  // call's callbacks in order).
  void OnIoError() {
    ++loop_.counts.io_errors;
    --loop_.counts.requests_sent;  // it will be sent again
    buffer_.clear();
    RetryConnectLater();
  }

  void Finish() {
    if (finished_) {
      return;
    }
    finished_ = true;
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    if (--loop_.active_connections == 0 && loop_.drain_timer != nullptr) {
      loop_.drain_timer->cancel();
    }
  }

  LoopState& loop_;
  const RunPlan& plan_;
  tcp::socket socket_;
  net::steady_timer timer_;
  beast::flat_buffer buffer_;
  bhttp::response<bhttp::string_body> response_;
  std::deque<SyntheticCall> calls_;
  TwilioCallbackFactory factory_;
  const int index_;
  const int connections_;
  SyntheticCall call_;
  bool have_call_ = false;
  int position_ = 0;
  bool all_2xx_ = true;
  bool finished_ = false;
  Clock::time_point started_;
  Clock::time_point next_tick_;
};

void MergeInto(WebhookLoadReport& total, const WebhookLoadReport& part) {
  total.requests_sent += part.requests_sent;
  total.responses += part.responses;
  total.responses_in_window += part.responses_in_window;
  total.status_2xx += part.status_2xx;
  total.status_other += part.status_other;
  for (size_t i = 0; i < total.by_status.size(); ++i) {
    total.by_status[i] += part.by_status[i];
  }
  total.connect_errors += part.connect_errors;
  total.io_errors += part.io_errors;
  total.calls_started += part.calls_started;
  total.calls_completed += part.calls_completed;
  total.calls_built_during_run += part.calls_built_during_run;
  total.late_sends += part.late_sends;
  total.latency.Merge(part.latency);
}

std::string Ms(absl::Duration d) {
  return absl::StrFormat("%.3f ms", absl::ToDoubleMilliseconds(d));
}

}  // namespace

double WebhookLoadReport::throughput() const {
  const double seconds = absl::ToDoubleSeconds(window);
  return seconds > 0 ? responses_in_window / seconds : 0;
}

absl::StatusOr<WebhookLoadReport> RunWebhookLoad(const WebhookLoadOptions& options) {
  if (options.connections < 1 || options.threads < 1) {
    return absl::InvalidArgumentError("--connections and --threads must be at least 1");
  }
  if (options.duration <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--duration must be positive");
  }
  if (options.rate < 0) {
    return absl::InvalidArgumentError("--rate must not be negative");
  }
  const int threads = std::min(options.threads, options.connections);

  RunPlan plan;
  {
    net::io_context resolver_ioc;
    tcp::resolver resolver(resolver_ioc);
    beast::error_code ec;
    auto results = resolver.resolve(options.host, std::to_string(options.port), ec);
    if (ec || results.empty()) {
      return absl::UnavailableError(
          absl::StrCat("cannot resolve ", options.host, ": ", ec.message()));
    }
    plan.endpoint = results.begin()->endpoint();
  }
  plan.open_loop = options.rate > 0;
  if (plan.open_loop) {
    plan.interval = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(options.connections / options.rate));
  }

  // Build and sign the calls before the window so the timed part only writes bytes.
  const double seconds = absl::ToDoubleSeconds(options.duration);
  int64_t precompute = options.precompute_calls;
  if (precompute < 0) {
    precompute = plan.open_loop ? static_cast<int64_t>(std::ceil(options.rate * seconds / 4)) +
                                      options.connections
                                : std::min<int64_t>(static_cast<int64_t>(4000 * seconds), 60000);
  }
  std::vector<LoopState> loops(threads);
  std::vector<std::shared_ptr<Connection>> connections;
  connections.reserve(options.connections);
  const absl::Time now = absl::Now();
  for (int i = 0; i < options.connections; ++i) {
    const uint64_t seed = options.seed == 0 ? 0 : options.seed + i;
    TwilioCallbackFactory factory(options.target, seed);
    std::deque<SyntheticCall> calls;
    const int64_t share = precompute / options.connections + (i < precompute % options.connections);
    for (int64_t k = 0; k < share; ++k) {
      calls.push_back(factory.NextCall(now));
    }
    connections.push_back(std::make_shared<Connection>(
        loops[i % threads], plan, i, options.connections, std::move(calls), std::move(factory)));
  }

  plan.start = Clock::now() + std::chrono::milliseconds(200);
  plan.end = plan.start + absl::ToChronoNanoseconds(options.duration);
  for (LoopState& loop : loops) {
    loop.drain_timer = std::make_unique<net::steady_timer>(loop.ioc);
    loop.drain_timer->expires_at(plan.end + absl::ToChronoNanoseconds(options.drain));
    loop.drain_timer->async_wait([&loop](beast::error_code ec) {
      if (!ec) {
        loop.ioc.stop();  // responses still in flight are given up
      }
    });
  }
  for (const auto& connection : connections) {
    connection->Start();
  }
  connections.clear();  // the handlers own them now

  std::vector<std::thread> workers;
  for (int t = 1; t < threads; ++t) {
    workers.emplace_back([&loops, t] { loops[t].ioc.run(); });
  }
  loops[0].ioc.run();
  for (std::thread& w : workers) {
    w.join();
  }

  WebhookLoadReport report;
  report.open_loop = plan.open_loop;
  report.target_rate = options.rate;
  report.connections = options.connections;
  report.threads = threads;
  report.window = options.duration;
  for (LoopState& loop : loops) {
    MergeInto(report, loop.counts);
  }
  report.unanswered = report.requests_sent - report.responses;
  return report;
}

std::string FormatWebhookReport(const WebhookLoadReport& r) {
  std::string out;
  absl::StrAppend(&out, "webhook_bench: ",
                  r.open_loop ? absl::StrFormat("open loop at %.0f req/s", r.target_rate)
                              : std::string("closed loop"),
                  ", ", r.connections, " connections, ", r.threads, " thread(s), ",
                  absl::FormatDuration(r.window), "\n");
  absl::StrAppend(&out, absl::StrFormat("  requests sent      %d\n", r.requests_sent));
  absl::StrAppend(&out, absl::StrFormat("  responses          %d (2xx %d, other %d)\n", r.responses,
                                        r.status_2xx, r.status_other));
  std::string codes;
  for (size_t code = 0; code < r.by_status.size(); ++code) {
    if (r.by_status[code] > 0 && (code < 200 || code >= 300)) {
      absl::StrAppend(&codes, " ", code, "x", r.by_status[code]);
    }
  }
  if (!codes.empty()) {
    absl::StrAppend(&out, "  non-2xx statuses  ", codes, "\n");
  }
  absl::StrAppend(&out, absl::StrFormat("  throughput         %.0f responses/s\n", r.throughput()));
  absl::StrAppend(&out, absl::StrFormat("  calls              %d started, %d fully acknowledged\n",
                                        r.calls_started, r.calls_completed));
  absl::StrAppend(&out, "  ack latency        p50 ", Ms(r.latency.Percentile(0.5)), "  p90 ",
                  Ms(r.latency.Percentile(0.9)), "  p99 ", Ms(r.latency.Percentile(0.99)), "  max ",
                  Ms(r.latency.max()), "\n");
  if (r.connect_errors + r.io_errors + r.unanswered + r.late_sends > 0) {
    absl::StrAppend(&out,
                    absl::StrFormat("  problems           connect errors %d, io errors %d, "
                                    "unanswered %d, late sends %d\n",
                                    r.connect_errors, r.io_errors, r.unanswered, r.late_sends));
  }
  if (r.calls_built_during_run > 0) {
    absl::StrAppend(&out, absl::StrFormat("  note               %d calls were built during the "
                                          "window (raise --precompute-calls)\n",
                                          r.calls_built_during_run));
  }
  return out;
}

nlohmann::json WebhookReportJson(const WebhookLoadReport& r) {
  nlohmann::json by_status = nlohmann::json::object();
  for (size_t code = 0; code < r.by_status.size(); ++code) {
    if (r.by_status[code] > 0) {
      by_status[std::to_string(code)] = r.by_status[code];
    }
  }
  return nlohmann::json{
      {"tool", "webhook_bench"},
      {"mode", r.open_loop ? "open" : "closed"},
      {"target_rate", r.target_rate},
      {"connections", r.connections},
      {"threads", r.threads},
      {"duration_s", absl::ToDoubleSeconds(r.window)},
      {"requests_sent", r.requests_sent},
      {"responses", r.responses},
      {"responses_in_window", r.responses_in_window},
      {"status_2xx", r.status_2xx},
      {"status_other", r.status_other},
      {"by_status", by_status},
      {"throughput_rps", r.throughput()},
      {"calls_started", r.calls_started},
      {"calls_completed", r.calls_completed},
      {"connect_errors", r.connect_errors},
      {"io_errors", r.io_errors},
      {"unanswered", r.unanswered},
      {"late_sends", r.late_sends},
      {"calls_built_during_run", r.calls_built_during_run},
      {"latency_ms", LatencyJsonMs(r.latency)},
  };
}

}  // namespace callcontrol::bench
