// provider-sim's server: wires the Twilio REST routes, the call engine, the timer thread and the
// webhook senders behind one Beast HttpServer. main.cc starts it; tests start it in-process on
// port 0.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/http/http_server.h"
#include "tools/provider_sim/call_engine.h"
#include "tools/provider_sim/scheduler.h"
#include "tools/provider_sim/twilio_api.h"
#include "tools/provider_sim/webhook_sender.h"

namespace callcontrol::provider_sim {

// Routes:
//   /2010-04-01/...        Twilio REST subset (twilio_api.h), HTTP Basic auth
//   GET /healthz           200 "ok"
//   GET /sim/calls         inspection list (no auth; 403 unless listening on loopback)
//   GET /sim/calls/{sid}   one call's inspection view (inspection.h)
class SimServer {
 public:
  struct Options {
    std::string listen = "127.0.0.1:8090";  // "host:port"; port 0 picks a free port
    std::vector<TwilioAccount> accounts;    // empty: the default account
    double time_scale = 1.0;                // > 0; multiplies every scenario delay and back-off
    int webhook_retries = 3;                // >= 0
    int webhook_threads = 4;                // >= 1
    int io_threads = 2;                     // >= 1
    // A non-loopback listen host is refused unless this is set; the unauthenticated /sim/*
    // endpoints then answer 403.
    bool allow_remote = false;
    size_t max_ended_calls = 100000;
  };

  // Validates `options`, binds and starts every thread. Returns kInvalidArgument for bad
  // options, kUnavailable if the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<SimServer>> Start(Options options);

  // Shutdown().
  ~SimServer();
  SimServer(const SimServer&) = delete;
  SimServer& operator=(const SimServer&) = delete;

  // The bound port.
  int port() const;

  // Stops serving, stops the scenario timers, lets callbacks in flight finish and joins every
  // thread. Idempotent.
  void Shutdown();

 private:
  explicit SimServer(Options options);
  void Handle(http::Request&& request, http::Responder respond);
  http::Response HandleInspection(const http::Request& request);

  const Options options_;
  bool inspection_enabled_ = true;
  Scheduler scheduler_;
  std::unique_ptr<WebhookSender> sender_;
  std::unique_ptr<CallEngine> engine_;
  std::unique_ptr<TwilioApi> api_;
  std::unique_ptr<http::HttpServer> http_;
  bool shut_down_ = false;
};

// True for "127.x.y.z", "::1", "[::1]" and "localhost".
bool IsLoopbackHost(std::string_view host);

}  // namespace callcontrol::provider_sim
