// What one simulated provider brings to provider-sim: its flags, its scenario table's --help
// lines, its REST and /sim routes, its share of /sim/calls/{id}, and its startup output. Each
// provider lives in its own folder (tools/provider_sim/<name>/); sim_registry.cc lists them, and
// SimServer and main.cc only ever iterate over that list.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/http/http_server.h"
#include "nlohmann/json.hpp"
#include "tools/provider_sim/scheduler.h"
#include "tools/provider_sim/webhook_sender.h"

namespace CLI {
class App;
}  // namespace CLI

namespace callcontrol::provider_sim {

// Answers one request now or later (from any thread), exactly once.
using SimHandler = std::function<void(const http::Request& request, http::Responder respond)>;

// A path table. A path ending in '/' covers every path under it (the longest such prefix wins);
// any other path covers only itself, and an exact entry beats every prefix.
class SimRoutes {
 public:
  // Adds `path`. kAlreadyExists if another provider registered it first.
  absl::Status Add(std::string path, SimHandler handler);

  // The handler covering `path`, or nullptr.
  const SimHandler* Find(std::string_view path) const;

 private:
  std::map<std::string, SimHandler, std::less<>> routes_;
};

// What SimServer shares with the providers it starts. The pointers outlive the provider; the
// scheduler is shut down (no timer runs any more) before the sender, and both before the
// provider is destroyed.
struct SimContext {
  double time_scale = 1.0;          // > 0; multiplies every scenario delay and back-off
  size_t max_ended_calls = 100000;  // ended calls (legs, executions, records) kept for inspection
  Scheduler* scheduler = nullptr;
  WebhookSender* sender = nullptr;
};

// The routes a provider registers at Start. `api` is its REST API (it checks credentials
// itself); `sim` holds its unauthenticated /sim/... controls and inspection views, which
// SimServer serves on a loopback listen address only (403 otherwise).
struct SimProviderRoutes {
  SimRoutes* api = nullptr;
  SimRoutes* sim = nullptr;
};

// One simulated provider. Lifecycle: created with default options (SimProviders()); AddFlags and
// ApplyFlags (main.cc) or direct option setters (tests) configure it; SimServer calls Start once,
// then Announce (main.cc) once the server listens, and Shutdown when it stops. Thread-safe once
// started; configuration happens on one thread before Start.
class SimProvider {
 public:
  virtual ~SimProvider() = default;

  // Lower-case name, the same as its folder's: log lines, SimServer::provider<P>().
  virtual std::string_view name() const = 0;

  // What it stands in for, as --help lists it ("Acme's REST API (calls create/fetch)").
  virtual std::string_view description() const = 0;

  // Adds this provider's command-line flags to `app`; their values land in this object.
  virtual void AddFlags(CLI::App& app) { (void)app; }

  // Turns the parsed flag values into options (once, after parsing). kInvalidArgument whose
  // message starts with the flag ("--x-account: ...") for a bad value; other codes when a file
  // named by a flag cannot be used.
  virtual absl::Status ApplyFlags() { return absl::OkStatus(); }

  // Its part of the --help footer: a heading line, then one "  SUFFIX  NAME: DESCRIPTION" line
  // per scenario, each ending in '\n'.
  virtual std::string ScenarioHelp() const = 0;

  // Fills in default options, validates them, builds the engines on `context` and adds the
  // routes. kInvalidArgument for bad options, kAlreadyExists for a route taken. Called once.
  virtual absl::Status Start(const SimContext& context, const SimProviderRoutes& routes) = 0;

  // " key=value" pairs for the server's startup log line (e.g. " accounts=1"), or "".
  virtual std::string LogSummary() const { return ""; }

  // Its answer to the shared GET /sim/calls/{id} (SimServer asks the providers in registry order
  // and serves the first answer): the inspection JSON of its call `id`, or nullopt when it has
  // none by that id (always, for providers that keep their calls under their own /sim path).
  virtual std::optional<nlohmann::json> InspectCall(const std::string& id) const {
    (void)id;
    return std::nullopt;
  }

  // Once the server listens (main.cc): performs what flags asked for then (writing files) and
  // returns the lines to print on stdout after the listening line, without the "provider-sim "
  // prefix and without '\n'. An error's message starts with the flag at fault.
  virtual absl::StatusOr<std::vector<std::string>> Announce() { return std::vector<std::string>{}; }

  // Answers or drops what the provider holds so that the HTTP server can stop at once; called
  // before the HTTP server and the timers stop. Idempotent.
  virtual void Shutdown() {}
};

// One of every registered provider with default options, in registry order (sim_registry.cc).
std::vector<std::unique_ptr<SimProvider>> SimProviders();

}  // namespace callcontrol::provider_sim
