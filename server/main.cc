// callcontrold: owns call state and call control behind callcontrol.v1.CallControlService.
#include <csignal>
#include <cstdint>
#include <iostream>

#include <grpc/grpc.h>

#include "CLI/CLI.hpp"
#include "absl/synchronization/mutex.h"
#include "common/config/config.h"
#include "common/logging.h"
#include "providers/registry.h"
#include "server/daemon.h"

int main(int argc, char** argv) {
  CLI::App app{
      "callcontrold: call state and call control behind a gRPC API (callcontrol.v1).\n"
      "Stores calls in SQLite, places and ends calls through the providers' REST APIs and "
      "streams call events."};
  std::string config_path;
  callcontrol::config::Overrides overrides;
  std::string log_level = "info";
  app.add_option("--config", config_path,
                 "JSON configuration shared with webhook-adapter (see README)")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("--grpc-listen", overrides.grpc_listen,
                 "gRPC listen address host:port (port 0 = any); default from config, "
                 "127.0.0.1:50051");
  app.add_option("--db", overrides.db,
                 "SQLite database file; default from config, var/callcontrol.db");
  app.add_option("--public-url", overrides.public_url,
                 "webhook-adapter's public base URL, used in provider status callback URLs; "
                 "default from config adapter.public_url");
  app.add_option("--provider-workers", overrides.provider_workers,
                 "threads making provider REST calls; default from config, 4")
      ->check(CLI::Range(1, 256));
  app.add_option("--clone-workers", overrides.clone_workers,
                 "threads calling the voice-clone API, apart from the provider workers; default "
                 "from config daemon.clone_workers, 2")
      ->check(CLI::Range(1, 64));
  app.add_option("--metrics-listen", overrides.metrics_listen,
                 "serve Prometheus text exposition (GET /metrics: calls, events, store) on "
                 "host:port (port 0 = any); default from config daemon.metrics_listen, off");
  app.add_option("--metrics-event-interval-ms", overrides.metrics_event_interval_ms,
                 "coalesce metrics:updated events to at most one per tenant per this many "
                 "milliseconds; default from config daemon.metrics_event_interval_ms, 250")
      ->check(CLI::Range(10, 60000));
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off");
  CLI11_PARSE(app, argc, argv);
  // Debian's Abseil is built with mutex deadlock detection on, which costs ~5% CPU per request
  // in gRPC's own locks (measured with perf by the adapter's author).
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  if (auto s = callcontrol::logging::SetLevel(log_level); !s.ok()) {
    std::cerr << "callcontrold: " << s.message() << "\n";
    return 2;
  }
  auto config = callcontrol::providers::LoadConfig(config_path);
  if (!config.ok()) {
    std::cerr << "callcontrold: " << config.status().message() << "\n";
    return 1;
  }
  if (auto s = callcontrol::config::ApplyOverrides(overrides, &*config); !s.ok()) {
    std::cerr << "callcontrold: " << s.message() << "\n";
    return 2;
  }

  // Take SIGINT/SIGTERM synchronously: blocked here, before any thread starts, so every thread
  // inherits the mask and sigwait() below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // Held for the whole run and released with grpc_shutdown_blocking() once every gRPC object is
  // gone, so gRPC's cleanup finishes before exit instead of racing it on a background thread.
  grpc_init();
  auto daemon = callcontrol::Daemon::Start(*std::move(config));
  if (!daemon.ok()) {
    std::cerr << "callcontrold: " << daemon.status().message() << "\n";
    return 1;
  }
  if ((*daemon)->metrics_port() > 0) {
    std::cout << "callcontrold metrics on port " << (*daemon)->metrics_port() << std::endl;
  }
  std::cout << "callcontrold listening on port " << (*daemon)->grpc_port() << std::endl;
  int sig = 0;
  sigwait(&signals, &sig);
  (*daemon)->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  daemon->reset();
  grpc_shutdown_blocking();
  return 0;
}
