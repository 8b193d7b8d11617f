// provider-sim's server: starts every provider of the registry (sim_provider.h) on one timer
// thread, one webhook sender and one Beast HttpServer, and routes each request to the provider
// that registered its path. main.cc starts it; tests start it in-process on port 0.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/http/http_server.h"
#include "tools/provider_sim/scheduler.h"
#include "tools/provider_sim/sim_provider.h"
#include "tools/provider_sim/webhook_sender.h"

namespace callcontrol::provider_sim {

// Routes:
//   GET /healthz                    200 "ok"
//   the providers' REST APIs        by the longest registered prefix (each provider's header and
//                                   tools/provider_sim/README.md list them)
// and, with no auth and only when listening on loopback (403 otherwise):
//   GET /sim/calls/{id}             one call's inspection view, from the first provider (in
//                                   registry order) that knows `id`
//   the providers' /sim/... routes  controls and inspection views
//   any other /sim/... path         404 (GET) or 405
class SimServer {
 public:
  struct Options {
    std::string listen = "127.0.0.1:8090";  // "host:port"; port 0 picks a free port
    double time_scale = 1.0;                // > 0; multiplies every scenario delay and back-off
    int webhook_retries = 3;                // >= 0
    int webhook_threads = 4;                // >= 1
    int io_threads = 2;                     // >= 1
    // A non-loopback listen host is refused unless this is set; the unauthenticated /sim/*
    // endpoints then answer 403.
    bool allow_remote = false;
    size_t max_ended_calls = 100000;
    // The providers to serve, configured but not started; empty: SimProviders() with their
    // default options.
    std::vector<std::unique_ptr<SimProvider>> providers;

    // The provider of type P (a SimProvider with a static kName) in `providers`, to set its
    // options: fills `providers` with SimProviders() first when it is empty, and adds a P when
    // none has P's name.
    template <typename P>
    P& Provider() {
      if (providers.empty()) providers = SimProviders();
      for (const auto& p : providers) {
        if (p->name() == P::kName) return static_cast<P&>(*p);
      }
      providers.push_back(std::make_unique<P>());
      return static_cast<P&>(*providers.back());
    }
  };

  // Validates `options`, starts every provider, binds and starts every thread. Returns
  // kInvalidArgument for bad options (a provider's included), kAlreadyExists when two providers
  // claim one route, kUnavailable if the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<SimServer>> Start(Options options);

  // Shutdown().
  ~SimServer();
  SimServer(const SimServer&) = delete;
  SimServer& operator=(const SimServer&) = delete;

  // The bound port.
  int port() const;

  // The running providers, in the order given (registry order by default).
  const std::vector<std::unique_ptr<SimProvider>>& providers() const { return providers_; }

  // The running provider of type P (by P::kName), or nullptr.
  template <typename P>
  P* provider() const {
    for (const auto& p : providers_) {
      if (p->name() == P::kName) return static_cast<P*>(p.get());
    }
    return nullptr;
  }

  // Stops the providers' held requests, stops serving, stops the scenario timers, lets
  // callbacks in flight finish and joins every thread. Idempotent.
  void Shutdown();

 private:
  explicit SimServer(Options options);
  void Handle(http::Request&& request, http::Responder respond);
  // GET /sim/calls/{id}: the first provider's InspectCall answer.
  http::Response InspectAnyCall(const http::Request& request) const;

  const Options options_;  // without the providers (moved to providers_)
  bool inspection_enabled_ = true;
  Scheduler scheduler_;
  std::unique_ptr<WebhookSender> sender_;
  std::vector<std::unique_ptr<SimProvider>> providers_;
  SimRoutes api_routes_;
  SimRoutes sim_routes_;
  std::unique_ptr<http::HttpServer> http_;
  bool shut_down_ = false;
};

// True for "127.x.y.z", "::1", "[::1]" and "localhost".
bool IsLoopbackHost(std::string_view host);

}  // namespace callcontrol::provider_sim
